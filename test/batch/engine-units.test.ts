/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/** The batch engine's pure parts, in milliseconds: no HTTP, no engine. */
import type { INode } from 'n8n-workflow';

import { describeBatchRuns } from '../../nodes/Anyformat/batch/batchRuns';
import { CANDIDATE_READ_MS, candidateDeadline, pickCandidates } from '../../nodes/Anyformat/batch/candidates';
import { deadlineStep, LAST_LOOK_MS, readDeadline } from '../../nodes/Anyformat/batch/deadline';
import { nextListDelay, processingTime } from '../../nodes/Anyformat/batch/listSchedule';
import { judgeSubmission, MAX_RESENDS, runIdInAnswer } from '../../nodes/Anyformat/batch/proof';
import { fateUnknownOutcome, watchOutcome } from '../../nodes/Anyformat/batch/settle';
import { orderOf, reachedSince, walkNewest } from '../../nodes/Anyformat/batch/walk';
import { nextPage } from '../../nodes/shared/transport/pages';
import { zeros } from '../soak/soak';

const ID = '01a23353-fffb-76f3-a25e-cee292f1027a';

describe('judgeSubmission: what one sending proves (rules 1 and 2)', () => {
	test.each([
		['a 2xx naming its run', { answeredId: ID }, 0, { verdict: 'run', collectionId: ID, fromCutAnswer: false }],
		['a 2xx without an id', { answeredId: '' }, 0, { verdict: 'fate unknown' }],
		['a cut answer that names the run', { fateUnknown: true, partialBody: `{"id":"${ID}","sta` }, 0, { verdict: 'run', collectionId: ID, fromCutAnswer: true }],
		['a cut answer cut inside the id', { fateUnknown: true, partialBody: '{"id":"01a23353-ff' }, 0, { verdict: 'fate unknown' }],
		['a lost answer (reset, timeout, 5xx page)', { fateUnknown: true }, 0, { verdict: 'fate unknown' }],
		['certainly not taken', { failed: true, notTaken: true }, 0, { verdict: 'send again' }],
		['certainly not taken, resends used up', { failed: true, notTaken: true }, MAX_RESENDS, { verdict: 'failed' }],
		['refused (4xx)', { failed: true, notTaken: false }, 0, { verdict: 'failed' }],
	] as const)('%s', (_, result, resends, verdict) => {
		expect(judgeSubmission(result as never, resends)).toEqual(verdict);
	});

	test('the id is read only from the start of the answer, never from a nested key', () => {
		expect(runIdInAnswer(`{"collection_id":"${ID}"`)).toBe(ID);
		expect(runIdInAnswer(`{"status":"ok","workflow":{"id":"${ID}"}}`)).toBeUndefined();
		expect(runIdInAnswer(undefined)).toBeUndefined();
	});
});

describe('nextListDelay: the list-poll schedule', () => {
	const base = { open: 10, spacingMs: 100, durations: [] as number[], submitting: false, backoffMs: 2_000 };
	test.each([
		['no run open: the cap', { ...base, open: 0 }, 10_000, 2_000],
		['nothing ended yet: back off ×1.5', base, 2_000, 3_000],
		['back-off capped at 10 s', { ...base, backoffMs: 9_000 }, 9_000, 10_000],
		['a fifth of the median processing time', { ...base, durations: [5_000, 10_000, 20_000] }, 2_000, 2_000],
		['once per processing time while submitting', { ...base, submitting: true, durations: [5_000] }, 5_000, 2_000],
		['never more often than the tier allows', { ...base, durations: [100] }, 400, 2_000],
		['never more than every 10 s', { ...base, durations: [200_000] }, 10_000, 2_000],
		['more pages, a higher floor', { ...base, open: 250, durations: [100] }, 1_200, 2_000],
	] as const)('%s', (_, input, delayMs, backoffMs) => {
		expect(nextListDelay({ ...input, durations: [...input.durations] })).toEqual({ delayMs, backoffMs });
	});

	test('processing time from the list, in the older words too', () => {
		const entry = (status: string) => ({ id: 'x', status, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:03.000Z' });
		expect(processingTime(entry('processed'))).toBe(3_000);
		expect(processingTime(entry('completed'))).toBe(3_000);
		expect(processingTime(entry('failed'))).toBe(3_000);
		expect(processingTime(entry('processing'))).toBeUndefined();
	});
});

describe('deadlineStep', () => {
	test.each([
		['before the deadline', 1_000, 0, 999, 'wait'],
		['at it, last checked before: a last look', 1_000, 500, 1_000, 'last look'],
		['checked since the deadline: timeout', 1_000, 1_001, 1_200, 'timeout'],
		['the last look took too long: timeout', 1_000, 500, 1_000 + LAST_LOOK_MS, 'timeout'],
	] as const)('%s', (_, deadline, checkedAt, now, step) => {
		expect(deadlineStep(deadline, checkedAt, now)).toBe(step);
	});
});

describe('readDeadline: how long a read for waiting items may take (rule 4)', () => {
	test.each([
		['one item before its deadline: its deadline', [1_000], 500, 1_000],
		['several: the latest', [1_000, 3_000, 2_000], 500, 3_000],
		['past its deadline (the last look): the look\'s end', [1_000], 1_000, 1_000 + LAST_LOOK_MS],
		['one past, one far ahead: the one ahead', [1_000, 60_000], 2_000, 60_000],
	] as const)('%s', (_, deadlines, now, expected) => {
		expect(readDeadline([...deadlines], now)).toBe(expected);
	});
});

describe('candidateDeadline: the candidate read after a fate unknown', () => {
	test.each([
		['the Timeout still ahead by more than the allowance: the Timeout', [60_000], 1_000, 60_000],
		['the Timeout past: an allowance of its own', [1_000], 2_000, 2_000 + CANDIDATE_READ_MS],
		['an item that does not wait (no Timeout): unbounded by a deadline', [Infinity], 2_000, Infinity],
	] as const)('%s', (_, deadlines, now, expected) => {
		expect(candidateDeadline([...deadlines], now)).toBe(expected);
	});
});

describe('the list walker', () => {
	const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();
	/** a list of `n` runs created one second apart, in `order`, 100 a page */
	const pages = (n: number, order: 'asc' | 'desc') => {
		const all = Array.from({ length: n }, (_, i) => ({ id: `r${i}`, created_at: at(i) }));
		if (order === 'desc') all.reverse();
		const read: number[] = [];
		const fetch = async (page: number) => {
			read.push(page);
			return { count: n, page, page_size: 100, results: all.slice((page - 1) * 100, page * 100) };
		};
		return { fetch, read };
	};

	test.each([
		['newest first: from page 1 on, stopping past `since`', 'desc', 250, 3, [1]],
		['oldest first: page 1 tells the order, then the newest end', 'asc', 250, 3, [1, 3]],
	] as const)('%s', async (_, order, n, maxPages, expected) => {
		const list = pages(n, order);
		const seen: string[] = [];
		const result = await walkNewest(list.fetch, {}, { since: Date.parse(at(210)), maxPages, visit: (e) => seen.push(e.id) });
		expect(list.read).toEqual(expected);
		expect(result.complete).toBe(true);
		expect(seen).toContain('r249');
	});

	test('stops after maxPages, saying it is not complete', async () => {
		const list = pages(450, 'desc');
		const result = await walkNewest(list.fetch, {}, { since: Date.parse(at(0)), maxPages: 2, visit: () => undefined });
		expect(list.read).toEqual([1, 2]);
		expect(result.complete).toBe(false);
	});

	test('pure parts', () => {
		expect(orderOf([3, 2, 1])).toBe('desc');
		expect(orderOf([1, 2, 3])).toBe('asc');
		expect(orderOf([1, NaN])).toBeUndefined();
		expect(orderOf([5])).toBeUndefined();
		expect(nextPage('asc', 1, 3, new Set([1]))).toBe(3);
		expect(nextPage('desc', 1, 3, new Set([1]))).toBe(2);
		expect(nextPage('desc', 3, 3, new Set([1, 2, 3]))).toBeUndefined();
		expect(reachedSince('asc', 10, [5, 6], 2, 3, new Set([2]))).toBe(false);
		expect(reachedSince('asc', 10, [5, 6], 3, 3, new Set([3]))).toBe(true);
		expect(reachedSince(undefined, 10, [5, 6], 1, 3, new Set([1]))).toBe(false);
	});
});

const node = { id: 'n', name: 'Anyformat', type: 'anyformat', typeVersion: 1, position: [0, 0], parameters: {} } as INode;
const ctx = { getNode: () => node };
const options = { output: 'raw', includeMarkdown: false, minimumConfidence: 0, timeoutSeconds: 60 } as never;

describe('settle: a watched run → the item outcome', () => {
	const target = { itemIndex: 3, workflowId: 'wf', collectionId: ID };
	test.each([
		['timeout', { state: 'timeout' }, 'timeout'],
		['a read stopped by the deadline', { state: 'timeout', unread: true }, 'timeout'],
		['not watched to the end', undefined, 'timeout'],
		['failed', { state: 'failed', error: { error: 'Bad scan', fieldMessages: [] } }, 'failed'],
		['cancelled', { state: 'cancelled', error: { fieldMessages: [], errorCode: 'EXTRACTION_CANCELLED' } }, 'cancelled'],
		['results unreadable', { state: 'error', error: new Error('boom') }, 'error'],
	] as const)('%s → an error item with status %s, naming item and run', (_, watched, status) => {
		const outcome = watchOutcome(ctx, target, watched as never, options) as any;
		expect(outcome.anyformat).toMatchObject({ status, collection_id: ID });
		expect(`${outcome.error.message} ${outcome.error.description}`).toContain(ID);
	});

	test('processed → the mapped items', () => {
		const outcome = watchOutcome(ctx, target, { state: 'processed', envelope: { collection_id: ID, extractions: [] } }, options) as any;
		expect(outcome.json).toBeDefined();
	});

	test('fate unknown: candidates are information; a failed read says so', () => {
		const window = { state: 'unknown', reason: 'the connection failed (ECONNRESET)', startedAt: Date.parse('2026-01-01T00:00:00Z'), endedAt: Date.parse('2026-01-01T00:00:02Z'), code: 'ECONNRESET' } as const;
		const entries = [
			{ id: 'near', status: 'processed', created_at: '2026-01-01T00:00:01Z' },
			{ id: 'own', status: 'processed', created_at: '2026-01-01T00:00:01Z' },
			{ id: 'far', status: 'processed', created_at: '2026-01-01T01:00:00Z' },
		];
		const listed = fateUnknownOutcome(ctx, { itemIndex: 1, workflowId: 'wf' }, window, { entries }, new Set(['own'])) as any;
		expect(listed.anyformat).toMatchObject({ status: 'unknown', collection_id: null });
		expect(listed.error.description).toContain('near (created 2026-01-01T00:00:01Z)');
		expect(listed.error.description).not.toContain('own');
		expect(listed.error.description).not.toContain('far');
		expect(listed.error.description).toContain('2026-01-01T00:00:00.000Z');
		const unreadable = fateUnknownOutcome(ctx, { itemIndex: 1, workflowId: 'wf' }, window, { unreadable: 'HTTP 500' }, new Set()) as any;
		expect(unreadable.error.description).toContain('Could not list candidates');
		expect(pickCandidates(entries, window, new Set()).runs.map((r) => r.id)).toEqual(['near', 'own']);
	});
});

describe('describeBatchRuns (rule 7)', () => {
	const submitted = (id: string) => ({ state: 'submitted', receipt: { collection_id: id, workflow_id: 'wf', status: 'ok', version_id: null }, fromCutAnswer: false, submittedAt: 0 }) as const;
	test('every run with its state, unknown items named, nothing when nothing was submitted', () => {
		const text = describeBatchRuns([
			{ itemIndex: 0, submitted: submitted('a'), watched: { state: 'processed', envelope: {} }, waited: true },
			{ itemIndex: 1, submitted: submitted('b'), watched: { state: 'timeout' }, waited: true },
			{ itemIndex: 2, submitted: submitted('c'), watched: undefined, waited: false },
			{ itemIndex: 3, submitted: { state: 'unknown', reason: 'x', startedAt: 0, endedAt: 0, code: 'X' }, watched: undefined, waited: true },
		]);
		expect(text).toContain('item 0 → a (processed), item 1 → b (still processing at the timeout), item 2 → c (submitted, not waited for)');
		expect(text).toContain('Fate unknown (a run may exist, see each item\'s error): item 3.');
		expect(describeBatchRuns([{ itemIndex: 0, submitted: { state: 'not-sent', reason: 'deadline' }, watched: undefined, waited: true }])).toBe('');
	});
});

describe("the soak's four zeros can fail", () => {
	const doc = { index: 0, fileName: 'a.txt', content: 'A', invoiceNumber: 'INV-A', processingMs: 0 };
	const shaA = require('node:crypto').createHash('sha256').update('A').digest('hex');
	const sim = (runs: Array<{ collectionId: string; sha256: string }>) => ({ ledger: { runs } }) as never;
	const item = (json: any) => ({ json, pairedItem: { item: 0 } });
	test.each([
		['run twice', [{ collectionId: 'r1', sha256: shaA }, { collectionId: 'r2', sha256: shaA }], [item({ anyformat: { collection_id: 'r1' } })], 'runTwice'],
		['adopted from another submitter', [{ collectionId: 'r1', sha256: shaA }], [item({ anyformat: { collection_id: 'foreign' } })], 'adoptedFromAnotherSubmitter'],
		['succeeded without a run id', [], [item({ anyformat: { collection_id: '' } })], 'succeededWithoutRunId'],
		['lost silently', [{ collectionId: 'r1', sha256: shaA }], [item({ error: 'x', anyformat: { status: 'not_sent' } })], 'lostSilently'],
	] as const)('%s', (_, runs, items, key) => {
		expect(zeros(sim([...runs]), [doc], [...items])[key]).toBeGreaterThan(0);
	});
	test('all zero when each document ends with its own run or says its fate is unknown', () => {
		expect(zeros(sim([{ collectionId: 'r1', sha256: shaA }]), [doc], [item({ anyformat: { collection_id: 'r1' } })])).toEqual({ runTwice: 0, adoptedFromAnotherSubmitter: 0, succeededWithoutRunId: 0, lostSilently: 0 });
		expect(zeros(sim([{ collectionId: 'r1', sha256: shaA }]), [doc], [item({ error: 'x', anyformat: { status: 'unknown', collection_id: null } })]).lostSilently).toBe(0);
	});
});
