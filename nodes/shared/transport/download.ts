import type { IExecuteFunctions, IHttpRequestOptions } from 'n8n-workflow';

import { ExecutionStoppedError, pause } from '../pause';
import { inputError } from './errors';
import { backoffMs, failureCode } from './retryDecision';
import type { SourceFileInfo } from './source';
import { looksLikeWebPage, shorten, sourceFailureRetryable, sourceFileInfo } from './source';

/**
 * Downloads a document from a link through n8n's own HTTP helper (`helpers.httpRequest`: no
 * credentials, and n8n's proxy and SSRF settings apply), as a stream. `probeSource` checks the link
 * before anything is sent to Anyformat; `sourceBytes` downloads it again for each sending of the
 * submission (a 429 sends the body again), so nothing is kept in memory or on disk.
 */

export interface DownloadLimits {
	itemIndex: number;
	maxBytes: number;
}

type Body = AsyncIterable<Uint8Array> & { destroy?: () => void };

interface Opened {
	headers: Record<string, unknown>;
	body: Body;
}

const DOWNLOAD_ATTEMPTS = 3;
/** without a byte for this long, the download is given up (n8n's helper: a socket idle timeout) */
const DOWNLOAD_IDLE_TIMEOUT_MS = 30_000;

const STATUS_HINTS: Record<number, string> = {
	401: 'The link needs a login. Use a link that works without one, such as a signed or shared link.',
	403: 'The link refused access: it may have expired (signed links do) or need a login.',
	404: 'Nothing is at this link (any more). Check that it is complete and still valid.',
	410: 'The file at this link was removed.',
};

export async function probeSource(
	ctx: IExecuteFunctions,
	url: URL,
	limits: DownloadLimits,
): Promise<SourceFileInfo> {
	const opened = await openSource(ctx, url, limits.itemIndex);
	const info = sourceFileInfo(opened.headers, url);
	const iterator = opened.body[Symbol.asyncIterator]();
	try {
		checkAnnounced(ctx, url, info, limits);
		let first: Uint8Array | undefined;
		for (let step = await iterator.next(); !step.done; step = await iterator.next()) {
			if (step.value.length > 0) {
				first = step.value;
				break;
			}
		}
		if (!first) throw emptyError(ctx, url, limits.itemIndex);
		if (looksLikeWebPage(info.mimeType, first)) throw webPageError(ctx, url, limits.itemIndex);
		return info;
	} finally {
		opened.body.destroy?.();
	}
}

/** The document's bytes, downloaded again, checked to be the file the probe saw, within the limit. */
export async function* sourceBytes(
	ctx: IExecuteFunctions,
	url: URL,
	expected: SourceFileInfo,
	limits: DownloadLimits,
): AsyncIterable<Uint8Array> {
	const { itemIndex } = limits;
	const opened = await openSource(ctx, url, itemIndex);
	const info = sourceFileInfo(opened.headers, url);
	let total = 0;
	try {
		if (info.size !== expected.size || info.mimeType !== expected.mimeType) {
			throw fail(
				ctx,
				url,
				itemIndex,
				'changed between its check and its upload',
				'The link now answers with another file (its length or type differs). Run the item again.',
			);
		}
		for await (const chunk of readOrFail(ctx, url, itemIndex, opened.body, () => total)) {
			if (total === 0 && looksLikeWebPage(info.mimeType, chunk)) {
				throw webPageError(ctx, url, itemIndex);
			}
			total += chunk.length;
			if (total > limits.maxBytes) throw tooLargeError(ctx, url, limits, `more than`);
			yield chunk;
		}
	} finally {
		opened.body.destroy?.();
	}
	if (total === 0) throw emptyError(ctx, url, itemIndex);
	if (expected.size !== undefined && total !== expected.size) {
		throw fail(
			ctx,
			url,
			itemIndex,
			`was cut after ${total.toLocaleString('en-US')} of ${expected.size.toLocaleString('en-US')} bytes`,
			'The connection to the source broke off. Nothing was submitted to Anyformat: run the item again.',
		);
	}
}

/** The body's chunks; a connection that breaks off becomes an error that names the item. */
async function* readOrFail(
	ctx: IExecuteFunctions,
	url: URL,
	itemIndex: number,
	body: Body,
	received: () => number,
): AsyncIterable<Uint8Array> {
	let broken: unknown;
	try {
		yield* body;
		return;
	} catch (error) {
		broken = error;
	}
	if (ctx.getExecutionCancelSignal?.()?.aborted) throw new ExecutionStoppedError();
	throw fail(
		ctx,
		url,
		itemIndex,
		`broke off after ${received().toLocaleString('en-US')} bytes`,
		// the code only here: n8n rewrites a message that names a network code into a generic one
		`The connection to the source failed during the download (${failureCode(broken)}). Nothing was submitted to Anyformat: run the item again.`,
	);
}

/** A GET of the link, tried again like a read of the API; answers only a 2xx. */
async function openSource(ctx: IExecuteFunctions, url: URL, itemIndex: number): Promise<Opened> {
	const signal = ctx.getExecutionCancelSignal?.();
	for (let attempt = 1; ; attempt++) {
		let failure: { status: number } | { code: string };
		try {
			const response = (await ctx.helpers.httpRequest(requestOptions(url, signal))) as {
				statusCode: number;
				headers?: Record<string, unknown>;
				body: Body;
			};
			if (response.statusCode >= 200 && response.statusCode < 300) {
				return { headers: response.headers ?? {}, body: response.body };
			}
			response.body?.destroy?.();
			failure = { status: response.statusCode };
		} catch (error) {
			failure = { code: failureCode(error) };
		}
		if (signal?.aborted) throw new ExecutionStoppedError();
		if (!sourceFailureRetryable(failure) || attempt >= DOWNLOAD_ATTEMPTS) {
			throw failedError(ctx, url, itemIndex, failure, attempt);
		}
		await pause(backoffMs(attempt), signal);
	}
}

function requestOptions(url: URL, signal: AbortSignal | undefined): IHttpRequestOptions {
	return {
		method: 'GET',
		url: url.href,
		encoding: 'stream',
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: DOWNLOAD_IDLE_TIMEOUT_MS,
		// the bytes as stored: a Content-Length then counts what is uploaded
		headers: { 'Accept-Encoding': 'identity' },
		...(signal ? { abortSignal: signal } : {}),
	};
}

function checkAnnounced(
	ctx: IExecuteFunctions,
	url: URL,
	info: SourceFileInfo,
	limits: DownloadLimits,
): void {
	if (info.size === 0) throw emptyError(ctx, url, limits.itemIndex);
	if (info.size !== undefined && info.size > limits.maxBytes) {
		throw tooLargeError(ctx, url, limits, `${info.size.toLocaleString('en-US')} bytes,`);
	}
	if (looksLikeWebPage(info.mimeType, undefined)) throw webPageError(ctx, url, limits.itemIndex);
}

function failedError(
	ctx: IExecuteFunctions,
	url: URL,
	itemIndex: number,
	failure: { status: number } | { code: string },
	attempts: number,
) {
	const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
	if ('status' in failure) {
		return fail(
			ctx,
			url,
			itemIndex,
			`answered HTTP ${failure.status}${tries}`,
			STATUS_HINTS[failure.status] ??
				(failure.status >= 500
					? 'The server holding the file has a problem. Try again later.'
					: 'Check that the link is a direct download link that works without a login.'),
		);
	}
	return fail(
		ctx,
		url,
		itemIndex,
		`could not be reached${tries}`,
		`The download failed with ${failure.code}. Check the link's host name and that n8n can reach it (n8n's proxy and SSRF settings apply to downloads).`,
	);
}

/** The two ways a 2xx answer is still not a document. */
const NOT_A_DOCUMENT = {
	empty: [
		'gave an empty file',
		'Anyformat cannot extract anything from zero bytes. Check that the link points at the file itself.',
	],
	webPage: [
		'gave a web page (HTML), not a document',
		'This is usually a login, consent or preview page. Use a direct download link (for example a signed storage URL, or the "download" link of a shared file).',
	],
} as const;

function emptyError(ctx: IExecuteFunctions, url: URL, itemIndex: number) {
	return fail(ctx, url, itemIndex, ...NOT_A_DOCUMENT.empty);
}

function webPageError(ctx: IExecuteFunctions, url: URL, itemIndex: number) {
	return fail(ctx, url, itemIndex, ...NOT_A_DOCUMENT.webPage);
}

function tooLargeError(ctx: IExecuteFunctions, url: URL, limits: DownloadLimits, what: string) {
	const mb = (limits.maxBytes / 1024 / 1024).toLocaleString('en-US');
	return fail(
		ctx,
		url,
		limits.itemIndex,
		`is ${what} over the ${mb} MB limit`,
		'Raise Options → Maximum Download Size if the file is meant to be this large.',
	);
}

function fail(
	ctx: IExecuteFunctions,
	url: URL,
	itemIndex: number,
	what: string,
	fix: string,
) {
	return inputError(
		ctx.getNode(),
		itemIndex,
		`The document at ${shorten(`${url.origin}${url.pathname}`)} ${what} (item ${itemIndex})`,
		fix,
	);
}
