'use strict';
// Fixed-window rate limiter, per API key (by fingerprint) and per tier ('submission' | 'general').

class RateLimiter {
	/** @param {() => {submission:number, general:number, windowMs:number}} getConfig */
	constructor(getConfig) {
		this.getConfig = getConfig;
		this.reset();
	}

	reset() {
		this.buckets = new Map(); // `${keyId}|${tier}` -> {start, count}
		this.peak = { submission: 0, general: 0 };
	}

	_bucket(keyId, tier, now, create) {
		const { windowMs } = this.getConfig();
		const id = `${keyId}|${tier}`;
		let b = this.buckets.get(id);
		if (b && now >= b.start + windowMs) b = null; // window over: the next request opens a new one
		if (!b && create) {
			b = { start: now, count: 0 };
			this.buckets.set(id, b);
		}
		return b;
	}

	_snapshot(b, tier, now) {
		const cfg = this.getConfig();
		const limit = cfg[tier];
		if (!b)
			return { limit, remaining: limit, windowEnd: now + cfg.windowMs, windowMs: cfg.windowMs };
		return {
			limit,
			remaining: Math.max(0, limit - b.count),
			windowEnd: b.start + cfg.windowMs,
			windowMs: cfg.windowMs,
		};
	}

	/** Count one request; `allowed` false once the window's count exceeds the limit. */
	consume(keyId, tier, now = Date.now()) {
		const b = this._bucket(keyId, tier, now, true);
		b.count += 1;
		if (b.count > (this.peak[tier] || 0)) this.peak[tier] = b.count;
		const snap = this._snapshot(b, tier, now);
		return { ...snap, allowed: b.count <= snap.limit, count: b.count };
	}

	/** State without counting anything (for public routes, auth failures, redirects). */
	peek(keyId, tier, now = Date.now()) {
		return this._snapshot(this._bucket(keyId, tier, now, false), tier || 'general', now);
	}
}

/** x-ratelimit-reset: whole seconds when windowMs is a multiple of 1000, else fractional (ms precision). */
function formatReset(msLeft, windowMs) {
	const ms = Math.max(0, msLeft);
	if (windowMs % 1000 === 0) return String(Math.ceil(ms / 1000));
	return String(Math.ceil(ms) / 1000);
}

/** Retry-After: an integer number of seconds, rounded up, never below the true time left (and >= 1). */
function retryAfterSeconds(msLeft) {
	return Math.max(1, Math.ceil(Math.max(0, msLeft) / 1000));
}

// --- Unix-time headers (option rateLimitTimes, issue 9 rule 4) -----------------------------------
// Some APIs and gateways send x-ratelimit-reset (and even Retry-After) as the moment the window ends
// instead of the seconds left: 'unix-seconds' (e.g. 1767225660) or 'unix-ms' (e.g. 1767225660123).
// A client reading them as durations would wait for decades; the node reads them as points in time.
function asPointInTime(msLeft, style, now) {
	const at = now + Math.max(0, msLeft);
	return style === 'unix-ms' ? String(Math.ceil(at)) : String(Math.ceil(at / 1000));
}

/** Retry-After for `msLeft`, in the configured style. */
function retryAfterValue(msLeft, style = 'delta', now = Date.now()) {
	if (style === 'delta') return String(retryAfterSeconds(msLeft));
	return asPointInTime(Math.max(1000, msLeft), style, now);
}
// --- end of Unix-time headers ---------------------------------------------------------------------

function rateHeaders(snap, now = Date.now(), style = 'delta') {
	const msLeft = snap.windowEnd - now;
	return {
		'x-ratelimit-limit': String(snap.limit),
		'x-ratelimit-remaining': String(snap.remaining),
		'x-ratelimit-reset':
			style === 'delta' ? formatReset(msLeft, snap.windowMs) : asPointInTime(msLeft, style, now),
	};
}

module.exports = { RateLimiter, rateHeaders, formatReset, retryAfterSeconds, retryAfterValue };
