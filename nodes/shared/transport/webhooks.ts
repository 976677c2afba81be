import type { IDataObject } from 'n8n-workflow';

import { endpoints } from './endpoints';
import type { ApiErrorInfo } from './errors';
import { parseApiError } from './errors';
import type { ApiSession } from './request';

/** The events Anyformat delivers (the only ones documented). */
export const WEBHOOK_EVENTS = ['extraction.completed', 'extraction.failed'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

export interface WebhookSubscription {
	id: string;
	url: string;
	events: string[];
	is_active: boolean;
	created_at?: string;
}

export type CreateSubscriptionOutcome =
	| { ok: true; subscription: WebhookSubscription; secret: string | undefined }
	| { ok: false; error: ApiErrorInfo };

function asSubscription(raw: unknown): WebhookSubscription | undefined {
	if (typeof raw !== 'object' || raw === null) return undefined;
	const s = raw as IDataObject;
	if (typeof s.id !== 'string' && typeof s.id !== 'number') return undefined;
	return {
		id: String(s.id),
		url: typeof s.url === 'string' ? s.url : '',
		events: Array.isArray(s.events) ? s.events.map(String) : [],
		// a subscription that does not say is taken as active
		is_active: s.is_active !== false,
		created_at: typeof s.created_at === 'string' ? s.created_at : undefined,
	};
}

/**
 * `POST /v2/webhooks/`. Never retried: the answer carries the subscription's secret, shown only once,
 * and a blind retry could create a second subscription whose secret is lost. A refusal the user can
 * fix (HTTP URL, subscription limit) comes back as `{ ok: false }` so the caller can say what to change.
 */
export async function createSubscription(
	session: ApiSession,
	url: string,
	events: string[],
): Promise<CreateSubscriptionOutcome> {
	const response = await session.request<IDataObject>({
		method: 'POST',
		path: endpoints.webhooks(),
		body: { url, events },
		kind: 'single',
		accept: [400, 403, 409, 422],
		subject: 'the webhook subscription',
	});
	if (response.statusCode >= 400) {
		return { ok: false, error: parseApiError(response.statusCode, response.body) };
	}
	const subscription = asSubscription(response.body);
	if (!subscription) {
		return {
			ok: false,
			error: {
				status: response.statusCode,
				fieldMessages: [],
				unparsed: true,
				detail: 'the answer did not contain the subscription id',
			},
		};
	}
	const secret = response.body.secret;
	return { ok: true, subscription, secret: typeof secret === 'string' ? secret : undefined };
}

/** `GET /v2/webhooks/`: a plain array (an object with `results` is read too, in case it becomes paginated). */
export async function listSubscriptions(session: ApiSession): Promise<WebhookSubscription[]> {
	const { body } = await session.request<unknown>({
		method: 'GET',
		path: endpoints.webhooks(),
		kind: 'idempotent',
		subject: 'the webhook subscriptions',
	});
	const list = Array.isArray(body)
		? body
		: Array.isArray((body as IDataObject | null)?.results)
			? ((body as IDataObject).results as unknown[])
			: [];
	return list.map(asSubscription).filter((s): s is WebhookSubscription => s !== undefined);
}

/** `DELETE /v2/webhooks/{id}/`. Returns false when the subscription was already gone (404). */
export async function deleteSubscription(session: ApiSession, webhookId: string): Promise<boolean> {
	const response = await session.request({
		method: 'DELETE',
		path: endpoints.webhook(webhookId),
		kind: 'idempotent',
		accept: [404],
		expectJson: false,
		subject: `webhook subscription "${webhookId}"`,
	});
	return response.statusCode !== 404;
}
