/**
 * The one retry decision of every Anyformat request (transport/retryDecision.ts), as a table. Issue 9
 * rule 1: a submission is sent again only on a 429, a refused connection or DNS failure, or an API
 * body saying `retryable: true` on a refusal below 500 (a 5xx may come after the run was created,
 * whatever its body says); after anything else its fate is unknown. Reads (GET, DELETE) are
 * retried on 408, 409, 429, 5xx, network failures and unreadable answers.
 */
import type { AttemptResult, DecisionInput, RequestKind, RetryDecision } from '../../nodes/shared/transport/retryDecision';
import { backoffMs, decideRetry, failureCode, MAX_ATTEMPTS, MAX_RATE_LIMITED } from '../../nodes/shared/transport/retryDecision';

const NOW = 1_000_000;
const decide = (kind: RequestKind, result: AttemptResult, more: Partial<DecisionInput> = {}): RetryDecision =>
	decideRetry({ kind, result, failures: 0, rateLimited: 0, now: NOW, ...more });

const net = (code: string): AttemptResult => ({ code });
const answer = (status: number, body: unknown = {}, retryAfterMs?: number): AttemptResult => ({ status, body, retryAfterMs });
const envelope = (retryable?: boolean) => ({ error: 'x', detail: 'y', error_code: 'SOME_CODE', request_id: 'r', ...(retryable === undefined ? {} : { retryable }) });
const html = '<html><body><h1>502 Bad Gateway</h1></body></html>';

const retry = (delayMs: number, notTaken = true, rateLimited = false) => ({ action: 'retry', delayMs, rateLimited, notTaken });
const unknown = (code: string) => expect.objectContaining({ action: 'fateUnknown', code });
const failed = (failure: string, notTaken = false) => expect.objectContaining({ action: 'fail', failure, notTaken });

describe('a submission is sent again only when the API certainly did not take it', () => {
	test.each<[string, AttemptResult, unknown]>([
		['429 with Retry-After', answer(429, envelope(true), 3000), retry(3000, true, true)],
		['429 without Retry-After', answer(429, {}), retry(500, true, true)],
		['connection refused', net('ECONNREFUSED'), retry(500)],
		['DNS failure', net('ENOTFOUND'), retry(500)],
		['DNS failure (try again)', net('EAI_AGAIN'), retry(500)],
		['a 4xx retryable: true', answer(400, envelope(true)), retry(500)],
		['a 4xx retryable: true with Retry-After', answer(409, envelope(true), 2000), retry(2000)],
	])('%s: retried', (_label, result, expected) => {
		expect(decide('submission', result)).toEqual(expected);
	});

	test.each<[string, AttemptResult, string]>([
		['ETIMEDOUT', net('ETIMEDOUT'), 'ETIMEDOUT'],
		['ESOCKETTIMEDOUT', net('ESOCKETTIMEDOUT'), 'ESOCKETTIMEDOUT'],
		['ECONNABORTED (axios "timeout of Nms exceeded")', net('ECONNABORTED'), 'ECONNABORTED'],
		['ECONNRESET', net('ECONNRESET'), 'ECONNRESET'],
		['EPIPE', net('EPIPE'), 'EPIPE'],
		['an unknown network failure', net('NETWORK_ERROR'), 'NETWORK_ERROR'],
		['500 retryable: true (the run may exist)', answer(500, envelope(true)), 'HTTP_500'],
		['503 retryable: true', answer(503, envelope(true)), 'HTTP_503'],
		['503 retryable: true with Retry-After', answer(503, envelope(true), 2000), 'HTTP_503'],
		['500 retryable: false', answer(500, envelope(false)), 'HTTP_500'],
		['500 without retryable', answer(500, envelope()), 'HTTP_500'],
		['502 without a body', answer(502, ''), 'HTTP_502'],
		['502 a gateway HTML page', answer(502, html), 'HTTP_502'],
		['504 a gateway HTML page', answer(504, html), 'HTTP_504'],
		['408 request timeout', answer(408, 'Request Time-out'), 'HTTP_408'],
		['202 with an HTML body', answer(202, html), 'UNREADABLE'],
		['202 cut mid-JSON (left as text)', answer(202, '{"id": "0686bb97-8c30'), 'UNREADABLE'],
		['202 with no body', answer(202, ''), 'UNREADABLE'],
	])('%s: fate unknown, never sent again', (_label, result, code) => {
		expect(decide('submission', result)).toEqual(unknown(code));
		// whatever the attempt counts
		expect(decide('submission', result, { failures: 3, rateLimited: 9 })).toEqual(unknown(code));
	});

	test('a gateway page is called a proxy in the reason', () => {
		expect(decide('submission', answer(502, html))).toMatchObject({ reason: 'Anyformat answered HTTP 502 (not from the API itself, probably a proxy)' });
		expect(decide('submission', answer(500, envelope(false)))).toMatchObject({ reason: 'Anyformat answered HTTP 500' });
	});

	test.each<[string, AttemptResult, string]>([
		['400', answer(400, envelope(false)), 'HTTP_400'],
		['401', answer(401, envelope(false)), 'HTTP_401'],
		['402', answer(402, envelope(false)), 'HTTP_402'],
		['404', answer(404, envelope()), 'HTTP_404'],
		['409', answer(409, envelope()), 'HTTP_409'],
		['422', answer(422, { detail: [{ loc: ['body', 'text'], msg: 'too long' }] }), 'HTTP_422'],
		['301', answer(301, ''), 'HTTP_301'],
	])('%s: refused, a failure (not marked "not taken", not retried)', (_label, result, code) => {
		expect(decide('submission', result)).toEqual(failed('api'));
		expect(decide('submission', result)).toMatchObject({ code });
	});

	test('a 202 with JSON is returned (its shape is checked by the caller)', () => {
		expect(decide('submission', answer(202, { id: 'x' }))).toEqual({ action: 'return' });
		expect(decide('submission', answer(202, { status: 'accepted' }))).toEqual({ action: 'return' });
	});

	test('when the retries run out: a failure marked "certainly not taken"', () => {
		expect(decide('submission', net('ECONNREFUSED'), { failures: MAX_ATTEMPTS - 1 })).toEqual(failed('network', true));
		expect(decide('submission', answer(409, envelope(true)), { failures: MAX_ATTEMPTS - 1 })).toEqual(failed('api', true));
		expect(decide('submission', answer(429, {}), { rateLimited: MAX_RATE_LIMITED })).toEqual(failed('api', true));
	});
});

describe('reads (GET, DELETE) are retried as the official SDKs do', () => {
	test.each<[string, AttemptResult, boolean]>([
		['408', answer(408, 'Request Time-out'), false],
		['409', answer(409, envelope()), true],
		['500', answer(500, envelope()), false],
		['502 HTML', answer(502, html), false],
		['504', answer(504, envelope(true)), true],
		['ETIMEDOUT', net('ETIMEDOUT'), false],
		['ECONNRESET', net('ECONNRESET'), false],
		['ECONNREFUSED', net('ECONNREFUSED'), true],
		['200 unreadable', answer(200, '<html>'), false],
	])('%s: retried with backoff (notTaken says whether the attempt certainly did nothing)', (_label, result, notTaken) => {
		expect(decide('idempotent', result)).toEqual(retry(500, notTaken));
		expect(decide('idempotent', result, { failures: 2 })).toEqual(retry(2000, notTaken));
	});

	test('429 waits Retry-After, else backs off on its own count', () => {
		expect(decide('idempotent', answer(429, {}, 1000))).toEqual(retry(1000, true, true));
		expect(decide('idempotent', answer(429, {}), { rateLimited: 3, failures: 1 })).toEqual(retry(4000, true, true));
	});

	test('a 5xx with Retry-After waits that long', () => {
		expect(decide('idempotent', answer(503, envelope(), 7000))).toEqual(retry(7000, false));
	});

	test('the API saying retryable: false is not retried', () => {
		expect(decide('idempotent', answer(500, envelope(false)))).toEqual(failed('api'));
	});

	test.each([400, 401, 403, 404, 422])('%i is not retried', (status) => {
		expect(decide('idempotent', answer(status, envelope()))).toEqual(failed('api'));
	});

	test('accepted statuses, and 2xx JSON or 204, are returned', () => {
		expect(decide('idempotent', answer(412, envelope(true)), { accept: [412, 422] })).toEqual({ action: 'return' });
		expect(decide('idempotent', answer(404, envelope()), { accept: [404] })).toEqual({ action: 'return' });
		expect(decide('idempotent', answer(200, { results: [] }))).toEqual({ action: 'return' });
		expect(decide('idempotent', answer(204, ''), { expectJson: false })).toEqual({ action: 'return' });
	});

	test('after the last attempt: a network failure, an unreadable answer, the API error', () => {
		const last = { failures: MAX_ATTEMPTS - 1 };
		expect(decide('idempotent', net('ECONNRESET'), last)).toEqual(failed('network'));
		expect(decide('idempotent', answer(200, 'x'), last)).toEqual(failed('unreadable'));
		expect(decide('idempotent', answer(503, envelope()), last)).toEqual(failed('api'));
	});
});

describe('single requests (subscribing a webhook) are retried only when nothing was done', () => {
	test.each<[string, AttemptResult, unknown]>([
		['429', answer(429, {}, 1000), retry(1000, true, true)],
		['connection refused', net('ECONNREFUSED'), retry(500)],
		['409 retryable: true', answer(409, envelope(true)), retry(500)],
		['503 retryable: true (a subscription may exist)', answer(503, envelope(true)), failed('api')],
		['ETIMEDOUT', net('ETIMEDOUT'), failed('network')],
		['502 HTML', answer(502, html), failed('api')],
		['201 unreadable', answer(201, 'x'), failed('unreadable')],
		['201 JSON', answer(201, { id: 'wh_1' }), { action: 'return' }],
	])('%s', (_label, result, expected) => {
		expect(decide('single', result)).toEqual(expected);
	});
});

describe('no retry delay may end past the deadline', () => {
	test('a delay within the deadline is kept; one past it fails with "deadline"', () => {
		expect(decide('idempotent', answer(429, {}, 5000), { deadline: NOW + 5000 })).toEqual(retry(5000, true, true));
		expect(decide('idempotent', answer(429, {}, 5001), { deadline: NOW + 5000 })).toEqual(failed('deadline'));
		expect(decide('idempotent', net('ECONNRESET'), { deadline: NOW + 100 })).toEqual(failed('deadline'));
	});

	test('a submission stopped by the deadline before it was sent again is "certainly not taken"', () => {
		expect(decide('submission', answer(429, {}, 60_000), { deadline: NOW + 1000 })).toEqual(failed('deadline', true));
		expect(decide('submission', net('ECONNREFUSED'), { deadline: NOW })).toEqual(failed('deadline', true));
	});

	test('fate unknown and answers are not affected by the deadline', () => {
		expect(decide('submission', net('ETIMEDOUT'), { deadline: NOW - 1 })).toEqual(unknown('ETIMEDOUT'));
		expect(decide('idempotent', answer(200, {}), { deadline: NOW - 1 })).toEqual({ action: 'return' });
	});
});

describe('backoff and failure codes', () => {
	test('backoff doubles from 0.5 s, capped at 30 s, scaled by the jitter', () => {
		expect([1, 2, 3, 4, 5, 10].map((n) => backoffMs(n))).toEqual([500, 1000, 2000, 4000, 8000, 30_000]);
		expect(backoffMs(2, 1.2)).toBe(1200);
		expect(decide('idempotent', net('ECONNRESET'), { jitter: 0.8 })).toEqual(retry(400, false));
	});

	test.each<[string, unknown, string]>([
		['a code on the error', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
		['a code on a cause', new Error('wrapped', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }), 'ECONNRESET'],
		['axios timeout message only', new Error('timeout of 30000ms exceeded'), 'ETIMEDOUT'],
		['"timed out" message only', new Error('The request timed out'), 'ETIMEDOUT'],
		['socket hang up', new Error('socket hang up'), 'ECONNRESET'],
		['a lower-case code is not a code', Object.assign(new Error('boom'), { code: 'weird' }), 'NETWORK_ERROR'],
		['nothing', undefined, 'NETWORK_ERROR'],
	])('%s', (_label, error, code) => {
		expect(failureCode(error)).toBe(code);
	});
});
