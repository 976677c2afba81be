import type { IDataObject } from 'n8n-workflow';

import { normalizeRunId } from '../runId';
import type { ApiErrorInfo } from '../transport/errors';
import type { FinalState, RunEvent } from '../transport/status';
import type { TriggerResultSettings } from '../triggerSettings';
import { mapEnvelopeToItems } from './envelope';

/**
 * What a trigger knows about a finished run: all of it from the API (the results endpoint and the
 * workflow's runs list), never from a delivery's body. Both Anyformat triggers build their items
 * from this, and only here.
 */
export interface ConfirmedRun {
	/** the event of the state the API confirmed */
	event: RunEvent;
	/** the run id as the API knows it */
	runId: string;
	workflowId: string;
	state: FinalState;
	/** the results envelope, when the results of a processed run were read */
	envelope?: IDataObject;
	/** what the results endpoint said about a failed or cancelled run; null where it said nothing */
	errorCode: string | null;
	detail: string | null;
	/** the runs list's times of the run (as the API wrote them); null where it did not show them */
	createdAt: string | null;
	updatedAt: string | null;
}

/**
 * Trigger metadata an item carries under `anyformat` beside what Get Results gives: `event_key`
 * (both triggers) and, from the webhook trigger, `signature` and `signature_reading`.
 */
export type TriggerMetadata = IDataObject;

/**
 * One key per run and event, the same from both triggers however the id is spelled: what n8n's
 * *Remove Duplicates* node dedupes on across executions and processes.
 */
export function eventKey(event: string, runId: string): string {
	return `${event}:${normalizeRunId(runId)}`;
}

/** The error code and detail of a results endpoint's 422 (field messages when it gave no detail). */
export function failureOf(error: ApiErrorInfo): {
	errorCode: string | null;
	detail: string | null;
} {
	return {
		errorCode: error.errorCode ?? null,
		detail: error.detail ?? (error.fieldMessages.length ? error.fieldMessages.join('; ') : null),
	};
}

/**
 * The items a trigger starts the workflow with for one run: with Fetch Results on and the run
 * processed, Get Results' items; else one event item. Each carries the trigger metadata under
 * `anyformat` (in raw output `anyformat` holds only that metadata; the envelope's keys are as returned).
 */
export function triggerItems(
	run: ConfirmedRun,
	settings: TriggerResultSettings,
	extra: TriggerMetadata = {},
): IDataObject[] {
	const metadata: TriggerMetadata = { event_key: eventKey(run.event, run.runId), ...extra };
	if (settings.fetchResults && run.state === 'processed' && run.envelope) {
		const raw = settings.output === 'raw';
		return mapEnvelopeToItems(run.envelope, {
			output: settings.output,
			includeMarkdown: settings.includeMarkdown,
			minimumConfidence: settings.minimumConfidence,
			review: settings.review,
			collectionId: run.runId,
			workflowId: run.workflowId,
		}).map((item) => (raw ? withRawMetadata(item, metadata) : withMetadata(item, metadata)));
	}
	return [{ anyformat: { ...eventFields(run), ...metadata } }];
}

/** The event item's fields: the run's confirmed state, nothing else. */
function eventFields(run: ConfirmedRun): IDataObject {
	const ended = run.state !== 'processed';
	return {
		status: run.state,
		collection_id: run.runId,
		workflow_id: run.workflowId,
		event: run.event,
		error_code: ended ? run.errorCode : null,
		detail: ended ? run.detail : null,
		created_at: run.createdAt,
		updated_at: run.updatedAt,
	};
}

function withMetadata(item: IDataObject, metadata: TriggerMetadata): IDataObject {
	return { ...item, anyformat: { ...((item.anyformat ?? {}) as IDataObject), ...metadata } };
}

/**
 * A raw item is the envelope as returned, plus `anyformat` with the metadata. An envelope key called
 * `anyformat` (none is documented) moves inside it as `field`, as the mapper does with such a field.
 */
function withRawMetadata(envelope: IDataObject, metadata: TriggerMetadata): IDataObject {
	const own = Object.prototype.hasOwnProperty.call(envelope, 'anyformat')
		? { field: envelope.anyformat }
		: {};
	return { ...envelope, anyformat: { ...own, ...metadata } };
}
