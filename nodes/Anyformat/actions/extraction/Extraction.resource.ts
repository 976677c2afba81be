import type { INodeProperties } from 'n8n-workflow';

import * as cancel from './cancel.operation';
import * as getMany from './getMany.operation';
import * as getResults from './getResults.operation';
import * as run from './run.operation';
import * as wait from './wait.operation';

export { cancel, getMany, getResults, run, wait };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['extraction'] } },
		options: [
			{
				name: 'Cancel',
				value: 'cancel',
				description: 'Stop a run and delete its document and results',
				action: 'Cancel a run',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List the runs of a workflow with their status',
				action: 'Get many runs',
			},
			{
				name: 'Get Results',
				value: 'getResults',
				description: 'Get the results of a run once, finished or not',
				action: 'Get the results of a run',
			},
			{
				name: 'Run',
				value: 'run',
				description: 'Send a document through a workflow and, by default, wait for its results',
				action: 'Run a document through a workflow',
			},
			{
				name: 'Wait',
				value: 'wait',
				description: 'Wait for a run to finish and get its results',
				action: 'Wait for a run to finish',
			},
		],
		default: 'run',
	},
	...run.description,
	...getResults.description,
	...wait.description,
	...getMany.description,
	...cancel.description,
];
