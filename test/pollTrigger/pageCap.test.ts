/**
 * More than MAX_PAGES_PER_POLL × 100 runs created since the oldest run still under way, through n8n-core's
 * PollContext against the simulator (`seedRuns`). Issue 10's closing note: "the horizon cannot move"
 * while that lasts. On the code before the walk went on across polls, the runs beyond page 50 (that run
 * and the ones created around it) were never emitted while the workflow stayed that busy, every poll
 * read the same 50 pages, and the cursor kept the id of every run handled meanwhile (5,000 ids after
 * one poll here, ~200 KB). This suite failed there.
 */
import { recordForAudit } from '../harness';
import { readCursor } from '../../nodes/AnyformatPollingTrigger/cursor';
import { MAX_PAGES_PER_POLL } from '../../nodes/AnyformatPollingTrigger/poll';
import { emittedKeys, failed, FAIL_TEXT, listRequests, params, WF, withPoll } from './sim';

const ORDERS = ['desc', 'asc'] as const;
const NEW_PER_POLL = 152;
const FAILED_ONLY = params(WF.invoice, { events: ['extraction.failed'] });

function expectOnce(keys: string[], expected: string[]) {
	expect([...keys].sort()).toEqual([...expected].sort());
	expect(new Set(keys).size).toBe(keys.length);
}

test.each(ORDERS)('%s list: runs more than 50 pages behind the newest are emitted, once, in a few polls, with bounded requests and state', async (runsOrder) => {
	await withPoll(FAILED_ONLY, async (sim, trigger) => {
		const [slow] = sim.seedRuns(WF.invoice, { count: 1, text: FAIL_TEXT }); // under way: holds the horizon
		await trigger.activate();
		// right after it: 10 failed runs, then 5,000 completed ones (not selected: handled, not emitted)
		const early = sim.seedRuns(WF.invoice, { count: 10, text: FAIL_TEXT, finished: true });
		sim.seedRuns(WF.invoice, { count: MAX_PAGES_PER_POLL * 100, finished: true });
		const expected = [...early];
		const perPoll: number[] = [];
		const sizes: number[] = [];
		for (let poll = 0; poll < 6; poll++) {
			if (poll === 1) sim.finishRun(slow);
			if (poll === 1) expected.push(slow);
			// the workflow stays busy: more runs at every poll, a few of them failed
			sim.seedRuns(WF.invoice, { count: NEW_PER_POLL - 2, finished: true });
			expected.push(...sim.seedRuns(WF.invoice, { count: 2, text: FAIL_TEXT, finished: true }));
			const before = listRequests(sim).length;
			expect(await trigger.poll()).toBe(true);
			perPoll.push(listRequests(sim).length - before);
			sizes.push(JSON.stringify(trigger.liveMemory).length);
		}
		expectOnce(emittedKeys(trigger), expected.map(failed));
		// a poll reads at most its 50 pages, and a couple more to find where the walk went on
		expect(Math.max(...perPoll)).toBeLessThanOrEqual(MAX_PAGES_PER_POLL + 3);
		// once the walk is through, the polls read back to the horizon only (it moved on): a page per 100
		// runs created since the last poll, the page where the horizon lies, and the newest page again
		expect(perPoll[perPoll.length - 1]).toBeLessThanOrEqual(Math.ceil(NEW_PER_POLL / 100) + 3);
		recordForAudit(`page cap (${runsOrder}): runs-list requests per poll`, perPoll.join(' '));
		recordForAudit(`page cap (${runsOrder}): static data bytes per poll`, sizes.join(' '));
		const cursor = readCursor(trigger.liveMemory)!;
		const newest = Math.max(...sim.listRuns().map((r) => Date.parse(String(r.createdAt))));
		expect(cursor.horizon).toBeGreaterThan(newest);
		// the ids kept are pruned once the walk is through (runs handled since about the last walk began)
		expect(sizes[sizes.length - 1]).toBeLessThan(20_000);
		expect(cursor.ids.length).toBeLessThan(400);
	}, { runsOrder });
}, 180_000);

test('a run under way for many polls behind more than 50 pages: every walk reads back to it, runs above it keep coming, it comes once when it finishes', async () => {
	await withPoll(FAILED_ONLY, async (sim, trigger) => {
		const [slow] = sim.seedRuns(WF.invoice, { count: 1, text: FAIL_TEXT });
		await trigger.activate();
		sim.seedRuns(WF.invoice, { count: MAX_PAGES_PER_POLL * 100 + 100, finished: true });
		const expected: string[] = [];
		const perPoll: number[] = [];
		for (let poll = 0; poll < 9; poll++) {
			if (poll === 6) {
				sim.finishRun(slow);
				expected.push(slow);
			}
			expected.push(...sim.seedRuns(WF.invoice, { count: 1, text: FAIL_TEXT, finished: true }));
			const before = listRequests(sim).length;
			expect(await trigger.poll()).toBe(true);
			perPoll.push(listRequests(sim).length - before);
			// each failed run is emitted within two polls of finishing (one walk of two polls)
			if (poll >= 2 && poll < 6) expect(emittedKeys(trigger).length).toBeGreaterThanOrEqual(poll - 1);
		}
		expectOnce(emittedKeys(trigger), expected.map(failed));
		expect(Math.max(...perPoll)).toBeLessThanOrEqual(MAX_PAGES_PER_POLL + 3);
		expect(readCursor(trigger.liveMemory)!.resume).toBeUndefined();
	});
}, 180_000);
