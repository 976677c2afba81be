/** The simulator control the polling-trigger suites use: runs seeded at once, in flight or finished. */
import { API_KEYS, WF, withPoll } from './sim';

describe('simulator: seeded runs', () => {
	test.concurrent.each(['desc', 'asc'])('POST /_sim/runs/seed, then the runs list (%s)', async (runsOrder) => {
		await withPoll({}, async (sim) => {
			const seeded = await fetch(`${sim.url}/_sim/runs/seed/`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ workflowId: WF.invoice, count: 3 }),
			});
			const { ids } = (await seeded.json()) as { ids: string[] };
			const [done] = sim.seedRuns(WF.invoice, { count: 1, finished: true });
			const list = await fetch(`${sim.url}/v2/workflows/${WF.invoice}/runs/?page=1&page_size=100`, {
				headers: { Authorization: `Bearer ${API_KEYS.main}` },
			});
			const body = (await list.json()) as { count: number; results: Array<{ id: string; status: string; created_at: string; updated_at: string }> };
			expect(body.count).toBe(4);
			const order = runsOrder === 'desc' ? [done, ...[...ids].reverse()] : [...ids, done];
			expect(body.results.map((r) => r.id)).toEqual(order);
			expect(body.results.find((r) => r.id === done)).toMatchObject({ status: 'processed' });
			expect(body.results.filter((r) => r.id !== done).every((r) => r.status !== 'processed')).toBe(true);
			sim.finishRun(ids[0]);
			expect(sim.getRun(ids[0])!.status).toBe('processed');
		}, { runsOrder });
	});
});
