import { createHash } from 'crypto';

import { RateLimiter } from './rateLimiter';

/** The two rate-limit tiers of one organization, as one process paces them. */
export interface Pacer {
	submissions: RateLimiter;
	general: RateLimiter;
}

/** more credentials than this in one process: the least recently used idle ones are dropped */
export const MAX_PACERS = 32;
/** a pacer unused this long is dropped when a new one is made (its budget knowledge is stale) */
export const IDLE_PACER_MS = 10 * 60_000;

/**
 * One pacer per credential and process, shared by every execution of the nodes in it, so that 50
 * executions of one document each share the organization's 60 submissions a minute instead of each
 * believing it has them all. Module state is per process (each n8n worker has its own); across
 * processes only the API's rate-limit headers coordinate (see `RateLimiter`).
 *
 * Nothing of an execution stays here after it ends: a waiter leaves its limiter when it is granted,
 * refused at its deadline or stopped by its execution's abort signal.
 */
const pacers = new Map<string, Pacer>();

/** Base URL plus a hash of the key: the key itself is never kept. */
export function pacerKey(baseUrl: string, apiKey: string): string {
	return `${baseUrl} ${createHash('sha256').update(apiKey, 'utf8').digest('hex')}`;
}

export function newPacer(): Pacer {
	return { submissions: new RateLimiter(60, 4), general: new RateLimiter(600, 8) };
}

/** The process's pacer for this credential, made on first use. */
export function pacerFor(baseUrl: string, apiKey: string, now = Date.now()): Pacer {
	const key = pacerKey(baseUrl, apiKey);
	let pacer = pacers.get(key);
	if (pacer) {
		pacers.delete(key); // re-inserted last: the Map's order is the order of last use
	} else {
		evictIdle(now);
		pacer = newPacer();
	}
	pacers.set(key, pacer);
	return pacer;
}

function evictIdle(now: number): void {
	for (const [key, pacer] of pacers) {
		const full = pacers.size >= MAX_PACERS;
		const idleFor = full ? 0 : IDLE_PACER_MS;
		if (pacer.submissions.idle(now, idleFor) && pacer.general.idle(now, idleFor)) {
			pacers.delete(key);
		}
	}
}

/** How many pacers the process holds (for tests). */
export function pacerCount(): number {
	return pacers.size;
}
