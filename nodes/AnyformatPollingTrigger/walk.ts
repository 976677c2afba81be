import type { Page, RunStatus } from '../shared/transport/api';
import { nextPage, type ListOrder } from '../shared/transport/pages';
import type { WalkResume } from './cursor';
import { PAGE_SIZE, resumePage } from './resume';

export interface WalkResult {
	/** every entry read, once each (by id; the last reading wins) */
	entries: RunStatus[];
	/** the entries of the first page read, as that page was served (see `walkStartBound`) */
	firstPage: RunStatus[];
	/** every run created since the horizon was read */
	complete: boolean;
	pages: number;
	order?: ListOrder;
	count: number;
	/** when incomplete in a known order: the next page towards older runs (of a list of `count`) */
	nextPage?: number;
}

/** The order of one page by `created_at`: `undefined` when it cannot tell, `mixed` when it is neither. */
export function pageOrder(entries: RunStatus[]): ListOrder | 'mixed' | undefined {
	const times = entries.map((entry) => Date.parse(String(entry.created_at ?? '')));
	if (times.length < 2 || times.some(Number.isNaN)) return undefined;
	let up = false;
	let down = false;
	for (let i = 1; i < times.length; i++) {
		if (times[i] > times[i - 1]) up = true;
		if (times[i] < times[i - 1]) down = true;
	}
	if (up && down) return 'mixed';
	if (down) return 'desc';
	if (up) return 'asc';
	return undefined;
}

/** Whether a page reaches back past the horizon (an entry created before it). */
export function reachesHorizon(entries: RunStatus[], horizon: number | null): boolean {
	if (horizon === null) return false;
	return entries.some((entry) => Date.parse(String(entry.created_at ?? '')) < horizon);
}

/**
 * Reads the runs list from its newest entries back to the horizon. The API does not document the
 * list's order: it is read off `created_at` (newest-first lists are walked from page 1, oldest-first
 * ones from their last page; a list in neither order is read whole). Newest first, a run created
 * meanwhile only pushes entries to later pages (read twice, never missed); after a walk of several
 * pages the newest page is read again, so that runs created during the walk are seen too. At most
 * `maxPages` pages (plus that one) are read; then `complete` is false.
 */
export async function walkToHorizon(
	fetchPage: (page: number) => Promise<Page<RunStatus>>,
	known: { order?: ListOrder; count?: number },
	horizon: number | null,
	maxPages: number,
): Promise<WalkResult> {
	const byId = new Map<string, RunStatus>();
	const visited = new Set<number>();
	let order: ListOrder | undefined = known.order;
	let mixed = false;
	let page = order === 'asc' ? Math.max(1, Math.ceil((known.count ?? 0) / 100)) : 1;
	let count = 0;
	let firstCount: number | undefined;
	let firstPage: RunStatus[] | undefined;
	let complete = false;
	let resumeAt: number | undefined;
	for (;;) {
		const data = await fetchPage(page);
		visited.add(page);
		count = data.count;
		firstCount ??= count;
		firstPage ??= data.results;
		for (const entry of data.results) byId.set(entry.id, entry);
		const seenOrder = pageOrder(data.results);
		if (seenOrder === 'mixed') mixed = true;
		else if (seenOrder) order = seenOrder;
		const lastPage = Math.max(1, Math.ceil(count / Math.max(1, data.page_size)));
		const stop = !mixed && order !== undefined && reachesHorizon(data.results, horizon);
		const newerUnread =
			order === 'asc' &&
			Array.from({ length: lastPage - page }, (_, i) => page + 1 + i).some((p) => !visited.has(p));
		if ((stop && !newerUnread) || data.results.length === 0) {
			complete = true;
			break;
		}
		const next = nextPage(mixed ? undefined : order, page, lastPage, visited);
		if (next === undefined) {
			complete = true;
			break;
		}
		if (visited.size >= maxPages) {
			if (!mixed && order !== undefined) resumeAt = next;
			break;
		}
		page = next;
	}
	if (complete && visited.size > 1) {
		// runs created while the walk went on sit on the newest page now
		const newest = order === 'asc' ? Math.max(1, Math.ceil(count / 100)) : 1;
		const data = await fetchPage(newest);
		const overlap = data.results.some((entry) => byId.has(entry.id));
		for (const entry of data.results) byId.set(entry.id, entry);
		count = data.count;
		if (!overlap && data.results.length > 0 && data.count !== firstCount) complete = false;
	}
	return {
		entries: [...byId.values()],
		firstPage: firstPage ?? [],
		complete,
		pages: visited.size,
		order,
		count,
		...(resumeAt !== undefined ? { nextPage: resumeAt } : {}),
	};
}

/**
 * Goes on with a walk an earlier poll could not finish (`resume`, see resume.ts): from the page where
 * it stopped (found again with the list's new count) towards older runs, back to the horizon or the
 * end of the list, at most `maxPages` pages; then `complete` is false and `nextPage` says where to go on.
 * A page in another order than the walk's ends it (`complete` false, no `nextPage`).
 */
export async function walkOn(
	fetchPage: (page: number) => Promise<Page<RunStatus>>,
	resume: Pick<WalkResume, 'page' | 'count'>,
	order: ListOrder,
	horizon: number | null,
	maxPages: number,
): Promise<WalkResult> {
	const byId = new Map<string, RunStatus>();
	let page = resumePage(resume, order, resume.count);
	let firstPage: RunStatus[] | undefined;
	let count = resume.count;
	let pages = 0;
	let located = false;
	for (;;) {
		const data = await fetchPage(page);
		pages++;
		count = data.count;
		firstPage ??= data.results;
		for (const entry of data.results) byId.set(entry.id, entry);
		const seen = pageOrder(data.results);
		if (seen !== undefined && seen !== order) {
			// the list is no longer in the walk's order: its pages no longer say which runs are unread, so
			// the walk is dropped (nothing moves; the next poll walks again from the newest runs)
			const entries = [...byId.values()];
			const now = seen === 'mixed' ? {} : { order: seen };
			return { entries, firstPage, complete: false, pages, count, ...now };
		}
		const lastPage = Math.max(1, Math.ceil(count / PAGE_SIZE));
		const target = located ? page : resumePage(resume, order, count);
		located = true;
		let next = target !== page ? target : order === 'asc' ? page - 1 : page + 1;
		if (target === page && (reachesHorizon(data.results, horizon) || data.results.length === 0))
			next = 0;
		if (next < 1 || next > lastPage) {
			return { entries: [...byId.values()], firstPage, complete: true, pages, order, count };
		}
		if (pages >= maxPages) {
			const entries = [...byId.values()];
			return { entries, firstPage, complete: false, pages, order, count, nextPage: next };
		}
		page = next;
	}
}
