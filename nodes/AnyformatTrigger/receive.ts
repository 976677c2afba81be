import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import type { OutputMode } from '../shared/transport/types';
import { ApiSession } from '../shared/transport/request';
import { decideSignature } from './acceptance';
import type { RunConfirmation } from './confirm';
import { confirmRun, runTimes } from './confirm';
import type { Delivery } from './delivery';
import { parseDelivery } from './delivery';
import type { ConfirmedRun, ItemSettings, SignatureMark } from './items';
import { itemsFor, needsRunTimes } from './items';
import { selectedEvents } from './lifecycle';
import type { RecentList } from './memory';
import {
	deliveryKey,
	hasSeen,
	remember,
	rememberSignatureReading,
	subscriptionOf,
} from './memory';
import { normalizeRunId } from './runId';
import type { HeaderValue, SigningReading } from './signature';
import { readSignature } from './signature';

/** The parts of n8n's (express) request and response a delivery needs. */
interface DeliveryRequest {
	headers: Record<string, HeaderValue>;
	rawBody?: unknown;
	body?: unknown;
}

interface DeliveryResponse {
	status(code: number): DeliveryResponse;
	json(body: unknown): unknown;
	setHeader(name: string, value: string): unknown;
}

/**
 * Deliveries being confirmed right now, by workflow, node and (event, extraction): a copy arriving
 * meanwhile is answered as a duplicate instead of starting a second execution. Static data cannot
 * do this: each delivery reads it before the other has saved it.
 */
const inFlight = new Set<string>();

/**
 * Recent keys as seen by this n8n process, per workflow, node and mode, beside static data. Static
 * data alone loses keys when deliveries overlap: each execution saves the static data it read, so the
 * last one to answer overwrites the keys the others added. A key found here but missing from static
 * data is stored there again.
 */
const processMemory = new Map<string, IDataObject>();

function processMemoryFor(scope: string): IDataObject {
	let memory = processMemory.get(scope);
	if (!memory) {
		memory = {};
		processMemory.set(scope, memory);
	}
	return memory;
}

type Verdict = { status: number; body: IDataObject; retryAfterSeconds?: number };

function answer(res: DeliveryResponse, verdict: Verdict): IWebhookResponseData {
	if (verdict.retryAfterSeconds !== undefined) {
		res.setHeader('Retry-After', String(verdict.retryAfterSeconds));
	}
	res.status(verdict.status).json(verdict.body);
	return { noWebhookResponse: true };
}

interface TriggerSettings extends ItemSettings {
	events: string[];
	workflowFilter: string;
	requireSignature: boolean;
}

function readSettings(ctx: IWebhookFunctions): TriggerSettings {
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const fetchResults = ctx.getNodeParameter('fetchResults', true) !== false;
	const minimumConfidence = Number(options.minimumConfidence ?? 0);
	return {
		events: selectedEvents(ctx),
		workflowFilter: String(
			ctx.getNodeParameter('workflowId', '', { extractValue: true }) ?? '',
		).trim(),
		fetchResults,
		output: (fetchResults
			? ctx.getNodeParameter('output', 'simplified')
			: 'simplified') as OutputMode,
		includeMarkdown: options.includeMarkdown === true,
		minimumConfidence: Number.isFinite(minimumConfidence) ? minimumConfidence : 0,
		requireSignature: options.requireSignature === true,
	};
}

/**
 * The signing reading this process saw a subscription verify under, beside static data, for the same
 * reason as `processMemory`: an overlapping delivery's save may drop it from static data.
 */
function storedReadingOf(memory: IDataObject, local: IDataObject): SigningReading | undefined {
	const { webhookId, webhookSignatureReading } = subscriptionOf(memory);
	if (webhookSignatureReading) return webhookSignatureReading;
	const known = local.signatureReading as { webhookId?: string; reading?: SigningReading } | undefined;
	if (known?.reading && known.webhookId === webhookId) {
		rememberSignatureReading(memory, known.reading);
		return known.reading;
	}
	return undefined;
}

function storeReading(memory: IDataObject, local: IDataObject, reading: SigningReading): void {
	rememberSignatureReading(memory, reading);
	local.signatureReading = { webhookId: subscriptionOf(memory).webhookId, reading };
}

/**
 * Handles one delivery. Only a delivery whose run the API confirms, for a selected event and workflow,
 * seen for the first time, starts the workflow; everything else is answered here and starts nothing.
 * What the workflow receives comes from the API, never from the delivery's body (README rule 5).
 */
export async function receiveDelivery(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const req = this.getRequestObject() as unknown as DeliveryRequest;
	const res = this.getResponseObject() as unknown as DeliveryResponse;
	const refuse = (status: number, error: string, why = error, retryAfterSeconds?: number) => {
		this.logger.warn(`Anyformat Trigger refused a delivery (HTTP ${status}): ${why}`, {
			workflowId: this.getWorkflow().id,
			node: this.getNode().name,
		});
		return answer(res, { status, body: { error }, retryAfterSeconds });
	};
	const acknowledge = (message: string) => {
		this.logger.debug(`Anyformat Trigger ignored a delivery: ${message}`);
		return answer(res, { status: 200, body: { message } });
	};

	// 1. the body: size, JSON, shape
	const headers = req.headers ?? {};
	const contentLength = Array.isArray(headers['content-length'])
		? headers['content-length'][0]
		: headers['content-length'];
	const parsed = parseDelivery(req.rawBody, req.body, contentLength);
	if (!parsed.ok) return refuse(parsed.status, parsed.message);
	const { delivery, rawBody } = parsed;

	const settings = readSettings(this);
	const memory = this.getWorkflowStaticData('node');
	const local = processMemoryFor(
		`${this.getWorkflow().id ?? ''}|${this.getNode().name}|${this.getMode()}`,
	);

	// 2. the signature, read under every reading, and whether that lets the delivery in
	const evidence = readSignature(
		headers,
		rawBody,
		subscriptionOf(memory).webhookSecret,
		Math.floor(Date.now() / 1000),
	);
	const decision = decideSignature(evidence, {
		storedReading: storedReadingOf(memory, local),
		requireSignature: settings.requireSignature,
	});
	if (!decision.accept) return refuse(401, decision.error, decision.why);
	let mark: SignatureMark;
	if (decision.signature === 'verified') {
		if (decision.store) storeReading(memory, local, decision.reading);
		mark = { signature: 'verified', reading: decision.reading };
	} else {
		this.logger.warn(
			`Anyformat Trigger: ${decision.note}; the run is confirmed with the API, and the item says signature "unverified"`,
		);
		mark = { signature: 'unverified' };
	}
	const seen = (list: RecentList, key: string) =>
		hasSeen(memory, list, key) || hasSeen(local, list, key);
	const record = (list: RecentList, key: string) => {
		remember(memory, list, key);
		remember(local, list, key);
	};

	const messageId = decision.signature === 'verified' ? decision.messageId : undefined;
	if (messageId !== undefined && seen('recentMessageIds', messageId)) {
		record('recentMessageIds', messageId);
		return acknowledge('This message was already received.');
	}
	const settle = (message: string) => {
		if (messageId !== undefined) record('recentMessageIds', messageId);
		return acknowledge(message);
	};

	// 3. what this trigger listens to
	if (!settings.events.includes(delivery.event)) {
		return settle(`The event "${delivery.event}" is not selected in this trigger.`);
	}
	if (settings.workflowFilter && delivery.workflowId !== settings.workflowFilter) {
		return settle('The run belongs to a workflow this trigger does not listen to.');
	}

	// 4. at-least-once delivery: the same (event, run), however the id is spelled, starts the workflow once
	const key = deliveryKey(delivery.event, delivery.extractionId);
	if (seen('recentDeliveries', key)) {
		// store it again (it may have been lost to an overlapping save) as the most recent key
		record('recentDeliveries', key);
		return settle('This event was already delivered for this run.');
	}
	const flightKey = `${this.getWorkflow().id ?? ''}|${this.getNode().name}|${key}`;
	if (inFlight.has(flightKey)) {
		return settle('This event is being processed for this run already.');
	}
	inFlight.add(flightKey);
	try {
		// 5. whatever the delivery says, the API has the last word
		const confirmed = await confirmWithApi(this, delivery, settings);
		if (!confirmed.ok) return refuse(...confirmed.refusal);
		const items = itemsFor(confirmed.run, settings, mark);
		record('recentDeliveries', key);
		if (messageId !== undefined) record('recentMessageIds', messageId);
		return { workflowData: [this.helpers.returnJsonArray(items)] };
	} finally {
		inFlight.delete(flightKey);
	}
}

type Refusal = [number, string, string, number?];

/** Asks the API about the run the delivery names; the answer, not the delivery, makes the item. */
async function confirmWithApi(
	ctx: IWebhookFunctions,
	delivery: Delivery,
	settings: TriggerSettings,
): Promise<{ ok: true; run: ConfirmedRun } | { ok: false; refusal: Refusal }> {
	const runId = normalizeRunId(delivery.extractionId);
	let session: ApiSession | undefined;
	let confirmation: RunConfirmation;
	try {
		session = await ApiSession.create(ctx);
		confirmation = await confirmRun(session, delivery.workflowId, runId);
	} catch (error) {
		// e.g. a credential without a usable Base URL
		confirmation = { state: 'unavailable', reason: (error as Error)?.message ?? String(error) };
	}
	const refusal = contradicts(delivery.event, confirmation);
	if (refusal || !session) return { ok: false, refusal: refusal ?? UNAVAILABLE };
	const settled = confirmation as ConfirmedRun['confirmation'];
	const times = needsRunTimes(settings, settled)
		? await runTimes(session, delivery.workflowId, runId)
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
			workflowId: delivery.workflowId,
			confirmation: settled,
			createdAt: times.createdAt,
			updatedAt: times.updatedAt,
		},
	};
}

const UNAVAILABLE: Refusal = [
	503,
	'The delivery could not be checked with the Anyformat API. Deliver it again later.',
	'the Anyformat API could not be asked',
	60,
];

/** `undefined` when the API confirms the event; otherwise the refusal `[status, error, why, retryAfter]`. */
function contradicts(event: string, confirmation: RunConfirmation): Refusal | undefined {
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
		case 'processed':
			return event === 'extraction.completed'
				? undefined
				: [
						409,
						'The event contradicts the state of the run.',
						`"${event}" for a run the API reports processed`,
					];
		default:
			return event === 'extraction.failed'
				? undefined
				: [
						409,
						'The event contradicts the state of the run.',
						`"${event}" for a run the API reports ${confirmation.state}`,
					];
	}
}
