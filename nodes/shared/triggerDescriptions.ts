import type { INodeProperties } from 'n8n-workflow';

import { outputField } from './descriptions';

/** Parameters every Anyformat trigger shares, with the same names and meanings. */
export const eventsField: INodeProperties = {
	displayName: 'Events',
	name: 'events',
	type: 'multiOptions',
	required: true,
	default: ['extraction.completed', 'extraction.failed'],
	options: [
		{
			name: 'Extraction Completed',
			value: 'extraction.completed',
			description: 'A run finished and its results are available',
		},
		{
			name: 'Extraction Failed',
			value: 'extraction.failed',
			description: 'A run ended in an error or was cancelled',
		},
	],
	description: 'The events that start the workflow',
};

export const fetchResultsField: INodeProperties = {
	displayName: 'Fetch Results',
	name: 'fetchResults',
	type: 'boolean',
	default: true,
	description:
		'Whether to output the results of the run, like the Get Results operation of the Anyformat node, instead of the event itself. Either way the state of the run is checked with the API before the workflow starts, so a forged event cannot start it.',
};

export const triggerOutputField: INodeProperties = {
	...outputField,
	displayOptions: { show: { fetchResults: [true] } },
};

/** For options that only matter when results are fetched */
export const showWithResults = { show: { '/fetchResults': [true] } };
