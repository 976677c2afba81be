/**
 * Adversarial review, through n8n-core's PollContext against the simulator: when more than
 * MAX_PAGES_PER_POLL × 100 runs were created since the horizon (the oldest run not yet handled), poll.ts
 * returns null BEFORE advanceCursor ("the next poll starts from the same place"). The horizon can then
 * never move: every later poll reads the same 50 pages and stops, so nothing is ever emitted again,
 * even after the old run finished. One slow run and a busy day stall the trigger for good.
 * Fixed: such a poll emits the finished runs among the pages read (cursor.ts advancePartial), and
 * the walk goes on at the next poll where it stopped (resume.ts), so the horizon moves too
 * (test/pollTrigger/pageCap.test.ts; README, "After a long outage").
 */
import { MAX_PAGES_PER_POLL } from '../../nodes/AnyformatPollingTrigger/poll';
import { emittedKeys, listRequests, params, WF, withPoll } from '../pollTrigger/sim';

test('review: a poll trigger with more than 50 pages of runs since its oldest unfinished run still emits, at least once that run finishes', async () => {
	await withPoll(params(WF.invoice), async (sim, trigger) => {
		const [old] = sim.seedRuns(WF.invoice, { count: 1 }); // under way: holds the horizon
		await trigger.activate();
		sim.seedRuns(WF.invoice, { count: MAX_PAGES_PER_POLL * 100 + 50, finished: true });
		const before = listRequests(sim).length;
		await trigger.poll();
		// the poll read its 50 pages and stopped there
		expect(listRequests(sim).length - before).toBe(MAX_PAGES_PER_POLL);
		sim.finishRun(old);
		await trigger.poll();
		await trigger.poll();
		expect(emittedKeys(trigger).length).toBeGreaterThan(0);
	});
}, 120_000);
