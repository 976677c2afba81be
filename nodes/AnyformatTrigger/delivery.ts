import type { IDataObject } from 'n8n-workflow';

/** Deliveries carry a few hundred bytes; anything over this is refused with 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Ids are UUIDs, 32-character hex or `wh_...`-like strings; anything else is not a delivery. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

/**
 * The only parts of a delivery the trigger reads: which event, for which run of which workflow. They
 * say what to ask the API about; everything a workflow receives comes from the API's answer.
 */
export interface Delivery {
	event: string;
	extractionId: string;
	workflowId: string;
}

export type DeliveryParse =
	| { ok: true; delivery: Delivery; rawBody: Buffer }
	| { ok: false; status: number; message: string };

/**
 * Reads a delivery from the raw body n8n kept (`req.rawBody`, the bytes the signature covers); when
 * there is none, from the body n8n parsed.
 */
export function parseDelivery(
	rawBody: unknown,
	parsedBody: unknown,
	contentLength: string | undefined,
): DeliveryParse {
	if (contentLength !== undefined && Number(contentLength) > MAX_BODY_BYTES) {
		return tooLarge();
	}
	let raw: Buffer;
	if (Buffer.isBuffer(rawBody)) raw = rawBody;
	else if (typeof parsedBody === 'string') raw = Buffer.from(parsedBody, 'utf8');
	else if (parsedBody !== undefined && parsedBody !== null)
		raw = Buffer.from(JSON.stringify(parsedBody), 'utf8');
	else raw = Buffer.alloc(0);
	if (raw.length > MAX_BODY_BYTES) return tooLarge();

	let payload: unknown;
	try {
		payload = JSON.parse(raw.toString('utf8'));
	} catch {
		return { ok: false, status: 400, message: 'The body is not valid JSON.' };
	}
	if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
		return { ok: false, status: 400, message: 'The body is not a JSON object.' };
	}
	const body = payload as IDataObject;
	if (typeof body.event !== 'string' || body.event === '') {
		return { ok: false, status: 400, message: 'The delivery has no "event".' };
	}
	const data = body.data;
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		return { ok: false, status: 400, message: 'The delivery has no "data.extraction_id".' };
	}
	const { extraction_id: extractionId, workflow_id: workflowId } = data as IDataObject;
	if (typeof extractionId !== 'string' || extractionId === '') {
		return { ok: false, status: 400, message: 'The delivery has no "data.extraction_id".' };
	}
	if (!ID_PATTERN.test(extractionId)) {
		return { ok: false, status: 400, message: '"data.extraction_id" is not an Anyformat id.' };
	}
	if (typeof workflowId !== 'string' || !ID_PATTERN.test(workflowId)) {
		return { ok: false, status: 400, message: 'The delivery has no valid "data.workflow_id".' };
	}
	return {
		ok: true,
		rawBody: raw,
		delivery: {
			event: body.event,
			extractionId,
			workflowId,
		},
	};
}

function tooLarge(): DeliveryParse {
	return {
		ok: false,
		status: 413,
		message: `The body is larger than ${MAX_BODY_BYTES} bytes.`,
	};
}
