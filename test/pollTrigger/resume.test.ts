/** A walk that goes on across polls (resume.ts, walk.ts walkOn), as tables. */
import type { Cursor, ListedRun, WalkResume } from '../../nodes/AnyformatPollingTrigger/cursor';
import { isHandled, readCursor, unhandledFinals } from '../../nodes/AnyformatPollingTrigger/cursor';
import { finishWalk, pauseWalk, resumePage } from '../../nodes/AnyformatPollingTrigger/resume';
import { walkOn } from '../../nodes/AnyformatPollingTrigger/walk';
import type { Page, RunStatus } from '../../nodes/shared/transport/api';
import { cursor, run } from './listed';

const resume = (over: Partial<WalkResume> = {}): WalkResume => ({ page: 51, count: 6000, top: 1000, start: 900, hold: null, left: null, ...over });

describe('resumePage: where the walk goes on, read early rather than late', () => {
	test.each<[string, 'desc' | 'asc', number, number, number, number]>([
		['desc, nothing created since', 'desc', 51, 6000, 6000, 51],
		['desc, 150 runs created since: the unread runs moved 150 places', 'desc', 51, 6000, 6150, 52],
		['desc, 50 created: still on that page, 50 places in', 'desc', 51, 6000, 6050, 51],
		['desc, runs deleted: earlier', 'desc', 51, 6000, 5850, 49],
		['desc, more deleted than read: the first page', 'desc', 3, 300, 0, 1],
		['asc: pages keep their runs', 'asc', 10, 6000, 9000, 10],
	])('%s', (_name, order, page, count, now, expected) => {
		expect(resumePage({ page, count }, order, now)).toBe(expected);
	});
});

describe('pauseWalk: the cursor of a poll that stopped before the horizon', () => {
	const c = cursor(50, [], 10);
	test('finishedAt and the horizon stay; the taken runs are kept by id; the walk records its place and what holds', () => {
		const runs = [run('a', 'processed', 500, 600), run('b', 'in_progress', 400), run('c', 'processed', 300, 700)];
		const taken = unhandledFinals(runs, c).filter((r) => r.id === 'a');
		const next = pauseWalk(c, runs, taken, { order: 'desc', count: 6000, nextPage: 51 }, undefined, { top: 1000, start: 900 });
		expect(next).toMatchObject({ finishedAt: 50, horizon: 10, order: 'desc', count: 6000 });
		expect(next.ids).toEqual(['a']);
		// b under way and c left (not taken) hold; c's finish bounds finishedAt when the walk ends
		expect(next.resume).toEqual({ page: 51, count: 6000, top: 1000, start: 900, hold: 300, left: 700 });
	});
	test('going on with a walk keeps its top and start, and the oldest hold and earliest left of all its polls', () => {
		const runs = [run('d', 'processed', 200, 650)];
		const next = pauseWalk(c, runs, [], { order: 'desc', count: 6100, nextPage: 101 }, resume({ hold: 300, left: 700 }), { top: 5000, start: 4000 });
		expect(next.resume).toEqual({ page: 101, count: 6100, top: 1000, start: 900, hold: 200, left: 650 });
	});
	test('the walk survives a round trip through the static data; a damaged one is dropped', () => {
		const next = pauseWalk(c, [], [], { order: 'asc', count: 9, nextPage: 2 }, undefined, { top: 5 });
		expect(readCursor({ cursor: JSON.parse(JSON.stringify(next)) })).toEqual(next);
		expect(readCursor({ cursor: { ...next, resume: { page: '2' } } as never })?.resume).toBeUndefined();
	});
});

describe('finishWalk: the cursor of the poll whose walk reached the horizon', () => {
	const c = cursor(50, ['a'], 10);
	test.each<[string, WalkResume, ListedRun[], string[], number | undefined, Partial<Cursor>]>([
		['nothing holds: the horizon just after the walk top; finishedAt to the last taken, within the walk start', resume(), [run('x', 'processed', 20, 800)], ['x'], undefined, { finishedAt: 800, horizon: 1001 }],
		['the walk start bounds finishedAt', resume({ start: 700 }), [run('x', 'processed', 20, 800)], ['x'], undefined, { finishedAt: 700, ids: ['x'], horizon: 1001 }],
		['a run left at an earlier poll bounds finishedAt', resume({ left: 600, hold: 300 }), [run('x', 'processed', 20, 800)], ['x'], undefined, { finishedAt: 600, horizon: 300 }],
		['no known walk start: finishedAt does not move', resume({ start: undefined }), [run('x', 'processed', 20, 800)], ['x'], undefined, { finishedAt: 50, ids: ['a', 'x'] }],
		['a run waiting for its results bounds finishedAt', resume(), [run('x', 'processed', 20, 800)], ['x'], 550, { finishedAt: 550 }],
		['a run under way at an earlier poll holds the horizon', resume({ hold: 400 }), [], [], undefined, { finishedAt: 50, horizon: 400 }],
		['a run under way in the last pages holds it', resume(), [run('y', 'in_progress', 30)], [], undefined, { horizon: 30 }],
		['never past the top, whatever the pages showed', resume({ top: 100 }), [run('new', 'in_progress', 5000)], [], undefined, { horizon: 101 }],
	])('%s', (_name, r, runs, takenIds, waitingBound, expected) => {
		const taken = unhandledFinals(runs, c).filter((x) => takenIds.includes(x.id));
		const next = finishWalk(c, runs, taken, r, { order: 'desc', count: 7000 }, waitingBound);
		expect(next).toMatchObject(expected);
		expect(next.resume).toBeUndefined();
	});
	test('a run left at an earlier poll is not counted as handled once the walk ends', () => {
		const left = run('l', 'processed', 300, 600);
		const next = finishWalk(c, [run('x', 'processed', 20, 800)], unhandledFinals([run('x', 'processed', 20, 800)], c), resume({ left: 600, hold: 300 }), {}, undefined);
		expect(isHandled(left, next)).toBe(false);
		expect(left.createdAt).toBeGreaterThanOrEqual(next.horizon!);
	});
});

describe('walkOn: goes on where the walk stopped', () => {
	/** a list of `total` runs created 1 ms apart, served in `order`, 100 a page */
	function list(total: number, order: 'desc' | 'asc') {
		const asked: number[] = [];
		let count = total;
		const entry = (i: number): RunStatus => ({ id: `r${i}`, status: 'processed', created_at: new Date(1_000_000 + i).toISOString(), updated_at: new Date(1_000_000 + i).toISOString() }) as RunStatus;
		const fetchPage = async (page: number): Promise<Page<RunStatus>> => {
			asked.push(page);
			const positions = Array.from({ length: 100 }, (_, k) => (page - 1) * 100 + k).filter((p) => p < count);
			const results = positions.map((p) => entry(order === 'desc' ? count - 1 - p : p));
			return { count, page, page_size: 100, results } as Page<RunStatus>;
		};
		return { asked, fetchPage, grow: (n: number) => (count += n) };
	}
	test('desc: runs created since move the unread ones; the walk finds its page again and reads to the horizon', async () => {
		const l = list(6000, 'desc');
		l.grow(150);
		const walk = await walkOn(l.fetchPage, { page: 51, count: 6000 }, 'desc', 1_000_000 + 500, 50);
		// 51 (where it was), then 52 (where it is now), then on to the page with run 499
		expect(l.asked.slice(0, 2)).toEqual([51, 52]);
		expect(walk.complete).toBe(true);
		const ids = new Set(walk.entries.map((e) => e.id));
		for (let i = 500; i < 1000; i++) expect(ids.has(`r${i}`)).toBe(true);
	});
	test('asc: from its page towards page 1', async () => {
		const l = list(6000, 'asc');
		l.grow(500);
		const walk = await walkOn(l.fetchPage, { page: 10, count: 6000 }, 'asc', null, 50);
		expect(l.asked).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
		expect(walk.complete).toBe(true);
	});
	test('bounded: at most maxPages, then where to go on', async () => {
		const l = list(20_000, 'desc');
		const walk = await walkOn(l.fetchPage, { page: 51, count: 20_000 }, 'desc', null, 50);
		expect(l.asked).toHaveLength(50);
		expect(walk).toMatchObject({ complete: false, nextPage: 101, count: 20_000 });
	});
});
