import { createHmac, timingSafeEqual } from 'crypto';

/** Standard Webhooks: a delivery older or newer than this (seconds) is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type HeaderValue = string | string[] | undefined;

/**
 * What the signature headers of a delivery say:
 * - `unsigned`: no `webhook-signature` header.
 * - `unverifiable`: a signature this node cannot check (no `v1,` entry, i.e. another scheme than
 *   Standard Webhooks, or no secret was stored for the subscription). Treated like `unsigned`:
 *   the scheme is a guess, and a guess must not block real deliveries.
 * - `valid`: a `v1` entry matches; `messageId` (`webhook-id`) can then be trusted for replay checks.
 * - `invalid`: Standard Webhooks headers that do not verify: a forgery, a replay outside the time
 *   window or a tampered body.
 */
export type SignatureCheck =
	| { state: 'unsigned' }
	| { state: 'unverifiable'; reason: string }
	| { state: 'valid'; messageId: string }
	| { state: 'invalid'; reason: string };

export function firstHeader(value: HeaderValue): string | undefined {
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

/** The HMAC key of a Standard Webhooks secret: the base64-decoded part after `whsec_`. */
export function signingKey(secret: string): Buffer {
	const encoded = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
	const key = Buffer.from(encoded, 'base64');
	return key.length > 0 ? key : Buffer.from(secret, 'utf8');
}

export function expectedSignature(
	secret: string,
	messageId: string,
	timestamp: string,
	rawBody: Buffer,
): Buffer {
	return createHmac('sha256', signingKey(secret))
		.update(`${messageId}.${timestamp}.`)
		.update(rawBody)
		.digest();
}

/**
 * Verifies Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64> [v1,<base64> ...]`) against the subscription's secret:
 * HMAC-SHA256 of `id.timestamp.body`, constant-time comparison, ±5 minutes.
 */
export function checkSignature(
	headers: Record<string, HeaderValue>,
	rawBody: Buffer,
	secret: string | undefined,
	nowSeconds: number,
): SignatureCheck {
	const signatureHeader = firstHeader(headers['webhook-signature']);
	if (signatureHeader === undefined) return { state: 'unsigned' };

	const candidates = signatureHeader
		.split(' ')
		.filter((entry) => entry.startsWith('v1,'))
		.map((entry) => entry.slice(3));
	if (candidates.length === 0) {
		return {
			state: 'unverifiable',
			reason: 'the signature is not in the Standard Webhooks v1 form',
		};
	}
	if (!secret) {
		return { state: 'unverifiable', reason: 'no signing secret is stored for this subscription' };
	}

	const messageId = firstHeader(headers['webhook-id']);
	const timestamp = firstHeader(headers['webhook-timestamp']);
	if (messageId === undefined || timestamp === undefined) {
		return { state: 'invalid', reason: 'webhook-id or webhook-timestamp is missing' };
	}
	if (!/^\d{1,12}$/.test(timestamp)) {
		return { state: 'invalid', reason: 'webhook-timestamp is not a Unix time in seconds' };
	}
	if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
		return { state: 'invalid', reason: 'webhook-timestamp is more than 5 minutes away' };
	}

	const expected = expectedSignature(secret, messageId, timestamp, rawBody);
	const matches = candidates.some((candidate) => {
		const given = Buffer.from(candidate, 'base64');
		return given.length === expected.length && timingSafeEqual(given, expected);
	});
	return matches
		? { state: 'valid', messageId }
		: { state: 'invalid', reason: 'signature mismatch' };
}
