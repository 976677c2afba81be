/**
 * Adversarial review of the polling trigger's cursor (nodes/AnyformatPollingTrigger/cursor.ts), as
 * tables on its pure decisions. Each failed before the fix (they were test.failing); now they pass.
 * The mid-walk case is also shown through the poll harness in poll-stale-page.test.ts.
 */
import type { Cursor } from '../../nodes/AnyformatPollingTrigger/cursor';
import { advanceCursor, takeForThisPoll, unhandledFinals } from '../../nodes/AnyformatPollingTrigger/cursor';
import { run } from '../pollTrigger/listed';

const BOTH = ['extraction.completed', 'extraction.failed'];

/**
 * Adversarial review: a run that finishes (updated_at T1) while the walk is between pages, and is read
 * as still processing on an earlier page, while an OLDER run on a later page is read final with
 * updated_at T2 > T1. The poll emits the older run and moves `finishedAt` to T2; at the next poll the
 * first run is final with updated_at T1 < finishedAt, so `isHandled` says it was handled: it is never
 * emitted. (walkToHorizon re-reads only page 1 at the end, so a run on page 2 of 3 stays stale.)
 */
test('review: a run read as processing on an earlier page, finished before an older run read final later, is emitted at the next poll', () => {
	const start: Cursor = { finishedAt: 0, ids: [], horizon: 0 };
	// poll 1: A (newer, page 2, read at t=100: processing); A finishes at 150; B (older, page 3) finishes at 200, read final
	const poll1 = [run('A', 'in_progress', 20, 20), run('B', 'processed', 10, 200)];
	const finals1 = unhandledFinals(poll1, start);
	const { taken, emitted } = takeForThisPoll(finals1, BOTH, 100);
	expect(emitted.map((r) => r.id)).toEqual(['B']);
	// the walk's first page was served at t=100: the newest updated_at on it (walkStartBound)
	const next = advanceCursor(start, poll1, taken, {}, 100);
	// poll 2: A is final, its updated_at (150) is before the cursor's finishedAt (200)
	const poll2 = [run('A', 'processed', 20, 150), run('B', 'processed', 10, 200)];
	const finals2 = unhandledFinals(poll2, next);
	expect(finals2.map((r) => r.id)).toEqual(['A']);
});

/**
 * Adversarial review: a run emitted once whose `updated_at` later moves (e.g. a reviewer verifies or
 * overrides a value after it finished) is emitted AGAIN when an older run still processing holds the
 * horizon back: the "never taken again" guard covers only runs created before the horizon.
 */
test('review: a finished run whose updated_at moves later is not emitted a second time while an older run is still processing', () => {
	const start: Cursor = { finishedAt: 0, ids: [], horizon: 0 };
	// poll 1: A (older) still processing, B finished at 200 -> B emitted
	const poll1 = [run('A', 'in_progress', 10, 10), run('B', 'processed', 20, 200)];
	const one = takeForThisPoll(unhandledFinals(poll1, start), BOTH, 100);
	expect(one.emitted.map((r) => r.id)).toEqual(['B']);
	const next = advanceCursor(start, poll1, one.taken, {});
	expect(next.horizon).toBe(10); // A holds the horizon
	// poll 2: A still processing; B's updated_at moved to 500 (touched after it finished)
	const poll2 = [run('A', 'in_progress', 10, 10), run('B', 'processed', 20, 500)];
	const two = takeForThisPoll(unhandledFinals(poll2, next), BOTH, 100);
	expect(two.emitted.map((r) => r.id)).toEqual([]);
});

/**
 * Adversarial review: when nothing holds the horizon it becomes `newest created_at + 1 ms`, with no
 * slack. A run created in the same millisecond as the newest one seen (Date.parse truncates the API's
 * microseconds; two uploads of one batch easily share a millisecond, or a second if the API rounds),
 * but not yet visible in that poll's list (committed a moment later), is created before the new horizon
 * and is never read again: never emitted. The same holds for any run whose created_at is earlier than
 * a run already seen (a long upload's row becoming visible late).
 */
test('review: a run created in the same millisecond as the newest run seen, visible only at the next poll, is emitted', () => {
	const start: Cursor = { finishedAt: 0, ids: [], horizon: 0 };
	const T = 1_000;
	// poll 1: only B is visible (created at T, already final)
	const poll1 = [run('B', 'processed', T, T + 50)];
	const one = takeForThisPoll(unhandledFinals(poll1, start), BOTH, 100);
	const next = advanceCursor(start, poll1, one.taken, {});
	// poll 2: C, created at the same millisecond T, is now visible and final
	const poll2 = [run('B', 'processed', T, T + 50), run('C', 'processed', T, T + 80)];
	const two = takeForThisPoll(unhandledFinals(poll2, next), BOTH, 100);
	expect(two.emitted.map((r) => r.id)).toEqual(['C']);
});
