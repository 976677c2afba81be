/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Issue 9's transport defects, through n8n's engine against the simulator over real HTTP: answers are
 * used only after their shape is checked (rule 3), a list walk always ends, reads are retried on 408
 * and 409, a cut DELETE that was applied is a cancel, a `__proto__` sub-field stays data, and Base
 * URL errors never show a user name or password. Each test fails on 8d9ca45.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { UNKNOWN_ID, WF, finishedRun, getResults, nodeError, rl, runAnyformat, runText, submitDirect, withSim } from './support';
import type { Sim } from './support';

const getManyWorkflows = (more: Record<string, unknown> = {}) => ({ resource: 'workflow', operation: 'getMany', ...more });
const cancel = (collectionId: string) => ({ resource: 'extraction', operation: 'cancel', collectionId });

/** A proxy in front of the simulator that drops `id` from every run answer (a 2xx without its run's id). */
async function withoutRunIds(sim: Sim, body: (url: string) => Promise<void>) {
	const server = createServer(async (req, res) => {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => name !== 'host' && name !== 'content-length')) as Record<string, string>;
		const upstream = await fetch(`${sim.url}${req.url}`, {
			method: req.method,
			headers,
			body: chunks.length ? Buffer.concat(chunks) : undefined,
		});
		let text = await upstream.text();
		if (req.method === 'POST' && /\/run\/$/.test(req.url ?? '') && upstream.status === 202) {
			const { id: _dropped, ...rest } = JSON.parse(text);
			text = JSON.stringify(rest);
		}
		res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
		res.end(text);
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
	} finally {
		await new Promise((resolve) => server.close(resolve));
	}
}

describe('rule 3: an answer is used only after its shape is checked', () => {
	test.concurrent('a 202 without the run id is never a receipt with collection_id ""', async () => {
		await withSim(async (sim) => {
			await withoutRunIds(sim, async (url) => {
				const result = await runAnyformat({ url }, runText(WF.invoice, 'Invoice INV-NOID Total: $1.00', { waitForResults: false }), {
					continueOnFail: true,
				});
				expect(sim.ledger.count({ method: 'POST', route: 'run' })).toBeGreaterThanOrEqual(1);
				const realRuns = sim.ledger.runs.map((r) => r.collectionId);
				for (const item of result.items) {
					if (item.json.error !== undefined) continue;
					// a receipt names a run that exists
					expect(realRuns).toContain(item.json.collection_id);
				}
				expect(result.items.some((i) => i.json.collection_id === '')).toBe(false);
				expect(sim.ledger.requests.some((r) => r.path.includes('//'))).toBe(false);
			});
		});
	});

	test.concurrent('a results 200 with an error body is an error, never "processed" with no fields', async () => {
		await withSim(async (sim) => {
			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-200E Total: $2.00');
			sim.faults.once('results-200-error', { route: 'results' });
			const e = nodeError(await runAnyformat(sim, getResults(WF.invoice, id)));
			expect(sim.faults.injected['results-200-error']).toBe(1);
			expect(e.name).toBe('NodeApiError');
			expect(e.message).toBe(`Anyformat answered HTTP 200 for the results of run "${id}" of workflow "${WF.invoice}", but not with its results`);
			expect(e.description).toMatch(/neither "extractions" nor "extraction".*Get Results/);
			expect(e.description).toMatch(/Anyformat said: Internal server error — Injected error body with 200\./);
			expect(e.itemIndex).toBe(0);
		});
	});

	test.concurrent('a list page without count ends Return All with a clear error, not a silent first page', async () => {
		await withSim(
			async (sim) => {
				sim.faults.once('list-no-count', { route: 'workflows' });
				const e = nodeError(await runAnyformat(sim, getManyWorkflows({ returnAll: true })));
				expect(e.name).toBe('NodeApiError');
				expect(e.message).toBe('Anyformat answered page 1 of the list in a form the node cannot read: it has no numeric "count"');
				expect(e.description).toMatch(/stopped reading the list instead of guessing where it ends/);
				expect(sim.ledger.count({ route: 'workflows' })).toBe(1);
			},
			{ extraWorkflows: 250 },
		);
	});

	test.concurrent('a list that ignores `page` ends the walk with a clear error instead of repeating entries', async () => {
		await withSim(
			async (sim) => {
				sim.faults.configure({ rate: 1, kinds: ['list-ignores-page'], routes: ['workflows'] });
				const e = nodeError(await runAnyformat(sim, getManyWorkflows({ returnAll: true })));
				expect(e.name).toBe('NodeApiError');
				expect(e.message).toBe('Anyformat answered page 2 of the list with the same entries as page 1');
				expect(e.description).toMatch(/ignore the page number.*set a Limit/);
				expect(sim.ledger.requests.map((r) => r.query.page)).toEqual(['1', '2']);
			},
			{ extraWorkflows: 250 },
		);
	});

	test.concurrent('the same for the runs of a workflow (Extraction → Get Many)', async () => {
		await withSim(
			async (sim) => {
				for (let i = 0; i < 101; i++) await submitDirect(sim, WF.parseOnly, `doc ${i} [[processing_ms:600000]]`);
				sim.faults.configure({ rate: 1, kinds: ['list-ignores-page'], routes: ['runs'] });
				const e = nodeError(
					await runAnyformat(sim, { resource: 'extraction', operation: 'getMany', workflowId: rl(WF.parseOnly), returnAll: true }),
				);
				expect(e.message).toBe(`Anyformat answered page 2 of the list for workflow "${WF.parseOnly}" with the same entries as page 1`);
			},
			{ rateLimit: { submission: 1000 } },
		);
	});
});

test('Return All stops at its cap of 1000 pages and says so', async () => {
	await withSim(
		async (sim) => {
			const e = nodeError(await runAnyformat(sim, getManyWorkflows({ returnAll: true })));
			expect(e.name).toBe('NodeApiError');
			expect(e.message).toBe('Return All stopped after 1000 pages (100000 entries) of the list');
			expect(e.description).toMatch(/Turn Return All off and set a Limit of at most 100000/);
			expect(sim.ledger.count({ route: 'workflows' })).toBe(1000);
		},
		{ extraWorkflows: 100_000, rateLimit: { general: 1_000_000, windowMs: 60_000 } },
	);
}, 120_000);

describe('reads are retried on 408 and 409', () => {
	test.concurrent.each(['read-408', 'read-409'])('%s once, then the workflow', async (kind) => {
		await withSim(async (sim) => {
			sim.faults.once(kind, { route: 'workflow' });
			const result = await runAnyformat(sim, { resource: 'workflow', operation: 'get', workflowId: rl(WF.invoice) });
			expect(result.error).toBeUndefined();
			expect(result.items[0].json.id).toBe(WF.invoice);
			expect(sim.ledger.requests.map((r) => r.status)).toEqual([Number(kind.slice(5)), 200]);
		});
	});
});

describe('cancel', () => {
	test.concurrent('a retried DELETE answered 404 after the first attempt was cut means deleted', async () => {
		await withSim(async (sim) => {
			const id = await submitDirect(sim, WF.invoice, 'Invoice [[processing_ms:600000]]');
			sim.faults.once('reset-after-delete', { route: 'delete' });
			const result = await runAnyformat(sim, cancel(id));
			expect(sim.faults.injected['reset-after-delete']).toBe(1);
			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([{ json: { collection_id: id, deleted: true }, pairedItem: { item: 0 } }]);
			expect(sim.ledger.requests.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([null, 404]);
			expect(sim.getRun(id)).toBeNull();
		});
	});

	test.concurrent('a first-attempt 404 is still "could not find run"', async () => {
		await withSim(async (sim) => {
			const e = nodeError(await runAnyformat(sim, cancel(UNKNOWN_ID)));
			expect(e.message).toBe(`Anyformat could not find run "${UNKNOWN_ID}"`);
			expect(e.httpCode).toBe('404');
		});
	});
});

test.concurrent('a sub-field of a list field named "__proto__" stays in simplified and detailed output', async () => {
	await withSim(async (sim) => {
		const id = await finishedRun(sim, WF.lineItems, 'PO-PROTO order');
		for (const output of ['simplified', 'detailed']) {
			sim.faults.once('proto-subfield', { route: 'results' });
			const result = await runAnyformat(sim, getResults(WF.lineItems, id, { output }));
			expect(result.error).toBeUndefined();
			const rows = result.items[0].json.line_items as Array<Record<string, unknown>>;
			expect(rows).toHaveLength(3);
			for (const row of rows) {
				expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
				const sub = Object.getOwnPropertyDescriptor(row, '__proto__')?.value;
				expect(output === 'simplified' ? sub : (sub as { value: unknown }).value).toBe('proto row');
			}
		}
		expect(sim.faults.injected['proto-subfield']).toBe(2);
	});
});

describe('Base URL errors never show a user name or password', () => {
	test.concurrent.each([
		['with a path', 'https://jane:s3cr3t-pw@api.example.com/v2/'],
		['not a URL', 'htps//jane:s3cr3t-pw@api.example.com'],
		['another scheme', 'ftp://jane:s3cr3t-pw@api.example.com'],
		['with a query', 'https://jane:s3cr3t-pw@api.example.com?x=1'],
	])('%s', async (_label, baseUrl) => {
		const e = nodeError(await runAnyformat({ url: baseUrl }, { resource: 'workflow', operation: 'get', workflowId: rl(WF.invoice) }));
		expect(e.name).toBe('NodeOperationError');
		expect(e.message).toMatch(/^The Base URL/);
		expect(`${e.message} ${e.description}`).not.toMatch(/jane|s3cr3t/);
	});
});
