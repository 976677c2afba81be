import type { IDataObject } from 'n8n-workflow';

import type { ConfirmedRun } from '../shared/mapping/eventItem';
import { failureOf, triggerItems } from '../shared/mapping/eventItem';
import { getResults } from '../shared/transport/api';
import type { ApiSession } from '../shared/transport/request';
import type { RunEvent } from '../shared/transport/status';
import { eventOfState, finalStateOf } from '../shared/transport/status';
import type { ListedRun } from './cursor';
import type { PollSettings } from './settings';

export type RunItems =
	| { state: 'emit'; event: RunEvent; items: IDataObject[] }
	/** the results endpoint's event is not selected: handled, nothing emitted */
	| { state: 'skip' }
	/** the results endpoint says the run is still processing: leave it for a later poll */
	| { state: 'not-yet' };

/**
 * The items of one finished run (shared/mapping/eventItem.ts, as the webhook trigger's). With Fetch
 * Results on, the results endpoint (authoritative) is asked once and decides the event; with it off,
 * the item is built from the runs list's entry, no request.
 */
export async function itemsForRun(
	session: ApiSession,
	run: ListedRun,
	settings: PollSettings,
): Promise<RunItems> {
	const listedState = finalStateOf(run.status);
	// only final runs are asked for; a run the list shows under way has nothing to emit yet
	if (listedState === undefined) return { state: 'not-yet' };
	const known = {
		runId: run.id,
		workflowId: settings.workflowId,
		errorCode: null,
		detail: null,
		createdAt: run.times.createdAt,
		updatedAt: run.times.updatedAt,
	};
	if (!settings.fetchResults) {
		return emit({ ...known, event: eventOfState(listedState), state: listedState }, settings);
	}
	const result = await getResults(session, settings.workflowId, run.id);
	if (result.state === 'processing') return { state: 'not-yet' };
	const event = eventOfState(result.state);
	if (!settings.events.includes(event)) return { state: 'skip' };
	return emit(
		result.state === 'processed'
			? { ...known, event, state: 'processed', envelope: result.envelope }
			: { ...known, event, state: result.state, ...failureOf(result.error) },
		settings,
	);
}

function emit(run: ConfirmedRun, settings: PollSettings): RunItems {
	return { state: 'emit', event: run.event, items: triggerItems(run, settings) };
}
