import type { IDataObject } from 'n8n-workflow';

import { mapEnvelopeToItems } from '../shared/mapping/envelope';
import type { OutputMode, ReviewRule } from '../shared/transport/types';
import type { RunConfirmation } from './confirm';
import type { SigningReading } from './signature';

/** How the delivery's signature was found: `verified` names the reading it verified under. */
export type SignatureMark =
	{ signature: 'verified'; reading: SigningReading } | { signature: 'unverified' };

/** What the API confirmed about the run a delivery named. Nothing here is read from the delivery body. */
export interface ConfirmedRun {
	event: string;
	/** the id as the API knows it (the results envelope's, else the runs list's, else the one asked for) */
	collectionId: string;
	workflowId: string;
	confirmation: Extract<RunConfirmation, { state: 'processed' | 'failed' | 'cancelled' }>;
	createdAt: string | null;
	updatedAt: string | null;
}

export interface ItemSettings {
	fetchResults: boolean;
	output: OutputMode;
	includeMarkdown: boolean;
	minimumConfidence: number;
	/** Route For Review on: the rule that sends an item to Needs Review */
	review?: ReviewRule;
}

/** Whether the items need the run's times from the runs list (results items do not carry them). */
export function needsRunTimes(
	settings: ItemSettings,
	confirmation: ConfirmedRun['confirmation'],
): boolean {
	return !settings.fetchResults || confirmation.state !== 'processed';
}

function markOf(mark: SignatureMark): IDataObject {
	return mark.signature === 'verified'
		? { signature: 'verified', signature_reading: mark.reading }
		: { signature: 'unverified' };
}

/**
 * The items a confirmed delivery starts the workflow with: the run's results (Fetch Results on, run
 * processed), else one event item built from the run's state as the API confirmed it.
 */
export function itemsFor(
	run: ConfirmedRun,
	settings: ItemSettings,
	mark: SignatureMark,
): IDataObject[] {
	const { confirmation } = run;
	if (settings.fetchResults && confirmation.state === 'processed') {
		return mapEnvelopeToItems(confirmation.envelope, {
			output: settings.output,
			includeMarkdown: settings.includeMarkdown,
			minimumConfidence: settings.minimumConfidence,
			review: settings.review,
			collectionId: run.collectionId,
			workflowId: run.workflowId,
		}).map((item) => withMark(item, mark));
	}
	const failure = confirmation.state === 'processed' ? undefined : confirmation;
	return [
		{
			anyformat: {
				status: confirmation.state,
				collection_id: run.collectionId,
				workflow_id: run.workflowId,
				event: run.event,
				error_code: failure?.errorCode ?? null,
				detail: failure?.detail ?? null,
				created_at: run.createdAt,
				updated_at: run.updatedAt,
				...markOf(mark),
			},
		},
	];
}

function withMark(item: IDataObject, mark: SignatureMark): IDataObject {
	const anyformat = (item.anyformat ?? {}) as IDataObject;
	return { ...item, anyformat: { ...anyformat, ...markOf(mark) } };
}
