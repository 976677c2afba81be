import type { Page } from '../../shared/transport/api';
import { MAX_PAGE_SIZE } from '../../shared/transport/api';
import { nextPage, type ListOrder } from '../../shared/transport/pages';

export interface WalkState {
	/** the order the list was seen in: newest first (`desc`) or oldest first (`asc`) */
	order?: ListOrder;
	count?: number;
}

export interface WalkOptions<T> {
	/** server time (ms): entries created before it are not wanted */
	since?: number;
	maxPages: number;
	visit: (entry: T) => void;
	enough?: () => boolean;
}

/**
 * Reads a paginated list of a workflow's runs from its newest entries back. The API does not document
 * the order, so it is read off `created_at` on the first page (and remembered): newest-first lists
 * are walked from page 1, oldest-first ones from their last page. It stops when `enough()` says so,
 * once a page reaches back past `since` (in a known order), at the end of the list, or after
 * `maxPages` pages. Returns whether everything created since `since` (or the whole list) was seen.
 */
export async function walkNewest<T extends { created_at?: unknown }>(
	fetchPage: (page: number) => Promise<Page<T>>,
	state: WalkState,
	options: WalkOptions<T>,
): Promise<{ complete: boolean }> {
	const visited = new Set<number>();
	let page = firstPage(state);
	for (;;) {
		const data = await fetchPage(page);
		visited.add(page);
		state.count = data.count;
		const lastPage = Math.max(1, Math.ceil(data.count / Math.max(1, data.page_size)));
		const times = data.results.map((entry) => Date.parse(String(entry.created_at ?? '')));
		if (page === 1) state.order = orderOf(times) ?? state.order;
		data.results.forEach(options.visit);
		if (options.enough?.()) return { complete: false };
		if (reachedSince(state.order, options.since, times, page, lastPage, visited)) {
			return { complete: true };
		}
		const next = nextPage(state.order, page, lastPage, visited);
		if (next === undefined) return { complete: true };
		if (visited.size >= options.maxPages) return { complete: false };
		page = next;
	}
}

/** Where a walk starts: page 1, or the last page of a list known to be oldest first. */
export function firstPage(state: WalkState): number {
	return state.order === 'asc' ? Math.max(1, Math.ceil((state.count ?? 0) / MAX_PAGE_SIZE)) : 1;
}

/** The order of a page from its entries' creation times (undefined when it cannot tell). */
export function orderOf(times: number[]): ListOrder | undefined {
	if (times.length < 2 || times.some(Number.isNaN)) return undefined;
	if (times[0] > times[times.length - 1]) return 'desc';
	if (times[0] < times[times.length - 1]) return 'asc';
	return undefined;
}

/**
 * Whether a page that reaches back past `since` shows that every entry created since then was seen:
 * in a known order the unread pages are older, except newer pages an oldest-first list grew.
 */
export function reachedSince(
	order: ListOrder | undefined,
	since: number | undefined,
	times: number[],
	page: number,
	lastPage: number,
	visited: Set<number>,
): boolean {
	if (order === undefined || since === undefined || times.length === 0) return false;
	if (times.some(Number.isNaN) || Math.min(...times) >= since) return false;
	if (order === 'desc') return true;
	for (let p = page + 1; p <= lastPage; p++) if (!visited.has(p)) return false;
	return true;
}

