import { DeadlineExceeded, ExecutionStoppedError, nap } from '../pause';

import type { WindowSpending } from './budgetShare';
import { estimateSharers, paceWait } from './budgetShare';
import type { HeaderDelay, Headers } from './rateHeaders';
import { first, header, headerDelay, retryAfterMs } from './rateHeaders';

export { headerDelay, MAX_HEADER_WAIT_MS, retryAfterMs } from './rateHeaders';

/** The window length assumed until the API's headers tell (the documented limits are per minute). */
const DEFAULT_WINDOW_MS = 60_000;
/**
 * A grant not given back after this long is taken as lost (a caller that failed between `acquire`
 * and `release`), so that one bug cannot stall every execution sharing the pacer. Far beyond the
 * longest request (an upload's timeout).
 */
const LOST_GRANT_MS = 15 * 60_000;

/** What `acquire` hands out and `release` takes back: when the request was let out, and as which. */
export interface Grant {
	at: number;
	seq: number;
}

interface Waiter {
	resolve: (grant: Grant) => void;
	reject: (error: Error) => void;
	deadline: number;
	cleanup?: () => void;
}

/**
 * Paces the requests of one rate-limit tier so that they stay under the limit by design. One
 * limiter serves every execution in the process that uses the same credential (see `pacers.ts`).
 *
 * - It spends only the budget the API announced (`x-ratelimit-remaining` until `x-ratelimit-reset`),
 *   counting every request it let out, answered or not: within one window the budget only goes down.
 *   An answer computed before other requests reached the server (an upload answered late) therefore
 *   never gives budget back, and an answer from an earlier window (older reset time) is ignored.
 * - When the window is over it starts the next one with the announced limit, minus the requests
 *   still in flight; the first answer of the new window then sets its real end.
 * - Other clients of the same organization (other n8n processes) show only in the headers: the
 *   budget falls faster than this limiter spends it. From what they spent beside this process in
 *   this window and the last, it estimates how many share the budget, sends at once up to its share
 *   of what is left and spreads only the rest over the time left (`paceWait`), so that all clients
 *   together converge on the budget instead of racing for its last requests.
 * - A 429 holds every request of the tier until `Retry-After` has passed (or, without the header,
 *   until the window resets when the budget is spent, else for a short pause). Header values are
 *   capped (`headerDelay`).
 * - Before the first answer it sends one request at a time; without any headers it keeps a minimum
 *   spacing of `60 s / fallbackPerMinute`.
 * - A waiter whose grant would come after its deadline is refused with `DeadlineExceeded`, and one
 *   whose execution is stopped leaves the queue at once.
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

	private blockedUntil = 0;

	private lastStart = 0;

	/** what this process and the others spent in the last window and in this one */
	private spending: { last: WindowSpending; current: WindowSpending } = {
		last: { own: 0, others: 0 },
		current: { own: 0, others: 0 },
	};

	/** `remaining` as the latest answer (or the window's start) left it: the base of the share */
	private shareBase = 0;

	private granted = 0;

	/** last grant or release (local clock): how long the limiter has been unused */
	private lastActivity = Date.now();

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

	/** Requests waiting for a grant. */
	get waiting(): number {
		return this.queue.length;
	}

	/** Nothing waits, nothing is under way, and nothing happened for `forMs`. */
	idle(now: number, forMs: number): boolean {
		return this.queue.length === 0 && this.active.size === 0 && now - this.lastActivity >= forMs;
	}

	/**
	 * Resolves when the request may start; pass the grant back to `release`. Rejects with
	 * `ExecutionStoppedError` when `signal` aborts (the waiter leaves the queue), and with
	 * `DeadlineExceeded` as soon as the grant would come after `deadline` (local ms).
	 */
	async acquire(signal?: AbortSignal, deadline = Infinity): Promise<Grant> {
		if (signal?.aborted) throw new ExecutionStoppedError();
		if (Date.now() >= deadline) throw new DeadlineExceeded(deadline);
		return await new Promise<Grant>((resolve, reject) => {
			const waiter: Waiter = { resolve, reject, deadline };
			if (signal) {
				const onAbort = () => {
					this.drop(waiter);
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
		this.active.delete(grant.seq);
		this.lastActivity = Date.now();
		if (headers) this.update(grant, status, headers);
		this.wake();
	}

	private drop(waiter: Waiter): void {
		const index = this.queue.indexOf(waiter);
		if (index >= 0) this.queue.splice(index, 1);
		waiter.cleanup?.();
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
				this.forgetLostGrants(now);
				const waitMs = this.waitNeeded(now);
				this.refuseLate(now, waitMs);
				if (this.queue.length === 0) break;
				if (waitMs === 0) {
					this.grant(this.queue.shift() as Waiter, now);
					continue;
				}
				// sleep until the wait is over, a deadline comes, a request ends or a new one waits
				const nextDeadline = Math.min(...this.queue.map((waiter) => waiter.deadline));
				const sleepMs = Math.max(1, Math.min(waitMs, nextDeadline - now));
				await nap(sleepMs, undefined, new Promise<void>((resolve) => (this.interrupt = resolve)));
				this.interrupt = undefined;
			}
		} finally {
			this.pumping = false;
		}
	}

	private grant(waiter: Waiter, now: number): void {
		waiter.cleanup?.();
		this.lastStart = now;
		this.lastActivity = now;
		if (this.remaining !== undefined) {
			this.remaining--;
			this.spending.current.own++;
		}
		this.active.set(this.granted, now);
		waiter.resolve({ at: now, seq: this.granted++ });
	}

	/**
	 * Every waiter is granted no earlier than `now + waitMs`: those whose deadline is before leave.
	 * An unbounded wait (for a request under way to end) is not known to be late until the deadline.
	 */
	private refuseLate(now: number, waitMs: number): void {
		const late = Number.isFinite(waitMs) ? now + waitMs : now;
		for (const waiter of [...this.queue]) {
			if (waiter.deadline <= now || (waitMs > 0 && late > waiter.deadline)) {
				this.drop(waiter);
				waiter.reject(new DeadlineExceeded(waiter.deadline));
			}
		}
	}

	private forgetLostGrants(now: number): void {
		for (const [seq, at] of this.active) {
			if (now - at > LOST_GRANT_MS) this.active.delete(seq);
		}
	}

	private update(grant: Grant, status: number | undefined, headers: Headers) {
		const now = Date.now();
		const limit = header(headers, 'x-ratelimit-limit');
		const remaining = header(headers, 'x-ratelimit-remaining');
		const reset = headerDelay(first(headers, 'x-ratelimit-reset'), now);
		if (limit !== undefined) this.limit = limit;
		if (remaining !== undefined && reset !== undefined)
			this.updateWindow(grant, now, remaining, reset);
		if (status === 429) {
			const retryAfter = retryAfterMs(headers, now);
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

	private updateWindow(grant: Grant, now: number, remaining: number, reset: HeaderDelay): void {
		// whole seconds may be rounded either way: keep a margin so a window is never reused early
		const margin = reset.wholeSeconds ? 1000 : 50;
		const resetAt = now + reset.ms + margin;
		this.windowMs = Math.max(this.windowMs ?? 0, reset.ms);
		// answers of one window agree on its end to within the rounding; windows are far apart
		const tolerance = Math.max(reset.wholeSeconds ? 1500 : 150, this.windowMs / 4);
		// the answer counts what had reached the server when this request did: the requests let out
		// after it may not be counted yet (those let out before are, or are counted locally anyway)
		const budget = Math.max(0, remaining - (this.granted - grant.seq - 1));
		if (!this.resetKnown) {
			// the first answer since this limiter started a window: it counts only if its request was
			// sent in that window (an older one describes the window before)
			if (grant.at >= this.windowOpenedAt) {
				this.noteOthers(budget);
				this.remaining = Math.min(this.remaining ?? Infinity, budget);
				this.shareBase = this.remaining;
				this.resetAt = resetAt;
				this.resetKnown = true;
			}
		} else if (resetAt > this.resetAt + tolerance) {
			// the server is in a later window than we thought (it reset earlier than assumed); requests
			// still in flight may land in it after this one, so they are deducted too
			this.nextWindow(now);
			this.remaining = Math.min(budget, Math.max(0, remaining - this.active.size));
			this.shareBase = this.remaining;
			this.resetAt = resetAt;
		} else if (resetAt >= this.resetAt - tolerance) {
			// the same window: the budget only goes down, and the end is the earliest bound seen
			this.noteOthers(budget);
			this.remaining = Math.min(this.remaining ?? Infinity, budget);
			this.shareBase = this.remaining;
			this.resetAt = Math.min(this.resetAt, resetAt);
		}
		// else: an answer from an earlier window, arriving late; it tells nothing about this one
	}

	/** The server's budget is below what this limiter alone would have left: another client spends it. */
	private noteOthers(budget: number): void {
		if (this.remaining !== undefined && budget < this.remaining) {
			this.spending.current.others += this.remaining - budget;
		} else if (this.remaining === undefined && this.limit !== undefined) {
			// the first answer this process gets (its first requests went out before any budget was
			// known): what the announced limit lacks beyond them was spent by others, e.g. a process
			// that joins when the others have spent the window (without this, it would take the budget
			// as its own at the next window and send a burst into the others' spending)
			this.spending.current.own += this.granted;
			this.spending.current.others += Math.max(0, this.limit - this.granted - budget);
		}
	}

	/**
	 * A new window: the one that ends becomes the last, unless it ended more than a window ago (then
	 * what it showed is too old to tell who spends the budget now).
	 */
	private nextWindow(now: number): void {
		const windowMs = this.windowMs ?? DEFAULT_WINDOW_MS;
		const recent = this.resetAt > 0 && now - this.resetAt <= windowMs;
		this.spending = {
			last: recent ? this.spending.current : { own: 0, others: 0 },
			current: { own: 0, others: 0 },
		};
	}

	private waitNeeded(now: number): number {
		if (now < this.blockedUntil) return this.blockedUntil - now;
		if (this.active.size >= this.maxConcurrency) return Infinity;
		if (this.remaining === undefined) {
			if (this.lastStart === 0) return 0;
			// no budget announced yet: one request at a time, evenly spaced
			if (this.active.size > 0) return Infinity;
			return Math.max(0, this.lastStart + 60_000 / this.fallbackPerMinute - now);
		}
		if (now >= this.resetAt) {
			// the window is over: start the next one (the first answer in it tells its real end)
			this.nextWindow(now);
			this.remaining = Math.max(0, (this.limit ?? this.fallbackPerMinute) - this.active.size);
			this.resetAt = now + (this.windowMs ?? DEFAULT_WINDOW_MS);
			this.resetKnown = false;
			this.windowOpenedAt = now;
			this.shareBase = this.remaining;
		}
		return paceWait({
			now,
			remaining: this.remaining,
			resetAt: this.resetAt,
			lastStart: this.lastStart,
			base: this.shareBase,
			sharers: estimateSharers([this.spending.last, this.spending.current]),
			inFlightPerClient: this.maxConcurrency,
		});
	}
}
