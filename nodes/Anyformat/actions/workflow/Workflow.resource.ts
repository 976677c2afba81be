import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getMany from './getMany.operation';

export { get, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['workflow'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: 'Get a workflow and the fields it extracts',
				action: 'Get a workflow',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List the workflows of the organization',
				action: 'Get many workflows',
			},
		],
		default: 'getMany',
	},
	...get.description,
	...getMany.description,
];
