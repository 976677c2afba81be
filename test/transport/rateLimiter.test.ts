/**
 * The rate limiter's pure parts and its pacing rules, in milliseconds (issue 9 rule 4, issue 11):
 * header values (delta seconds, Unix times in s and ms, HTTP dates) read and capped; a waiter
 * refused as soon as its grant would come after its deadline; a stopped execution's waiter gone from
 * the queue; a budget that other clients spend is shared: this process's share at once, the rest
 * spread over the window (the decision itself: budgetShare.test.ts); one pacer per credential.
 */
import { DeadlineExceeded, ExecutionStoppedError } from '../../nodes/shared/pause';
import {
	headerDelay,
	MAX_HEADER_WAIT_MS,
	RateLimiter,
	retryAfterMs,
} from '../../nodes/shared/transport/rateLimiter';
import {
	MAX_PACERS,
	pacerCount,
	pacerFor,
	pacerKey,
} from '../../nodes/shared/transport/pacers';

/** a fixed "now" on a whole second, so HTTP dates (whole seconds) read exactly */
const NOW = 1_767_225_600_000; // 2026-01-01T00:00:00Z

describe('headerDelay: Retry-After and x-ratelimit-reset values', () => {
	test.each<[string, unknown, number | undefined, boolean | undefined]>([
		['delta seconds', '30', 30_000, true],
		['fractional delta seconds', '1.5', 1_500, false],
		['zero', '0', 0, true],
		['negative delta: no wait', '-5', 0, true],
		['an hour: capped', '3600', MAX_HEADER_WAIT_MS, true],
		['a Unix time in seconds, 30 s ahead', String(NOW / 1000 + 30), 30_000, true],
		['a Unix time in seconds, in the past', String(NOW / 1000 - 30), 0, true],
		['a Unix time in seconds, a day ahead: capped', String(NOW / 1000 + 86_400), MAX_HEADER_WAIT_MS, true],
		['a Unix time in milliseconds, 500 ms ahead', String(NOW + 500), 500, false],
		['a Unix time in milliseconds, a week ahead: capped', String(NOW + 7 * 86_400_000), MAX_HEADER_WAIT_MS, false],
		['an HTTP date 10 s ahead', new Date(NOW + 10_000).toUTCString(), 10_000, true],
		['an HTTP date in the past', new Date(NOW - 10_000).toUTCString(), 0, true],
		['an array (repeated header): the first', ['5', '9'], 5_000, true],
		['spaces around', ' 2 ', 2_000, true],
		['garbage', 'soon', undefined, undefined],
		['empty', '', undefined, undefined],
		['missing', undefined, undefined, undefined],
		['null', null, undefined, undefined],
	])('%s', (_name, raw, ms, wholeSeconds) => {
		const delay = headerDelay(raw, NOW);
		if (ms === undefined) expect(delay).toBeUndefined();
		else expect(delay).toEqual({ ms, wholeSeconds });
	});

	test.each<[Record<string, unknown>, number | undefined]>([
		[{ 'retry-after': '2' }, 2_000],
		[{ 'Retry-After': '2' }, 2_000],
		[{ 'retry-after': String(NOW / 1000 + 3) }, 3_000],
		[{ 'retry-after': '99999' }, MAX_HEADER_WAIT_MS],
		[{}, undefined],
	])('retryAfterMs(%j)', (headers, ms) => {
		expect(retryAfterMs(headers, NOW)).toBe(ms);
	});
});

const rate = (limit: number, remaining: number, reset: string) => ({
	'x-ratelimit-limit': String(limit),
	'x-ratelimit-remaining': String(remaining),
	'x-ratelimit-reset': reset,
});

/*
 * The limiter's waits are measured on jest's fake clock (Date.now and the timers its naps use), so a
 * "refused at once" is 0 ms and "the window named by the header" is the header's time, whatever else
 * the machine is doing: on the real clock a loaded CI machine stretched them (and a garbage collection
 * could make "six grants without spacing" take over 100 ms).
 */
beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'], now: NOW }));
afterEach(() => jest.useRealTimers());

/** Moves the fake clock on (1 ms at a time) until `promise` settles; fails if not within `horizonMs`. */
async function settle<T>(promise: Promise<T>, horizonMs = 60_000): Promise<T> {
	let settled = false;
	const done = promise.finally(() => (settled = true));
	done.catch(() => undefined);
	for (let step = 0; !settled && step < horizonMs; step += 1) await jest.advanceTimersByTimeAsync(1);
	if (!settled) throw new Error(`not settled within ${horizonMs} ms (fake clock)`);
	return await done;
}

/** How long (on the fake clock) `acquire` takes to resolve or reject, and how. */
async function timed(promise: Promise<unknown>): Promise<{ ms: number; error?: unknown }> {
	const started = Date.now();
	try {
		await settle(promise);
		return { ms: Date.now() - started };
	} catch (error) {
		return { ms: Date.now() - started, error };
	}
}

describe('RateLimiter: deadlines', () => {
	test('a waiter whose grant would come after its deadline is refused at once, not at the deadline', async () => {
		const limiter = new RateLimiter(60, 4);
		const grant = await limiter.acquire();
		limiter.release(grant, 429, { 'retry-after': '10', ...rate(60, 0, '10') });
		const result = await timed(limiter.acquire(undefined, Date.now() + 2_000));
		expect(result.error).toBeInstanceOf(DeadlineExceeded);
		expect(result.ms).toBeLessThan(500);
		expect(limiter.waiting).toBe(0);
	});

	test('a waiter behind a full concurrency is refused when its deadline comes', async () => {
		const limiter = new RateLimiter(600, 1);
		const held = await limiter.acquire();
		const result = await timed(limiter.acquire(undefined, Date.now() + 150));
		expect(result.error).toBeInstanceOf(DeadlineExceeded);
		expect(result.ms).toBeGreaterThanOrEqual(140);
		expect(result.ms).toBeLessThan(1_000);
		limiter.release(held);
	});

	test('a deadline already past is refused without queueing', async () => {
		const limiter = new RateLimiter(60, 4);
		await expect(limiter.acquire(undefined, Date.now() - 1)).rejects.toBeInstanceOf(DeadlineExceeded);
		expect(limiter.waiting).toBe(0);
	});

	test('a waiter granted before its deadline is granted', async () => {
		const limiter = new RateLimiter(60, 4);
		const grant = await limiter.acquire();
		limiter.release(grant, 200, rate(60, 59, '0.2'));
		const result = await timed(limiter.acquire(undefined, Date.now() + 5_000));
		expect(result.error).toBeUndefined();
	});
});

describe('RateLimiter: a stopped execution leaves nothing on the pacer', () => {
	test('an aborted waiter leaves the queue, and the next one is served', async () => {
		const limiter = new RateLimiter(600, 1);
		const held = await limiter.acquire();
		const stop = new AbortController();
		const stopped = limiter.acquire(stop.signal);
		const other = limiter.acquire();
		expect(limiter.waiting).toBe(2);
		stop.abort();
		await expect(settle(stopped)).rejects.toBeInstanceOf(ExecutionStoppedError);
		expect(limiter.waiting).toBe(1);
		limiter.release(held);
		const next = await settle(other);
		expect(next.seq).toBe(1); // the aborted waiter was never granted
		limiter.release(next);
		expect(limiter.idle(Date.now(), 0)).toBe(true);
	});

	test('a grant never given back is forgotten only after a long time (not at once)', async () => {
		const limiter = new RateLimiter(600, 1);
		await limiter.acquire(); // never released
		const result = await timed(limiter.acquire(undefined, Date.now() + 100));
		expect(result.error).toBeInstanceOf(DeadlineExceeded);
		expect(limiter.inFlightSince).toHaveLength(1);
	});
});

describe('RateLimiter: reset headers', () => {
	test.each([
		['a Unix time in seconds', () => String(Math.ceil(Date.now() / 1000) + 1), 0, 3_500],
		['a Unix time in milliseconds', () => String(Date.now() + 300), 250, 1_000],
		['fractional delta seconds', () => '0.3', 250, 1_000],
	])('the budget spent, the next grant waits for the window named as %s', async (_name, reset, min, max) => {
		const limiter = new RateLimiter(60, 4);
		const grant = await limiter.acquire();
		limiter.release(grant, 200, rate(5, 0, reset()));
		const result = await timed(limiter.acquire());
		expect(result.error).toBeUndefined();
		expect(result.ms).toBeGreaterThanOrEqual(min);
		expect(result.ms).toBeLessThan(max);
	});

	test('a reset decades ahead (a misread Unix time) is capped, not waited for', async () => {
		const limiter = new RateLimiter(60, 4);
		const grant = await limiter.acquire();
		limiter.release(grant, 429, { 'retry-after': String(Date.now() + 10 * 365 * 86_400_000) });
		// capped at MAX_HEADER_WAIT_MS: a deadline beyond the cap is kept waiting, not refused
		const within = await timed(limiter.acquire(undefined, Date.now() + MAX_HEADER_WAIT_MS - 5_000));
		expect(within.error).toBeInstanceOf(DeadlineExceeded);
		expect(within.ms).toBeLessThan(500);
		// and a deadline beyond the cap waits (it is not refused): the wait is the cap, not ten years
		const stop = new AbortController();
		const beyond = limiter.acquire(stop.signal, Date.now() + MAX_HEADER_WAIT_MS + 5_000);
		await jest.advanceTimersByTimeAsync(100);
		expect(limiter.waiting).toBe(1);
		stop.abort();
		await expect(settle(beyond)).rejects.toBeInstanceOf(ExecutionStoppedError);
	});
});

describe('RateLimiter: a budget other clients spend too', () => {
	/** lets out `count` requests one after another, answering each with `answer(i)`; grant times */
	async function drive(limiter: RateLimiter, count: number, answer: (i: number) => Record<string, string>) {
		const times: number[] = [];
		for (let i = 0; i < count; i++) {
			const grant = await settle(limiter.acquire());
			times.push(grant.at);
			limiter.release(grant, 200, answer(i));
		}
		return times;
	}

	test('alone: the announced budget is sent without spacing', async () => {
		const limiter = new RateLimiter(60, 4);
		const start = Date.now();
		const times = await drive(limiter, 6, (i) => rate(20, 19 - i, '1.0'));
		expect(times[5] - start).toBeLessThan(100);
	});

	test('shared: up to its share of what is left at once, the rest spread over the window', async () => {
		const limiter = new RateLimiter(60, 4);
		const start = Date.now();
		// another client takes one request of the budget for each of ours: two sharers; each answer
		// leaves a share of (left − 4 for the other's requests under way) ÷ 2, until 5 are left
		const times = await drive(limiter, 10, (i) => rate(20, 19 - 2 * i, '1.0'));
		expect(times[7] - start).toBeLessThan(100);
		// beyond the share: the last few left over about a second, hundreds of ms apart, never a burst
		const gaps = times.slice(8).map((t, i) => t - times[i + 7]);
		for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(30);
		expect(times[9] - start).toBeLessThan(1_500);
	});

	test('shared: in the next window, the share of the fresh budget goes at once', async () => {
		const limiter = new RateLimiter(60, 4);
		await drive(limiter, 3, (i) => rate(20, 19 - 2 * i, '0.6'));
		// the window ends (0.6 s and the margin); the other client is still known to share the budget
		await jest.advanceTimersByTimeAsync(700);
		const start = Date.now();
		// a share of (20 − 4) ÷ 2 = 8: these 6 go at once (spread, they would be 30 ms apart)
		const times = await drive(limiter, 6, (i) => rate(20, 19 - 2 * i, '0.6'));
		expect(times[5] - start).toBeLessThan(100);
	});
});

describe('pacers: one per credential and process', () => {
	test('the same credential gets the same pacer; another key or Base URL its own', () => {
		const a = pacerFor('https://api.example.test', 'key-one');
		expect(pacerFor('https://api.example.test', 'key-one')).toBe(a);
		expect(pacerFor('https://api.example.test', 'key-two')).not.toBe(a);
		expect(pacerFor('https://other.example.test', 'key-one')).not.toBe(a);
	});

	test('the key itself is never part of the registry key', () => {
		const key = pacerKey('https://api.example.test', 'af_secret_value_123');
		expect(key).not.toContain('af_secret_value_123');
		expect(key).toMatch(/^https:\/\/api\.example\.test [0-9a-f]{64}$/);
	});

	test('bounded: idle pacers are dropped once there are too many, busy ones are kept', async () => {
		const busy = pacerFor('https://busy.example.test', 'busy');
		const held = await busy.submissions.acquire();
		for (let i = 0; i < MAX_PACERS * 2; i++) pacerFor('https://many.example.test', `key-${i}`);
		expect(pacerCount()).toBeLessThanOrEqual(MAX_PACERS + 1);
		expect(pacerFor('https://busy.example.test', 'busy')).toBe(busy);
		busy.submissions.release(held);
	});
});
