import type { IWebhookFunctions } from 'n8n-workflow';

import { ApiSession } from '../shared/transport/request';
import type { RunConfirmation } from './confirm';
import { confirmRun, runTimes } from './confirm';
import type { Refusal } from './contradiction';
import { contradicts, UNAVAILABLE } from './contradiction';
import type { Delivery } from './delivery';
import type { ConfirmedRun, ItemSettings } from './items';
import { needsRunTimes } from './items';
import { normalizeRunId } from './runId';

/** Asks the API about the run the delivery names; the answer, not the delivery, makes the item. */
export async function confirmWithApi(
	ctx: IWebhookFunctions,
	delivery: Delivery,
	settings: ItemSettings,
): Promise<{ ok: true; run: ConfirmedRun } | { ok: false; refusal: Refusal }> {
	const runId = normalizeRunId(delivery.extractionId);
	const workflowId = normalizeRunId(delivery.workflowId);
	let session: ApiSession | undefined;
	let confirmation: RunConfirmation;
	try {
		session = await ApiSession.create(ctx);
		confirmation = await confirmRun(session, workflowId, runId);
	} catch (error) {
		// e.g. a credential without a usable Base URL
		confirmation = { state: 'unavailable', reason: (error as Error)?.message ?? String(error) };
	}
	const refusal = contradicts(delivery.event, confirmation);
	if (refusal || !session) return { ok: false, refusal: refusal ?? UNAVAILABLE };
	const settled = confirmation as ConfirmedRun['confirmation'];
	const times = needsRunTimes(settings, settled)
		? await runTimes(session, workflowId, runId)
		: { id: null, createdAt: null, updatedAt: null };
	const envelopeId =
		settled.state === 'processed' && typeof settled.envelope.collection_id === 'string'
			? settled.envelope.collection_id
			: undefined;
	return {
		ok: true,
		run: {
			event: delivery.event,
			collectionId: envelopeId ?? times.id ?? runId,
			workflowId,
			confirmation: settled,
			createdAt: times.createdAt,
			updatedAt: times.updatedAt,
		},
	};
}
