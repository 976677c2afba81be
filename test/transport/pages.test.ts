/**
 * The page walker and the shape checks of transport (pages.ts, api.ts, baseUrl.ts), in milliseconds.
 */
import { isResultsEnvelope } from '../../nodes/shared/transport/api';
import { displayBaseUrl } from '../../nodes/shared/transport/baseUrl';
import type { Page } from '../../nodes/shared/transport/pages';
import { readPage, walkPages } from '../../nodes/shared/transport/pages';

type Entry = { id: string };

/** A list of `total` entries served `pageSize` a page; `serve` may change what a page answers. */
function list(total: number, pageSize: number, serve?: (page: number, answer: Page<Entry>) => Page<Entry>) {
	const asked: number[] = [];
	const fetchPage = async (page: number): Promise<Page<Entry>> => {
		asked.push(page);
		const results = [];
		for (let i = (page - 1) * pageSize; i < Math.min(total, page * pageSize); i++) results.push({ id: `e${i}` });
		const answer = { count: total, page, page_size: pageSize, results };
		return serve ? serve(page, answer) : answer;
	};
	return { asked, fetchPage };
}

describe('walkPages', () => {
	test('reads until page * page_size reaches count', async () => {
		const { asked, fetchPage } = list(250, 100);
		const walk = await walkPages(fetchPage, Infinity);
		expect(walk.problem).toBeUndefined();
		expect(walk.entries.map((e) => e.id)).toEqual(Array.from({ length: 250 }, (_, i) => `e${i}`));
		expect(asked).toEqual([1, 2, 3]);
	});

	test('a count that is exactly a multiple of the page size needs no extra request', async () => {
		const { asked, fetchPage } = list(200, 100);
		expect((await walkPages(fetchPage, Infinity)).entries).toHaveLength(200);
		expect(asked).toEqual([1, 2]);
	});

	test('an empty page ends the walk even when count says there is more', async () => {
		const { asked, fetchPage } = list(150, 100, (page, answer) => ({ ...answer, count: 10_000, results: page > 1 ? [] : answer.results }));
		expect((await walkPages(fetchPage, Infinity)).entries).toHaveLength(100);
		expect(asked).toEqual([1, 2]);
	});

	test('Limit stops as soon as it is reached and returns exactly that many', async () => {
		const { asked, fetchPage } = list(500, 100);
		const walk = await walkPages(fetchPage, 120);
		expect(walk.entries.map((e) => e.id)).toEqual(Array.from({ length: 120 }, (_, i) => `e${i}`));
		expect(asked).toEqual([1, 2]);
	});

	test('a page that repeats the one before (an API ignoring `page`) ends the walk with "repeated"', async () => {
		const { asked, fetchPage } = list(300, 100, (_page, answer) => ({ ...answer, results: answer.results.map((_, i) => ({ id: `e${i}` })) }));
		const walk = await walkPages(fetchPage, Infinity);
		expect(walk).toMatchObject({ problem: 'repeated', page: 2 });
		expect(walk.entries).toHaveLength(100);
		expect(asked).toEqual([1, 2]);
	});

	test('entries without ids are compared whole', async () => {
		const same = { count: 50, page: 1, page_size: 10, results: [{ name: 'a' }, { name: 'b' }] };
		const walk = await walkPages(async () => same, Infinity);
		expect(walk).toMatchObject({ problem: 'repeated', page: 2 });
	});

	test('overlapping pages (a run added on top while reading) are not a repeat', async () => {
		const { fetchPage } = list(30, 10, (page, answer) =>
			page === 2 ? { ...answer, results: [{ id: 'e9' }, ...answer.results.slice(0, 9)] } : answer,
		);
		const walk = await walkPages(fetchPage, Infinity);
		expect(walk.problem).toBeUndefined();
		expect(walk.entries).toHaveLength(30);
	});

	test('a list that never ends stops at the page cap with "capped"', async () => {
		const { asked, fetchPage } = list(Number.MAX_SAFE_INTEGER, 10);
		const walk = await walkPages(fetchPage, Infinity, 5);
		expect(walk).toMatchObject({ problem: 'capped', page: 6 });
		expect(walk.entries).toHaveLength(50);
		expect(asked).toEqual([1, 2, 3, 4, 5]);
	});

	test('a list that ends exactly at the cap is complete, and a Limit reached at the cap is no problem', async () => {
		expect((await walkPages(list(50, 10).fetchPage, Infinity, 5)).problem).toBeUndefined();
		expect((await walkPages(list(1000, 10).fetchPage, 50, 5)).problem).toBeUndefined();
	});
});

describe('readPage: a page is used only with a numeric count and a results list', () => {
	test.each<[string, unknown, string]>([
		['no count', { page: 1, page_size: 100, results: [] }, 'it has no numeric "count"'],
		['a count as text', { count: '12', results: [] }, 'it has no numeric "count"'],
		['a count that is not finite', { count: null, results: [] }, 'it has no numeric "count"'],
		['no results', { count: 3 }, 'it has no "results" list'],
		['results not a list', { count: 3, results: { a: 1 } }, 'it has no "results" list'],
		['a plain array', [{ id: 'x' }], 'it is not a list page'],
		['null', null, 'it is not a list page'],
		['an error body', { error: 'x', error_code: 'INTERNAL_ERROR' }, 'it has no numeric "count"'],
	])('%s', (_label, body, problem) => {
		expect(readPage(body, 2, 100)).toBe(problem);
	});

	test('page and page_size default to what was asked', () => {
		expect(readPage({ count: 1, results: [{ id: 'a' }] }, 3, 50)).toEqual({ count: 1, page: 3, page_size: 50, results: [{ id: 'a' }] });
		expect(readPage({ count: 0, page: 1, page_size: 20, results: [] }, 1, 100)).toEqual({ count: 0, page: 1, page_size: 20, results: [] });
	});
});

describe('isResultsEnvelope', () => {
	test.each<[string, unknown, boolean]>([
		['linear', { collection_id: 'c', extractions: [{ fields: {} }], extraction: {} }, true],
		['parse-only', { parse: { markdown: '# x' }, extractions: [], extraction: null }, true],
		['only the deprecated key', { extraction: { a: { value: 1 } } }, true],
		['only extractions', { extractions: [] }, true],
		['an error body with 200', { error: 'Internal server error', detail: 'x', error_code: 'INTERNAL_ERROR', retryable: true }, false],
		['an error code next to extractions', { error_code: 'X', extractions: [] }, false],
		['neither key', { collection_id: 'c', parse: null, classifications: [] }, false],
		['an inherited key does not count', Object.create({ extractions: [] }), false],
		['an array', [], false],
		['null', null, false],
	])('%s: %s', (_label, body, expected) => {
		expect(isResultsEnvelope(body)).toBe(expected);
	});
});

describe('displayBaseUrl never shows a user name or password (nor a query)', () => {
	test.each([
		['https://user:p4ss@api.example.com/v2?token=t0k', 'https://***@api.example.com/v2'],
		['https://user@api.example.com', 'https://***@api.example.com'],
		['htps//user:p4ss@api.example.com', 'htps//***@api.example.com'],
		['ht tp://user:p4ss@host', 'ht tp://***@host'],
		['user:p4ss@api.example.com/x', '***@api.example.com/x'],
		['https://a@b:c@host/d', 'https://***@host/d'],
		['https://api.anyformat.ai', 'https://api.anyformat.ai'],
		['https://host/a@b', 'https://host/a@b'],
	])('%s → %s', (raw, shown) => {
		expect(displayBaseUrl(raw)).toBe(shown);
		expect(displayBaseUrl(raw)).not.toMatch(/p4ss|user|t0k/);
	});
});
