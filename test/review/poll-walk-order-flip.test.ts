/**
 * Review (adversarial): a walk that goes on across polls, when the runs list changes its order between
 * two polls (the API does not document the order; the trigger reads it off `created_at`). Through
 * n8n-core's PollContext against the simulator. Before walk.ts `walkOn` checked each page's order, a
 * walk paused on a newest-first list went on, on an oldest-first one, at the same page number upwards
 * (towards newer runs), so it never read the oldest runs; it still ended and moved the horizon past
 * them: the oldest run (under way at activation, finished since) was never emitted. Failed there.
 */
import { readCursor } from '../../nodes/AnyformatPollingTrigger/cursor';
import { emittedKeys, failed, FAIL_TEXT, params, WF, withPoll } from '../pollTrigger/sim';

const FAILED_ONLY = params(WF.invoice, { events: ['extraction.failed'] });

test.each([
	['desc', 'asc'],
	['asc', 'desc'],
] as const)(
	'a walk paused on a %s list, the list served %s at the next poll: the unread old runs are still emitted, once',
	async (first, then) => {
		await withPoll(
			FAILED_ONLY,
			async (sim, trigger) => {
				const [slow] = sim.seedRuns(WF.invoice, { count: 1, text: FAIL_TEXT }); // under way: holds the horizon
				sim.ageRun(slow, 20_000_000);
				await trigger.activate();
				// 6,000 completed runs (not selected), 10 failed ones, 9,000 completed: the failed ones sit beyond
				// the first poll's 50 pages in either order, and past page 50 of the other order
				sim.seedRuns(WF.invoice, { count: 60 * 100, finished: true });
				const early = sim.seedRuns(WF.invoice, { count: 10, text: FAIL_TEXT, finished: true });
				sim.seedRuns(WF.invoice, { count: 90 * 100, finished: true });
				// a second apart, oldest first: HORIZON_SLACK_MS covers only the runs of the last minute
				const all = sim
					.listRuns()
					.filter((r) => r.id !== slow)
					.map((r) => r.id);
				all.forEach((id, i) => sim.ageRun(id, (all.length - i) * 1000));
				sim.finishRun(slow);
				expect(await trigger.poll()).toBe(true);
				expect(readCursor(trigger.liveMemory)?.resume).toBeDefined();
				sim.configure({ runsOrder: then });
				for (let poll = 0; poll < 5; poll++) await trigger.poll();
				const keys = emittedKeys(trigger);
				expect([...keys].sort()).toEqual([...early, slow].map(failed).sort());
			},
			{ runsOrder: first },
		);
	},
	180_000,
);
