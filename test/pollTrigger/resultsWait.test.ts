/**
 * A run the runs list shows finished whose results keep answering 412 (not ready), through n8n-core's
 * PollContext against the simulator (`holdResults`: 412 for one run, for as long as a test says; the
 * `flip-412` fault for one request). Issue 10's review suspected such a run held every later run back.
 * It did (each poll stopped at it): confirmed by the first test on the code before the fix.
 */
import { readCursor, RESULTS_WAIT_MS } from '../../nodes/AnyformatPollingTrigger/cursor';
import { capturedLogMark, getCapturedLogsSince } from '../harness/logs';
import { completed, emittedKeys, params, resultRequests, WF, withPoll } from './sim';

const withResults = () => params(WF.invoice, { fetchResults: true });

function expectOnce(keys: string[], expected: string[]) {
	expect([...keys].sort()).toEqual([...expected].sort());
	expect(new Set(keys).size).toBe(keys.length);
}

test('a finished run whose results answer 412 at every poll holds no later run back, and is emitted once its results arrive', async () => {
	await withPoll(withResults(), async (sim, trigger) => {
		const [stuck, a, b] = sim.seedRuns(WF.invoice, { count: 3 });
		await trigger.activate();
		sim.holdResults(stuck);
		sim.finishRun(stuck);
		await trigger.poll();
		expect(emittedKeys(trigger)).toEqual([]);
		sim.finishRun(a);
		await trigger.poll();
		sim.finishRun(b);
		await trigger.poll();
		// later runs come at the poll after they finished, although the run finished before them waits
		expectOnce(emittedKeys(trigger), [completed(a), completed(b)]);
		const cursor = readCursor(trigger.memory)!;
		// the cursor does not count the waiting run as handled, and the horizon waits for it
		expect(cursor.finishedAt).toBeLessThanOrEqual(Date.parse(String(sim.getRun(stuck)!.createdAt)) + 60_000);
		expect(cursor.horizon).toBeLessThanOrEqual(Date.parse(String(sim.getRun(stuck)!.createdAt)));
		const asked = resultRequests(sim).filter((r) => String(r.path).includes(stuck)).length;
		expect(asked).toBe(3); // once a poll, no more

		sim.holdResults(stuck, false);
		await trigger.poll();
		expectOnce(emittedKeys(trigger), [completed(a), completed(b), completed(stuck)]);
		for (let i = 0; i < 3; i++) await trigger.poll();
		expectOnce(emittedKeys(trigger), [completed(a), completed(b), completed(stuck)]);
		// nothing waits any more: the horizon is past every run, the ids are pruned to the last finish time
		const after = readCursor(trigger.memory)!;
		const newest = Math.max(...sim.listRuns().map((r) => Date.parse(String(r.createdAt))));
		expect(after.horizon).toBeGreaterThan(newest);
		expect(after.ids.length).toBeLessThanOrEqual(3);
		// the stuck run's items are its results, shaped as another run's (not an event item without them)
		const itemsOf = (id: string) =>
			trigger.items.filter((item) => (item.anyformat as { event_key?: string }).event_key === completed(id));
		const keys = (id: string) => itemsOf(id).map((item) => Object.keys(item).sort());
		expect(keys(stuck).length).toBeGreaterThan(0);
		expect(keys(stuck)[0].length).toBeGreaterThan(1);
		expect(keys(stuck)).toEqual(keys(a));
	});
}, 60_000);

test('a single 412 (flip-412) only delays a run by one poll', async () => {
	await withPoll(withResults(), async (sim, trigger) => {
		const [x, y] = sim.seedRuns(WF.invoice, { count: 2 });
		await trigger.activate();
		sim.finishRun(x);
		sim.finishRun(y);
		sim.faults.once('flip-412', { route: 'results' });
		await trigger.poll();
		expect(sim.faults.injected['flip-412']).toBe(1);
		expect(emittedKeys(trigger)).toHaveLength(1);
		await trigger.poll();
		await trigger.poll();
		expectOnce(emittedKeys(trigger), [completed(x), completed(y)]);
	});
}, 60_000);

test('the wait is bounded: a run whose results have not come for longer than the wait is given up with a warning naming it, and not emitted later', async () => {
	const backlog = params(WF.invoice, { fetchResults: true, options: { includeFinishedWithin: 1 } });
	await withPoll(backlog, async (sim, trigger) => {
		// finished 31 and 29 minutes ago (on the API's clock, which the run finished now shows)
		const [stuck] = sim.seedRuns(WF.invoice, { count: 1, finished: true });
		sim.ageRun(stuck, RESULTS_WAIT_MS + 60_000);
		const [young] = sim.seedRuns(WF.invoice, { count: 1, finished: true });
		sim.ageRun(young, RESULTS_WAIT_MS - 60_000);
		const [later] = sim.seedRuns(WF.invoice, { count: 1, finished: true });
		sim.holdResults(stuck);
		sim.holdResults(young);
		const mark = capturedLogMark();
		await trigger.activate();
		expectOnce(emittedKeys(trigger), [completed(later)]);
		const warnings = getCapturedLogsSince(mark).filter((log) => log.level === 'warn');
		expect(warnings.filter((log) => log.message.includes(stuck))).toHaveLength(1);
		expect(warnings.find((log) => log.message.includes(stuck))!.message).toMatch(/Get Results/);
		expect(warnings.filter((log) => log.message.includes(young))).toHaveLength(0);
		sim.holdResults(stuck, false);
		sim.holdResults(young, false);
		for (let i = 0; i < 3; i++) await trigger.poll();
		// the one still within the wait comes once its results do; the one given up never
		expectOnce(emittedKeys(trigger), [completed(later), completed(young)]);
		const asked = resultRequests(sim).filter((r) => String(r.path).includes(stuck)).length;
		expect(asked).toBe(1);
		const newest = Math.max(...sim.listRuns().map((r) => Date.parse(String(r.createdAt))));
		expect(readCursor(trigger.memory)!.horizon).toBeGreaterThan(newest);
	});
}, 60_000);
