/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Adversarial review: a run emitted once whose `updated_at` later moves (e.g. a reviewer verifies or
 * overrides a value after it finished) is emitted AGAIN when an older run still processing holds the
 * horizon back: the "never taken again" guard covers only runs created before the horizon.
 * Expected to FAIL until fixed: marked test.failing.
 */
import type { Cursor, ListedRun } from '../../nodes/AnyformatPollingTrigger/cursor';
import { advanceCursor, takeForThisPoll, unhandledFinals } from '../../nodes/AnyformatPollingTrigger/cursor';

const run = (id: string, status: ListedRun['status'], createdAt: number, updatedAt = createdAt): ListedRun => ({
	id,
	status,
	rawStatus: String(status),
	createdAt,
	updatedAt,
	times: { createdAt: new Date(createdAt).toISOString(), updatedAt: new Date(updatedAt).toISOString() },
});
const BOTH = ['extraction.completed', 'extraction.failed'];

test.failing('review: a finished run whose updated_at moves later is not emitted a second time while an older run is still processing', () => {
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
