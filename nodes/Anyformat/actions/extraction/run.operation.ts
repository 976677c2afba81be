import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import type { DocumentToSubmit } from '../../helpers/document';
import { readDocument } from '../../helpers/document';
import { skipAlreadySent, skipAlreadySentOption } from '../../helpers/alreadySent';
import { readId, readResultOptions } from '../../helpers/inputs';
import type { ItemOutcome } from '../../helpers/outputs';
import { asNodeError, assembleOutput, sessionForBatch } from '../../helpers/outputs';
import type { RunPlan } from '../../batch/run';
import { runDocuments } from '../../batch/run';
import {
	optionsCollection,
	outputField,
	resultOptions,
	timeoutOption,
	workflowRLC,
} from '../../../shared/descriptions';

const whenWaiting = { show: { '/waitForResults': [true] } };

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
			{
				name: 'URL',
				value: 'url',
				description: 'A link to the file (PDF, image, ...), downloaded by n8n and sent on',
			},
		],
		description:
			'What the document is: a file on the input item, its text, or a direct link to the file. An AI agent can pass text or a link, not a file.',
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
		description:
			"The document's text itself, e.g. an e-mail body or the text a user gave an AI agent (at most 1,000,000 bytes in UTF-8; send anything longer as a file)",
		displayOptions: { show: { inputType: ['text'] } },
	},
	{
		displayName: 'URL',
		name: 'url',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/invoice.pdf',
		description:
			'A direct http(s) link to the document file (not a web page that shows it), e.g. a signed storage URL. n8n downloads it (its proxy and SSRF settings apply) and streams it to Anyformat.',
		displayOptions: { show: { inputType: ['url'] } },
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
	optionsCollection([
		{
			displayName: 'File Name',
			name: 'fileName',
			type: 'string',
			default: '',
			description:
				"The file name sent to Anyformat, instead of the binary's own (or, for a URL, the one the link gives)",
			displayOptions: { show: { '/inputType': ['binary', 'url'] } },
		},
		{
			displayName: 'MIME Type',
			name: 'mimeType',
			type: 'string',
			default: '',
			placeholder: 'application/pdf',
			description:
				"The MIME type sent to Anyformat, instead of the binary's own (or, for a URL, the link's Content-Type)",
			displayOptions: { show: { '/inputType': ['binary', 'url'] } },
		},
		{
			displayName: 'Maximum Download Size (MB)',
			name: 'maxDownloadSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 10240 },
			default: 100,
			description:
				'A link whose file is larger than this is refused before anything is sent (the download is streamed, so this guards against wrong links, not memory)',
			displayOptions: { show: { '/inputType': ['url'] } },
		},
		...resultOptions(whenWaiting),
		skipAlreadySentOption,
		{ ...timeoutOption, displayOptions: whenWaiting },
	]),
];

const displayOptions = { show: { resource: ['extraction'], operation: ['run'] } };

export const description = updateDisplayOptions(displayOptions, properties);

type Plan = Omit<RunPlan, 'deadline'>;

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

	// nothing is sent without a session: the claims are released (an empty map: none was sent)
	const session = await sessionForBatch(
		this,
		plans.map((plan) => plan.itemIndex),
		outcomes,
	).catch(async (error: unknown) => {
		await alreadySent.record(new Map());
		throw error;
	});
	if (!session) {
		await alreadySent.record(new Map());
		return assembleOutput(this, outcomes);
	}
	const deadlineOf = (plan: Plan) =>
		plan.wait ? startedAt + plan.options.timeoutSeconds * 1000 : Infinity;
	const jobs = plans.map((plan) => ({ ...plan, deadline: deadlineOf(plan) }));
	await runDocuments(this, session, jobs, outcomes, alreadySent.record);
	return assembleOutput(this, outcomes);
}
