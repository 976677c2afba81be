/**
 * Workflow → Get / Get Many and the workflow picker (listSearch `searchWorkflows`), through n8n's
 * engine against the simulator. `extraWorkflows` adds filler workflows after the six scenarios, so
 * lists span several pages of 100.
 */
import { API_KEYS, SCENARIOS, UNKNOWN_ID, WF, nodeError, rl, runAnyformat, searchWorkflows, withSim } from './support';

const scenarioIds = Object.values(SCENARIOS).map((s) => s.id);
const fillerName = (n: number) => `Filler workflow ${n}`;

describe('workflow → get', () => {
	test.concurrent.each([
		['id', WF.lineItems],
		['url', `https://app.anyformat.ai/workflows/${WF.lineItems}`],
		['url (with a trailing path)', `https://app.anyformat.ai/workflows/${WF.lineItems}/files/abc?tab=results`],
		['list', WF.lineItems],
	])('by %s: the workflow and the fields it extracts', async (mode, value) => {
		await withSim(async (sim) => {
			const result = await runAnyformat(sim, {
				resource: 'workflow',
				operation: 'get',
				workflowId: rl(value, mode.split(' ')[0] as 'id' | 'url' | 'list'),
			});
			expect(result.error).toBeUndefined();
			expect(result.items).toEqual([
				{
					json: {
						id: WF.lineItems,
						name: 'Purchase orders (line items)',
						description: 'Extracts the PO number and its line items.',
						created_at: expect.any(String),
						updated_at: expect.any(String),
						fields: [
							{ name: 'po_number', description: 'Purchase order number', data_type: 'string' },
							{
								name: 'line_items',
								description: 'One row per ordered item: description, quantity, unit_price',
								data_type: 'list',
							},
						],
					},
					pairedItem: { item: 0 },
				},
			]);
			expect(sim.ledger.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /v2/workflows/${WF.lineItems}/`]);
		});
	});

	test.concurrent('one output item per input item, each paired, the id read per item', async () => {
		await withSim(async (sim) => {
			const result = await runAnyformat(
				sim,
				{ resource: 'workflow', operation: 'get', workflowId: rl('={{ $json.wf }}') },
				{ items: [{ json: { wf: WF.split } }, { json: { wf: WF.invoice } }] },
			);
			expect(result.items.map((i) => [i.json.id, i.pairedItem])).toEqual([
				[WF.split, { item: 0 }],
				[WF.invoice, { item: 1 }],
			]);
		});
	});

	test.concurrent('an unknown workflow is a NodeApiError naming it', async () => {
		await withSim(async (sim) => {
			const result = await runAnyformat(sim, { resource: 'workflow', operation: 'get', workflowId: rl(UNKNOWN_ID) });
			const e = nodeError(result);
			expect(e.name).toBe('NodeApiError');
			expect(e.message).toBe(`Anyformat could not find workflow "${UNKNOWN_ID}"`);
			expect(e.httpCode).toBe('404');
			expect(e.itemIndex).toBe(0);
		});
	});
});

describe('workflow → get many', () => {
	const getMany = (more: Record<string, unknown>) => ({ resource: 'workflow', operation: 'getMany', ...more });

	test.concurrent('Return All walks every page (pages of 100) in the API order', async () => {
		await withSim(
			async (sim) => {
				const result = await runAnyformat(sim, getMany({ returnAll: true }));
				expect(result.error).toBeUndefined();
				const ids = result.items.map((i) => i.json.id);
				expect(ids).toHaveLength(256);
				expect(new Set(ids).size).toBe(256);
				expect(ids.slice(0, 6)).toEqual(scenarioIds);
				expect(result.items.at(-1)!.json.name).toBe(fillerName(250));
				expect(result.items.every((i) => i.pairedItem && (i.pairedItem as { item: number }).item === 0)).toBe(true);
				expect(sim.ledger.requests.map((r) => r.query)).toEqual([
					{ page: '1', page_size: '100' },
					{ page: '2', page_size: '100' },
					{ page: '3', page_size: '100' },
				]);
			},
			{ extraWorkflows: 250 },
		);
	});

	test.concurrent.each([
		[3, 1],
		[100, 1],
		[120, 2],
		[250, 3],
	])('Limit %i: exactly that many distinct workflows, in order (%i request(s))', async (limit, requests) => {
		await withSim(
			async (sim) => {
				const all = (await runAnyformat(sim, getMany({ returnAll: true }))).items.map((i) => i.json.id);
				const mark = sim.ledger.requests.length;
				const result = await runAnyformat(sim, getMany({ returnAll: false, limit }));
				expect(result.error).toBeUndefined();
				const ids = result.items.map((i) => i.json.id);
				expect(ids).toEqual(all.slice(0, limit));
				expect(new Set(ids).size).toBe(limit);
				expect(sim.ledger.requests.length - mark).toBe(requests);
			},
			{ extraWorkflows: 250 },
		);
	});

	test.concurrent('the default (Limit 50) and a short list that fits one page', async () => {
		await withSim(async (sim) => {
			const result = await runAnyformat(sim, getMany({}));
			expect(result.items.map((i) => i.json.id)).toEqual(scenarioIds);
			expect(result.items[0].json).not.toHaveProperty('fields'); // the list has no field definitions
			expect(sim.ledger.requests.map((r) => r.query)).toEqual([{ page: '1', page_size: '50' }]);
		});
	});
});

describe('the workflow picker (listSearch searchWorkflows)', () => {
	test.concurrent('without a filter: the first page of 100 and a token for the next, then the rest', async () => {
		await withSim(
			async (sim) => {
				const first = await searchWorkflows(sim);
				expect(first.results).toHaveLength(100);
				expect(first.results[0]).toEqual({
					name: 'Invoices',
					value: WF.invoice,
					url: `https://app.anyformat.ai/workflows/${WF.invoice}`,
				});
				expect(first.paginationToken).toBe('2');
				const second = await searchWorkflows(sim, undefined, first.paginationToken as string);
				expect(second.results.map((r) => r.name)).toEqual(
					Array.from({ length: 30 }, (_, i) => fillerName(95 + i)),
				);
				expect(second.paginationToken).toBeUndefined();
			},
			{ extraWorkflows: 124 },
		);
	});

	test.concurrent('a filter matches name or id, case-insensitively', async () => {
		await withSim(async (sim) => {
			expect((await searchWorkflows(sim, '  INVOICE ')).results.map((r) => r.value)).toEqual([WF.invoice, WF.falsyOverrides]);
			expect((await searchWorkflows(sim, 'a004')).results.map((r) => r.name)).toEqual(['Purchase orders (line items)']);
			const none = await searchWorkflows(sim, 'no such workflow');
			expect(none).toEqual({ results: [], paginationToken: undefined });
		});
	});

	test.concurrent('a filter whose only matches are on a later page finds them without an empty first answer', async () => {
		await withSim(
			async (sim) => {
				const found = await searchWorkflows(sim, fillerName(140));
				expect(found.results.map((r) => r.name)).toEqual([fillerName(140)]);
				// and a token, when one is given, continues from there
				const later = await searchWorkflows(sim, 'filler workflow 1', '2');
				expect(later.results.length).toBeGreaterThan(0);
				expect(later.results.every((r) => /^Filler workflow 1/.test(r.name))).toBe(true);
				expect(later.results.map((r) => r.name)).not.toContain(fillerName(1));
			},
			{ extraWorkflows: 150 },
		);
	});

	test.concurrent('a refused key surfaces as the API-key error', async () => {
		await withSim(async (sim) => {
			await expect(searchWorkflows(sim, undefined, undefined, API_KEYS.wrong)).rejects.toThrow(
				'The Anyformat API key was refused',
			);
		});
	});
});
