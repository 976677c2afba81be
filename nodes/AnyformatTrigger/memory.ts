import type { IDataObject } from 'n8n-workflow';

import { normalizeRunId } from '../shared/runId';
import type { SigningReading } from './signature';
import { isSigningReading } from './signature';

/**
 * What the trigger keeps in the workflow's static data (`getWorkflowStaticData('node')`):
 * the subscription and its one-time secret, and bounded lists of recent deliveries.
 *
 * n8n saves static data only when it sees a change (`__dataChanged`, set by an observable proxy on
 * assignments). A list loaded from the database is observed, but a list this node created is not,
 * so lists are always replaced by a new array, never changed in place: an assignment is always seen.
 */
export const MAX_REMEMBERED = 1000;

export type RecentList = 'recentDeliveries' | 'recentMessageIds';

export interface SubscriptionMemory {
	webhookId?: string;
	webhookSecret?: string;
	webhookUrl?: string;
	webhookEvents?: string[];
	/** the signing reading the first verified delivery of this subscription used (signature.ts) */
	webhookSignatureReading?: SigningReading;
}

export function subscriptionOf(memory: IDataObject): SubscriptionMemory {
	return {
		webhookId: typeof memory.webhookId === 'string' ? memory.webhookId : undefined,
		webhookSecret: typeof memory.webhookSecret === 'string' ? memory.webhookSecret : undefined,
		webhookUrl: typeof memory.webhookUrl === 'string' ? memory.webhookUrl : undefined,
		webhookEvents: Array.isArray(memory.webhookEvents)
			? (memory.webhookEvents as unknown[]).map(String)
			: undefined,
		webhookSignatureReading: isSigningReading(memory.webhookSignatureReading)
			? memory.webhookSignatureReading
			: undefined,
	};
}

export function rememberSubscription(memory: IDataObject, subscription: SubscriptionMemory): void {
	memory.webhookId = subscription.webhookId;
	if (subscription.webhookSecret !== undefined) memory.webhookSecret = subscription.webhookSecret;
	else delete memory.webhookSecret;
	memory.webhookUrl = subscription.webhookUrl;
	memory.webhookEvents = subscription.webhookEvents;
	// a new subscription: its deliveries have not shown their signing reading yet
	delete memory.webhookSignatureReading;
}

export function rememberSignatureReading(memory: IDataObject, reading: SigningReading): void {
	memory.webhookSignatureReading = reading;
}

export function forgetSubscription(memory: IDataObject): void {
	delete memory.webhookId;
	delete memory.webhookSecret;
	delete memory.webhookUrl;
	delete memory.webhookEvents;
	delete memory.webhookSignatureReading;
}

function listOf(memory: IDataObject, list: RecentList): string[] {
	const value = memory[list];
	return Array.isArray(value)
		? (value as unknown[]).filter((v): v is string => typeof v === 'string')
		: [];
}

export function hasSeen(memory: IDataObject, list: RecentList, key: string): boolean {
	return listOf(memory, list).includes(key);
}

/** Adds `key` as the most recent entry (moving it if present) and keeps the last MAX_REMEMBERED. */
export function remember(memory: IDataObject, list: RecentList, key: string): void {
	const next = listOf(memory, list).filter((k) => k !== key);
	next.push(key);
	memory[list] = next.slice(-MAX_REMEMBERED);
}

export function deliveryKey(event: string, extractionId: string): string {
	return `${event} ${normalizeRunId(extractionId)}`;
}
