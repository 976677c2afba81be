/**
 * Every API error path, through n8n's engine against the simulator: each must reach the user as a
 * NodeApiError that says what happened and what to do, tied to its item, without leaking the key.
 */
import {
	API_KEYS,
	UNKNOWN_ID,
	WF,
	finishedRun,
	getResults,
	nodeError,
	routesOf,
	runAnyformat,
	runText,
	withSim,
} from './support';

const getWorkflow = (id: string = WF.invoice) => ({
	resource: 'workflow',
	operation: 'get',
	workflowId: { __rl: true, mode: 'id', value: id },
});

describe('refused credentials', () => {
	test.concurrent.each([
		['401 AUTH_FAILED (a wrong key)', {}, API_KEYS.wrong, '401', /Anyformat said: Authentication failed — Invalid API key\./],
		['401 legacy {"detail": "Invalid token."}', { legacyAuthErrors: true }, API_KEYS.wrong, '401', /Anyformat said: Invalid token\./],
		['403 ACCESS_DENIED (an empty key)', {}, '', '403', /Anyformat said: Access denied — Authentication credentials were not provided/],
	])('%s: "the API key was refused", pointing at the credential', async (_label, simOptions, apiKey, httpCode, said) => {
		await withSim(async (sim) => {
			for (const parameters of [getWorkflow(), runText(WF.invoice, 'Invoice INV-401')]) {
				const e = nodeError(await runAnyformat(sim, parameters, { apiKey }));
				expect(e.name).toBe('NodeApiError');
				expect(e.message).toBe('The Anyformat API key was refused');
				expect(e.description).toMatch(/Open the "Anyformat API" credential and paste the API key again/);
				expect(e.description).toMatch(said);
				expect(e.httpCode).toBe(httpCode);
				expect(e.itemIndex).toBe(0);
			}
			// a refused key is not retried, and no run was created
			expect(sim.ledger.requests).toHaveLength(2);
			expect(sim.ledger.runs).toHaveLength(0);
		}, simOptions);
	});
});

describe('not found', () => {
	test.concurrent('a run on an unknown workflow: 404 naming the workflow, nothing run, not retried', async () => {
		await withSim(async (sim) => {
			const e = nodeError(await runAnyformat(sim, runText(UNKNOWN_ID, 'Invoice INV-404')));
			expect(e.name).toBe('NodeApiError');
			expect(e.message).toBe(`Anyformat could not find workflow "${UNKNOWN_ID}"`);
			expect(e.description).toMatch(/Check the ID: it may be mistyped, deleted, or belong to another organization/);
			expect(e.httpCode).toBe('404');
			expect(routesOf(sim.ledger.requests)).toEqual(['POST run']);
			expect(sim.ledger.runs).toHaveLength(0);
		});
	});

	test.concurrent('an unknown run, and a run read through another workflow: 404 naming run and workflow', async () => {
		await withSim(async (sim) => {
			const unknown = nodeError(await runAnyformat(sim, getResults(WF.invoice, UNKNOWN_ID)));
			expect(unknown.message).toBe(`Anyformat could not find run "${UNKNOWN_ID}" of workflow "${WF.invoice}"`);
			const id = await finishedRun(sim, WF.invoice);
			const wrong = nodeError(await runAnyformat(sim, getResults(WF.split, id)));
			expect(wrong.name).toBe('NodeApiError');
			expect(wrong.message).toBe(`Anyformat could not find run "${id}" of workflow "${WF.split}"`);
			expect(wrong.description).toMatch(/check that it was submitted to this workflow/);
			expect(wrong.httpCode).toBe('404');
		});
	});
});

describe('validation errors (422) carry the API’s own field messages', () => {
	test.concurrent.each([
		['the API envelope', 'envelope', /^Anyformat rejected the request: Validation error — text: Text is too large \(over 1000 bytes\)\.$/],
		['FastAPI {"detail": [{loc, msg}]}', 'fastapi', /^Anyformat rejected the request: text: Text is too large \(over 1000 bytes\)\.$/],
	])('%s', async (_label, style, message) => {
		await withSim(
			async (sim) => {
				const e = nodeError(
					await runAnyformat(sim, runText(WF.invoice, '={{ $json.doc }}'), {
						items: [{ json: { doc: 'Invoice INV-S' } }, { json: { doc: 'x'.repeat(2000) } }],
					}),
				);
				expect(e.name).toBe('NodeApiError');
				expect(e.message).toMatch(message);
				expect(e.description).toMatch(/Nothing was processed/);
				expect(e.httpCode).toBe('422');
				expect(e.itemIndex).toBe(1);
				expect(sim.ledger.count({ route: 'run', status: 422 })).toBe(1);
				expect(sim.ledger.runs).toHaveLength(1); // item 0's
			},
			{ maxTextBytes: 1000, validationErrorStyle: style },
		);
	});
});

test.concurrent('402: no credit left, said plainly, not retried', async () => {
	await withSim(
		async (sim) => {
			const result = await runAnyformat(sim, runText(WF.invoice, '={{ $json.doc }}'), {
				items: [{ json: { doc: 'Invoice A' } }, { json: { doc: 'Invoice B' } }],
				continueOnFail: true,
			});
			expect(result.items.map((i) => [i.json.error, i.pairedItem])).toEqual([
				['Your Anyformat organization has no credit left', { item: 0 }],
				['Your Anyformat organization has no credit left', { item: 1 }],
			]);
			expect(result.items[0].json.description).toMatch(/Add credit in the Anyformat app.*Anyformat said: Insufficient credits/);
			expect(sim.ledger.count({ route: 'run', status: 402 })).toBe(2);
			expect(sim.ledger.runs).toHaveLength(0);
		},
		{ credits: 0 },
	);
});

describe('server errors', () => {
	test.concurrent('a read answered 500 every time: retried, then an error with the request_id', async () => {
		await withSim(async (sim) => {
			sim.faults.configure({ rate: 1, kinds: ['500'], routes: ['workflow'] });
			const e = nodeError(await runAnyformat(sim, getWorkflow()));
			expect(e.name).toBe('NodeApiError');
			expect(e.message).toBe('Anyformat answered with a server error (HTTP 500)');
			expect(e.description).toMatch(/The node retried where it was safe to/);
			expect(e.description).toMatch(/Anyformat request_id: [0-9a-f]{32}/);
			expect(e.httpCode).toBe('500');
			const attempts = sim.ledger.count({ route: 'workflow', status: 500 });
			expect(attempts).toBeGreaterThan(1);
			expect(attempts).toBeLessThanOrEqual(6);
		});
	});

	// Issue 9: a proxy's page proves nothing either way, so the document is not sent again (it used
	// to be, once the files list "proved" it absent): the item is "fate unknown" and says how to check.
	test.concurrent('a submission answered by a proxy’s 502 page (fate unknown): not sent again, the error says how to check', async () => {
		await withSim(async (sim) => {
			sim.faults.once('502-html', { route: 'run' });
			const text = 'Invoice INV-502 Total: $5.00';
			const result = await runAnyformat(sim, runText(WF.invoice, text));
			expect(sim.faults.injected['502-html']).toBe(1);
			const e = nodeError(result);
			expect(e.message).toBe('It is unknown whether Anyformat received the document of item 0');
			expect(e.description).toMatch(/HTTP 502/);
			expect(e.description).toMatch(/Get Results/);
			expect(e.description).toMatch(/may create a second run/);
			expect(sim.ledger.count({ method: 'GET', route: 'files' })).toBe(0);
			expect(sim.ledger.count({ method: 'POST', route: 'run' })).toBe(1);
			expect(sim.ledger.runs).toHaveLength(0);
		});
	});

	test.concurrent('a read answered 503 once, then fine: the results come through', async () => {
		await withSim(async (sim) => {
			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-503');
			sim.faults.once('503', { route: 'results' });
			const result = await runAnyformat(sim, getResults(WF.invoice, id));
			expect(result.error).toBeUndefined();
			expect(result.items[0].json.invoice_number).toBe('INV-503');
			expect(sim.ledger.count({ route: 'results', status: 503 })).toBe(1);
		});
	});
});

describe('rate limits: 429 is honoured with its Retry-After, then the request succeeds', () => {
	test.concurrent('a read', async () => {
		await withSim(async (sim) => {
			sim.faults.once('429', { route: 'workflow' });
			const result = await runAnyformat(sim, getWorkflow());
			expect(result.error).toBeUndefined();
			expect(result.items[0].json.id).toBe(WF.invoice);
			const [limited, ok] = sim.ledger.requests;
			expect([limited.status, ok.status]).toEqual([429, 200]);
			expect(ok.time - limited.time).toBeGreaterThanOrEqual(950); // Retry-After: 1
		});
	});

	test.concurrent('a submission: sent again after Retry-After (a 429 created nothing), one run in the end', async () => {
		await withSim(async (sim) => {
			sim.faults.once('429', { route: 'run' });
			const result = await runAnyformat(sim, runText(WF.invoice, 'Invoice INV-429', { waitForResults: false }));
			expect(result.error).toBeUndefined();
			expect(sim.ledger.requests.map((r) => r.status)).toEqual([429, 202]);
			const [limited, ok] = sim.ledger.requests;
			expect(ok.time - limited.time).toBeGreaterThanOrEqual(950);
			expect(sim.ledger.runs).toHaveLength(1);
			expect(result.items[0].json.collection_id).toBe(sim.ledger.runs[0].collectionId);
		});
	});

	test.concurrent('the simulator’s own limiter (a 1-request window): the node paces itself and gets there', async () => {
		await withSim(
			async (sim) => {
				const result = await runAnyformat(sim, getWorkflow('={{ $json.id }}'), {
					items: [{ json: { id: WF.invoice } }, { json: { id: WF.split } }],
				});
				expect(result.error).toBeUndefined();
				expect(result.items.map((i) => i.json.id)).toEqual([WF.invoice, WF.split]);
			},
			{ rateLimit: { general: 1, windowMs: 1000 } },
		);
	});
});
