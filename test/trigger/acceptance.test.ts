/**
 * "Accept a delivery or not", from its signature: the pure decision (acceptance.ts) as a table, and the
 * evidence it decides on (signature.ts) under each of the three readings of the secret; and whether
 * the API's answer lets the event start the workflow (contradiction.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';

import { decideSignature } from '../../nodes/AnyformatTrigger/acceptance';
import type { RunConfirmation } from '../../nodes/AnyformatTrigger/confirm';
import { contradicts } from '../../nodes/AnyformatTrigger/contradiction';
import type { SignatureEvidence, SigningReading } from '../../nodes/AnyformatTrigger/signature';
import { readSignature, SIGNING_READINGS } from '../../nodes/AnyformatTrigger/signature';

const STANDARD: SigningReading = 'standard-webhooks';
const WHOLE: SigningReading = 'whole-secret';
const SUFFIX: SigningReading = 'secret-after-prefix';

const unsigned: SignatureEvidence = { kind: 'unsigned' };
const unreadable: SignatureEvidence = { kind: 'unreadable', reason: 'not v1' };
const malformed: SignatureEvidence = { kind: 'malformed', reason: 'stale' };
const signed = (...readings: SigningReading[]): SignatureEvidence => ({
	kind: 'signed',
	messageId: 'msg_1',
	readings,
});

type Row = [
	string,
	SignatureEvidence,
	SigningReading | undefined,
	boolean,
	'refuse' | 'unverified' | `verified ${SigningReading}` | `verified ${SigningReading} + store`,
];

// evidence, stored reading, Require Signature → decision
const TABLE: Row[] = [
	['unsigned, nothing stored', unsigned, undefined, false, 'unverified'],
	['unsigned, nothing stored, required', unsigned, undefined, true, 'refuse'],
	['unsigned, a reading stored', unsigned, STANDARD, false, 'refuse'],
	['unreadable, nothing stored', unreadable, undefined, false, 'unverified'],
	['unreadable, nothing stored, required', unreadable, undefined, true, 'refuse'],
	['unreadable, a reading stored', unreadable, WHOLE, false, 'refuse'],
	['malformed or stale, nothing stored', malformed, undefined, false, 'refuse'],
	['malformed or stale, a reading stored', malformed, STANDARD, false, 'refuse'],
	['mismatch under every reading', signed(), undefined, false, 'refuse'],
	['mismatch under every reading, stored', signed(), STANDARD, false, 'refuse'],
	['standard, nothing stored', signed(STANDARD), undefined, false, `verified ${STANDARD} + store`],
	['whole secret, nothing stored', signed(WHOLE), undefined, false, `verified ${WHOLE} + store`],
	[
		'after prefix, nothing stored, required',
		signed(SUFFIX),
		undefined,
		true,
		`verified ${SUFFIX} + store`,
	],
	[
		'two readings match: the first in order',
		signed(WHOLE, SUFFIX),
		undefined,
		false,
		`verified ${WHOLE} + store`,
	],
	['the stored reading', signed(SUFFIX), SUFFIX, false, `verified ${SUFFIX}`],
	['the stored reading among others', signed(STANDARD, WHOLE), WHOLE, true, `verified ${WHOLE}`],
	['another reading than the stored one', signed(WHOLE), STANDARD, false, 'refuse'],
];

describe('decideSignature', () => {
	test.each(TABLE)('%s', (_name, evidence, storedReading, requireSignature, expected) => {
		const decision = decideSignature(evidence, { storedReading, requireSignature });
		let got: string;
		if (!decision.accept) got = 'refuse';
		else if (decision.signature === 'unverified') got = 'unverified';
		else got = `verified ${decision.reading}${decision.store ? ' + store' : ''}`;
		expect(got).toBe(expected);
		if (!decision.accept) {
			expect(decision.error).toMatch(/signature|signed/);
			expect(decision.why).not.toBe('');
		}
		if (decision.accept && decision.signature === 'verified')
			expect(decision.messageId).toBe('msg_1');
	});

	test('every refusal is one of two messages, and a stored reading never lets an unverifiable delivery in', () => {
		for (const evidence of [unsigned, unreadable, malformed, signed()]) {
			for (const requireSignature of [false, true]) {
				for (const storedReading of SIGNING_READINGS) {
					const decision = decideSignature(evidence, { storedReading, requireSignature });
					expect(decision.accept).toBe(false);
				}
			}
		}
	});
});

describe('readSignature: the evidence under each reading of the secret', () => {
	const secret = `whsec_${randomBytes(24).toString('base64')}`;
	const keys: Record<SigningReading, Buffer> = {
		'standard-webhooks': Buffer.from(secret.slice(6), 'base64'),
		'whole-secret': Buffer.from(secret, 'utf8'),
		'secret-after-prefix': Buffer.from(secret.slice(6), 'utf8'),
	};
	const body = Buffer.from('{"event":"extraction.completed"}');
	const now = 1_750_000_000;
	const headersFor = (key: Buffer, timestamp = now, id = 'msg_x') => ({
		'webhook-id': id,
		'webhook-timestamp': String(timestamp),
		'webhook-signature': `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`,
	});

	test.each(SIGNING_READINGS.map((r) => [r]))(
		'signed under %s: verifies under that reading only',
		(reading) => {
			expect(readSignature(headersFor(keys[reading]), body, secret, now)).toEqual({
				kind: 'signed',
				messageId: 'msg_x',
				readings: [reading],
			});
		},
	);

	test('other evidence', () => {
		const good = headersFor(keys['standard-webhooks']);
		expect(readSignature({}, body, secret, now)).toEqual({ kind: 'unsigned' });
		expect(readSignature({ 'webhook-signature': 'sha256=abc' }, body, secret, now)).toMatchObject({
			kind: 'unreadable',
		});
		expect(readSignature(good, body, undefined, now)).toMatchObject({ kind: 'unreadable' });
		expect(readSignature({ ...good, 'webhook-id': undefined }, body, secret, now)).toMatchObject({
			kind: 'malformed',
		});
		expect(readSignature(good, body, secret, now + 301)).toMatchObject({ kind: 'malformed' });
		expect(readSignature(good, Buffer.from('{}'), secret, now)).toEqual({
			kind: 'signed',
			messageId: 'msg_x',
			readings: [],
		});
		// several signatures (key rotation): any one matching counts
		const rotated = {
			...good,
			'webhook-signature': `v1,${randomBytes(32).toString('base64')} ${good['webhook-signature']}`,
		};
		expect(readSignature(rotated, body, secret, now)).toMatchObject({
			readings: ['standard-webhooks'],
		});
	});
});

describe('contradicts: whether the API lets the event start the workflow', () => {
	const C = 'extraction.completed';
	const F = 'extraction.failed';
	const failure = { errorCode: null, detail: null };
	const rows: Array<[string, string, RunConfirmation, number | 'start']> = [
		['completed, processed', C, { state: 'processed', envelope: {} }, 'start'],
		['failed, failed', F, { state: 'failed', ...failure }, 'start'],
		['failed, cancelled', F, { state: 'cancelled', ...failure }, 'start'],
		['completed, failed', C, { state: 'failed', ...failure }, 409],
		['completed, cancelled', C, { state: 'cancelled', ...failure }, 409],
		['failed, processed', F, { state: 'processed', envelope: {} }, 409],
		['completed, still processing', C, { state: 'processing' }, 503],
		['failed, still processing', F, { state: 'processing' }, 503],
		['unknown run', C, { state: 'unknown' }, 404],
		['API unavailable', F, { state: 'unavailable', reason: 'down' }, 503],
	];
	test.each(rows)('%s', (_name, event, confirmation, expected) => {
		const refusal = contradicts(event, confirmation);
		expect(refusal === undefined ? 'start' : refusal[0]).toBe(expected);
		if (refusal?.[0] === 503) expect(refusal[3]).toBeGreaterThan(0);
	});
});
