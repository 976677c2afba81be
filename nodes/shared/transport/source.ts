/**
 * Pure decisions about a document downloaded from a link (Run with Input Type URL): is the link
 * usable, what do the source's headers say about the file, is a failed download worth trying again,
 * is the body a web page instead of a document. The HTTP side is in `download.ts`.
 */

export type UrlCheck = { url: URL } | { problem: string; fix: string };

const URL_FIX =
	'Use a direct link to the file that starts with https:// (or http://), e.g. a signed storage URL. To send the file itself, set "Input Type" to Binary File.';

export function checkSourceUrl(raw: unknown): UrlCheck {
	if (raw !== null && typeof raw === 'object') {
		return {
			problem: 'The URL must be text, but the expression gave an object',
			fix: 'Point the expression at the field that holds the link itself, e.g. {{ $json.attachment.url }}.',
		};
	}
	const value = raw === undefined || raw === null ? '' : String(raw).trim();
	if (value === '') return { problem: 'The URL is empty', fix: URL_FIX };
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		return { problem: `"${shorten(value)}" is not a valid URL`, fix: URL_FIX };
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		return {
			problem: `The URL "${shorten(value)}" uses "${url.protocol}", but only http:// and https:// links can be downloaded`,
			fix: URL_FIX,
		};
	}
	return { url };
}

export interface SourceFileInfo {
	fileName: string;
	mimeType: string;
	/** bytes announced by the source (Content-Length); undefined when it announced none */
	size: number | undefined;
}

/** File name (Content-Disposition, then the URL's last path segment), media type and length. */
export function sourceFileInfo(headers: Record<string, unknown>, url: URL): SourceFileInfo {
	const header = (name: string) => {
		const value = headers[name] ?? headers[name.toLowerCase()];
		return Array.isArray(value) ? String(value[0] ?? '') : value === undefined ? '' : String(value);
	};
	const mimeType = header('content-type').split(';')[0].trim().toLowerCase();
	const lengthText = header('content-length').trim();
	const encoded = !['', 'identity'].includes(header('content-encoding').trim().toLowerCase());
	const size = /^\d+$/.test(lengthText) && !encoded ? Number(lengthText) : undefined;
	const fileName =
		dispositionName(header('content-disposition')) || lastSegment(url) || defaultName(mimeType);
	return { fileName, mimeType: mimeType || 'application/octet-stream', size };
}

function dispositionName(value: string): string {
	const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(value);
	if (extended) {
		try {
			return cleanName(decodeURIComponent(extended[2].trim().replace(/^"|"$/g, '')));
		} catch {
			// a malformed escape: fall back to the plain parameter
		}
	}
	const plain = /filename\s*=\s*("([^"]*)"|[^;]+)/i.exec(value);
	return plain ? cleanName((plain[2] ?? plain[1]).trim()) : '';
}

function lastSegment(url: URL): string {
	const segment = url.pathname.split('/').pop() ?? '';
	try {
		return cleanName(decodeURIComponent(segment));
	} catch {
		return cleanName(segment);
	}
}

const EXTENSIONS: Record<string, string> = {
	'application/pdf': 'pdf',
	'image/png': 'png',
	'image/jpeg': 'jpg',
	'image/tiff': 'tiff',
	'text/plain': 'txt',
	'text/csv': 'csv',
	'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'docx',
	'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'xlsx',
};

function defaultName(mimeType: string): string {
	const extension = EXTENSIONS[mimeType];
	return extension ? `document.${extension}` : 'document';
}

/** Only the last path segment, without control characters. */
function cleanName(name: string): string {
	let out = '';
	for (const c of name.split(/[/\\]/).pop() ?? '') {
		const code = c.charCodeAt(0);
		if (code >= 32 && code !== 127) out += c;
	}
	out = out.trim();
	return out === '.' || out === '..' ? '' : out;
}

/**
 * Whether a failed download is tried again, like a read of the API: a network failure, 408, 425,
 * 429 or a 5xx may pass; any other 4xx (missing, expired, forbidden) will not.
 */
export function sourceFailureRetryable(failure: { status: number } | { code: string }): boolean {
	if ('code' in failure) return true;
	const { status } = failure;
	return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** A web page (a login or preview page) where a document was expected. */
export function looksLikeWebPage(mimeType: string, firstBytes: Uint8Array | undefined): boolean {
	if (mimeType === 'text/html' || mimeType === 'application/xhtml+xml') return true;
	if (!firstBytes) return false;
	const head = String.fromCharCode(...firstBytes.subarray(0, 512))
		.replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
		.trimStart()
		.slice(0, 64)
		.toLowerCase();
	return head.startsWith('<!doctype html') || head.startsWith('<html');
}

export function shorten(value: string, max = 80): string {
	return value.length > max ? `${value.slice(0, max)}…` : value;
}
