import type { INodeProperties } from 'n8n-workflow';
import { actionOutputs, triggerOutputs } from './mapping/review';

export const workflowRLC: INodeProperties = {
	displayName: 'Workflow',
	name: 'workflowId',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Anyformat workflow that processes the document',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchWorkflows', searchable: true },
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://app.anyformat.ai/workflows/0686bb97-8c30-70f0-8000-97669e000eb8',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: 'https?://[^/]+/workflows/([A-Za-z0-9_-]+).*',
						errorMessage: 'Not an Anyformat workflow URL',
					},
				},
			],
			extractValue: { type: 'regex', regex: 'https?://[^/]+/workflows/([A-Za-z0-9_-]+)' },
		},
		{
			displayName: 'ID',
			name: 'id',
			type: 'string',
			placeholder: '0686bb97-8c30-70f0-8000-97669e000eb8',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '[A-Za-z0-9][A-Za-z0-9_-]*',
						errorMessage: 'Not a valid Anyformat workflow ID',
					},
				},
			],
		},
	],
};

/** For operations on an existing run: defaults read the receipt of a Run without waiting. */
export const runWorkflowRLC: INodeProperties = {
	...workflowRLC,
	default: { mode: 'id', value: '={{ $json.workflow_id }}' },
	description: 'The Anyformat workflow the run belongs to',
};

export const collectionIdField: INodeProperties = {
	displayName: 'Collection ID',
	name: 'collectionId',
	type: 'string',
	default: '={{ $json.collection_id }}',
	required: true,
	placeholder: '069dcc2c-e14c-7606-8000-2ee4fb17b4e1',
	description: 'The ID of the run (its file collection), as returned by Run in "collection_id"',
};

export const outputField: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'simplified',
	options: [
		{
			name: 'Simplified',
			value: 'simplified',
			description:
				"One item per extracted document part, with each field's trusted value (the reviewer's override when there is one)",
		},
		{
			name: 'Detailed',
			value: 'detailed',
			description:
				'One item per extracted document part, each field with its value, override, confidence, verification status and evidence',
		},
		{
			name: 'Raw',
			value: 'raw',
			description: 'One item per run with the results exactly as Anyformat returned them',
		},
	],
};

export const timeoutOption: INodeProperties = {
	displayName: 'Timeout',
	name: 'timeout',
	type: 'number',
	typeOptions: { minValue: 1 },
	default: 900,
	description:
		'How long to wait for results, in seconds, counted from when this node starts. A run still processing then is reported with its collection_id so you can fetch it later.',
};

export const includeMarkdownOption: INodeProperties = {
	displayName: 'Include Markdown',
	name: 'includeMarkdown',
	type: 'boolean',
	default: false,
	description:
		'Whether to add the parsed document as markdown in anyformat.markdown (it can be large: figures are inlined as images)',
};

export const minimumConfidenceOption: INodeProperties = {
	displayName: 'Minimum Confidence',
	name: 'minimumConfidence',
	type: 'number',
	typeOptions: { minValue: 0, maxValue: 100 },
	default: 0,
	description:
		'Fields whose confidence (0–100) is below this are listed in anyformat.low_confidence_fields, for example to route them to a human review. 0 turns this off.',
};

export const routeForReviewOption: INodeProperties = {
	displayName: 'Route For Review',
	name: 'routeForReview',
	type: 'boolean',
	default: false,
	description:
		'Whether to send items a person should check to a second output, Needs Review: any field below Minimum Confidence (or, with Review Unverified Fields, not verified yet). Such an item lists those fields in anyformat.review_fields, and anyformat.verification_url opens the run in the Anyformat app. Fields a reviewer verified or corrected are never flagged. Set Minimum Confidence too.',
};

export const reviewUnverifiedOption: INodeProperties = {
	displayName: 'Review Unverified Fields',
	name: 'reviewUnverified',
	type: 'boolean',
	default: false,
	description:
		'Whether Route For Review also sends items with any field not yet verified in the Anyformat app (verification_status other than "verified") to Needs Review',
};

/** The options that shape results items, in every node that outputs results; `show` limits them to when results are output. */
export function resultOptions(show?: INodeProperties['displayOptions']): INodeProperties[] {
	return [
		includeMarkdownOption,
		minimumConfidenceOption,
		reviewUnverifiedOption,
		routeForReviewOption,
	].map((option) => (show ? { ...option, displayOptions: show } : option));
}

/** An Options collection, its entries in alphabetical order. */
export function optionsCollection(options: INodeProperties[]): INodeProperties {
	return {
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		// plain code-point order, as n8n's lint checks it ("MIME Type" before "Maximum …")
		options: [...options].sort((a, b) =>
			a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0,
		),
	};
}

/** `outputs` of the Anyformat node: a second output, Needs Review, with Route For Review on. */
export const actionOutputsExpression = `={{(${actionOutputs})($parameter)}}` as const;

/** `outputs` of a trigger (webhook or polling) with Route For Review. */
export const triggerOutputsExpression = `={{(${triggerOutputs})($parameter)}}` as const;
