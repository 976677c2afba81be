import type { IHookFunctions, INode, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ApiErrorInfo } from '../shared/transport/errors';
import { ApiSession } from '../shared/transport/request';
import {
	createSubscription,
	deleteSubscription,
	listSubscriptions,
	WEBHOOK_EVENTS,
} from '../shared/transport/webhooks';
import { noEventsSelected, selectedEvents } from '../shared/triggerSettings';
import { forgetSubscription, rememberSubscription, subscriptionOf } from './memory';

function sameEvents(a: string[], b: string[]): boolean {
	const left = new Set(a);
	const right = new Set(b);
	return left.size === right.size && [...left].every((event) => right.has(event));
}

function webhookUrlOf(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) {
		throw new NodeOperationError(ctx.getNode(), 'n8n did not give this trigger a webhook URL');
	}
	return url;
}

/** While listening for a test event, n8n runs the lifecycle in manual mode with the /webhook-test/ URL. */
function isTestListening(ctx: IHookFunctions): boolean {
	return ctx.getMode() === 'manual';
}

/**
 * Whether the subscription this node remembers still exists, for this URL and these events, with a
 * secret we know. Anything else is cleaned up here and answered `false`, so that n8n calls `create`.
 */
export async function checkExists(this: IHookFunctions): Promise<boolean> {
	const memory = this.getWorkflowStaticData('node');
	const remembered = subscriptionOf(memory);
	if (!remembered.webhookId) return false;

	const url = webhookUrlOf(this);
	const events = selectedEvents(this);
	const session = await ApiSession.create(this);
	const existing = (await listSubscriptions(session)).find((s) => s.id === remembered.webhookId);
	if (!existing) {
		// deleted on the Anyformat side: subscribe again
		forgetSubscription(memory);
		return false;
	}
	if (existing.url !== url) {
		// Listening for a test event with the production subscription in memory: that one belongs to the
		// active workflow and stays. Otherwise n8n's public URL changed: the old subscription is ours and stale.
		if (!isTestListening(this)) {
			await deleteSubscription(session, existing.id);
			forgetSubscription(memory);
		}
		return false;
	}
	if (
		existing.is_active &&
		remembered.webhookSecret &&
		sameEvents(existing.events.length ? existing.events : [...WEBHOOK_EVENTS], events)
	) {
		return true;
	}
	// other events, deactivated, or a secret we no longer have: replace it
	await deleteSubscription(session, existing.id);
	forgetSubscription(memory);
	return false;
}

/** Subscribes this node's webhook URL to the selected events and keeps the id and one-time secret. */
export async function create(this: IHookFunctions): Promise<boolean> {
	const memory = this.getWorkflowStaticData('node');
	const url = webhookUrlOf(this);
	const events = selectedEvents(this);
	if (events.length === 0) throw noEventsSelected(this.getNode());
	const session = await ApiSession.create(this);
	// Any subscription already pointing at this URL is ours (the URL holds this node's unique webhook
	// id): one whose answer was lost, or whose id was not saved. Remove it rather than leave an orphan.
	for (const subscription of await listSubscriptions(session)) {
		if (subscription.url === url) await deleteSubscription(session, subscription.id);
	}
	const outcome = await createSubscription(session, url, events);
	if (!outcome.ok) throw subscriptionRefused(this.getNode(), outcome.error, url, session.redact);
	if (!outcome.secret) {
		this.logger.warn(
			'Anyformat did not return a signing secret for the webhook subscription: signed deliveries cannot be verified',
			{ webhookId: outcome.subscription.id },
		);
	}
	rememberSubscription(memory, {
		webhookId: outcome.subscription.id,
		webhookSecret: outcome.secret,
		webhookUrl: url,
		webhookEvents: events,
	});
	return true;
}

/**
 * Unsubscribes and forgets the secret. Also removes any other subscription pointing at this URL, so
 * that nothing keeps delivering to a workflow that no longer listens. On failure the subscription
 * stays remembered: the next activation finds and replaces it.
 *
 * A remembered subscription for another URL is left alone: when listening for a test event fails,
 * n8n removes the test webhook with the static data of the editor, which may hold the subscription
 * of the active workflow (production URL).
 */
export async function remove(this: IHookFunctions): Promise<boolean> {
	const memory = this.getWorkflowStaticData('node');
	const { webhookId, webhookUrl } = subscriptionOf(memory);
	let url: string;
	try {
		url = webhookUrlOf(this);
		const session = await ApiSession.create(this);
		const ours = webhookId !== undefined && (webhookUrl === undefined || webhookUrl === url);
		if (ours) await deleteSubscription(session, webhookId);
		for (const subscription of await listSubscriptions(session)) {
			if (subscription.url === url) await deleteSubscription(session, subscription.id);
		}
	} catch (error) {
		this.logger.error('Could not delete the Anyformat webhook subscription', {
			webhookId,
			error: (error as Error)?.message,
		});
		return false;
	}
	if (webhookUrl === undefined || webhookUrl === url) forgetSubscription(memory);
	return true;
}

/**
 * A refused subscription, with what to change. Redacted like every other error (`redact` is the
 * session's: the API key never appears, even when the API echoes it).
 */
export function subscriptionRefused(
	node: INode,
	info: ApiErrorInfo,
	url: string,
	redact: (text: string) => string,
): NodeApiError {
	const said = [info.error, info.detail, ...info.fieldMessages].filter(Boolean).join(' — ');
	const text = said.toLowerCase();
	let message: string;
	let description: string;
	if (info.status === 409 || /maximum|limit/.test(text)) {
		message = 'Your Anyformat organization has reached its limit of webhook subscriptions';
		description =
			'Anyformat allows at most 50 active webhook subscriptions per organization. Deactivate workflows with an Anyformat Trigger you no longer use, or delete unused subscriptions (DELETE /v2/webhooks/{id}/ in the Anyformat API), then activate this workflow again.';
	} else if (!url.startsWith('https://') || /https|url/.test(text)) {
		message = `Anyformat refused the webhook URL ${url}`;
		description =
			'Anyformat delivers events only to public HTTPS URLs. Set the WEBHOOK_URL environment variable of n8n to the public https:// address of this n8n instance (for example behind a reverse proxy or a tunnel), restart n8n, then activate the workflow again.';
	} else if (info.status === 403) {
		message = 'Anyformat refused to create the webhook subscription (HTTP 403)';
		description =
			'The API key in the "Anyformat API" credential may not be allowed to manage webhooks. Check the key at app.anyformat.ai/settings, then activate the workflow again.';
	} else {
		message = `Anyformat refused the webhook subscription (HTTP ${info.status})`;
		description =
			'Check the events selected in the node and the API key, then activate the workflow again.';
	}
	if (said) description += ` Anyformat said: ${said}`;
	if (info.requestId) description += ` (Anyformat request_id: ${info.requestId})`;
	const errorCode = info.errorCode === undefined ? null : redact(info.errorCode);
	return new NodeApiError(
		node,
		{ httpCode: String(info.status), error_code: errorCode } as JsonObject,
		{ message: redact(message), description: redact(description), httpCode: String(info.status) },
	);
}
