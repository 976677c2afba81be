import { pause } from '../helpers/pause';

type Headers = Record<string, unknown>;

const header = (headers: Headers, name: string): number | undefined => {
	const raw = headers[name] ?? headers[name.toLowerCase()];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (value === undefined || value === null || value === '') return undefined;
	const parsed = Number.parseFloat(String(value));
	return Number.isFinite(parsed) ? parsed : undefined;
};

/** Seconds to wait from a Retry-After header: delta-seconds or an HTTP date. */
export function retryAfterMs(headers: Headers): number | undefined {
	const raw = headers['retry-after'] ?? headers['Retry-After'];
	if (raw === undefined || raw === null || raw === '') return undefined;
	const seconds = Number.parseFloat(String(raw));
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(raw));
	return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Paces the requests of one rate-limit tier so that they stay under the limit by design: it spends
 * only the budget the API announced (`x-ratelimit-remaining` until `x-ratelimit-reset`), counting
 * requests still in flight as already spent, and waits out `Retry-After` after a 429. Before the first
 * answer it sends one request at a time; without any headers it keeps a minimum spacing of
 * `60 s / fallbackPerMinute`.
 */
export class RateLimiter {
	private limit: number | undefined;

	private remaining: number | undefined;

	private resetAt = 0;

	private blockedUntil = 0;

	private lastStart = 0;

	private inFlight = 0;

	private changed: Array<() => void> = [];

	constructor(
		private readonly fallbackPerMinute: number,
		private readonly maxConcurrency: number,
	) {}

	async acquire(signal?: AbortSignal): Promise<void> {
		for (;;) {
			const waitMs = this.waitNeeded(Date.now());
			if (waitMs === 0) break;
			await Promise.race([pause(Math.min(waitMs, 1000), signal), this.nextChange()]);
		}
		this.inFlight++;
		this.lastStart = Date.now();
		if (this.remaining !== undefined) this.remaining--;
	}

	/** Called with the answer's headers (or none after a network failure) when a request ends. */
	release(status?: number, headers?: Headers): void {
		this.inFlight = Math.max(0, this.inFlight - 1);
		if (headers) this.update(status, headers);
		const waiting = this.changed;
		this.changed = [];
		waiting.forEach((notify) => notify());
	}

	private update(status: number | undefined, headers: Headers) {
		const now = Date.now();
		const limit = header(headers, 'x-ratelimit-limit');
		const remaining = header(headers, 'x-ratelimit-remaining');
		const reset = header(headers, 'x-ratelimit-reset');
		if (limit !== undefined) this.limit = limit;
		if (remaining !== undefined && reset !== undefined) {
			// whole seconds may be rounded either way: keep a margin so a window is never reused early
			const margin = Number.isInteger(reset) ? 1000 : 50;
			const resetAt = now + reset * 1000 + margin;
			// the in-flight requests sent before this answer may not be counted in it yet
			this.remaining = Math.max(0, remaining - this.inFlight);
			this.resetAt = resetAt;
		}
		if (status === 429) {
			const wait = retryAfterMs(headers) ?? (reset !== undefined ? reset * 1000 : 1000);
			this.blockedUntil = Math.max(this.blockedUntil, now + wait);
			this.remaining = 0;
		}
	}

	private waitNeeded(now: number): number {
		if (now < this.blockedUntil) return this.blockedUntil - now;
		if (this.inFlight >= this.maxConcurrency) return 1000;
		if (this.remaining === undefined) {
			if (this.lastStart === 0) return 0;
			// no budget announced yet: one request at a time, evenly spaced
			if (this.inFlight > 0) return 1000;
			return Math.max(0, this.lastStart + 60_000 / this.fallbackPerMinute - now);
		}
		if (now >= this.resetAt) {
			this.remaining = Math.max(0, (this.limit ?? this.fallbackPerMinute) - this.inFlight);
			this.resetAt = now + 60_000;
		}
		return this.remaining > 0 ? 0 : Math.max(1, this.resetAt - now);
	}

	private async nextChange(): Promise<void> {
		return await new Promise<void>((resolve) => this.changed.push(resolve));
	}
}
