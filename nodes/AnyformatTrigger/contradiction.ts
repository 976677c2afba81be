import { eventOfState } from '../shared/transport/status';
import type { RunConfirmation } from './confirm';

/** A delivery answered without starting anything: `[status, error, why, retryAfterSeconds]`. */
export type Refusal = [number, string, string, number?];

export const UNAVAILABLE: Refusal = [
	503,
	'The delivery could not be checked with the Anyformat API. Deliver it again later.',
	'the Anyformat API could not be asked',
	60,
];

/**
 * Whether the API's answer lets the event start the workflow. Pure: the event the delivery names and
 * what the API said about its run.
 */
export function contradicts(event: string, confirmation: RunConfirmation): Refusal | undefined {
	switch (confirmation.state) {
		case 'unavailable':
			return [
				UNAVAILABLE[0],
				UNAVAILABLE[1],
				`the Anyformat API could not be asked: ${confirmation.reason}`,
				UNAVAILABLE[3],
			];
		case 'unknown':
			return [
				404,
				'Anyformat does not know this run in this workflow.',
				'the API does not know the run named by the delivery',
			];
		case 'processing':
			return [
				503,
				'According to the Anyformat API the run has not ended yet. Deliver it again later.',
				'the API says the run is still processing',
				30,
			];
		default:
			return event === eventOfState(confirmation.state)
				? undefined
				: [
						409,
						'The event contradicts the state of the run.',
						`"${event}" for a run the API reports ${confirmation.state}`,
					];
	}
}
