import type { ErrorContext } from './errors';
import { invalidAnswerError } from './errors';
import type { ApiSession } from './request';

export interface Page<T> {
	count: number;
	page: number;
	page_size: number;
	results: T[];
}

export const MAX_PAGE_SIZE = 100;

/** Return All reads at most this many pages (100,000 entries); a longer list ends in an error. */
export const MAX_PAGES = 1_000;

const listName = (subject?: string) => (subject ? `the list for ${subject}` : 'the list');

/** A list page as the API documents it, or what is wrong with it (the walk cannot end without `count`). */
export function readPage<T>(body: unknown, page: number, pageSize: number): Page<T> | string {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		return 'it is not a list page';
	}
	const b = body as Record<string, unknown>;
	if (typeof b.count !== 'number' || !Number.isFinite(b.count)) return 'it has no numeric "count"';
	if (!Array.isArray(b.results)) return 'it has no "results" list';
	return {
		count: b.count,
		page: typeof b.page === 'number' ? b.page : page,
		page_size: typeof b.page_size === 'number' ? b.page_size : pageSize,
		results: b.results as T[],
	};
}

export async function getPage<T>(
	session: ApiSession,
	path: string,
	page: number,
	pageSize: number,
	itemIndex?: number,
	subject?: string,
	deadline?: number,
): Promise<Page<T>> {
	const size = Math.min(pageSize, MAX_PAGE_SIZE);
	const request = { itemIndex, subject };
	const { body } = await session.request<unknown>({
		method: 'GET',
		path,
		qs: { page, page_size: size },
		kind: 'idempotent',
		deadline,
		...request,
	});
	const read = readPage<T>(body, page, size);
	if (typeof read !== 'string') return read;
	throw invalidAnswerError(
		session.errorContext(request),
		`Anyformat answered page ${page} of ${listName(subject)} in a form the node cannot read: ${read}`,
		'The node stopped reading the list instead of guessing where it ends. Try again later; if it persists, contact Anyformat support.',
	);
}

export type Walk<T> =
	| { entries: T[]; problem?: undefined }
	| { entries: T[]; problem: 'repeated' | 'capped'; page: number };

const entryKey = (entry: unknown) => {
	const id = (entry as { id?: unknown } | null)?.id;
	return typeof id === 'string' || typeof id === 'number' ? `id:${id}` : JSON.stringify(entry);
};

/**
 * Reads pages 1, 2, ... until `limit` entries or the end (`page * page_size >= count`, or an empty
 * page). Stops with a problem when a page repeats the one before it (an API ignoring `page` would
 * otherwise be read forever) or after `maxPages` pages.
 */
export async function walkPages<T>(
	fetchPage: (page: number) => Promise<Page<T>>,
	limit: number,
	maxPages = MAX_PAGES,
): Promise<Walk<T>> {
	const entries: T[] = [];
	let previous = '';
	for (let page = 1; entries.length < limit; page++) {
		if (page > maxPages) return { entries, problem: 'capped', page };
		const data = await fetchPage(page);
		const keys = data.results.map(entryKey).join('\n');
		if (data.results.length > 0 && keys === previous) return { entries, problem: 'repeated', page };
		previous = keys;
		entries.push(...data.results);
		if (data.results.length === 0 || data.page * data.page_size >= data.count) break;
	}
	return { entries: entries.slice(0, limit) };
}

/** Walks a paginated list for Return All / Limit; a list that repeats or never ends is an error. */
export async function getAll<T>(
	session: ApiSession,
	path: string,
	limit = Infinity,
	itemIndex?: number,
	subject?: string,
): Promise<T[]> {
	// one page size for every page: `page` counts in units of it, so changing it would skip or repeat entries
	const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, limit));
	const walk = await walkPages<T>(
		async (page) => await getPage<T>(session, path, page, pageSize, itemIndex, subject),
		limit,
	);
	if (walk.problem === undefined) return walk.entries;
	throw walkError(session.errorContext({ itemIndex, subject }), walk.problem, walk.page, subject);
}

function walkError(ctx: ErrorContext, problem: 'repeated' | 'capped', page: number, subject?: string) {
	if (problem === 'repeated') {
		return invalidAnswerError(
			ctx,
			`Anyformat answered page ${page} of ${listName(subject)} with the same entries as page ${page - 1}`,
			'The API seems to ignore the page number, so reading on would never end; the node stopped instead. Turn Return All off and set a Limit of at most 100 to read the first page, or try again later.',
		);
	}
	const entries = MAX_PAGES * MAX_PAGE_SIZE;
	return invalidAnswerError(
		ctx,
		`Return All stopped after ${MAX_PAGES} pages (${entries} entries) of ${listName(subject)}`,
		`The node reads at most ${MAX_PAGES} pages of a list in one go, so that a list that keeps growing cannot keep it busy forever. Turn Return All off and set a Limit of at most ${entries}.`,
	);
}

/** The order a list was seen in: newest first (`desc`) or oldest first (`asc`). */
export type ListOrder = 'desc' | 'asc';

/**
 * The next page towards older entries: an oldest-first list is read from its last page back (pages
 * past `page` first, in case the list has grown); otherwise forwards. Any page not yet visited comes
 * last, so a walk of a list in neither order still reads every page once.
 */
export function nextPage(
	order: ListOrder | undefined,
	page: number,
	lastPage: number,
	visited: Set<number>,
): number | undefined {
	if (order === 'asc') {
		for (let p = lastPage; p > page; p--) if (!visited.has(p)) return p;
		for (let p = page - 1; p >= 1; p--) if (!visited.has(p)) return p;
	}
	for (let p = page + 1; p <= lastPage; p++) if (!visited.has(p)) return p;
	for (let p = 1; p <= lastPage; p++) if (!visited.has(p)) return p;
	return undefined;
}
