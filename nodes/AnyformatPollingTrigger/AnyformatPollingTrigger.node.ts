import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';

import {
	optionsCollection,
	resultOptions,
	triggerOutputsExpression,
	workflowRLC,
} from '../shared/descriptions';
import { searchWorkflows } from '../shared/methods/listSearch';
import {
	eventsField,
	fetchResultsField,
	showWithResults,
	triggerOutputField,
} from '../shared/triggerDescriptions';
import { pollRuns } from './poll';

export class AnyformatPollingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Anyformat Polling Trigger',
		name: 'anyformatPollingTrigger',
		icon: { light: 'file:../../icons/anyformat.svg', dark: 'file:../../icons/anyformat.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description:
			'Starts the workflow when an Anyformat extraction completes or fails, by reading the runs list on a schedule: no public URL needed, and runs that finished while n8n was down are caught up. For instant events on a public HTTPS URL use the Anyformat Trigger.',
		defaults: { name: 'Anyformat Polling Trigger' },
		polling: true,
		inputs: [],
		// one main output; two (Results, Needs Review) with Options → Route For Review
		outputs: triggerOutputsExpression,
		credentials: [{ name: 'anyformatApi', required: true }],
		properties: [
			{
				displayName:
					'Reads the runs list of one workflow at every poll. Each finished run starts the workflow once; a run is seen up to one poll interval after it finished.',
				name: 'pollingNotice',
				type: 'notice',
				default: '',
			},
			{
				...workflowRLC,
				description: 'The Anyformat workflow whose finished runs start this workflow',
			},
			eventsField,
			fetchResultsField,
			triggerOutputField,
			optionsCollection([
				...resultOptions(showWithResults),
				{
					displayName: 'Include Runs Finished In The Last',
					name: 'includeFinishedWithin',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: 0,
					description:
						'Hours. On the first activation, also emit runs that finished this long before it (a backlog, on purpose). 0 starts from the moment of activation. Has no effect once the trigger has polled.',
				},
			]),
		],
	};

	methods = { listSearch: { searchWorkflows } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollRuns.call(this);
	}
}
