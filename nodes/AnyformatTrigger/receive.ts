import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { triggerOutputData } from '../shared/mapping/review';
import { normalizeRunId } from '../shared/runId';
import { readResultSettings, selectedEvents, workflowIdOf } from '../shared/triggerSettings';
import { decideSignature } from './acceptance';
import { confirmWithApi } from './confirmDelivery';
import { parseDelivery } from './delivery';
import type { ItemSettings, SignatureMark } from './items';
import { itemsFor } from './items';
import type { RecentList } from './memory';
import { deliveryKey, hasSeen, remember, rememberSignatureReading, subscriptionOf } from './memory';
import type { HeaderValue, SigningReading } from './signature';
import { firstHeader, readSignature } from './signature';

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
	return {
		...readResultSettings(ctx),
		events: selectedEvents(ctx),
		workflowFilter: workflowIdOf(ctx),
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
	const known = local.signatureReading as
		{ webhookId?: string; reading?: SigningReading } | undefined;
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
	const { refuse, acknowledge } = responder(this);

	// 1. the body: size, JSON, shape
	const headers = req.headers ?? {};
	const parsed = parseDelivery(req.rawBody, req.body, firstHeader(headers['content-length']));
	if (!parsed.ok) return refuse(parsed.status, parsed.message);
	const { delivery, rawBody } = parsed;

	const settings = readSettings(this);
	const memory = this.getWorkflowStaticData('node');
	const local = processMemoryFor(
		`${this.getWorkflow().id ?? ''}|${this.getNode().name}|${this.getMode()}`,
	);

	// 2. the signature, read under every reading, and whether that lets the delivery in
	const admission = admit(this, headers, rawBody, memory, local, settings.requireSignature);
	if (!admission.ok) return refuse(401, admission.error, admission.why);
	const { mark, messageId } = admission;
	const { seen, record } = recentLists(memory, local);
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
	const filter = settings.workflowFilter;
	if (filter && normalizeRunId(delivery.workflowId) !== normalizeRunId(filter)) {
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
		// not recorded as received: if the copy being confirmed is refused, a redelivery must still count
		return acknowledge('This event is being processed for this run already.');
	}
	inFlight.add(flightKey);
	try {
		// 5. whatever the delivery says, the API has the last word
		const confirmed = await confirmWithApi(this, delivery, settings);
		if (!confirmed.ok) return refuse(...confirmed.refusal);
		const items = itemsFor(confirmed.run, settings, mark);
		record('recentDeliveries', key);
		if (messageId !== undefined) record('recentMessageIds', messageId);
		const output = this.helpers.returnJsonArray(items);
		return { workflowData: triggerOutputData(this.getNode().parameters, output, settings.review) };
	} finally {
		inFlight.delete(flightKey);
	}
}

/** Answers a delivery that starts nothing: refused (logged as a warning) or acknowledged with 200. */
function responder(ctx: IWebhookFunctions) {
	const res = ctx.getResponseObject() as unknown as DeliveryResponse;
	return {
		refuse: (status: number, error: string, why = error, retryAfterSeconds?: number) => {
			ctx.logger.warn(`Anyformat Trigger refused a delivery (HTTP ${status}): ${why}`, {
				workflowId: ctx.getWorkflow().id,
				node: ctx.getNode().name,
			});
			return answer(res, { status, body: { error }, retryAfterSeconds });
		},
		acknowledge: (message: string) => {
			ctx.logger.debug(`Anyformat Trigger ignored a delivery: ${message}`);
			return answer(res, { status: 200, body: { message } });
		},
	};
}

/** The recent keys, in static data and in this process's memory (see `processMemory`). */
function recentLists(memory: IDataObject, local: IDataObject) {
	return {
		seen: (list: RecentList, key: string) =>
			hasSeen(memory, list, key) || hasSeen(local, list, key),
		record: (list: RecentList, key: string) => {
			remember(memory, list, key);
			remember(local, list, key);
		},
	};
}

type Admission =
	| { ok: true; mark: SignatureMark; messageId: string | undefined }
	| { ok: false; error: string; why: string };

/** The signature decision (acceptance.ts) for this delivery; stores the reading a first verification shows. */
function admit(
	ctx: IWebhookFunctions,
	headers: Record<string, HeaderValue>,
	rawBody: Buffer,
	memory: IDataObject,
	local: IDataObject,
	requireSignature: boolean,
): Admission {
	const evidence = readSignature(
		headers,
		rawBody,
		subscriptionOf(memory).webhookSecret,
		Math.floor(Date.now() / 1000),
	);
	const decision = decideSignature(evidence, {
		storedReading: storedReadingOf(memory, local),
		requireSignature,
	});
	if (!decision.accept) return { ok: false, error: decision.error, why: decision.why };
	if (decision.signature === 'verified') {
		if (decision.store) storeReading(memory, local, decision.reading);
		return {
			ok: true,
			mark: { signature: 'verified', reading: decision.reading },
			messageId: decision.messageId,
		};
	}
	ctx.logger.warn(
		`Anyformat Trigger: ${decision.note}; the run is confirmed with the API, and the item says signature "unverified"`,
	);
	return { ok: true, mark: { signature: 'unverified' }, messageId: undefined };
}
