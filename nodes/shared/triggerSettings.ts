import type {
	IDataObject,
	IHookFunctions,
	INode,
	IPollFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { OutputMode, ReviewRule } from './transport/types';
import { WEBHOOK_EVENTS } from './transport/webhooks';

type TriggerContext = IHookFunctions | IPollFunctions | IWebhookFunctions;

export interface TriggerResultSettings {
	fetchResults: boolean;
	output: OutputMode;
	includeMarkdown: boolean;
	minimumConfidence: number;
	/** Route For Review on: the rule that sends an item to Needs Review */
	review?: ReviewRule;
}

/**
 * Fetch Results, Output and the result options of a trigger (triggerDescriptions.ts), read the same
 * way by every Anyformat trigger.
 */
export function readResultSettings(ctx: TriggerContext): TriggerResultSettings {
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const fetchResults = ctx.getNodeParameter('fetchResults', true) !== false;
	const minimumConfidence = Number(options.minimumConfidence ?? 0);
	return {
		fetchResults,
		output: (fetchResults
			? ctx.getNodeParameter('output', 'simplified')
			: 'simplified') as OutputMode,
		includeMarkdown: options.includeMarkdown === true,
		minimumConfidence: Number.isFinite(minimumConfidence) ? minimumConfidence : 0,
		review:
			fetchResults && options.routeForReview === true
				? {
						minimumConfidence: Number.isFinite(minimumConfidence) ? minimumConfidence : 0,
						unverified: options.reviewUnverified === true,
					}
				: undefined,
	};
}

/** The Workflow parameter's id; empty when none is chosen. */
export function workflowIdOf(ctx: TriggerContext): string {
	return String(ctx.getNodeParameter('workflowId', '', { extractValue: true }) ?? '').trim();
}

/** The selected events, in the API's order, without unknown values. */
export function selectedEvents(ctx: TriggerContext): string[] {
	const raw = ctx.getNodeParameter('events', []) as unknown;
	const chosen = new Set(Array.isArray(raw) ? raw.map(String) : []);
	return WEBHOOK_EVENTS.filter((event) => chosen.has(event));
}

export function noEventsSelected(node: INode): NodeOperationError {
	return new NodeOperationError(node, 'Select at least one event', {
		description: `Open the ${node.name} node and choose the events that should start the workflow.`,
	});
}
