/**
 * Review (adversarial): a run whose results answer 412, first asked at a poll that went on with a walk
 * (walk.ts `walkOn`) and later at a poll that read the list from its newest page. Through n8n-core's
 * PollContext against the simulator. The promise: a run the list shows final is waited for at least
 * 30 minutes on the API's clock (and 3 asks) from its first 412 before it is given up.
 *
 * Before poll.ts stopped starting a wait's API clock at a poll that went on with a walk, the wait
 * began at that poll's first page, an older part of the list (runs finished an hour and more ago):
 * the first poll that read the newest page found "more than 30 minutes" waited, and the run was given
 * up at its third ask, seconds after its first 412. It was never emitted. Failed there.
 */
import { RESULTS_WAIT_MS, resultsWaitDecision } from '../../nodes/AnyformatPollingTrigger/resultsWait';
import { MAX_PAGES_PER_POLL } from '../../nodes/AnyformatPollingTrigger/poll';
import { completed, emittedKeys, FAIL_TEXT, params, WF, withPoll } from '../pollTrigger/sim';

test('a run first asked in a walk that went on, then at polls reading the newest page: not given up within seconds', async () => {
	await withPoll(
		params(WF.invoice, { fetchResults: true, events: ['extraction.completed'] }),
		async (sim, trigger) => {
			const [late] = sim.seedRuns(WF.invoice, { count: 1 }); // under way: holds the horizon
			sim.ageRun(late, 30_000_000);
			await trigger.activate();
			const runs = sim.seedRuns(WF.invoice, {
				count: MAX_PAGES_PER_POLL * 100 + 150,
				text: FAIL_TEXT,
				finished: true,
			});
			// a second apart, oldest first: the pages past 50 hold runs that finished over an hour ago
			runs.forEach((id, i) => sim.ageRun(id, (runs.length - i) * 1000));
			sim.finishRun(late);
			sim.holdResults(late);
			expect(await trigger.poll()).toBe(true); // pages 1–50; the walk goes on
			await trigger.poll(); // pages 51–52: the run's first 412
			// 200 of the newest runs deleted: the run is within 50 pages of the newest now
			const internals = sim as unknown as { runs: { delete(id: string): boolean } };
			for (const id of runs.slice(-200)) internals.runs.delete(id);
			for (let poll = 0; poll < 3; poll++) await trigger.poll();
			// its results come, seconds later: it is still waited for, and emitted once
			sim.holdResults(late, false);
			await trigger.poll();
			expect(emittedKeys(trigger)).toEqual([completed(late)]);
		},
	);
}, 180_000);

test('resultsWaitDecision: a poll that went on with a walk may end a wait but not start its API clock', () => {
	const first = resultsWaitDecision(undefined, 1_000, 0, false);
	expect(first.next).toEqual({ local: 0, asks: 1 });
	// the API clock starts at the next poll that reads the newest page, and counts from there
	const second = resultsWaitDecision(first.next, 5_000_000, 1, true);
	expect(second.next).toEqual({ local: 0, asks: 2, api: 5_000_000 });
	const third = resultsWaitDecision(second.next, 5_000_000 + RESULTS_WAIT_MS + 1, 2, true);
	expect(third.decision).toBe('give-up');
	// a stamped wait is still ended by a later walk's poll
	expect(
		resultsWaitDecision({ api: 0, local: 0, asks: 2 }, RESULTS_WAIT_MS + 1, 2, false).decision,
	).toBe('give-up');
});
