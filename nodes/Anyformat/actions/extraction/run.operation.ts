import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { DocumentToSubmit } from '../../helpers/document';
import { readDocument } from '../../helpers/document';
import { skipAlreadySent, skipAlreadySentOption } from '../../helpers/alreadySent';
import { readId, readResultOptions } from '../../helpers/inputs';
import type { ItemOutcome } from '../../helpers/outputs';
import { asNodeError, assembleOutput, sessionForBatch } from '../../helpers/outputs';
import { runOutcomes } from '../../batch/runOutcomes';
import type { SubmitJob } from '../../batch/submitter';
import { submitAll } from '../../batch/submitter';
import {
	includeMarkdownOption,
	minimumConfidenceOption,
	outputField,
	timeoutOption,
	workflowRLC,
} from '../../../shared/descriptions';

const properties: INodeProperties[] = [
	workflowRLC,
	{
		displayName: 'Input Type',
		name: 'inputType',
		type: 'options',
		default: 'binary',
		options: [
			{
				name: 'Binary File',
				value: 'binary',
				description: 'A PDF, image or other file from a binary property',
			},
			{ name: 'Text', value: 'text', description: 'Plain text, e.g. an email body' },
		],
	},
	{
		displayName: 'Input Binary Field',
		name: 'binaryPropertyName',
		type: 'string',
		default: 'data',
		required: true,
		hint: 'The name of the binary property that holds the document',
		displayOptions: { show: { inputType: ['binary'] } },
	},
	{
		displayName: 'Text',
		name: 'text',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		required: true,
		description: 'The text to process',
		displayOptions: { show: { inputType: ['text'] } },
	},
	{
		displayName: 'Wait for Results',
		name: 'waitForResults',
		type: 'boolean',
		default: true,
		description:
			"Whether to wait for the run to finish and output its results. Turn off to output the run's receipt (collection_id) at once, e.g. to pick the results up with the Anyformat Trigger.",
	},
	{
		...outputField,
		displayOptions: { show: { waitForResults: [true] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'File Name',
				name: 'fileName',
				type: 'string',
				default: '',
				description: "The file name sent to Anyformat, instead of the binary's own",
				displayOptions: { show: { '/inputType': ['binary'] } },
			},
			{ ...includeMarkdownOption, displayOptions: { show: { '/waitForResults': [true] } } },
			{
				displayName: 'MIME Type',
				name: 'mimeType',
				type: 'string',
				default: '',
				placeholder: 'application/pdf',
				description: "The MIME type sent to Anyformat, instead of the binary's own",
				displayOptions: { show: { '/inputType': ['binary'] } },
			},
			{ ...minimumConfidenceOption, displayOptions: { show: { '/waitForResults': [true] } } },
			skipAlreadySentOption,
			{ ...timeoutOption, displayOptions: { show: { '/waitForResults': [true] } } },
		],
	},
];

const displayOptions = { show: { resource: ['extraction'], operation: ['run'] } };

export const description = updateDisplayOptions(displayOptions, properties);

interface Plan extends SubmitJob {
	wait: boolean;
	options: ReturnType<typeof readResultOptions>;
}

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const startedAt = Date.now();
	const continueOnFail = this.continueOnFail();
	const outcomes: ItemOutcome[] = new Array(items.length);

	// Every item's input is checked before anything is sent, so bad input never leaves a batch half-submitted.
	const plans: Plan[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const workflowId = readId(this, 'workflowId', itemIndex);
			const options = readResultOptions(this, itemIndex);
			const document: DocumentToSubmit = await readDocument(this, itemIndex);
			const wait = this.getNodeParameter('waitForResults', itemIndex, true) as boolean;
			plans.push({ itemIndex, workflowId, document, wait, options });
		} catch (error) {
			if (!continueOnFail) throw asNodeError(this.getNode(), error, itemIndex);
			outcomes[itemIndex] = { error: asNodeError(this.getNode(), error, itemIndex) };
		}
	}
	const alreadySent = await skipAlreadySent(this, plans, outcomes);
	plans.splice(0, plans.length, ...alreadySent.jobs);
	if (plans.length === 0) return assembleOutput(this, outcomes);

	const session = await sessionForBatch(
		this,
		plans.map((plan) => plan.itemIndex),
		outcomes,
	);
	if (!session) return assembleOutput(this, outcomes);
	const deadlineOf = (plan: Plan) =>
		plan.wait ? startedAt + plan.options.timeoutSeconds * 1000 : Infinity;
	const submitted = await submitAll(session, plans, {
		stopOnFailure: !continueOnFail,
		deadline: Math.max(...plans.map(deadlineOf)),
	});
	await alreadySent.record(submitted);

	await runOutcomes(this, session, plans, submitted, outcomes, deadlineOf);
	return assembleOutput(this, outcomes);
}
