import type { IDataObject } from 'n8n-workflow';

import { mapEnvelopeToItems } from '../shared/mapping/envelope';
import { eventItem, failureItem, withEventKey } from '../shared/mapping/eventItem';
import { getResults } from '../shared/transport/api';
import type { ApiSession } from '../shared/transport/request';
import type { ListedRun, TriggerEvent } from './cursor';
import { eventKey, eventOf } from './cursor';
import type { PollSettings } from './settings';

export type RunItems =
	| { state: 'emit'; event: TriggerEvent; items: IDataObject[] }
	/** the results endpoint's event is not selected: handled, nothing emitted */
	| { state: 'skip' }
	/** the results endpoint says the run is still processing: leave it for a later poll */
	| { state: 'not-yet' };

/**
 * The items of one finished run. With Fetch Results on, the results endpoint (authoritative) is asked
 * once and decides the event; with it off, the item is built from the runs list's entry, no request.
 */
export async function itemsForRun(
	session: ApiSession,
	run: ListedRun,
	settings: PollSettings,
): Promise<RunItems> {
	const listed = eventOf(run.status) as TriggerEvent;
	const finishedAt = new Date(run.updatedAt).toISOString();
	const confirmed = (event: string, status: string) => ({
		event,
		runId: run.id,
		workflowId: settings.workflowId,
		status,
		finishedAt,
	});
	if (!settings.fetchResults) {
		const key = eventKey(listed, run.id);
		return {
			state: 'emit',
			event: listed,
			items: [eventItem(confirmed(listed, run.status as string), key)],
		};
	}
	const result = await getResults(session, settings.workflowId, run.id);
	if (result.state === 'processing') return { state: 'not-yet' };
	const event: TriggerEvent =
		result.state === 'processed' ? 'extraction.completed' : 'extraction.failed';
	if (!settings.events.includes(event)) return { state: 'skip' };
	const key = eventKey(event, run.id);
	if (result.state === 'processed') {
		const items = mapEnvelopeToItems(result.envelope, {
			output: settings.output,
			includeMarkdown: settings.includeMarkdown,
			minimumConfidence: settings.minimumConfidence,
			collectionId: run.id,
			workflowId: settings.workflowId,
		});
		return { state: 'emit', event, items: withEventKey(items, key) };
	}
	const detail =
		result.error.detail ??
		(result.error.fieldMessages.length ? result.error.fieldMessages.join('; ') : null);
	const status = result.state === 'cancelled' ? 'cancelled' : 'error';
	return {
		state: 'emit',
		event,
		items: [
			failureItem(
				confirmed(event, status),
				{ errorCode: result.error.errorCode ?? null, detail },
				key,
			),
		],
	};
}
