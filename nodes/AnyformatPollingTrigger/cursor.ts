import type { IDataObject } from 'n8n-workflow';

import type { RunStatus as ListedStatus } from '../shared/transport/api';
import type { RunStatus } from '../shared/transport/status';
import { eventOfStatus, normalizeRunStatus } from '../shared/transport/status';
import type { ResultsWait } from './resultsWait';
import { readWaits } from './resultsWait';

/**
 * What the trigger keeps between polls (the node's static data), bounded whatever the volume:
 * - `finishedAt`, `ids`: every run in a final state whose `updated_at` (ms, the API's clock) is before
 *   `finishedAt`, or whose id is in `ids`, has been handled (emitted, or not selected, or finished
 *   before the trigger started). `ids` holds the runs handled with `updated_at` ≥ `finishedAt`
 *   (`idsAfter`: their `updated_at` minus `finishedAt`, so they can be pruned once `finishedAt` passes
 *   them; a cursor saved without it has its ids at `finishedAt`). `finishedAt` never passes the walk's start (see
 *   `walkStartBound`), so only the runs handled since about the last walk began are kept.
 * - `horizon`: every run created before it (`created_at`, ms) was in a final state when last read, so
 *   a poll reads the runs list back to it and no further: the creation time of the oldest run still
 *   under way (or left for the next poll), else just after the newest run. `null`: read the whole list.
 * - `order`, `count`: how the list was last seen, so the next poll starts at its newest page.
 * - `waits`: since when each run left waiting for its results has waited (at most MAX_WAITS runs).
 */
export interface Cursor {
	finishedAt: number;
	ids: string[];
	idsAfter?: number[];
	horizon: number | null;
	order?: 'desc' | 'asc';
	count?: number;
	/** a walk of the list that goes on at the next poll (see `resume.ts`) */
	resume?: WalkResume;
	/** the runs waiting for their results, by id (see `resultsWaitDecision`, `keepWaits`) */
	waits?: Record<string, ResultsWait>;
}

/**
 * A walk back to the horizon that one poll could not finish (more pages than a poll reads): the next
 * poll goes on where it stopped instead of reading the newest pages again, so the walk reaches the
 * horizon and it can move. Meanwhile `finishedAt` and the horizon stay; the runs handled are kept by id.
 */
export interface WalkResume {
	/** the next page to read towards older runs, as numbered when the list had `count` runs */
	page: number;
	count: number;
	/** the newest `created_at` the walk read at its first poll: it covers the runs created up to then */
	top: number;
	/** `walkStartBound` of the walk's first page (the API's clock when the walk began) */
	start?: number;
	/** the oldest `created_at` of a run the walk read that holds the horizon (`null`: none) */
	hold: number | null;
	/** the earliest `updated_at` of a final run the walk read but left unhandled (`null`: none) */
	left: number | null;
}

/** A runs-list entry as the trigger reads it. */
export interface ListedRun {
	id: string;
	status: RunStatus | undefined;
	/** the status word as the API wrote it */
	rawStatus: string;
	createdAt: number;
	updatedAt: number;
	/** `created_at` and `updated_at` as the API wrote them (what the items show) */
	times: { createdAt: string; updatedAt: string };
}

/**
 * Runs created this little before the horizon are still looked at when a page read anyway shows them:
 * a run created in the same millisecond as the newest one seen (or just before it), but visible in the
 * list only a moment later, is not skipped. No page is read for them; the handled ones among them are
 * known by `finishedAt` and `ids`.
 */
export const HORIZON_SLACK_MS = 60_000;

/** The oldest `created_at` a poll looks at: the horizon less its slack (`null`: every run). */
export function watchedSince(cursor: Cursor): number | null {
	return cursor.horizon === null ? null : cursor.horizon - HORIZON_SLACK_MS;
}

function watched(run: ListedRun, cursor: Cursor): boolean {
	const since = watchedSince(cursor);
	return since === null || run.createdAt >= since;
}

/** A run that has not ended this long after it was created no longer holds the horizon back. */
export const STALE_AFTER_MS = 24 * 60 * 60 * 1000;

/** A list entry in the trigger's terms; `undefined` when it has no id or no readable times. */
export function readListedRun(entry: ListedStatus): ListedRun | undefined {
	if (typeof entry?.id !== 'string' || entry.id === '') return undefined;
	const times = {
		createdAt: String(entry.created_at ?? ''),
		updatedAt: String(entry.updated_at ?? ''),
	};
	const createdAt = Date.parse(times.createdAt);
	const updatedAt = Date.parse(times.updatedAt);
	if (Number.isNaN(createdAt) || Number.isNaN(updatedAt)) return undefined;
	return {
		id: entry.id,
		status: normalizeRunStatus(entry.status),
		rawStatus: String(entry.status),
		createdAt,
		updatedAt,
		times,
	};
}

/** The stored cursor, or `undefined` when there is none (first activation) or it is unreadable. */
export function readCursor(memory: IDataObject): Cursor | undefined {
	const raw = memory.cursor as IDataObject | undefined;
	if (typeof raw !== 'object' || raw === null) return undefined;
	const { finishedAt, ids, idsAfter, horizon, order, count, resume, waits } = raw;
	if (typeof finishedAt !== 'number' || !Array.isArray(ids)) return undefined;
	const times =
		Array.isArray(idsAfter) &&
		idsAfter.length === ids.length &&
		idsAfter.every((t) => typeof t === 'number') &&
		ids.every((id) => typeof id === 'string')
			? { idsAfter: idsAfter as number[] }
			: {};
	return {
		finishedAt,
		ids: ids.filter((id): id is string => typeof id === 'string'),
		...times,
		horizon: typeof horizon === 'number' ? horizon : null,
		...(order === 'desc' || order === 'asc' ? { order } : {}),
		...(typeof count === 'number' ? { count } : {}),
		...readResume(resume),
		...readWaits(waits),
	};
}

function readResume(raw: unknown): { resume?: WalkResume } {
	if (typeof raw !== 'object' || raw === null) return {};
	const { page, count, top, start, hold, left } = raw as IDataObject;
	const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
	const numOrNull = (v: unknown) => v === null || num(v);
	if (!num(page) || !num(count) || !num(top) || !numOrNull(hold) || !numOrNull(left)) return {};
	if (start !== undefined && !num(start)) return {};
	const resume: WalkResume = {
		page: page as number,
		count: count as number,
		top: top as number,
		hold: hold as number | null,
		left: left as number | null,
	};
	if (start !== undefined) resume.start = start as number;
	return { resume };
}

export function isHandled(run: ListedRun, cursor: Cursor): boolean {
	return run.updatedAt < cursor.finishedAt || cursor.ids.includes(run.id);
}

/**
 * A lower bound of the API's clock when a walk began: the newest `updated_at` on the first page it
 * read. A run that reached a final state after that page was served has an `updated_at` at or after
 * it, whichever page it sits on and however it was read there; `undefined` for an empty page.
 */
export function walkStartBound(firstPage: ListedRun[]): number | undefined {
	return firstPage.length > 0 ? Math.max(...firstPage.map((run) => run.updatedAt)) : undefined;
}

/**
 * The bound `finishedAt` may not pass after a poll (see `advanceFinished`): the walk's start, and the
 * finish of every final run left waiting for its results, so that a waiting run stays unhandled
 * (and holds the horizon) while the runs taken after it are kept by id.
 */
export function finishBound(
	walkStart: number | undefined,
	waiting: Pick<ListedRun, 'updatedAt'>[],
): number | undefined {
	const bounds = [walkStart, ...waiting.map((run) => run.updatedAt)].filter(
		(t): t is number => t !== undefined,
	);
	return bounds.length > 0 ? Math.min(...bounds) : undefined;
}

/**
 * `finishedAt` and `ids` after a poll handled `taken`: `finishedAt` moves to the last taken run's
 * finish, but never past `walkStart` (a run read as under way on some page may have finished since,
 * with an earlier `updated_at` than runs read later), nor back; the ids handled at or after it are kept.
 */
export function advanceFinished(
	cursor: Cursor,
	taken: ListedRun[],
	walkStart: number | undefined,
): Pick<Cursor, 'finishedAt' | 'ids' | 'idsAfter'> {
	if (taken.length === 0)
		return { finishedAt: cursor.finishedAt, ids: cursor.ids, ...pickAt(cursor) };
	const last = taken[taken.length - 1].updatedAt;
	const finishedAt = Math.max(cursor.finishedAt, Math.min(last, walkStart ?? Infinity));
	const at = new Map<string, number>();
	cursor.ids.forEach((id, i) => at.set(id, cursor.finishedAt + (cursor.idsAfter?.[i] ?? 0)));
	for (const run of taken) at.set(run.id, Math.max(run.updatedAt, at.get(run.id) ?? -Infinity));
	const kept = [...at].filter(([, t]) => t >= finishedAt);
	const idsAfter = kept.map(([, t]) => t - finishedAt);
	return {
		finishedAt,
		ids: kept.map(([id]) => id),
		...(idsAfter.some((t) => t !== 0) ? { idsAfter } : {}),
	};
}

function pickAt(cursor: Cursor): { idsAfter?: number[] } {
	return cursor.idsAfter ? { idsAfter: cursor.idsAfter } : {};
}

/**
 * The runs of one poll that have reached a final state and were not handled yet, oldest-finished
 * first (ties by id), whether or not their event is selected. Runs created before the horizon (less
 * its slack) were final at an earlier poll and are never taken again (even if the API later touches
 * their `updated_at`).
 */
export function unhandledFinals(runs: ListedRun[], cursor: Cursor): ListedRun[] {
	return runs
		.filter(
			(run) =>
				eventOfStatus(run.status) !== undefined && watched(run, cursor) && !isHandled(run, cursor),
		)
		.sort((a, b) => a.updatedAt - b.updatedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * Which of `finals` (from `unhandledFinals`) this poll takes: in order, until `maxEmitted` runs with a
 * selected event are taken. Runs of an unselected event are taken (handled) without being emitted.
 */
export function takeForThisPoll(
	finals: ListedRun[],
	events: string[],
	maxEmitted: number,
): { taken: ListedRun[]; emitted: ListedRun[] } {
	const taken: ListedRun[] = [];
	const emitted: ListedRun[] = [];
	for (const run of finals) {
		const selected = events.includes(eventOfStatus(run.status) as string);
		if (selected && emitted.length >= maxEmitted) break;
		taken.push(run);
		if (selected) emitted.push(run);
	}
	return { taken, emitted };
}

/**
 * The cursor after a poll that could not read back to the horizon (more pages than one poll reads) and
 * handled `taken` among the pages it read: an unread run may have finished at any time, so neither
 * `finishedAt` nor the horizon moves; the taken runs are kept by id (with their finish time, so that a
 * later complete poll prunes them).
 */
export function advancePartial(
	cursor: Cursor,
	taken: ListedRun[],
	list: { order?: 'desc' | 'asc'; count?: number },
): Cursor {
	const kept = advanceFinished(cursor, taken, -Infinity);
	const next: Cursor = { ...kept, horizon: cursor.horizon };
	if (list.order) next.order = list.order;
	if (list.count !== undefined) next.count = list.count;
	return next;
}

/**
 * The cursor after a poll that read every run created since `cursor.horizon` (`runs`) and handled
 * `taken` (`unhandledFinals(runs, cursor)` in order, less the runs left waiting for their results,
 * whose finish `walkStart` must not pass: `finishBound`).
 */
export function advanceCursor(
	cursor: Cursor,
	runs: ListedRun[],
	taken: ListedRun[],
	list: { order?: 'desc' | 'asc'; count?: number },
	walkStart?: number,
): Cursor {
	const next: Cursor = { ...advanceFinished(cursor, taken, walkStart), horizon: cursor.horizon };
	const seen = runs.filter((run) => watched(run, cursor));
	if (seen.length > 0) {
		const newest = Math.max(...seen.map((run) => run.createdAt));
		// nothing holds it: every run created up to the newest one is final and handled
		next.horizon = holdingSince(cursor, next, seen, taken, newest) ?? newest + 1;
	}
	if (list.order) next.order = list.order;
	if (list.count !== undefined) next.count = list.count;
	return next;
}

/**
 * The oldest `created_at` among `runs` (watched by `cursor`) that holds the horizon back: a run under
 * way (unless created more than a day before `newest`), or a final run that `next` does not count as
 * handled and this poll did not take (left for the next poll, or waiting for its results). `null`: none.
 */
export function holdingSince(
	cursor: Cursor,
	next: Cursor,
	runs: ListedRun[],
	taken: ListedRun[],
	newest: number,
): number | null {
	const handled = new Set(taken.map((run) => run.id));
	const holding = runs.filter((run) => {
		if (!watched(run, cursor)) return false;
		if (eventOfStatus(run.status) === undefined) return run.createdAt >= newest - STALE_AFTER_MS;
		return !handled.has(run.id) && !isHandled(run, next);
	});
	return holding.length > 0 ? Math.min(...holding.map((run) => run.createdAt)) : null;
}

/** Runs still not ended a day after they were created: no longer waited for (the caller logs them). */
export function staleRuns(runs: ListedRun[]): ListedRun[] {
	if (runs.length === 0) return [];
	const newest = Math.max(...runs.map((run) => run.createdAt));
	return runs.filter(
		(run) => eventOfStatus(run.status) === undefined && run.createdAt < newest - STALE_AFTER_MS,
	);
}

/**
 * The cursor of a first activation: every run that is final now counts as handled, except those that
 * finished after `since` (Include Runs Finished In The Last ...). Runs still under way are watched.
 */
export function initialCursor(runs: ListedRun[], since: number | undefined): Cursor {
	const finals = runs.filter((run) => eventOfStatus(run.status) !== undefined);
	const latest = finals.length > 0 ? Math.max(...finals.map((run) => run.updatedAt)) : -Infinity;
	let finishedAt = since === undefined ? latest : Math.min(latest, since);
	let ids: string[] = [];
	if (finishedAt === -Infinity) finishedAt = 0;
	else if (since === undefined || since >= latest)
		ids = finals.filter((run) => run.updatedAt === finishedAt).map((run) => run.id);
	return { finishedAt, ids, horizon: null };
}
