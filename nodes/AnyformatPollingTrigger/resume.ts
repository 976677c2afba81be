import type { Cursor, ListedRun, WalkResume } from './cursor';
import { advanceFinished, advancePartial, holdingSince, unhandledFinals } from './cursor';
import type { ListOrder } from '../shared/transport/pages';

/** Runs a list page holds (the trigger asks for the largest page, 100). */
export const PAGE_SIZE = 100;

/**
 * Where a walk goes on: an oldest-first list only grows at its end, so its pages keep their runs; in a
 * newest-first list every run created (or deleted) since moves the unread runs by as many places, and
 * `count` tells how many. Deleting older runs moves them less than `count` says, so the page is read
 * early rather than late: runs may be read twice, never skipped.
 */
export function resumePage(
	resume: Pick<WalkResume, 'page' | 'count'>,
	order: ListOrder,
	count: number,
): number {
	if (order === 'asc') return Math.max(1, resume.page);
	const index = Math.max(0, (resume.page - 1) * PAGE_SIZE + (count - resume.count));
	return Math.floor(index / PAGE_SIZE) + 1;
}

function minOf(...values: Array<number | null | undefined>): number | null {
	const known = values.filter((v): v is number => typeof v === 'number');
	return known.length > 0 ? Math.min(...known) : null;
}

/** What one poll of a walk adds to it: the runs that hold the horizon, and those left unhandled. */
function segment(cursor: Cursor, runs: ListedRun[], taken: ListedRun[], top: number) {
	const next = advancePartial(cursor, taken, {});
	const handled = new Set(taken.map((run) => run.id));
	const left = unhandledFinals(runs, cursor).filter((run) => !handled.has(run.id));
	return {
		hold: holdingSince(cursor, next, runs, taken, top),
		left: minOf(...left.map((run) => run.updatedAt)),
	};
}

/**
 * The cursor after a poll that stopped before the horizon (its page budget spent) and handled `taken`
 * among `runs`: as `advancePartial`, plus the walk to go on with at `nextPage` (of a list of `count`).
 * `resume` is the walk this poll went on with, if any; else the walk begins here (`begun.top`: the
 * newest `created_at` it read; `begun.start`: `walkStartBound` of its first page).
 */
export function pauseWalk(
	cursor: Cursor,
	runs: ListedRun[],
	taken: ListedRun[],
	list: { order: ListOrder; count: number; nextPage: number },
	resume: WalkResume | undefined,
	begun: { top: number; start?: number },
): Cursor {
	const top = resume ? resume.top : begun.top;
	const start = resume ? resume.start : begun.start;
	const seg = segment(cursor, runs, taken, top);
	const next = advancePartial(cursor, taken, list);
	next.resume = {
		page: list.nextPage,
		count: list.count,
		top,
		...(start !== undefined ? { start } : {}),
		hold: minOf(resume?.hold, seg.hold),
		left: minOf(resume?.left, seg.left),
	};
	return next;
}

/**
 * The cursor after the poll whose walk (begun at an earlier poll, `resume`) reached the horizon: every
 * run created since the horizon and up to the walk's `top` has been read at one of its polls. The
 * finish time moves as after a complete poll, but not past the walk's start nor a run it left
 * unhandled (nor `waitingBound`: runs waiting for their results); the horizon moves to the oldest run
 * that holds it among all the walk read, and at most to just after `top`.
 */
export function finishWalk(
	cursor: Cursor,
	runs: ListedRun[],
	taken: ListedRun[],
	resume: WalkResume,
	list: { order?: ListOrder; count?: number },
	waitingBound: number | undefined,
): Cursor {
	// no known start (a walk begun on an empty page): the finish time does not move
	const bound =
		resume.start === undefined ? cursor.finishedAt : minOf(resume.start, resume.left, waitingBound);
	const next: Cursor = {
		...advanceFinished(cursor, taken, bound ?? undefined),
		horizon: cursor.horizon,
	};
	const hold = holdingSince(cursor, next, runs, taken, resume.top);
	// never past `top`: a run created after it is read by the next walk (runs of this one's first
	// page may show such runs, when many were created since)
	next.horizon = Math.min(minOf(resume.hold, hold) ?? Infinity, resume.top + 1);
	if (list.order) next.order = list.order;
	if (list.count !== undefined) next.count = list.count;
	return next;
}
