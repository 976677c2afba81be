import type { INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

export interface ApiErrorInfo {
	status: number;
	errorCode?: string;
	error?: string;
	detail?: string;
	fieldMessages: string[];
	requestId?: string;
	retryable?: boolean;
	/** the body was not JSON (a proxy's HTML page, a truncated answer) */
	unparsed: boolean;
}

const str = (value: unknown) =>
	typeof value === 'string' && value.trim() !== '' ? value : undefined;

/** Reads both documented error shapes: the API envelope and FastAPI-style `{detail: [{loc, msg}]}`. */
export function parseApiError(status: number, body: unknown): ApiErrorInfo {
	const info: ApiErrorInfo = { status, fieldMessages: [], unparsed: false };
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		info.unparsed = body !== undefined && body !== null && body !== '';
		return info;
	}
	const b = body as Record<string, unknown>;
	info.errorCode = str(b.error_code);
	info.error = str(b.error);
	info.requestId = str(b.request_id);
	if (typeof b.retryable === 'boolean') info.retryable = b.retryable;
	if (Array.isArray(b.detail)) {
		for (const entry of b.detail) {
			if (typeof entry === 'string') info.fieldMessages.push(entry);
			else if (entry && typeof entry === 'object') {
				const e = entry as Record<string, unknown>;
				const loc = Array.isArray(e.loc) ? e.loc.filter((p) => p !== 'body').join('.') : '';
				const msg = str(e.msg) ?? str(e.message) ?? JSON.stringify(entry);
				info.fieldMessages.push(loc ? `${loc}: ${msg}` : msg);
			}
		}
	} else {
		info.detail = str(b.detail);
	}
	return info;
}

export interface ErrorContext {
	node: INode;
	itemIndex?: number;
	/** what the request was about, e.g. `workflow "abc"` or `run "x" of workflow "y"` */
	subject?: string;
	baseUrl?: string;
	redact: (text: string) => string;
}

function apiSays(info: ApiErrorInfo): string {
	const parts = [info.error, info.detail, ...info.fieldMessages].filter(Boolean);
	return parts.length ? parts.join(' — ') : '';
}

function withRequestId(text: string, info: ApiErrorInfo): string {
	return info.requestId ? `${text} (Anyformat request_id: ${info.requestId})` : text;
}

/** Turns an HTTP error answer into a NodeApiError a user can act on. */
export function apiError(
	ctx: ErrorContext,
	info: ApiErrorInfo,
	extra?: { location?: string },
): NodeApiError {
	const says = apiSays(info);
	let message: string;
	let description: string;
	const { status } = info;
	if (status === 401 || status === 403) {
		message = 'The Anyformat API key was refused';
		description =
			'Open the "Anyformat API" credential and paste the API key again from app.anyformat.ai/settings. The key must belong to the organization that owns the workflow.';
	} else if (status === 404) {
		message = `Anyformat could not find ${ctx.subject ?? 'the requested resource'}`;
		description =
			'Check the ID: it may be mistyped, deleted, or belong to another organization than the API key. For a run, also check that it was submitted to this workflow.';
	} else if (status === 402) {
		message = 'Your Anyformat organization has no credit left';
		description =
			'Add credit in the Anyformat app, then run this item again. Nothing was processed.';
	} else if (status === 400 || status === 422) {
		message = `Anyformat rejected the request${says ? `: ${says}` : ''}`;
		description =
			'Fix the input named in the message and run the item again. Nothing was processed.';
	} else if (status === 429) {
		message = 'Anyformat kept answering "rate limit reached" (HTTP 429)';
		description =
			"The node waited and retried as the API asked, but the limit did not clear. Another workflow may be using the same organization's limit (60 submissions and 600 other requests per minute): run fewer documents at once or try later.";
	} else if (status >= 300 && status < 400) {
		message = `Anyformat redirected the request (HTTP ${status}${extra?.location ? ` to ${extra.location}` : ''})`;
		description =
			'Check the Base URL in the "Anyformat API" credential: it should be the scheme and host only, e.g. https://api.anyformat.ai.';
	} else if (status >= 500) {
		message = `Anyformat answered with a server error (HTTP ${status})`;
		description = withRequestId(
			'The node retried where it was safe to. Try again later; if it persists, contact Anyformat support',
			info,
		);
	} else {
		message = `Anyformat answered with HTTP ${status}${says ? `: ${says}` : ''}`;
		description = withRequestId('The request was not accepted', info);
	}
	if (says && status !== 400 && status !== 422 && !(status >= 200 && status < 300)) {
		description += ` Anyformat said: ${says}`;
	}
	if (info.requestId && status < 500) description = withRequestId(description, info);
	return new NodeApiError(ctx.node, sanitizedResponse(info) as JsonObject, {
		message: ctx.redact(message),
		description: ctx.redact(description),
		httpCode: String(status),
		itemIndex: ctx.itemIndex,
	});
}

function sanitizedResponse(info: ApiErrorInfo): Record<string, unknown> {
	return {
		httpCode: String(info.status),
		error_code: info.errorCode ?? null,
		request_id: info.requestId ?? null,
	};
}

export function networkError(ctx: ErrorContext, code: string, description: string): NodeApiError {
	return new NodeApiError(ctx.node, { code } as JsonObject, {
		message: ctx.redact(`Could not complete the request to Anyformat (${code})`),
		description: ctx.redact(description),
		itemIndex: ctx.itemIndex,
	});
}

/** A 2xx answer whose shape is not what the API documents: it is never used as if it were. */
export function invalidAnswerError(
	ctx: ErrorContext,
	message: string,
	description: string,
	info?: ApiErrorInfo,
): NodeApiError {
	const says = info ? apiSays(info) : '';
	const full = says ? `${description} Anyformat said: ${says}` : description;
	return new NodeApiError(ctx.node, { code: 'INVALID_RESPONSE' } as JsonObject, {
		message: ctx.redact(message),
		description: ctx.redact(info ? withRequestId(full, info) : full),
		itemIndex: ctx.itemIndex,
	});
}

export function inputError(
	node: INode,
	itemIndex: number,
	message: string,
	description: string,
): NodeOperationError {
	return new NodeOperationError(node, message, { itemIndex, description });
}

/** Removes the API key (and its base64 form, as in a Basic header) from any text we show. */
export function makeRedactor(secret: string | undefined): (text: string) => string {
	if (!secret || secret.length < 4) return (text) => text;
	const forms = [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)];
	return (text) => forms.reduce((out, form) => out.split(form).join('***'), text);
}
