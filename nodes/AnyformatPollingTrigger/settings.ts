import type { IDataObject, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { TriggerResultSettings } from '../shared/triggerSettings';
import { readResultSettings } from '../shared/triggerSettings';
import { WEBHOOK_EVENTS } from '../shared/transport/webhooks';

export interface PollSettings extends TriggerResultSettings {
	workflowId: string;
	events: string[];
	/** Include Runs Finished In The Last (hours); 0: start from now */
	backlogHours: number;
}

export function readSettings(ctx: IPollFunctions): PollSettings {
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const workflowId = String(
		ctx.getNodeParameter('workflowId', '', { extractValue: true }) ?? '',
	).trim();
	if (!workflowId) {
		throw new NodeOperationError(ctx.getNode(), 'Choose the Anyformat workflow to watch', {
			description: 'The runs list is per workflow: pick one in the Workflow parameter.',
		});
	}
	const rawEvents = ctx.getNodeParameter('events', []) as unknown;
	const chosen = new Set(Array.isArray(rawEvents) ? rawEvents.map(String) : []);
	const events = WEBHOOK_EVENTS.filter((event) => chosen.has(event));
	if (events.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Select at least one event', {
			description:
				'Open the Anyformat Polling Trigger and choose the events that should start the workflow.',
		});
	}
	const backlogHours = Number(options.includeFinishedWithin ?? 0);
	return {
		...readResultSettings(ctx),
		workflowId,
		events,
		backlogHours: Number.isFinite(backlogHours) && backlogHours > 0 ? backlogHours : 0,
	};
}
