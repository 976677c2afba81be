import { ExecutionStoppedError, nap } from '../pause';

type Headers = Record<string, unknown>;

const header = (headers: Headers, name: string): number | undefined => {
	const raw = headers[name] ?? headers[name.toLowerCase()];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (value === undefined || value === null || value === '') return undefined;
	const parsed = Number.parseFloat(String(value));
	return Number.isFinite(parsed) ? parsed : undefined;
};

/** Milliseconds to wait from a Retry-After header: delta-seconds or an HTTP date. */
export function retryAfterMs(headers: Headers): number | undefined {
	const raw = headers['retry-after'] ?? headers['Retry-After'];
	if (raw === undefined || raw === null || raw === '') return undefined;
	const seconds = Number.parseFloat(String(raw));
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(raw));
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The window length assumed until the API's headers tell (the documented limits are per minute). */
const DEFAULT_WINDOW_MS = 60_000;

/** What `acquire` hands out and `release` takes back: when the request was let out, and as which. */
export interface Grant {
	at: number;
	seq: number;
}

interface Waiter {
	resolve: (grant: Grant) => void;
	reject: (error: Error) => void;
	cleanup?: () => void;
}

/**
 * Paces the requests of one rate-limit tier so that they stay under the limit by design.
 *
 * - It spends only the budget the API announced (`x-ratelimit-remaining` until `x-ratelimit-reset`),
 *   counting every request it let out, answered or not: within one window the budget only goes down.
 *   An answer computed before other requests reached the server (an upload answered late) therefore
 *   never gives budget back, and an answer from an earlier window (older reset time) is ignored.
 * - When the window is over it starts the next one with the announced limit, minus the requests
 *   still in flight; the first answer of the new window then sets its real end.
 * - A 429 holds every request of the tier until `Retry-After` has passed (or, without the header,
 *   until the window resets when the budget is spent, else for a short pause).
 * - Before the first answer it sends one request at a time; without any headers it keeps a minimum
 *   spacing of `60 s / fallbackPerMinute`.
 *
 * Requests wait in one first-in-first-out queue served by a single scheduler, so a batch of
 * hundreds of waiting requests costs one timer, not one per request.
 */
export class RateLimiter {
	private limit: number | undefined;

	private remaining: number | undefined;

	/** local time (ms) the current window ends, an upper bound; 0 before any answer */
	private resetAt = 0;

	/** false while `resetAt` is this limiter's own guess (after it started a window by itself) */
	private resetKnown = false;

	/** the local time this limiter last started a window by itself */
	private windowOpenedAt = 0;

	/** the longest reset announced: an estimate of the window's length */
	private windowMs: number | undefined;

	private wholeSeconds = true;

	private blockedUntil = 0;

	private lastStart = 0;

	private inFlight = 0;

	private granted = 0;

	/** grant times of the requests let out and not yet ended */
	private readonly active = new Map<number, number>();

	private readonly queue: Waiter[] = [];

	private pumping = false;

	private interrupt: (() => void) | undefined;

	constructor(
		private readonly fallbackPerMinute: number,
		private readonly maxConcurrency: number,
	) {}

	/** The average spacing the tier allows (window length / limit), as the API announced it. */
	get spacingMs(): number {
		return (this.windowMs || DEFAULT_WINDOW_MS) / (this.limit ?? this.fallbackPerMinute);
	}

	/** When each request still under way was let out (local clock). */
	get inFlightSince(): number[] {
		return [...this.active.values()];
	}

	/** Resolves when the request may start; pass the grant back to `release`. */
	async acquire(signal?: AbortSignal, _deadline?: number): Promise<Grant> {
		void _deadline; // the queue's pacer bounds its wait by it
		if (signal?.aborted) throw new ExecutionStoppedError();
		return await new Promise<Grant>((resolve, reject) => {
			const waiter: Waiter = { resolve, reject };
			if (signal) {
				const onAbort = () => {
					const index = this.queue.indexOf(waiter);
					if (index >= 0) this.queue.splice(index, 1);
					reject(new ExecutionStoppedError());
				};
				signal.addEventListener('abort', onAbort, { once: true });
				waiter.cleanup = () => signal.removeEventListener('abort', onAbort);
			}
			this.queue.push(waiter);
			this.wake();
		});
	}

	/**
	 * Called when a request ends, with its grant and the answer's status and headers (none after a
	 * network failure).
	 */
	release(grant: Grant, status?: number, headers?: Headers): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		this.active.delete(grant.seq);
		if (headers) this.update(grant, status, headers);
		this.wake();
	}

	private wake(): void {
		if (this.pumping) {
			this.interrupt?.();
			return;
		}
		void this.pump();
	}

	private async pump(): Promise<void> {
		this.pumping = true;
		try {
			while (this.queue.length > 0) {
				const now = Date.now();
				const waitMs = this.waitNeeded(now);
				if (waitMs === 0) {
					const waiter = this.queue.shift() as Waiter;
					waiter.cleanup?.();
					this.inFlight++;
					this.lastStart = now;
					if (this.remaining !== undefined) this.remaining--;
					this.active.set(this.granted, now);
					waiter.resolve({ at: now, seq: this.granted++ });
					continue;
				}
				// sleep until the wait is over, or until a request ends or a new one waits
				await nap(waitMs, undefined, new Promise<void>((resolve) => (this.interrupt = resolve)));
				this.interrupt = undefined;
			}
		} finally {
			this.pumping = false;
		}
	}

	private update(grant: Grant, status: number | undefined, headers: Headers) {
		const now = Date.now();
		const limit = header(headers, 'x-ratelimit-limit');
		const remaining = header(headers, 'x-ratelimit-remaining');
		const reset = header(headers, 'x-ratelimit-reset');
		if (limit !== undefined) this.limit = limit;
		if (remaining !== undefined && reset !== undefined) {
			this.wholeSeconds = Number.isInteger(reset);
			// whole seconds may be rounded either way: keep a margin so a window is never reused early
			const margin = this.wholeSeconds ? 1000 : 50;
			const resetAt = now + reset * 1000 + margin;
			this.windowMs = Math.max(this.windowMs ?? 0, reset * 1000);
			// answers of one window agree on its end to within the rounding; windows are far apart
			const tolerance = Math.max(this.wholeSeconds ? 1500 : 150, this.windowMs / 4);
			// the answer counts what had reached the server when this request did: the requests let out
			// after it may not be counted yet (those let out before are, or are counted locally anyway)
			const budget = Math.max(0, remaining - (this.granted - grant.seq - 1));
			if (!this.resetKnown) {
				// the first answer since this limiter started a window: it counts only if its request was
				// sent in that window (an older one describes the window before)
				if (grant.at >= this.windowOpenedAt) {
					this.remaining = Math.min(this.remaining ?? Infinity, budget);
					this.resetAt = resetAt;
					this.resetKnown = true;
				}
			} else if (resetAt > this.resetAt + tolerance) {
				// the server is in a later window than we thought (it reset earlier than assumed); requests
				// still in flight may land in it after this one, so they are deducted too
				this.remaining = Math.min(budget, Math.max(0, remaining - this.inFlight));
				this.resetAt = resetAt;
			} else if (resetAt >= this.resetAt - tolerance) {
				// the same window: the budget only goes down, and the end is the earliest bound seen
				this.remaining = Math.min(this.remaining ?? Infinity, budget);
				this.resetAt = Math.min(this.resetAt, resetAt);
			}
			// else: an answer from an earlier window, arriving late; it tells nothing about this one
		}
		if (status === 429) {
			const retryAfter = retryAfterMs(headers);
			const spent = remaining === undefined || remaining <= 0;
			if (spent) this.remaining = 0;
			// without Retry-After: wait for the window when the budget is spent (or unknown); a 429 that
			// says budget is left is not about this window, and only its own request backs off
			if (retryAfter !== undefined) {
				this.blockedUntil = Math.max(this.blockedUntil, now + retryAfter);
			} else if (spent) {
				this.blockedUntil = Math.max(
					this.blockedUntil,
					this.resetAt > now ? this.resetAt : now + 1000,
				);
			}
		}
	}

	private waitNeeded(now: number): number {
		if (now < this.blockedUntil) return this.blockedUntil - now;
		if (this.inFlight >= this.maxConcurrency) return Infinity;
		if (this.remaining === undefined) {
			if (this.lastStart === 0) return 0;
			// no budget announced yet: one request at a time, evenly spaced
			if (this.inFlight > 0) return Infinity;
			return Math.max(0, this.lastStart + 60_000 / this.fallbackPerMinute - now);
		}
		if (now >= this.resetAt) {
			// the window is over: start the next one (the first answer in it tells its real end)
			this.remaining = Math.max(0, (this.limit ?? this.fallbackPerMinute) - this.inFlight);
			this.resetAt = now + (this.windowMs ?? DEFAULT_WINDOW_MS);
			this.resetKnown = false;
			this.windowOpenedAt = now;
		}
		return this.remaining > 0 ? 0 : Math.max(1, this.resetAt - now);
	}
}
