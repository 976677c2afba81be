import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { mapEnvelopeToItems } from '../shared/mapping/envelope';
import { splitForReview, triggerOutputs } from '../shared/mapping/review';
import type { OutputMode, ReviewRule } from '../shared/transport/types';
import { ApiSession } from '../shared/transport/request';
import type { RunConfirmation } from './confirm';
import { confirmRun } from './confirm';
import type { Delivery } from './delivery';
import { parseDelivery } from './delivery';
import { selectedEvents } from './lifecycle';
import type { RecentList } from './memory';
import { deliveryKey, hasSeen, remember, subscriptionOf } from './memory';
import type { HeaderValue } from './signature';
import { checkSignature } from './signature';

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

interface TriggerSettings {
	events: string[];
	workflowFilter: string;
	fetchResults: boolean;
	output: OutputMode;
	includeMarkdown: boolean;
	minimumConfidence: number;
	requireSignature: boolean;
	/** Route For Review on: the rule that sends an item to Needs Review */
	review: ReviewRule | undefined;
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
		review:
			options.routeForReview === true
				? {
						minimumConfidence: Number.isFinite(minimumConfidence) ? minimumConfidence : 0,
						unverified: options.reviewUnverified === true,
					}
				: undefined,
	};
}

/**
 * Handles one delivery. Only a delivery whose run the API confirms, for a selected event and workflow,
 * seen for the first time, starts the workflow; everything else is answered here and starts nothing.
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

	// 2. the signature, when there is one
	const { webhookSecret } = subscriptionOf(memory);
	const signature = checkSignature(headers, rawBody, webhookSecret, Math.floor(Date.now() / 1000));
	if (signature.state === 'invalid') {
		return refuse(401, 'The webhook signature could not be verified.', signature.reason);
	}
	if (signature.state !== 'valid' && settings.requireSignature) {
		return refuse(
			401,
			'A signed delivery is required.',
			signature.state === 'unverifiable'
				? `the delivery is signed but ${signature.reason}`
				: 'the delivery is not signed and Options → Require Signature is on',
		);
	}
	if (signature.state === 'unverifiable') {
		this.logger.warn(
			`Anyformat Trigger: ${signature.reason}; the run is confirmed with the API instead`,
		);
	}
	const local = processMemoryFor(
		`${this.getWorkflow().id ?? ''}|${this.getNode().name}|${this.getMode()}`,
	);
	const seen = (list: RecentList, key: string) =>
		hasSeen(memory, list, key) || hasSeen(local, list, key);
	const record = (list: RecentList, key: string) => {
		remember(memory, list, key);
		remember(local, list, key);
	};

	const messageId = signature.state === 'valid' ? signature.messageId : undefined;
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

	// 4. at-least-once delivery: the same (event, extraction) starts the workflow once
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
		let confirmation: RunConfirmation;
		try {
			const session = await ApiSession.create(this);
			confirmation = await confirmRun(session, delivery.workflowId, delivery.extractionId);
		} catch (error) {
			// e.g. a credential without a usable Base URL
			confirmation = { state: 'unavailable', reason: (error as Error)?.message ?? String(error) };
		}
		const contradiction = contradicts(delivery.event, confirmation);
		if (contradiction) return refuse(...contradiction);

		const items = itemsFor(delivery, confirmation, settings);
		record('recentDeliveries', key);
		if (messageId !== undefined) record('recentMessageIds', messageId);
		const output = this.helpers.returnJsonArray(items);
		if (triggerOutputs(this.getNode().parameters).length === 1) return { workflowData: [output] };
		return { workflowData: splitForReview(output, () => settings.review) };
	} finally {
		inFlight.delete(flightKey);
	}
}

/** `undefined` when the API confirms the event; otherwise the refusal `[status, error, why, retryAfter]`. */
function contradicts(
	event: string,
	confirmation: RunConfirmation,
): [number, string, string, number?] | undefined {
	switch (confirmation.state) {
		case 'unavailable':
			return [
				503,
				'The delivery could not be checked with the Anyformat API. Deliver it again later.',
				`the Anyformat API could not be asked: ${confirmation.reason}`,
				60,
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

function itemsFor(
	delivery: Delivery,
	confirmation: RunConfirmation,
	settings: TriggerSettings,
): IDataObject[] {
	if (!settings.fetchResults) return [delivery.payload];
	if (confirmation.state === 'processed') {
		return mapEnvelopeToItems(confirmation.envelope, {
			output: settings.output,
			includeMarkdown: settings.includeMarkdown,
			minimumConfidence: settings.minimumConfidence,
			review: settings.review,
			collectionId: delivery.extractionId,
			workflowId: delivery.workflowId,
		});
	}
	const failure = confirmation as Extract<RunConfirmation, { state: 'failed' | 'cancelled' }>;
	return [
		{
			anyformat: {
				status: failure.state,
				collection_id: delivery.extractionId,
				workflow_id: delivery.workflowId,
				event: delivery.event,
				error_code: failure.errorCode,
				detail: failure.detail,
				processed_at: delivery.processedAt,
			},
		},
	];
}
