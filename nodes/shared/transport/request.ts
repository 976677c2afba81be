import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

import { DeadlineExceeded, ExecutionStoppedError, pause } from '../pause';
import { normalizeBaseUrl } from './baseUrl';
import type { ErrorContext } from './errors';
import { apiError, makeRedactor, networkError, parseApiError } from './errors';
import type { MultipartBody } from './multipart';
import type { Pacer } from './pacers';
import { pacerFor } from './pacers';
import type { RateLimiter } from './rateLimiter';
import { retryAfterMs } from './rateLimiter';
import type { AttemptResult, RequestKind, RetryDecision } from './retryDecision';
import { decideRetry, failureCode } from './retryDecision';

export type AnyformatContext =
	IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions | IPollFunctions;

export const CREDENTIAL_TYPE = 'anyformatApi';

export type { RequestKind } from './retryDecision';

export interface ApiRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	body?: IDataObject | MultipartBody;
	/** how the request may be retried (see `RequestKind`) */
	kind: RequestKind;
	/** statuses handed back to the caller instead of thrown (e.g. 412 and 422 from the results endpoint) */
	accept?: number[];
	itemIndex?: number;
	subject?: string;
	/** the body of a 2xx answer must be JSON (false for 204s) */
	expectJson?: boolean;
	/** local time (ms) no wait of this request may pass: past it, `DeadlineExceeded` */
	deadline?: number;
}

export interface ApiResponse<T = unknown> {
	statusCode: number;
	headers: Record<string, unknown>;
	body: T;
	/** when the attempt that got this answer was sent */
	startedAt: number;
	/** an earlier attempt may have been applied (it got no answer, an unreadable one, or a 5xx) */
	maybeAppliedBefore: boolean;
}

/** A submission whose outcome cannot be known from its answer: the run may or may not exist. */
export class SubmissionFateUnknown extends Error {
	/** when the answer (or the failure) came */
	readonly endedAt = Date.now();

	constructor(
		readonly reason: string,
		/**
		 * when the last attempt was sent: a run it created was created after this (the attempts before
		 * it certainly created none: they were answered 429, refused, or marked retryable)
		 */
		readonly startedAt: number,
		/** `ETIMEDOUT`, `ECONNRESET`, ..., `HTTP_502`, `UNREADABLE` (a 2xx whose body is not JSON), `NO_RUN_ID` */
		readonly code: string,
		/** the start of an unreadable 2xx body, which may still name the run */
		readonly partialBody?: string,
	) {
		super(reason);
		this.name = 'SubmissionFateUnknown';
	}
}

/** Marks a failed submission that certainly created no run (see `submissionNotTaken`). */
export function markNotTaken<E extends Error>(error: E): E {
	Object.defineProperty(error, 'submissionNotTaken', { value: true, enumerable: false });
	return error;
}

/**
 * Whether a failed submission certainly created no run, so that sending it again later is safe:
 * it kept answering 429, an API error marked `retryable: true`, or the connection was refused.
 */
export function submissionNotTaken(error: unknown): boolean {
	return (
		typeof error === 'object' &&
		error !== null &&
		(error as { submissionNotTaken?: unknown }).submissionNotTaken === true
	);
}

const READ_TIMEOUT_MS = 30_000;
const SUBMIT_TIMEOUT_MS = 120_000;
/** the shortest time an attempt is given when the deadline is near */
const MIN_ATTEMPT_MS = 1_000;

export interface SessionStats {
	requests: number;
	retries: number;
	rateLimited: number;
}

/** Everything one execution of a node shares when it talks to Anyformat. */
export class ApiSession {
	/** shared with every execution in this process that uses the same credential (`pacers.ts`) */
	readonly submissions: RateLimiter;

	readonly general: RateLimiter;

	readonly stats: SessionStats = { requests: 0, retries: 0, rateLimited: 0 };

	private constructor(
		private readonly ctx: AnyformatContext,
		readonly baseUrl: string,
		readonly redact: (text: string) => string,
		pacer: Pacer,
	) {
		this.submissions = pacer.submissions;
		this.general = pacer.general;
	}

	static async create(ctx: AnyformatContext, itemIndex = 0): Promise<ApiSession> {
		const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
		const redact = makeRedactor(credentials.apiKey as string | undefined);
		const baseUrl = normalizeBaseUrl(
			ctx.getNode(),
			String(credentials.baseUrl ?? ''),
			itemIndex,
			redact,
		);
		const pacer = pacerFor(baseUrl, String(credentials.apiKey ?? ''));
		return new ApiSession(ctx, baseUrl, redact, pacer);
	}

	get signal(): AbortSignal | undefined {
		const ctx = this.ctx as Partial<IExecuteFunctions>;
		return typeof ctx.getExecutionCancelSignal === 'function'
			? ctx.getExecutionCancelSignal.call(this.ctx)
			: undefined;
	}

	/** A debug line in n8n's log (never with the API key: only counts and ids are passed). */
	log(message: string, meta: IDataObject): void {
		this.ctx.logger?.debug(message, meta);
	}

	errorContext(request: Pick<ApiRequest, 'itemIndex' | 'subject'>): ErrorContext {
		return {
			node: this.ctx.getNode(),
			itemIndex: request.itemIndex,
			subject: request.subject,
			baseUrl: this.baseUrl,
			redact: this.redact,
		};
	}

	/**
	 * Sends `request`, retrying as `decideRetry` says, and returns the answer; or throws a
	 * NodeApiError, `SubmissionFateUnknown`, `DeadlineExceeded` or `ExecutionStoppedError`.
	 */
	async request<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>> {
		const limiter = request.kind === 'submission' ? this.submissions : this.general;
		const signal = this.signal;
		let failures = 0;
		let rateLimited = 0;
		let maybeAppliedBefore = false;
		for (;;) {
			const grant = await limiter.acquire(signal, request.deadline);
			let attempt: Attempt | undefined;
			try {
				attempt = await this.attempt(request, grant.at);
			} finally {
				// always handed back: a grant kept would hold the process's shared pacer for every execution
				limiter.release(grant, attempt?.response?.statusCode, attempt?.response?.headers);
			}
			if (!attempt.response && signal?.aborted) throw new ExecutionStoppedError();
			if (attempt.response?.statusCode === 429) this.stats.rateLimited++;
			const decision = decideRetry({
				kind: request.kind,
				result: attempt.result,
				accept: request.accept,
				expectJson: request.expectJson,
				failures,
				rateLimited,
				now: Date.now(),
				deadline: request.deadline,
				jitter: 0.8 + Math.random() * 0.4,
			});
			if (decision.action === 'return') {
				return {
					...(attempt.response as Answer),
					startedAt: grant.at,
					maybeAppliedBefore,
				} as ApiResponse<T>;
			}
			if (decision.action !== 'retry') throw this.failure(request, decision, attempt, failures);
			this.stats.retries++;
			if (decision.rateLimited) rateLimited++;
			else failures++;
			maybeAppliedBefore ||= !decision.notTaken;
			await pause(decision.delayMs, signal);
		}
	}

	/** One attempt: never sent past the deadline, and given no longer than the time left before it. */
	private async attempt(request: ApiRequest, startedAt: number): Promise<Attempt> {
		let timeout = request.kind === 'submission' ? SUBMIT_TIMEOUT_MS : READ_TIMEOUT_MS;
		if (request.deadline !== undefined) {
			const left = request.deadline - Date.now();
			if (left <= 0) {
				const late = new DeadlineExceeded(request.deadline);
				throw request.kind === 'submission' ? markNotTaken(late) : late;
			}
			timeout = Math.min(timeout, Math.max(MIN_ATTEMPT_MS, left));
		}
		this.stats.requests++;
		try {
			const response = await this.send(request, timeout);
			const retryAfter = retryAfterMs(response.headers);
			const result: AttemptResult = {
				status: response.statusCode,
				body: response.body,
				retryAfterMs: retryAfter,
			};
			return { startedAt, response, result };
		} catch (error) {
			return { startedAt, result: { code: failureCode(error) } };
		}
	}

	private failure(
		request: ApiRequest,
		decision: Exclude<RetryDecision, { action: 'return' | 'retry' }>,
		attempt: Attempt,
		failures: number,
	): Error {
		if (decision.action === 'fateUnknown') {
			const body = attempt.response?.body;
			const partial =
				decision.code === 'UNREADABLE' && typeof body === 'string'
					? body.slice(0, 2048)
					: undefined;
			return new SubmissionFateUnknown(decision.reason, attempt.startedAt, decision.code, partial);
		}
		const error = this.failureError(
			request,
			decision.failure,
			decision.code,
			attempt.response,
			failures,
		);
		return decision.notTaken ? markNotTaken(error) : error;
	}

	private failureError(
		request: ApiRequest,
		failure: 'network' | 'api' | 'unreadable' | 'deadline',
		code: string,
		response: Answer | undefined,
		failures: number,
	): Error {
		const ctx = this.errorContext(request);
		const tries = failures ? ` after ${failures + 1} attempts` : '';
		if (failure === 'deadline') return new DeadlineExceeded(request.deadline ?? Date.now());
		if (failure === 'network' || !response) {
			return networkError(
				ctx,
				code,
				`The Anyformat API at ${this.baseUrl} could not be reached${tries}. Check the Base URL in the credential and the network, then run the item again.`,
			);
		}
		if (failure === 'unreadable') {
			return networkError(
				ctx,
				'INVALID_RESPONSE',
				`Anyformat answered HTTP ${response.statusCode} but the body was not the expected JSON${failures ? ', even after retrying' : ''}. Try again later.`,
			);
		}
		const location = response.headers.location;
		return apiError(ctx, parseApiError(response.statusCode, response.body), {
			location: typeof location === 'string' ? location : undefined,
		});
	}

	private async send(request: ApiRequest, timeout: number): Promise<Answer> {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${this.baseUrl}${request.path}`,
			qs: request.qs,
			body: request.body as IHttpRequestOptions['body'],
			json: true,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			// a redirected POST loses its body; any redirect means a wrong Base URL
			disableFollowRedirect: true,
			timeout,
		};
		const response = (await this.ctx.helpers.httpRequestWithAuthentication.call(
			this.ctx,
			CREDENTIAL_TYPE,
			options,
		)) as { statusCode: number; headers: Record<string, unknown>; body: unknown };
		let body = response.body;
		if (typeof body === 'string' && body.trim().startsWith('{')) {
			try {
				body = JSON.parse(body);
			} catch {
				// left as text: the caller treats it as unreadable
			}
		}
		return { statusCode: response.statusCode, headers: response.headers ?? {}, body };
	}
}

/** An answer as it came, before the retry decision. */
interface Answer {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

interface Attempt {
	startedAt: number;
	response?: Answer;
	result: AttemptResult;
}
