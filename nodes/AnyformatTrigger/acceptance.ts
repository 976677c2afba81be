import type { SignatureEvidence, SigningReading } from './signature';

/**
 * Whether a delivery may go on to be confirmed with the API, from its signature alone. Pure: the
 * evidence (signature.ts), the reading stored for the subscription, and the Require Signature option.
 *
 * Rule (README, "What happens when the network fails", rule 5): the signing scheme is undocumented, so
 * a delivery is verified under every plausible reading. The first reading a delivery verifies under
 * is stored; from then on only that reading is accepted and an unsigned or unreadable delivery is
 * refused. Until then an unverifiable delivery is not refused (a guess must not block real deliveries):
 * it is confirmed with the API like every delivery and its item says `signature: "unverified"`.
 */
export type SignatureDecision =
	| {
			accept: true;
			signature: 'verified';
			reading: SigningReading;
			messageId: string;
			store: boolean;
	  }
	| { accept: true; signature: 'unverified'; note: string }
	| { accept: false; error: string; why: string };

export interface SignaturePolicy {
	/** the reading a delivery of this subscription verified under before */
	storedReading: SigningReading | undefined;
	requireSignature: boolean;
}

const INVALID = 'The webhook signature could not be verified.';
const REQUIRED = 'A signed delivery is required.';

export function decideSignature(
	evidence: SignatureEvidence,
	policy: SignaturePolicy,
): SignatureDecision {
	const { storedReading, requireSignature } = policy;
	switch (evidence.kind) {
		case 'malformed':
			return { accept: false, error: INVALID, why: evidence.reason };
		case 'signed': {
			if (storedReading !== undefined) {
				return evidence.readings.includes(storedReading)
					? verified(evidence.messageId, storedReading, false)
					: {
							accept: false,
							error: INVALID,
							why: `the signature does not verify under the reading "${storedReading}" earlier deliveries verified under`,
						};
			}
			const [first] = evidence.readings;
			return first === undefined
				? { accept: false, error: INVALID, why: 'signature mismatch under every reading' }
				: verified(evidence.messageId, first, true);
		}
		default: {
			const what =
				evidence.kind === 'unsigned'
					? 'the delivery is not signed'
					: `the delivery is signed but ${evidence.reason}`;
			if (storedReading !== undefined) {
				return {
					accept: false,
					error: REQUIRED,
					why: `${what}, and earlier deliveries of this subscription were signed ("${storedReading}")`,
				};
			}
			if (requireSignature) {
				return {
					accept: false,
					error: REQUIRED,
					why: `${what} and Options → Require Signature is on`,
				};
			}
			return { accept: true, signature: 'unverified', note: what };
		}
	}
}

function verified(messageId: string, reading: SigningReading, store: boolean): SignatureDecision {
	return { accept: true, signature: 'verified', reading, messageId, store };
}
