import { parseApiError } from './errors';

/**
 * How a request may be retried:
 * - `idempotent`: GET and DELETE. Retried on 408, 409, 429, 5xx, network failures and unreadable
 *   answers, as the official SDKs do.
 * - `submission`: a run submission, not idempotent. Sent again only when the API certainly did not
 *   take it: a 429, a refused connection or a DNS failure (nothing was sent), or an API error body
 *   with `retryable: true`. After anything else (a timeout under any code, a reset, any 5xx, a
 *   gateway's page, a 408, a cut or unreadable answer) the run may exist: its fate is unknown.
 * - `single`: sent once (subscribing a webhook, whose answer carries a one-time secret); retried only
 *   when nothing was done: a 429, `retryable: true`, a refused connection or a DNS failure.
 */
export type RequestKind = 'idempotent' | 'submission' | 'single';

/** What one attempt got: an answer, or a network failure before any answer (`code`). */
export type AttemptResult =
	| { code: string; status?: undefined }
	| { status: number; body: unknown; retryAfterMs?: number; code?: undefined };

export interface DecisionInput {
	kind: RequestKind;
	result: AttemptResult;
	/** statuses handed back to the caller as they are */
	accept?: readonly number[];
	/** whether a 2xx body must be JSON (false for 204s) */
	expectJson?: boolean;
	/** retries so far after failures (not counting 429s) */
	failures: number;
	/** 429s so far */
	rateLimited: number;
	now: number;
	/** the request's own deadline (local ms); no retry delay may end past it */
	deadline?: number;
	/** multiplies a backoff delay (0.8..1.2 in production, 1 in tests) */
	jitter?: number;
}

export type RetryDecision =
	| { action: 'return' }
	| {
			action: 'retry';
			delayMs: number;
			rateLimited: boolean;
			/** false when the failed attempt may have been applied (it got no answer, or a 5xx) */
			notTaken: boolean;
	  }
	| { action: 'fateUnknown'; code: string; reason: string }
	| {
			action: 'fail';
			failure: 'network' | 'api' | 'unreadable' | 'deadline';
			code: string;
			/** a submission that certainly created no run (safe to send again later) */
			notTaken: boolean;
	  };

/** Failure codes that mean nothing reached the server: the connection was refused or never opened. */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
export const MAX_ATTEMPTS = 5;
export const MAX_RATE_LIMITED = 10;
const IDEMPOTENT_RETRY_STATUSES = new Set([408, 409]);

/** 0.5 s, 1 s, 2 s, 4 s, ... capped at 30 s: five failed attempts in a row give up after about 7.5 s. */
export function backoffMs(attempt: number, jitter = 1): number {
	return Math.round(Math.min(500 * 2 ** (attempt - 1), 30_000) * jitter);
}

/** The one retry decision of every Anyformat request: what to do after one attempt. */
export function decideRetry(input: DecisionInput): RetryDecision {
	const decision = input.result.status === undefined ? afterFailure(input) : afterAnswer(input);
	if (decision.action !== 'retry' || input.deadline === undefined) return decision;
	if (input.now + decision.delayMs <= input.deadline) return decision;
	const notTaken = input.kind === 'submission' && decision.notTaken;
	return { action: 'fail', failure: 'deadline', code: 'DEADLINE', notTaken };
}

function retry(input: DecisionInput, delayMs?: number, notTaken = true): RetryDecision {
	const delay = delayMs ?? backoffMs(input.failures + 1, input.jitter);
	return { action: 'retry', delayMs: delay, rateLimited: false, notTaken };
}

function fail(
	input: DecisionInput,
	failure: 'network' | 'api' | 'unreadable',
	code: string,
	notTaken: boolean,
): RetryDecision {
	return { action: 'fail', failure, code, notTaken: input.kind === 'submission' && notTaken };
}

function afterFailure(input: DecisionInput): RetryDecision {
	const code = input.result.code as string;
	const notSent = NOT_SENT_CODES.has(code);
	const canRetry = input.failures < MAX_ATTEMPTS - 1;
	if (input.kind === 'idempotent') {
		return canRetry ? retry(input, undefined, notSent) : fail(input, 'network', code, false);
	}
	if (notSent) return canRetry ? retry(input) : fail(input, 'network', code, true);
	if (input.kind === 'submission') {
		return { action: 'fateUnknown', code, reason: `the connection failed (${code})` };
	}
	return fail(input, 'network', code, false);
}

function afterAnswer(input: DecisionInput): RetryDecision {
	const { status, body, retryAfterMs } = input.result as { status: number; body: unknown; retryAfterMs?: number };
	if (status === 429) {
		if (input.rateLimited >= MAX_RATE_LIMITED) return fail(input, 'api', 'HTTP_429', true);
		const delayMs = retryAfterMs ?? backoffMs(input.rateLimited + 1, input.jitter);
		return { action: 'retry', delayMs, rateLimited: true, notTaken: true };
	}
	if (input.accept?.includes(status)) return { action: 'return' };
	if (status >= 200 && status < 300) return afterSuccess(input, status, body);
	const info = parseApiError(status, body);
	const canRetry = input.failures < MAX_ATTEMPTS - 1;
	// `retryable: true` means "try again", not "nothing was done": below 500 the API refused before
	// acting; a 5xx may come after the run (or the subscription) was created, so only reads retry it
	const refusedBeforeActing = status < 500 || input.kind === 'idempotent';
	if (info.retryable === true && refusedBeforeActing) {
		return canRetry ? retry(input, retryAfterMs) : fail(input, 'api', `HTTP_${status}`, true);
	}
	const ambiguous = status >= 500 || status === 408;
	if (input.kind === 'submission' && ambiguous) {
		const proxy = info.unparsed ? ' (not from the API itself, probably a proxy)' : '';
		return { action: 'fateUnknown', code: `HTTP_${status}`, reason: `Anyformat answered HTTP ${status}${proxy}` };
	}
	const retriable = status >= 500 || IDEMPOTENT_RETRY_STATUSES.has(status);
	if (input.kind === 'idempotent' && retriable && info.retryable !== false && canRetry) {
		return retry(input, retryAfterMs, !ambiguous);
	}
	return fail(input, 'api', `HTTP_${status}`, false);
}

function afterSuccess(input: DecisionInput, status: number, body: unknown): RetryDecision {
	if (input.expectJson === false || (typeof body === 'object' && body !== null)) {
		return { action: 'return' };
	}
	// a 2xx that is not the JSON asked for: a proxy, or a connection cut mid-answer
	if (input.kind === 'submission') {
		return {
			action: 'fateUnknown',
			code: 'UNREADABLE',
			reason: `Anyformat answered HTTP ${status} with an unreadable body`,
		};
	}
	if (input.kind === 'idempotent' && input.failures < MAX_ATTEMPTS - 1) {
		return retry(input, undefined, false);
	}
	return fail(input, 'unreadable', 'INVALID_RESPONSE', false);
}

/** The failure code of a request that got no answer, looked up along the error's causes. */
export function failureCode(error: unknown): string {
	let current = error as { code?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; current && depth < 6; depth++) {
		if (typeof current.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(current.code)) {
			return current.code;
		}
		current = current.cause as typeof current;
	}
	const message = String((error as Error | undefined)?.message ?? '');
	if (/timeout|timed out/i.test(message)) return 'ETIMEDOUT';
	if (/socket hang up|reset/i.test(message)) return 'ECONNRESET';
	return 'NETWORK_ERROR';
}
