import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { ExecutionStoppedError, pause } from '../pause';
import type { RunWatch } from '../../Anyformat/batch/waiter';
import type { ErrorContext } from './errors';
import { apiError, makeRedactor, networkError, parseApiError } from './errors';
import type { MultipartBody } from './multipart';
import type { Pacer } from './pacers';
import { pacerFor } from './pacers';
import type { RateLimiter } from './rateLimiter';
import { retryAfterMs } from './rateLimiter';

export type AnyformatContext =
	IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export const CREDENTIAL_TYPE = 'anyformatApi';

/**
 * How a request may be retried:
 * - `read`: GET (and DELETE, which is idempotent): retried on 429, 5xx, network errors and unreadable answers.
 * - `submit`: a run submission, not idempotent. Retried only when the API certainly did not take it:
 *   a 429, a refused connection or DNS failure, or an API error that says `retryable: true`. A timeout,
 *   a reset or a proxy's error page may hide an accepted run, so it surfaces as `SubmissionFateUnknown`.
 * - `once`: never retried (subscribing a webhook, whose answer carries a one-time secret).
 */
export type RetryKind = 'read' | 'submit' | 'once';

export interface ApiRequest {
	method: IHttpRequestMethods;
	path: string;
	qs?: IDataObject;
	body?: IDataObject | MultipartBody;
	kind: RetryKind;
	/** statuses handed back to the caller instead of thrown (e.g. 412 and 422 from the results endpoint) */
	accept?: number[];
	itemIndex?: number;
	subject?: string;
	/** the body of a 2xx answer must be JSON (false for 204s) */
	expectJson?: boolean;
}

export interface ApiResponse<T = unknown> {
	statusCode: number;
	headers: Record<string, unknown>;
	body: T;
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
		/** `ETIMEDOUT`, `ECONNRESET`, ..., `HTTP_502`, or `UNREADABLE` (a 2xx whose body is not JSON) */
		readonly code: string,
		/** the start of an unreadable 2xx body, which may still name the run */
		readonly partialBody?: string,
	) {
		super(reason);
		this.name = 'SubmissionFateUnknown';
	}
}

const notTaken = new WeakSet<object>();

/**
 * Whether a failed submission certainly created no run, so that sending it again later is safe:
 * it kept answering 429, an API error marked `retryable: true`, or the connection was refused.
 */
export function submissionNotTaken(error: unknown): boolean {
	return typeof error === 'object' && error !== null && notTaken.has(error);
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
const READ_ATTEMPTS = 5;
const RATE_LIMIT_ATTEMPTS = 10;
const READ_TIMEOUT_MS = 30_000;
const SUBMIT_TIMEOUT_MS = 120_000;

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

	/** the watch a batch's submitter started, until the Run operation's watch takes it over */
	private batchWatch: RunWatch | undefined;

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
		const baseUrl = normalizeBaseUrl(ctx, String(credentials.baseUrl ?? ''), itemIndex, redact);
		const pacer = pacerFor(baseUrl, String(credentials.apiKey ?? ''));
		return new ApiSession(ctx, baseUrl, redact, pacer);
	}

	get signal(): AbortSignal | undefined {
		const ctx = this.ctx as Partial<IExecuteFunctions>;
		return typeof ctx.getExecutionCancelSignal === 'function'
			? ctx.getExecutionCancelSignal.call(this.ctx)
			: undefined;
	}

	/** Leaves a watch of the batch's runs, started while its documents were sent, for `watchRuns`. */
	handOverBatchWatch(watch: RunWatch): void {
		this.batchWatch = watch;
	}

	takeBatchWatch(): RunWatch | undefined {
		const watch = this.batchWatch;
		this.batchWatch = undefined;
		return watch;
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

	async request<T = unknown>(request: ApiRequest): Promise<ApiResponse<T>> {
		const limiter = request.kind === 'submit' ? this.submissions : this.general;
		const signal = this.signal;
		let startedAt = Date.now();
		let attempt = 0;
		let rateLimitedTimes = 0;
		for (;;) {
			const grant = await limiter.acquire(signal);
			startedAt = grant.at;
			let response: ApiResponse | undefined;
			let failure: unknown;
			this.stats.requests++;
			try {
				response = await this.send(request);
			} catch (error) {
				failure = error;
			}
			if (response === undefined) {
				limiter.release(grant);
				if (signal?.aborted) throw new ExecutionStoppedError();
				const code = failureCode(failure);
				const mayRetry =
					request.kind === 'read' || (request.kind === 'submit' && NOT_SENT_CODES.has(code));
				if (mayRetry && attempt < READ_ATTEMPTS - 1) {
					attempt++;
					this.stats.retries++;
					await pause(backoffMs(attempt), signal);
					continue;
				}
				if (request.kind === 'submit' && !NOT_SENT_CODES.has(code)) {
					throw new SubmissionFateUnknown(`the connection failed (${code})`, startedAt, code);
				}
				const unreachable = networkError(
					this.errorContext(request),
					code,
					`The Anyformat API at ${this.baseUrl} could not be reached${attempt ? ` after ${attempt + 1} attempts` : ''}. Check the Base URL in the credential and the network, then run the item again.`,
				);
				if (request.kind === 'submit') notTaken.add(unreachable);
				throw unreachable;
			}
			limiter.release(grant, response.statusCode, response.headers);
			const { statusCode } = response;
			const body = response.body;

			if (statusCode === 429) {
				this.stats.rateLimited++;
				if (rateLimitedTimes++ < RATE_LIMIT_ATTEMPTS) {
					this.stats.retries++;
					// the limiter now holds every request of this tier until Retry-After has passed
					await pause(retryAfterMs(response.headers) ?? backoffMs(rateLimitedTimes), signal);
					continue;
				}
			} else if (request.accept?.includes(statusCode)) {
				return response as ApiResponse<T>;
			} else if (statusCode >= 200 && statusCode < 300) {
				if (request.expectJson === false || (typeof body === 'object' && body !== null)) {
					return response as ApiResponse<T>;
				}
				// a 2xx that is not the JSON we asked for: a proxy or a cut connection
				if (request.kind === 'submit') {
					throw new SubmissionFateUnknown(
						`Anyformat answered HTTP ${statusCode} with an unreadable body`,
						startedAt,
						'UNREADABLE',
						typeof body === 'string' ? body.slice(0, 2048) : undefined,
					);
				}
				if (request.kind === 'read' && attempt < READ_ATTEMPTS - 1) {
					attempt++;
					this.stats.retries++;
					await pause(backoffMs(attempt), signal);
					continue;
				}
				throw networkError(
					this.errorContext(request),
					'INVALID_RESPONSE',
					`Anyformat answered HTTP ${statusCode} but the body was not the expected JSON, even after retrying. Try again later.`,
				);
			} else if (statusCode >= 500) {
				const info = parseApiError(statusCode, body);
				const retryable =
					request.kind === 'read' || (request.kind === 'submit' && info.retryable === true);
				if (retryable && info.retryable !== false && attempt < READ_ATTEMPTS - 1) {
					attempt++;
					this.stats.retries++;
					await pause(retryAfterMs(response.headers) ?? backoffMs(attempt), signal);
					continue;
				}
				// retryable: true says the run was not taken (so the error below may be sent again later);
				// false is the API's own verdict; without either, a proxy's page may hide an accepted run
				if (request.kind === 'submit' && info.retryable === undefined) {
					throw new SubmissionFateUnknown(
						`Anyformat answered HTTP ${statusCode}${info.unparsed ? ' (not from the API itself, probably a proxy)' : ''}`,
						startedAt,
						`HTTP_${statusCode}`,
					);
				}
			}
			const location = response.headers.location;
			const info = parseApiError(statusCode, body);
			const refused = apiError(this.errorContext(request), info, {
				location: typeof location === 'string' ? location : undefined,
			});
			if (request.kind === 'submit' && (statusCode === 429 || info.retryable === true)) {
				notTaken.add(refused);
			}
			throw refused;
		}
	}

	private async send(request: ApiRequest): Promise<ApiResponse> {
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
			timeout: request.kind === 'submit' ? SUBMIT_TIMEOUT_MS : READ_TIMEOUT_MS,
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

/** 0.5 s, 1 s, 2 s, 4 s, ... (±20 %): a read failing five times in a row gives up after about 7.5 s. */
export function backoffMs(attempt: number): number {
	const base = Math.min(500 * 2 ** (attempt - 1), 30_000);
	return Math.round(base * (0.8 + Math.random() * 0.4));
}

function failureCode(error: unknown): string {
	let current = error as { code?: unknown; cause?: unknown; message?: unknown } | undefined;
	for (let depth = 0; current && depth < 6; depth++) {
		if (typeof current.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(current.code)) {
			return current.code;
		}
		current = current.cause as typeof current;
	}
	const message = String((error as Error)?.message ?? '');
	if (/timeout/i.test(message)) return 'ETIMEDOUT';
	if (/socket hang up|reset/i.test(message)) return 'ECONNRESET';
	return 'NETWORK_ERROR';
}

function normalizeBaseUrl(
	ctx: AnyformatContext,
	raw: string,
	itemIndex: number,
	redact: (text: string) => string,
): string {
	const value = raw.trim();
	const fail = (message: string) =>
		new NodeOperationError(ctx.getNode(), redact(message), {
			itemIndex,
			description:
				'Open the "Anyformat API" credential and set Base URL to the scheme and host only, for example https://api.anyformat.ai',
		});
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw fail(`The Base URL "${value}" is not a valid URL: it needs a scheme (https://)`);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw fail(
			`The Base URL "${value}" must start with https:// (or http:// for a local test server)`,
		);
	}
	if (url.pathname.replace(/\/+$/, '') !== '' || url.search || url.hash) {
		throw fail(`The Base URL "${value}" must not contain a path such as "${url.pathname}"`);
	}
	if (url.username || url.password) {
		throw fail('The Base URL must not contain a user name or password');
	}
	return `${url.protocol}//${url.host}`;
}
