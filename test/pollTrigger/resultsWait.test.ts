/**
 * A run the runs list shows finished whose results keep answering 412 (not ready), through n8n-core's
 * PollContext against the simulator (`holdResults`: 412 for one run, for as long as a test says; the
 * `flip-412` fault for one request). Issue 10's review suspected such a run held every later run back.
 * It did (each poll stopped at it): confirmed by the first test on the code before the fix.
 */
import { readCursor } from '../../nodes/AnyformatPollingTrigger/cursor';
import { RESULTS_WAIT_MS } from '../../nodes/AnyformatPollingTrigger/resultsWait';
import { capturedLogMark, getCapturedLogsSince } from '../harness/logs';
import type { PollHarness } from './harness';
import { completed, emittedKeys, params, resultRequests, WF, withPoll } from './sim';

const withResults = () => params(WF.invoice, { fetchResults: true });

function expectOnce(keys: string[], expected: string[]) {
	expect([...keys].sort()).toEqual([...expected].sort());
	expect(new Set(keys).size).toBe(keys.length);
}

/** The items of run `id` are its results, shaped as run `like`'s (not an event item without them). */
function expectResultsLike(trigger: PollHarness, id: string, like: string) {
	const itemsOf = (run: string) =>
		trigger.items.filter((item) => (item.anyformat as { event_key?: string }).event_key === completed(run));
	const keys = (run: string) => itemsOf(run).map((item) => Object.keys(item).sort());
	expect(keys(id).length).toBeGreaterThan(0);
	expect(keys(id)[0].length).toBeGreaterThan(1);
	expect(keys(id)).toEqual(keys(like));
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
		expectResultsLike(trigger, stuck, a);
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

test('the wait is bounded: a run whose results have not come for longer than the wait since its first 412, at 3 polls or more, is given up with a warning naming it, and not emitted later', async () => {
	const backlog = params(WF.invoice, { fetchResults: true, options: { includeFinishedWithin: 1 } });
	await withPoll(backlog, async (sim, trigger) => {
		// the first poll sees the API's clock 31 minutes ago: the newest run it lists finished then
		const [stuck, before] = sim.seedRuns(WF.invoice, { count: 2, finished: true });
		for (const id of [stuck, before]) sim.ageRun(id, RESULTS_WAIT_MS + 60_000);
		sim.holdResults(stuck);
		const mark = capturedLogMark();
		await trigger.activate();
		expectOnce(emittedKeys(trigger), [completed(before)]);
		// the next poll lists runs that finished now: 31 minutes since the stuck run's first 412, but asked twice only
		const [young, later] = sim.seedRuns(WF.invoice, { count: 2, finished: true });
		sim.holdResults(young);
		await trigger.poll();
		expectOnce(emittedKeys(trigger), [completed(before), completed(later)]);
		const warned = () =>
			getCapturedLogsSince(mark).filter((log) => log.level === 'warn' && log.message.includes(stuck));
		expect(warned()).toHaveLength(0);
		expect(Object.keys(readCursor(trigger.liveMemory)!.waits ?? {}).sort()).toEqual([stuck, young].sort());
		await trigger.poll();
		expect(warned()).toHaveLength(1);
		expect(warned()[0].message).toMatch(/Get Results/);
		expect(warned()[0].message).toMatch(/at 3 polls/);
		const all = getCapturedLogsSince(mark).filter((log) => log.level === 'warn');
		expect(all.filter((log) => log.message.includes(young))).toHaveLength(0);
		// the given-up run's wait is forgotten; the young one's is kept
		expect(Object.keys(readCursor(trigger.liveMemory)!.waits ?? {})).toEqual([young]);
		sim.holdResults(stuck, false);
		sim.holdResults(young, false);
		for (let i = 0; i < 3; i++) await trigger.poll();
		// the one still within the wait comes once its results do; the one given up never
		expectOnce(emittedKeys(trigger), [completed(before), completed(later), completed(young)]);
		const asked = resultRequests(sim).filter((r) => String(r.path).includes(stuck)).length;
		expect(asked).toBe(3);
		const newest = Math.max(...sim.listRuns().map((r) => Date.parse(String(r.createdAt))));
		expect(readCursor(trigger.memory)!.horizon).toBeGreaterThan(newest);
		expect(readCursor(trigger.liveMemory)!.waits).toBeUndefined();
	});
}, 60_000);

test('a run of the backlog that finished long ago is not given up at its first 412: it is emitted once, with its results, when they come', async () => {
	const backlog = params(WF.invoice, { fetchResults: true, options: { includeFinishedWithin: 72 } });
	await withPoll(backlog, async (sim, trigger) => {
		// finished two days and an hour ago (the backlog, or n8n down meanwhile), and one just now
		const [ancient] = sim.seedRuns(WF.invoice, { count: 1, finished: true });
		sim.ageRun(ancient, 2 * 24 * 3_600_000);
		const [old] = sim.seedRuns(WF.invoice, { count: 1, finished: true });
		sim.ageRun(old, 2 * RESULTS_WAIT_MS);
		const [fresh] = sim.seedRuns(WF.invoice, { count: 1, finished: true });
		sim.holdResults(ancient);
		sim.holdResults(old);
		const mark = capturedLogMark();
		await trigger.activate();
		// both finished long before the API's clock (the fresh run's finish) and n8n's: a first 412 is no reason to give up
		expectOnce(emittedKeys(trigger), [completed(fresh)]);
		const logs = getCapturedLogsSince(mark);
		expect(logs.filter((log) => log.message.includes(old) || log.message.includes(ancient))).toHaveLength(0);
		sim.holdResults(ancient, false);
		sim.holdResults(old, false);
		await trigger.poll();
		expectOnce(emittedKeys(trigger), [completed(fresh), completed(ancient), completed(old)]);
		for (let i = 0; i < 2; i++) await trigger.poll();
		expectOnce(emittedKeys(trigger), [completed(fresh), completed(ancient), completed(old)]);
		expect(resultRequests(sim).filter((r) => String(r.path).includes(old))).toHaveLength(2);
		expectResultsLike(trigger, old, fresh);
		expectResultsLike(trigger, ancient, fresh);
		// once emitted, nothing of their wait is kept
		expect(readCursor(trigger.liveMemory)!.waits).toBeUndefined();
	});
}, 60_000);

test('a single 412 (flip-412) for a run that finished an hour before the API clock only delays it by one poll', async () => {
	const backlog = params(WF.invoice, { fetchResults: true, options: { includeFinishedWithin: 2 } });
	await withPoll(backlog, async (sim, trigger) => {
		const [old] = sim.seedRuns(WF.invoice, { count: 1, finished: true });
		sim.ageRun(old, 2 * RESULTS_WAIT_MS);
		const [fresh] = sim.seedRuns(WF.invoice, { count: 1, finished: true });
		// the oldest finished run's results are asked first: the one 412 is the old run's
		sim.faults.once('flip-412', { route: 'results' });
		await trigger.activate();
		expect(sim.faults.injected['flip-412']).toBe(1);
		expectOnce(emittedKeys(trigger), [completed(fresh)]);
		await trigger.poll();
		await trigger.poll();
		expectOnce(emittedKeys(trigger), [completed(fresh), completed(old)]);
		expectResultsLike(trigger, old, fresh);
	});
}, 60_000);
