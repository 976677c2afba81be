/** Reading the API's rate-limit headers: pure, tested as tables in test/transport/rateLimiter.test.ts. */

export type Headers = Record<string, unknown>;

export const first = (headers: Headers, name: string): unknown => {
	const raw = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(raw) ? raw[0] : raw;
};

export const header = (headers: Headers, name: string): number | undefined => {
	const value = first(headers, name);
	if (value === undefined || value === null || value === '') return undefined;
	const parsed = Number.parseFloat(String(value));
	return Number.isFinite(parsed) ? parsed : undefined;
};

/**
 * The longest wait a rate-limit header is believed for. The documented windows are one minute; a
 * header asking for more (a misread Unix time, a proxy's value, a bug) would otherwise park every
 * request of the organization for as long as it says.
 */
export const MAX_HEADER_WAIT_MS = 120_000;
/** numbers this large are points in time, not durations: seconds since 1970 (2001 on), or ms */
const UNIX_SECONDS_FROM = 1e9;
const UNIX_MS_FROM = 1e12;

export interface HeaderDelay {
	/** from now, between 0 and MAX_HEADER_WAIT_MS */
	ms: number;
	/** the value was in whole seconds, so it may be rounded by up to a second either way */
	wholeSeconds: boolean;
}

/**
 * Reads `Retry-After` or `x-ratelimit-reset`: delta seconds (fractional allowed), a Unix time in
 * seconds or milliseconds (read relative to `now`), or an HTTP date. Capped at MAX_HEADER_WAIT_MS.
 */
export function headerDelay(raw: unknown, now: number): HeaderDelay | undefined {
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (value === undefined || value === null || String(value).trim() === '') return undefined;
	const text = String(value).trim();
	const cap = (ms: number, wholeSeconds: boolean): HeaderDelay => ({
		ms: Math.min(MAX_HEADER_WAIT_MS, Math.max(0, ms)),
		wholeSeconds,
	});
	if (/^[+-]?\d+(\.\d+)?$/.test(text)) {
		const number = Number(text);
		const whole = Number.isInteger(number);
		if (number >= UNIX_MS_FROM) return cap(number - now, false);
		if (number >= UNIX_SECONDS_FROM) return cap(number * 1000 - now, whole);
		return cap(number * 1000, whole);
	}
	const date = Date.parse(text);
	return Number.isNaN(date) ? undefined : cap(date - now, true);
}

/** Milliseconds to wait from a Retry-After header (see `headerDelay`), capped. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | undefined {
	return headerDelay(first(headers, 'Retry-After'), now)?.ms;
}
