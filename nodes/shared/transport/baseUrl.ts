import type { INode } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

/**
 * The Base URL as it may be shown in an error: without a user name or password (everything up to an
 * `@` of the host part becomes `***`) and without a query or fragment, even when it is not a valid URL.
 */
export function displayBaseUrl(value: string): string {
	const withoutQuery = value.split(/[?#]/)[0];
	const start = withoutQuery.indexOf('//');
	const scheme = start < 0 ? '' : withoutQuery.slice(0, start + 2);
	const rest = withoutQuery.slice(scheme.length);
	const slash = rest.indexOf('/');
	const authority = slash < 0 ? rest : rest.slice(0, slash);
	const at = authority.lastIndexOf('@');
	if (at < 0) return withoutQuery;
	return `${scheme}***${rest.slice(at)}`;
}

/** `scheme://host[:port]` from the credential's Base URL, or an error saying how to fix it. */
export function normalizeBaseUrl(
	node: INode,
	raw: string,
	itemIndex: number,
	redact: (text: string) => string,
): string {
	const value = raw.trim();
	const shown = displayBaseUrl(value);
	const fail = (message: string) =>
		new NodeOperationError(node, redact(message), {
			itemIndex,
			description:
				'Open the "Anyformat API" credential and set Base URL to the scheme and host only, for example https://api.anyformat.ai',
		});
	let url: URL;
	try {
		url = new URL(value);
	} catch {
		throw fail(`The Base URL "${shown}" is not a valid URL: it needs a scheme (https://)`);
	}
	if (url.username || url.password) {
		throw fail('The Base URL must not contain a user name or password');
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') {
		throw fail(`The Base URL "${shown}" must start with https:// (or http:// for a local test server)`);
	}
	if (url.pathname.replace(/\/+$/, '') !== '' || url.search || url.hash) {
		throw fail(`The Base URL "${shown}" must not contain a path such as "${url.pathname}"`);
	}
	return `${url.protocol}//${url.host}`;
}
