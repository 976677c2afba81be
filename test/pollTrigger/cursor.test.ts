/** The trigger's decisions, as tables: what a poll emits, and what the cursor becomes. */
import type { Cursor, ListedRun } from '../../nodes/AnyformatPollingTrigger/cursor';
import type { ResultsWait } from '../../nodes/AnyformatPollingTrigger/resultsWait';
import {
	advanceCursor,
	initialCursor,
	advanceFinished,
	advancePartial,
	isHandled,
	readCursor,
	readListedRun,
	finishBound,
	HORIZON_SLACK_MS,
	STALE_AFTER_MS,
	staleRuns,
	takeForThisPoll,
	unhandledFinals,
	walkStartBound,
} from '../../nodes/AnyformatPollingTrigger/cursor';
import { keepWaits, MAX_WAITS, RESULTS_WAIT_ASKS, RESULTS_WAIT_MS, resultsWaitDecision } from '../../nodes/AnyformatPollingTrigger/resultsWait';
import { MAX_RUNS_PER_POLL } from '../../nodes/AnyformatPollingTrigger/poll';
import { pageOrder, reachesHorizon } from '../../nodes/AnyformatPollingTrigger/walk';
import { nextPage } from '../../nodes/shared/transport/pages';
import { eventKey } from '../../nodes/shared/mapping/eventItem';
import { cursor, run } from './listed';

const BOTH = ['extraction.completed', 'extraction.failed'];

describe('isHandled: a final run counts as handled when it finished before the cursor, or at it with its id kept', () => {
	test.each([
		['finished before', run('a', 'processed', 0, 99), cursor(100), true],
		['finished after', run('a', 'processed', 0, 101), cursor(100), false],
		['same millisecond, id kept', run('a', 'processed', 0, 100), cursor(100, ['a']), true],
		['same millisecond, another id', run('b', 'processed', 0, 100), cursor(100, ['a']), false],
	])('%s', (_name, r, c, expected) => {
		expect(isHandled(r, c)).toBe(expected);
	});
});

describe('advanceFinished: finishedAt never passes the walk start; the ids handled at or after it are kept', () => {
	test.each<[string, Cursor, ListedRun[], number | undefined, Partial<Cursor>]>([
		['nothing taken: unchanged', cursor(50, ['x']), [], 90, { finishedAt: 50, ids: ['x'] }],
		['taken before the walk start: the last one', cursor(50), [run('a', 'processed', 1, 60), run('b', 'processed', 1, 70)], 90, { finishedAt: 70, ids: ['b'] }],
		['taken after the walk start: stops at it, keeps the later ids with their offsets', cursor(50), [run('a', 'processed', 1, 60), run('b', 'processed', 1, 95), run('c', 'processed', 1, 99)], 90, { finishedAt: 90, ids: ['b', 'c'], idsAfter: [5, 9] }],
		['never moves back', cursor(80, ['x']), [run('a', 'processed', 1, 85)], 70, { finishedAt: 80, ids: ['x', 'a'], idsAfter: [0, 5] }],
		['prunes ids the new finishedAt passed (legacy ids sit at finishedAt)', { finishedAt: 50, ids: ['x', 'y'], idsAfter: [0, 40], horizon: 0 }, [run('a', 'processed', 1, 70)], 100, { finishedAt: 70, ids: ['y', 'a'], idsAfter: [20, 0] }],
		['no walk start (empty first page): the last taken', cursor(50), [run('a', 'processed', 1, 60)], undefined, { finishedAt: 60, ids: ['a'] }],
	])('%s', (_name, c, taken, walkStart, expected) => {
		expect(advanceFinished(c, taken, walkStart)).toEqual(expected);
	});
	test('walkStartBound: the newest updated_at on the first page read', () => {
		expect(walkStartBound([run('a', 'in_progress', 1, 40), run('b', 'processed', 2, 90)])).toBe(90);
		expect(walkStartBound([])).toBeUndefined();
	});
	test('a run emitted after the walk start stays handled even if its updated_at moves', () => {
		const next = advanceFinished(cursor(50), [run('a', 'processed', 1, 95)], 90);
		expect(isHandled(run('a', 'processed', 1, 500), { ...next, horizon: 0 })).toBe(true);
	});
});

describe('advancePartial: a poll that could not read back to the horizon moves neither finishedAt nor the horizon', () => {
	test.each<[string, Cursor, ListedRun[], Cursor]>([
		['nothing taken: unchanged (the list order and count kept)', cursor(50, ['x'], 10), [], { finishedAt: 50, ids: ['x'], horizon: 10, order: 'desc', count: 9000 }],
		['taken: kept by id with their finish time', cursor(50, ['x'], 10), [run('a', 'processed', 20, 70), run('b', 'error', 30, 90)], { finishedAt: 50, ids: ['x', 'a', 'b'], idsAfter: [0, 20, 40], horizon: 10, order: 'desc', count: 9000 }],
	])('%s', (_name, c, taken, expected) => {
		const next = advancePartial(c, taken, { order: 'desc', count: 9000 });
		expect(next).toEqual(expected);
		// what it took is handled at the next poll, whatever it reads; an unread run finished meanwhile is not
		for (const r of taken) expect(isHandled(r, next)).toBe(true);
		expect(isHandled(run('unread', 'processed', 15, 60), next)).toBe(false);
	});
});

describe('unhandledFinals: what a poll may emit', () => {
	test.each<[string, ListedRun[], Cursor, string[]]>([
		['nothing new', [run('a', 'processed', 10, 50)], cursor(50, ['a'], 10), []],
		['in flight is never emitted', [run('a', 'in_progress', 10, 60)], cursor(50, [], 10), []],
		['every final word, oldest finish first', [run('c', 'cancelled', 12, 90), run('e', 'error', 11, 70), run('p', 'processed', 10, 80)], cursor(50, [], 10), ['e', 'p', 'c']],
		['ties in finish time: by id', [run('b', 'processed', 10, 60), run('a', 'processed', 11, 60)], cursor(50, [], 10), ['a', 'b']],
		['a late finisher with an old created_at (at the horizon) is emitted', [run('old', 'processed', 10, 500), run('new', 'processed', 400, 450)], cursor(300, [], 10), ['new', 'old']],
		['created before the horizon (less its slack): final at an earlier poll, never again (even if updated_at moves)', [run('a', 'processed', 10 - HORIZON_SLACK_MS - 1, 999)], cursor(50, [], 10), []],
		['created just before the horizon, within its slack, not handled: a run visible late is emitted', [run('late', 'processed', 9, 999), run('seen', 'processed', 9, 40)], cursor(50, [], 10), ['late']],
		['horizon null (first poll): every final run after the cursor', [run('a', 'processed', 1, 60)], cursor(50, [], null), ['a']],
	])('%s', (_name, runs, c, expected) => {
		expect(unhandledFinals(runs, c).map((r) => r.id)).toEqual(expected);
	});
});

describe('takeForThisPoll: selected events, at most N emitted, the rest for the next poll', () => {
	const finals = [run('p1', 'processed', 1, 10), run('e1', 'error', 1, 11), run('p2', 'processed', 1, 12), run('e2', 'error', 1, 13)];
	test.each<[string, string[], number, string[], string[]]>([
		['both events', BOTH, 10, ['p1', 'e1', 'p2', 'e2'], ['p1', 'e1', 'p2', 'e2']],
		['failed only: completed runs are taken (handled), not emitted', ['extraction.failed'], 10, ['p1', 'e1', 'p2', 'e2'], ['e1', 'e2']],
		['cap of 2', BOTH, 2, ['p1', 'e1'], ['p1', 'e1']],
		['cap of 1, failed only: stops before the second failed run', ['extraction.failed'], 1, ['p1', 'e1', 'p2'], ['e1']],
	])('%s', (_name, events, max, taken, emitted) => {
		const result = takeForThisPoll(finals, events, max);
		expect(result.taken.map((r) => r.id)).toEqual(taken);
		expect(result.emitted.map((r) => r.id)).toEqual(emitted);
	});
});

describe('advanceCursor: the state after a complete poll', () => {
	test.each<[string, Cursor, ListedRun[], string[], Partial<Cursor>]>([
		['nothing taken, nothing in flight: horizon just after the newest run', cursor(50, ['x'], 10), [run('a', 'processed', 10, 40), run('b', 'processed', 20, 45)], [], { finishedAt: 50, ids: ['x'], horizon: 21 }],
		['the finish time of the last taken run, with the ids at it', cursor(50, [], 10), [run('a', 'processed', 10, 60), run('b', 'processed', 11, 70), run('c', 'processed', 12, 70)], ['a', 'b', 'c'], { finishedAt: 70, ids: ['b', 'c'], horizon: 13 }],
		['same millisecond as before: ids are added', cursor(70, ['b'], 10), [run('b', 'processed', 10, 70), run('c', 'processed', 11, 70)], ['c'], { finishedAt: 70, ids: ['b', 'c'], horizon: 12 }],
		['a run in flight holds the horizon', cursor(50, [], 10), [run('a', 'in_progress', 15, 15), run('b', 'processed', 20, 60)], ['b'], { finishedAt: 60, ids: ['b'], horizon: 15 }],
		['a final run left for the next poll holds the horizon, the cursor stops before it', cursor(50, [], 10), [run('a', 'processed', 12, 60), run('b', 'processed', 11, 61)], ['a'], { finishedAt: 60, ids: ['a'], horizon: 11 }],
		['a run in flight for over a day no longer holds it', cursor(50, [], 0), [run('stuck', 'pending', 0), run('b', 'processed', STALE_AFTER_MS + 10, STALE_AFTER_MS + 20)], ['b'], { horizon: STALE_AFTER_MS + 11 }],
		['an unknown status word holds it like a run in flight', cursor(50, [], 10), [{ ...run('a', undefined, 15), rawStatus: 'thinking' }, run('b', 'processed', 20, 60)], ['b'], { horizon: 15 }],
		['a run in flight seen within the slack before the horizon holds it (back)', cursor(50, [], 100), [run('late', 'in_progress', 99, 99), run('b', 'processed', 120, 130)], ['b'], { horizon: 99 }],
		['an empty list keeps the horizon', cursor(50, [], null), [], [], { finishedAt: 50, ids: [], horizon: null }],
	])('%s', (_name, c, runs, takenIds, expected) => {
		const taken = unhandledFinals(runs, c).filter((r) => takenIds.includes(r.id));
		expect(advanceCursor(c, runs, taken, {})).toMatchObject(expected);
	});

	test('the list order and count are kept for the next poll', () => {
		expect(advanceCursor(cursor(1), [], [], { order: 'asc', count: 7 })).toMatchObject({ order: 'asc', count: 7 });
	});

	test('state stays the same size however many runs pass (10,000 runs, 100 a poll)', () => {
		let c = initialCursor([], undefined);
		const sizes: number[] = [];
		for (let poll = 0; poll < 100; poll++) {
			const runs = Array.from({ length: 100 }, (_, i) => run(`r${poll}-${i}`, 'processed', poll * 1000 + i, poll * 1000 + i + 500));
			const { taken } = takeForThisPoll(unhandledFinals(runs, c), BOTH, 100);
			expect(taken).toHaveLength(100);
			c = advanceCursor(c, runs, taken, { order: 'desc', count: (poll + 1) * 100 });
			sizes.push(JSON.stringify(c).length);
		}
		expect(Math.max(...sizes)).toBeLessThan(200);
	});
});

describe('resultsWaitDecision: a run the list shows final whose results answer 412 waits, from its first 412, within bounds', () => {
	const DAY = STALE_AFTER_MS;
	const W = RESULTS_WAIT_MS;
	const at = (api: number | undefined, local: number, asks: number): ResultsWait =>
		api === undefined ? { local, asks } : { api, local, asks };
	test.each<[string, ResultsWait | undefined, number | undefined, number, 'wait' | 'give-up']>([
		['first 412', undefined, 1_000, 1_000, 'wait'],
		// the defect: how long before the first 412 the run finished does not count (it is not an input)
		['first 412, both clocks far past anything', undefined, 10 * DAY, 10 * DAY, 'wait'],
		['the wait since the first 412 on the API clock, third ask: still waits', at(0, 0, 2), W, 0, 'wait'],
		['longer than the wait on the API clock, third ask', at(0, 0, 2), W + 1, 0, 'give-up'],
		['longer than the wait on the API clock, second ask only (a long poll interval)', at(0, 0, 1), 10 * W, 0, 'wait'],
		['longer than the wait on the API clock, tenth ask', at(0, 0, 9), W + 1, 0, 'give-up'],
		['API clock unknown (empty first page), n8n clock within a day', at(undefined, 0, 5), undefined, DAY, 'wait'],
		['API clock unknown at the first 412, known since: counted from when it was known', at(undefined, 0, 5), W + 1, 0, 'wait'],
		['n8n clock more than a day after the first 412, third ask', at(0, 0, 2), 10, DAY + 1, 'give-up'],
		['n8n clock more than a day after the first 412, second ask only', at(0, 0, 1), 10, DAY + 1, 'wait'],
		['n8n clock behind the API (skew) does not shorten the wait', at(60_000, 0, 5), 60_000, -DAY, 'wait'],
		['API clock behind its first 412 (skew) does not shorten the wait', at(W, 0, 5), 0, 0, 'wait'],
	])('%s', (_name, prior, apiNow, localNow, expected) => {
		expect(resultsWaitDecision(prior, apiNow, localNow).decision).toBe(expected);
	});

	test('the wait it returns keeps the first 412 times and counts the asks', () => {
		expect(resultsWaitDecision(undefined, 500, 700).next).toEqual({ api: 500, local: 700, asks: 1 });
		expect(resultsWaitDecision(undefined, undefined, 700).next).toEqual({ local: 700, asks: 1 });
		expect(resultsWaitDecision({ local: 700, asks: 1 }, 900, 800).next).toEqual({ api: 900, local: 700, asks: 2 });
		expect(resultsWaitDecision({ api: 500, local: 700, asks: 2 }, 900, 800).next).toEqual({ api: 500, local: 700, asks: 3 });
		expect(RESULTS_WAIT_ASKS).toBe(3);
	});
});

describe('keepWaits: the waits kept are those of the runs waiting now, and of the runs this poll did not see, up to the cap', () => {
	const w = (local: number): ResultsWait => ({ local, asks: 1 });
	test.each<[string, Record<string, ResultsWait> | undefined, Record<string, ResultsWait>, string[], Record<string, ResultsWait>]>([
		['nothing waits', undefined, {}, [], {}],
		['a first 412', undefined, { a: w(1) }, [], { a: w(1) }],
		['asked again: the new wait replaces the old', { a: w(1) }, { a: { local: 1, asks: 2 } }, [], { a: { local: 1, asks: 2 } }],
		['emitted or given up: forgotten', { a: w(1), b: w(2) }, {}, ['a'], { b: w(2) }],
		['not seen at this poll: kept', { a: w(1) }, { b: w(2) }, [], { b: w(2), a: w(1) }],
	])('%s', (_name, prior, asked, taken, expected) => {
		expect(keepWaits(prior, asked, taken.map((id) => ({ id })))).toEqual(expected);
	});

	test('beyond the cap the oldest waits of runs not asked at this poll are forgotten (they wait again), never those asked', () => {
		const prior = Object.fromEntries(Array.from({ length: MAX_WAITS }, (_, i) => [`old${i}`, w(i)]));
		const asked = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`now${i}`, w(1_000 + i)]));
		const kept = keepWaits(prior, asked, []);
		expect(Object.keys(kept)).toHaveLength(MAX_WAITS);
		for (const id of Object.keys(asked)) expect(kept[id]).toEqual(asked[id]);
		expect(kept.old0).toBeUndefined();
		expect(kept[`old${MAX_WAITS - 1}`]).toEqual(w(MAX_WAITS - 1));
		expect(MAX_WAITS).toBeGreaterThan(MAX_RUNS_PER_POLL);
	});
});

describe('readCursor reads the waits back with shape checks (an unreadable wait is dropped: that run waits again)', () => {
	const base = { finishedAt: 1, ids: [], horizon: 0 };
	test.each<[string, unknown, Record<string, ResultsWait> | undefined]>([
		['none', undefined, undefined],
		['not an object', 'x', undefined],
		['an array', [{ local: 1, asks: 1 }], undefined],
		['good', { a: { api: 2, local: 1, asks: 1 }, b: { local: 1, asks: 2 } }, { a: { api: 2, local: 1, asks: 1 }, b: { local: 1, asks: 2 } }],
		['bad entries dropped', { a: { local: '1', asks: 1 }, b: { local: 1 }, c: { api: 'x', local: 1, asks: 1 }, d: null, e: { local: 1, asks: 1 } }, { e: { local: 1, asks: 1 } }],
		['nothing readable', { a: { local: NaN, asks: 1 } }, undefined],
	])('%s', (_name, waits, expected) => {
		expect(readCursor({ cursor: { ...base, waits } as never })?.waits).toEqual(expected);
	});

	test('at most MAX_WAITS are read', () => {
		const waits = Object.fromEntries(Array.from({ length: MAX_WAITS + 5 }, (_, i) => [`r${i}`, { local: i, asks: 1 }]));
		expect(Object.keys(readCursor({ cursor: { ...base, waits } as never })!.waits!)).toHaveLength(MAX_WAITS);
	});
});

describe('finishBound: finishedAt stops at the walk start and at every run left waiting for its results', () => {
	test.each<[string, number | undefined, number[], number | undefined]>([
		['nothing waits: the walk start', 100, [], 100],
		['a run waiting since before the walk start', 100, [40, 70], 40],
		['no walk start (empty first page), a run waiting', undefined, [70], 70],
		['neither', undefined, [], undefined],
	])('%s', (_name, walkStart, waiting, expected) => {
		expect(finishBound(walkStart, waiting.map((updatedAt) => ({ updatedAt })))).toBe(expected);
	});

	test('with the bound, a waiting run stays unhandled and holds the horizon; the runs taken after it are kept by id', () => {
		const c = cursor(50, [], 10);
		const runs = [run('w', 'processed', 12, 60), run('a', 'processed', 13, 61), run('b', 'processed', 14, 62)];
		const [w, ...taken] = unhandledFinals(runs, c);
		const next = advanceCursor(c, runs, taken, {}, finishBound(100, [w]));
		expect(next).toMatchObject({ finishedAt: 60, ids: ['a', 'b'], horizon: 12 });
		expect(isHandled(w, next)).toBe(false);
		expect(unhandledFinals(runs, next).map((r) => r.id)).toEqual(['w']);
		// without the bound it would count as handled: the run was lost
		expect(isHandled(w, advanceCursor(c, runs, taken, {}, 100))).toBe(true);
	});
});

describe('bounded state when runs finish during the walk', () => {
	test('10,000 runs, 100 a poll, half of each poll finished after its walk began: only those ids are kept, then pruned', () => {
		let c = initialCursor([], undefined);
		const sizes: number[] = [];
		for (let poll = 0; poll < 100; poll++) {
			const runs = Array.from({ length: 100 }, (_, i) => run(`r${poll}-${i}`, 'processed', poll * 1000 + i, poll * 1000 + i + 500));
			const { taken } = takeForThisPoll(unhandledFinals(runs, c), BOTH, 100);
			expect(taken).toHaveLength(100);
			c = advanceCursor(c, runs, taken, { order: 'desc', count: (poll + 1) * 100 }, poll * 1000 + 550);
			expect(c.finishedAt).toBe(poll * 1000 + 550);
			expect(c.ids).toHaveLength(50);
			sizes.push(JSON.stringify(c).length);
		}
		expect(Math.max(...sizes)).toBeLessThan(1_000);
	});
});

describe('initialCursor: the first activation starts from now, or from a backlog on purpose', () => {
	const runs = [run('a', 'processed', 1, 100), run('b', 'error', 2, 200), run('c', 'in_progress', 3)];
	test.each<[string, number | undefined, Partial<Cursor>, string[]]>([
		['from now: every run final now is handled', undefined, { finishedAt: 200, ids: ['b'] }, []],
		['a backlog since 150: b is emitted', 150, { finishedAt: 150, ids: [] }, ['b']],
		['a backlog since 50: both', 50, { finishedAt: 50, ids: [] }, ['a', 'b']],
		['a backlog reaching past now: nothing', 900, { finishedAt: 200, ids: ['b'] }, []],
	])('%s', (_name, since, expected, emitted) => {
		const c = initialCursor(runs, since);
		expect(c).toMatchObject({ ...expected, horizon: null });
		expect(unhandledFinals(runs, c).map((r) => r.id)).toEqual(emitted);
	});
	test('an empty workflow: every later finish is new', () => {
		expect(initialCursor([], undefined)).toEqual({ finishedAt: 0, ids: [], horizon: null });
	});
});

describe('reading list entries and the stored cursor', () => {
	test.each([
		['older status words', { id: 'a', status: 'completed', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:01:00Z' }, 'processed'],
		['failed → error', { id: 'a', status: 'failed', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:01:00Z' }, 'error'],
	])('%s', (_name, entry, status) => {
		expect(readListedRun(entry)?.status).toBe(status);
	});
	test.each([
		['no id', { status: 'processed', created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z' }],
		['no updated_at', { id: 'a', status: 'processed', created_at: '2026-01-01T00:00:00Z' }],
	])('unreadable: %s', (_name, entry) => {
		expect(readListedRun(entry as never)).toBeUndefined();
	});
	test('a cursor from static data, or none', () => {
		expect(readCursor({})).toBeUndefined();
		expect(readCursor({ cursor: { finishedAt: 'x' } })).toBeUndefined();
		expect(readCursor({ cursor: { finishedAt: 5, ids: ['a', 3], horizon: 2, order: 'asc', count: 9 } })).toEqual({
			finishedAt: 5,
			ids: ['a'],
			horizon: 2,
			order: 'asc',
			count: 9,
		});
	});
	test('a stored cursor with the finish times of its ids, or with unusable ones (read as at finishedAt)', () => {
		expect(readCursor({ cursor: { finishedAt: 5, ids: ['a', 'b'], idsAfter: [0, 7], horizon: 2 } })).toEqual({ finishedAt: 5, ids: ['a', 'b'], idsAfter: [0, 7], horizon: 2 });
		expect(readCursor({ cursor: { finishedAt: 5, ids: ['a', 'b'], idsAfter: [0], horizon: 2 } })).toEqual({ finishedAt: 5, ids: ['a', 'b'], horizon: 2 });
	});
	test('event key: one per run and event', () => {
		expect(eventKey('extraction.completed', 'r1')).toBe('extraction.completed:r1');
		// however the API or a delivery spells a UUID, as the webhook trigger's dedupe reads it
		for (const spelling of ['01A2336C-774B-70D1-A20F-5318CD2627B8', '01a2336c774b70d1a20f5318cd2627b8'])
			expect(eventKey('extraction.failed', spelling)).toBe('extraction.failed:01a2336c-774b-70d1-a20f-5318cd2627b8');
	});
	test('stale runs', () => {
		expect(staleRuns([run('s', 'queued', 0), run('n', 'processed', STALE_AFTER_MS + 1)]).map((r) => r.id)).toEqual(['s']);
	});
});

describe('the walk: order from created_at, where to stop, which page next', () => {
	const at = (...ms: number[]) => ms.map((t, i) => ({ id: `r${i}`, status: 'processed', created_at: new Date(t).toISOString() }));
	test.each([
		['newest first', at(3, 2, 1), 'desc'],
		['oldest first', at(1, 2, 3), 'asc'],
		['ties and one direction', at(3, 3, 1), 'desc'],
		['neither', at(1, 3, 2), 'mixed'],
		['one entry', at(1), undefined],
		['all equal', at(1, 1), undefined],
	])('%s', (_name, entries, order) => {
		expect(pageOrder(entries as never)).toBe(order);
	});
	test.each([
		['an entry before the horizon', at(5, 4), 5, true],
		['none before it', at(6, 5), 5, false],
		['no horizon', at(1), null, false],
	])('reaches the horizon: %s', (_name, entries, horizon, expected) => {
		expect(reachesHorizon(entries as never, horizon)).toBe(expected);
	});
	test.each<[string, 'desc' | 'asc' | undefined, number, number, number[], number | undefined]>([
		['desc: the next page', 'desc', 1, 3, [1], 2],
		['desc: the end', 'desc', 3, 3, [1, 2, 3], undefined],
		['asc: from the last page back', 'asc', 5, 5, [5], 4],
		['asc: a grown list first', 'asc', 3, 5, [3], 5],
		['unknown: like desc', undefined, 1, 2, [1], 2],
	])('%s', (_name, order, page, last, visited, expected) => {
		expect(nextPage(order, page, last, new Set(visited))).toBe(expected);
	});
});
