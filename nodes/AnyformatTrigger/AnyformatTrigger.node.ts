import type {
	IHookFunctions,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
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
import { checkExists, create, remove } from './lifecycle';
import { receiveDelivery } from './receive';

export class AnyformatTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Anyformat Trigger',
		name: 'anyformatTrigger',
		icon: { light: 'file:../../icons/anyformat.svg', dark: 'file:../../icons/anyformat.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).join(", ") }}',
		description:
			'Starts the workflow when an Anyformat extraction completes or fails, through a webhook (needs a public HTTPS URL; without one, use the Anyformat Polling Trigger)',
		defaults: { name: 'Anyformat Trigger' },
		inputs: [],
		// one main output; two (Results, Needs Review) with Options → Route For Review
		outputs: triggerOutputsExpression,
		credentials: [{ name: 'anyformatApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				path: 'webhook',
			},
		],
		properties: [
			eventsField,
			{
				...workflowRLC,
				required: false,
				description:
					'Only runs of this Anyformat workflow start the trigger. Leave empty for every workflow of the organization.',
			},
			fetchResultsField,
			triggerOutputField,
			optionsCollection([
				...resultOptions(showWithResults),
				{
					displayName: 'Require Signature',
					name: 'requireSignature',
					type: 'boolean',
					default: false,
					description:
						'Whether to refuse deliveries that carry no verifiable signature from the start. Without it, such deliveries are still checked with the API and their items say signature "unverified", until a first delivery verifies: from then on only signed deliveries are accepted. Anyformat does not document its signing scheme, so turn this on only once you have seen signed deliveries start this workflow.',
				},
			]),
		],
	};

	methods = { listSearch: { searchWorkflows } };

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await checkExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await create.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await remove.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await receiveDelivery.call(this);
	}
}
