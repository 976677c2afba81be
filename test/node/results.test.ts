/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Extraction → Get Results, Wait, Get Many (runs) and Cancel, through n8n's engine against the
 * simulator. Runs are set up with direct API calls (outside the node) and finished, failed or
 * cancelled through the simulator, so most tests need no polling at all.
 */
import {
	API_KEYS,
	UNKNOWN_ID,
	WF,
	finishedRun,
	getResults,
	nodeError,
	requestsSince,
	routesOf,
	runAnyformat,
	submitDirect,
	waitFor,
	withSim,
} from './support';

const anyformat = (json: Record<string, unknown>) => json.anyformat as Record<string, any>;

describe('extraction → get results', () => {
	test.concurrent('a finished run: its items, and a single results request', async () => {
		await withSim(async (sim) => {
			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-GR-1 Total: $12.00');
			const mark = sim.ledger.requests.length;
			const result = await runAnyformat(sim, getResults(WF.invoice, id));
			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([
				{
					json: {
						invoice_number: 'INV-GR-1',
						total_amount: 12,
						vendor_name: 'Acme Corp',
						invoice_date: '2024-03-01',
						anyformat: expect.objectContaining({ collection_id: id, workflow_id: WF.invoice, status: 'processed' }),
					},
					pairedItem: { item: 0 },
				},
			]);
			expect(routesOf(requestsSince(sim, mark))).toEqual(['GET results']);
		});
	});

	test.concurrent('an unfinished run: one item with anyformat.status "processing", no error', async () => {
		await withSim(async (sim) => {
			const id = await submitDirect(sim, WF.invoice, 'Invoice [[processing_ms:600000]]');
			const result = await runAnyformat(sim, getResults(WF.invoice, id));
			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([
				{ json: { anyformat: { collection_id: id, workflow_id: WF.invoice, status: 'processing' } }, pairedItem: { item: 0 } },
			]);
		});
	});

	test.concurrent.each([
		['failed', 'could not process', /Anyformat said: Extraction failed/],
		['cancelled', 'cancelled', /Anyformat said: Extraction cancelled/],
	])('a %s run: a NodeApiError naming item and run; with Continue On Fail an item with that status', async (status, verb, said) => {
		await withSim(async (sim) => {
			let id: string;
			if (status === 'failed') {
				id = await finishedRun(sim, WF.invoice, 'FAIL_EXTRACTION');
			} else {
				id = await submitDirect(sim, WF.invoice, 'Invoice [[processing_ms:600000]]');
				expect(sim.cancelRun(id)).toBe(true);
			}
			const failing = nodeError(await runAnyformat(sim, getResults(WF.invoice, id)));
			expect(failing.name).toBe('NodeApiError');
			expect(failing.message).toBe(`Anyformat ${verb} the document of item 0 (run ${id})`);
			expect(failing.description).toMatch(said);
			expect(failing.description).toContain(`Collection ID ${id}, workflow ${WF.invoice}`);
			expect(failing.itemIndex).toBe(0);

			const tolerant = await runAnyformat(sim, getResults(WF.invoice, id), { continueOnFail: true });
			expect(tolerant.items).toEqual([
				{
					json: {
						error: failing.message,
						description: failing.description,
						anyformat: { collection_id: id, workflow_id: WF.invoice, status },
					},
					pairedItem: { item: 0 },
				},
			]);
		});
	});

	test.concurrent('several items: finished, processing, failed and unknown, each paired in order (Continue On Fail)', async () => {
		await withSim(async (sim) => {
			const done = await finishedRun(sim, WF.invoice, 'Invoice INV-M0');
			const busy = await submitDirect(sim, WF.invoice, 'Invoice [[processing_ms:600000]]');
			const failed = await finishedRun(sim, WF.invoice, 'FAIL_EXTRACTION');
			const result = await runAnyformat(sim, getResults(WF.invoice, '={{ $json.id }}'), {
				items: [{ json: { id: done } }, { json: { id: busy } }, { json: { id: failed } }, { json: { id: UNKNOWN_ID } }],
				continueOnFail: true,
			});
			expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
			expect(result.items[0].json.invoice_number).toBe('INV-M0');
			expect(anyformat(result.items[1].json).status).toBe('processing');
			expect(anyformat(result.items[2].json).status).toBe('failed');
			expect(result.items[3].json.error).toBe(`Anyformat could not find run "${UNKNOWN_ID}" of workflow "${WF.invoice}"`);
		});
	});

	describe('every output mode on every scenario', () => {
		test.concurrent('simplified: split, parse-only, line items, falsy overrides, classification', async () => {
			await withSim(async (sim) => {
				const read = async (wf: string, text: string, extra = {}) =>
					(await runAnyformat(sim, getResults(wf, await finishedRun(sim, wf, text), extra))).items.map((i) => i.json);

				const split = await read(WF.split, 'Invoice INV-77 Total: $300.00');
				expect(split.map((j) => [anyformat(j).split_name, anyformat(j).partition, anyformat(j).split.pages])).toEqual([
					['invoice', 'invoice_1', [1, 2]],
					['invoice', 'invoice_2', [3]],
					['bank_statement', 'bank_statement_1', [4, 5]],
				]);
				expect(split[0]).toMatchObject({ invoice_number: 'INV-77', total_amount: 300 });
				expect(split[1]).toMatchObject({ invoice_number: 'INV-77-B', total_amount: 250.75 });
				expect(split[2]).toMatchObject({ account_holder: 'Jane Doe', closing_balance: 10432.18 });

				const parseOnly = await read(WF.parseOnly, 'Just some text to parse');
				expect(parseOnly).toHaveLength(1);
				expect(Object.keys(parseOnly[0])).toEqual(['anyformat']);
				expect(anyformat(parseOnly[0]).markdown).toContain('Just some text to parse');

				const [po] = await read(WF.lineItems, 'PO-5521 order', { options: { minimumConfidence: 91 } });
				expect(po.po_number).toBe('PO-5521');
				expect(po.line_items).toEqual([
					{ description: 'Widget A', quantity: 10, unit_price: 2.5 },
					{ description: 'Widget B', quantity: 5, unit_price: 12 },
					{ description: 'Service fee', quantity: 1, unit_price: 49.99 },
				]);
				expect(anyformat(po).low_confidence_fields).toEqual(['line_items[0].quantity', 'line_items[1].quantity', 'line_items[2].quantity']);

				const [falsy] = await read(WF.falsyOverrides, 'Invoice INV-F');
				expect(falsy).toMatchObject({ discount_amount: 0, is_paid: false, internal_note: '', vendor_name: 'Acme Corp', due_date: '2024-04-15' });

				const [classified] = await read(WF.classification, 'Invoice INV-CL');
				expect(anyformat(classified).classifications).toEqual([
					{ category: 'invoice', confidence: 91, evidence: 'Invoice #INV-CL' },
					{ category: 'receipt', confidence: 7, evidence: null },
				]);
			});
		});

		test.concurrent('detailed keeps value, override, confidence (also null), status and evidence', async () => {
			await withSim(async (sim) => {
				const id = await finishedRun(sim, WF.falsyOverrides, 'Invoice INV-D');
				const [item] = (await runAnyformat(sim, getResults(WF.falsyOverrides, id, { output: 'detailed' }))).items;
				expect(item.json.discount_amount).toEqual({
					value: 15.5,
					value_override: 0,
					confidence: 82,
					verification_status: 'verified',
					evidence: [{ text: 'Discount: $15.50', page_number: 1 }],
				});
				expect(item.json.due_date).toEqual({
					value: '2024-04-15',
					value_override: null,
					confidence: null,
					verification_status: null,
					evidence: [{ text: 'Due: 2024-04-15', page_number: 1 }],
				});
			});
		});

		test.concurrent('raw is the envelope exactly; Include Markdown adds the markdown to simplified items', async () => {
			await withSim(async (sim) => {
				const id = await finishedRun(sim, WF.lineItems, 'PO-RAW');
				const direct = await fetch(`${sim.url}/v2/workflows/${WF.lineItems}/files/${id}/results/`, {
					headers: { Authorization: `Bearer ${API_KEYS.main}` },
				});
				const envelope = (await direct.json()) as { parse: { markdown: string } };
				const raw = await runAnyformat(sim, getResults(WF.lineItems, id, { output: 'raw', options: { includeMarkdown: true } }));
				expect(raw.items).toEqual([{ json: envelope, pairedItem: { item: 0 } }]);
				const withMd = await runAnyformat(sim, getResults(WF.lineItems, id, { options: { includeMarkdown: true } }));
				expect(anyformat(withMd.items[0].json).markdown).toBe(envelope.parse.markdown);
				const without = await runAnyformat(sim, getResults(WF.lineItems, id));
				expect(anyformat(without.items[0].json)).not.toHaveProperty('markdown');
			});
		});

		test.concurrent('results with missing keys or unknown enum values do not break the node', async () => {
			await withSim(async (sim) => {
				const id = await finishedRun(sim, WF.classification, 'Invoice INV-ODD');
				sim.faults.once('missing-keys', { route: 'results' });
				const missing = await runAnyformat(sim, getResults(WF.classification, id));
				expect(missing.error).toBeUndefined();
				expect(missing.items[0].json).toMatchObject({ document_type: 'invoice', sender: 'Acme Corp' });
				expect(anyformat(missing.items[0].json)).toMatchObject({ classifications: [], verification_url: null });
				sim.faults.once('unknown-enum', { route: 'results' });
				const odd = await runAnyformat(sim, getResults(WF.classification, id, { output: 'detailed' }));
				expect(odd.error).toBeUndefined();
				expect((odd.items[0].json.document_type as Record<string, unknown>).verification_status).toBe('needs_second_review');
				expect(anyformat(odd.items[0].json).classifications[0].category).toBe('unexpected_category');
				expect(sim.faults.injected).toMatchObject({ 'missing-keys': 1, 'unknown-enum': 1 });
			});
		});
	});
});

describe('extraction → wait', () => {
	test.concurrent('a run that already finished: results at once, without a pause', async () => {
		await withSim(async (sim) => {
			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-W1');
			const mark = sim.ledger.requests.length;
			const result = await runAnyformat(sim, waitFor(WF.invoice, id));
			expect(result.error).toBeUndefined();
			expect(result.items[0].json.invoice_number).toBe('INV-W1');
			// one read, no poll; and no pause before it: the waiter's first pause is its poll interval
			// (~2 s), the read came well within it, counted from the execution's start (the harness's
			// own start-up, which a loaded machine stretches past a second, is not counted)
			expect(sim.ledger.requests.slice(mark).map((r) => [r.route, r.status])).toEqual([['results', 200]]);
			expect(sim.ledger.requests[mark].time - result.executionStartedAt).toBeLessThan(1500);
		});
	});

	test.concurrent('10 items whose runs take ~1.5 s each are waited for together, not one after another', async () => {
		await withSim(async (sim) => {
			const ids: string[] = [];
			for (let i = 0; i < 10; i++) ids.push(await submitDirect(sim, WF.invoice, `Invoice INV-P${i} [[processing_ms:1500]]`));
			const mark = sim.ledger.requests.length;
			const result = await runAnyformat(sim, waitFor(WF.invoice, '={{ $json.id }}'), { items: ids.map((id) => ({ json: { id } })) });
			expect(result.error).toBeUndefined();
			expect(result.items.map((i) => [i.json.invoice_number, anyformat(i.json).collection_id, i.pairedItem])).toEqual(
				ids.map((id, i) => [`INV-P${i}`, id, { item: i }]),
			);
			// each run's results are fetched once; the waiting itself costs a handful of requests, not one per run per round
			const made = requestsSince(sim, mark);
			expect(made.filter((r) => r.route === 'results' && r.status === 200)).toHaveLength(10);
			expect(made.length).toBeLessThan(40);
			// together: the ten are watched through the runs list, a read for all of them, where waiting
			// one after another would read each run's state at least once (a count, not a wall time:
			// the runs process side by side on the simulator either way, and a loaded machine is slow)
			const stateReads = made.filter((r) => r.route === 'runs' || (r.route === 'results' && r.status === 412));
			expect(stateReads.length).toBeLessThan(ids.length);
		});
	});

	test.concurrent('a run that fails while waited for: error item with status "failed" among successful ones', async () => {
		await withSim(async (sim) => {
			const ok = await submitDirect(sim, WF.invoice, 'Invoice INV-OK [[processing_ms:300]]');
			const bad = await submitDirect(sim, WF.invoice, 'FAIL_EXTRACTION [[processing_ms:300]]');
			const result = await runAnyformat(sim, waitFor(WF.invoice, '={{ $json.id }}'), {
				items: [{ json: { id: bad } }, { json: { id: ok } }],
				continueOnFail: true,
			});
			expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			expect(result.items[0].json).toMatchObject({
				error: `Anyformat could not process the document of item 0 (run ${bad})`,
				anyformat: { collection_id: bad, workflow_id: WF.invoice, status: 'failed' },
			});
			expect(result.items[1].json.invoice_number).toBe('INV-OK');
		});
	});

	test.concurrent('a run that does not exist is not reported as one that "may still finish"', async () => {
		await withSim(async (sim) => {
			const e = nodeError(await runAnyformat(sim, waitFor(WF.invoice, UNKNOWN_ID)));
			expect(e.name).toBe('NodeApiError');
			expect(e.message).toBe(`Anyformat could not find run "${UNKNOWN_ID}" of workflow "${WF.invoice}"`);
			expect(e.description).not.toMatch(/may still finish/);
			expect(e.itemIndex).toBe(0);
		});
	});
});

describe('extraction → get many (runs)', () => {
	const getManyRuns = (more: Record<string, unknown> = {}) => ({
		resource: 'extraction',
		operation: 'getMany',
		workflowId: { __rl: true, mode: 'id', value: WF.parseOnly },
		...more,
	});

	test.concurrent('Return All walks every page; Limit stops exactly; entries carry collection_id and workflow_id', async () => {
		await withSim(
			async (sim) => {
				const ids: string[] = [];
				for (let i = 0; i < 230; i++) ids.push(await submitDirect(sim, WF.parseOnly, `doc ${i} [[processing_ms:600000]]`));
				const newestFirst = [...ids].reverse();
				const mark = sim.ledger.requests.length;

				const all = await runAnyformat(sim, getManyRuns({ returnAll: true }));
				expect(all.error).toBeUndefined();
				expect(all.items.map((i) => i.json.id)).toEqual(newestFirst);
				expect(all.items[0].json).toEqual({
					id: newestFirst[0],
					status: expect.stringMatching(/^(pending|queued|in_progress)$/),
					created_at: expect.any(String),
					updated_at: expect.any(String),
					collection_id: newestFirst[0],
					workflow_id: WF.parseOnly,
				});
				expect(requestsSince(sim, mark).map((r) => r.query.page)).toEqual(['1', '2', '3']);

				for (const limit of [7, 150]) {
					const some = await runAnyformat(sim, getManyRuns({ returnAll: false, limit }));
					expect(some.items.map((i) => i.json.id)).toEqual(newestFirst.slice(0, limit));
				}
			},
			{ rateLimit: { submission: 1000 } },
		);
	});

	test.concurrent('a workflow without runs gives no items; an unknown workflow an error', async () => {
		await withSim(async (sim) => {
			const none = await runAnyformat(sim, getManyRuns());
			expect(none.error).toBeUndefined();
			expect(none.items).toEqual([]);
			const e = nodeError(await runAnyformat(sim, getManyRuns({ workflowId: { __rl: true, mode: 'id', value: UNKNOWN_ID } })));
			expect(e.message).toBe(`Anyformat could not find workflow "${UNKNOWN_ID}"`);
		});
	});
});

describe('extraction → cancel', () => {
	test.concurrent('deletes the run’s collection (which stops it); cancelling it again is a "not found" error', async () => {
		await withSim(async (sim) => {
			const id = await submitDirect(sim, WF.invoice, 'Invoice [[processing_ms:600000]]');
			const mark = sim.ledger.requests.length;
			const result = await runAnyformat(sim, { resource: 'extraction', operation: 'cancel', collectionId: id });
			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([{ json: { collection_id: id, deleted: true }, pairedItem: { item: 0 } }]);
			expect(requestsSince(sim, mark).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([`DELETE /v2/files/${id}/ 204`]);
			expect(sim.getRun(id)).toBeNull();

			const again = nodeError(await runAnyformat(sim, { resource: 'extraction', operation: 'cancel', collectionId: id }));
			expect(again.name).toBe('NodeApiError');
			expect(again.message).toBe(`Anyformat could not find run "${id}"`);
			expect(again.httpCode).toBe('404');
		});
	});

	test.concurrent('several items: each cancelled or, with Continue On Fail, an error item in its place', async () => {
		await withSim(async (sim) => {
			const a = await submitDirect(sim, WF.invoice, 'A [[processing_ms:600000]]');
			const b = await submitDirect(sim, WF.split, 'B [[processing_ms:600000]]');
			const result = await runAnyformat(sim, { resource: 'extraction', operation: 'cancel', collectionId: '={{ $json.id }}' }, {
				items: [{ json: { id: a } }, { json: { id: UNKNOWN_ID } }, { json: { id: b } }],
				continueOnFail: true,
			});
			expect(result.items.map((i) => [i.json.collection_id ?? i.json.error, i.pairedItem])).toEqual([
				[a, { item: 0 }],
				[`Anyformat could not find run "${UNKNOWN_ID}"`, { item: 1 }],
				[b, { item: 2 }],
			]);
			expect(sim.getRun(a)).toBeNull();
			expect(sim.getRun(b)).toBeNull();
		});
	});
});
