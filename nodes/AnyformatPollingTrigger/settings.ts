import type { IDataObject, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { TriggerResultSettings } from '../shared/triggerSettings';
import {
	noEventsSelected,
	readResultSettings,
	selectedEvents,
	workflowIdOf,
} from '../shared/triggerSettings';

export interface PollSettings extends TriggerResultSettings {
	workflowId: string;
	events: string[];
	/** Include Runs Finished In The Last (hours); 0: start from now */
	backlogHours: number;
}

export function readSettings(ctx: IPollFunctions): PollSettings {
	const options = (ctx.getNodeParameter('options', {}) ?? {}) as IDataObject;
	const workflowId = workflowIdOf(ctx);
	if (!workflowId) {
		throw new NodeOperationError(ctx.getNode(), 'Choose the Anyformat workflow to watch', {
			description: 'The runs list is per workflow: pick one in the Workflow parameter.',
		});
	}
	const events = selectedEvents(ctx);
	if (events.length === 0) throw noEventsSelected(ctx.getNode());
	const backlogHours = Number(options.includeFinishedWithin ?? 0);
	return {
		...readResultSettings(ctx),
		workflowId,
		events,
		backlogHours: Number.isFinite(backlogHours) && backlogHours > 0 ? backlogHours : 0,
	};
}
