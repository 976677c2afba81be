import { createHmac, timingSafeEqual } from 'crypto';

/** Standard Webhooks: a delivery older or newer than this (seconds) is refused. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type HeaderValue = string | string[] | undefined;

/**
 * Anyformat does not document how its `whsec_...` secret keys the HMAC, so every plausible reading is
 * tried, in this order:
 * - `standard-webhooks`: the Standard Webhooks key, the base64-decoded part after `whsec_`;
 * - `whole-secret`: the whole secret string, prefix included, as UTF-8 bytes;
 * - `secret-after-prefix`: the part after `whsec_` as raw (UTF-8) bytes, not decoded.
 * What is signed is the Standard Webhooks content in every reading: `id.timestamp.body`.
 */
export const SIGNING_READINGS = [
	'standard-webhooks',
	'whole-secret',
	'secret-after-prefix',
] as const;
export type SigningReading = (typeof SIGNING_READINGS)[number];

export function isSigningReading(value: unknown): value is SigningReading {
	return (SIGNING_READINGS as readonly unknown[]).includes(value);
}

/**
 * What the signature headers of a delivery show, before any decision (see `acceptance.ts`):
 * - `unsigned`: no `webhook-signature` header;
 * - `unreadable`: a signature this node cannot check (no `v1,` entry, i.e. another format than
 *   Standard Webhooks, or no secret was stored for the subscription);
 * - `malformed`: `v1,` entries without a usable `webhook-id`/`webhook-timestamp`, or a timestamp
 *   outside the 5-minute window (a replay);
 * - `signed`: `v1,` entries checked under every reading; `readings` lists those under which one of
 *   them matches (empty: a forgery or a tampered body).
 */
export type SignatureEvidence =
	| { kind: 'unsigned' }
	| { kind: 'unreadable'; reason: string }
	| { kind: 'malformed'; reason: string }
	| { kind: 'signed'; messageId: string; readings: SigningReading[] };

export function firstHeader(value: HeaderValue): string | undefined {
	const first = Array.isArray(value) ? value[0] : value;
	return typeof first === 'string' && first.trim() !== '' ? first.trim() : undefined;
}

const PREFIX = 'whsec_';

/** The HMAC key of `secret` under `reading`; undefined when the reading does not apply to it. */
export function signingKey(secret: string, reading: SigningReading): Buffer | undefined {
	const afterPrefix = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
	if (reading === 'whole-secret') return Buffer.from(secret, 'utf8');
	if (reading === 'secret-after-prefix') return Buffer.from(afterPrefix, 'utf8');
	const key = Buffer.from(afterPrefix, 'base64');
	return key.length > 0 ? key : undefined;
}

export function expectedSignature(
	key: Buffer,
	messageId: string,
	timestamp: string,
	rawBody: Buffer,
): Buffer {
	return createHmac('sha256', key).update(`${messageId}.${timestamp}.`).update(rawBody).digest();
}

/**
 * Reads Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64> [v1,<base64> ...]`) and checks them against the subscription's secret
 * under every reading: HMAC-SHA256 of `id.timestamp.body`, constant-time comparison, ±5 minutes.
 */
export function readSignature(
	headers: Record<string, HeaderValue>,
	rawBody: Buffer,
	secret: string | undefined,
	nowSeconds: number,
): SignatureEvidence {
	const signatureHeader = firstHeader(headers['webhook-signature']);
	if (signatureHeader === undefined) return { kind: 'unsigned' };

	const candidates = signatureHeader
		.split(' ')
		.filter((entry) => entry.startsWith('v1,'))
		.map((entry) => Buffer.from(entry.slice(3), 'base64'));
	if (candidates.length === 0) {
		return { kind: 'unreadable', reason: 'the signature is not in the Standard Webhooks v1 form' };
	}
	if (!secret) {
		return { kind: 'unreadable', reason: 'no signing secret is stored for this subscription' };
	}

	const messageId = firstHeader(headers['webhook-id']);
	const timestamp = firstHeader(headers['webhook-timestamp']);
	if (messageId === undefined || timestamp === undefined) {
		return { kind: 'malformed', reason: 'webhook-id or webhook-timestamp is missing' };
	}
	if (!/^\d{1,12}$/.test(timestamp)) {
		return { kind: 'malformed', reason: 'webhook-timestamp is not a Unix time in seconds' };
	}
	if (Math.abs(nowSeconds - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) {
		return { kind: 'malformed', reason: 'webhook-timestamp is more than 5 minutes away' };
	}

	const readings = SIGNING_READINGS.filter((reading) => {
		const key = signingKey(secret, reading);
		if (!key) return false;
		const expected = expectedSignature(key, messageId, timestamp, rawBody);
		return candidates.some(
			(given) => given.length === expected.length && timingSafeEqual(given, expected),
		);
	});
	return { kind: 'signed', messageId, readings };
}
