import type { IWebhookFunctions } from 'n8n-workflow';

import type { ConfirmedRun } from '../shared/mapping/eventItem';
import { normalizeRunId } from '../shared/runId';
import { ApiSession } from '../shared/transport/request';
import { eventOfState } from '../shared/transport/status';
import type { RunConfirmation } from './confirm';
import { confirmRun, runTimes } from './confirm';
import type { Refusal } from './contradiction';
import { contradicts, UNAVAILABLE } from './contradiction';
import type { Delivery } from './delivery';
import type { ItemSettings } from './items';
import { needsRunTimes } from './items';

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
	const settled = confirmation as Settled;
	const times = needsRunTimes(settings, settled.state)
		? await runTimes(session, workflowId, runId)
		: { id: null, createdAt: null, updatedAt: null };
	return { ok: true, run: confirmedRun(settled, runId, workflowId, times) };
}

type Settled = Extract<RunConfirmation, { state: ConfirmedRun['state'] }>;

/** The run as the API confirmed it; the event is the delivery's (contradicts() let only that through). */
function confirmedRun(
	settled: Settled,
	askedId: string,
	workflowId: string,
	times: Awaited<ReturnType<typeof runTimes>>,
): ConfirmedRun {
	const processed = settled.state === 'processed' ? settled : undefined;
	const failed = settled.state === 'processed' ? undefined : settled;
	const envelopeId = processed?.envelope.collection_id;
	return {
		event: eventOfState(settled.state),
		// the id as the API knows it: the results envelope's, else the runs list's, else the one asked for
		runId: (typeof envelopeId === 'string' ? envelopeId : undefined) ?? times.id ?? askedId,
		workflowId,
		state: settled.state,
		envelope: processed?.envelope,
		errorCode: failed?.errorCode ?? null,
		detail: failed?.detail ?? null,
		createdAt: times.createdAt,
		updatedAt: times.updatedAt,
	};
}
