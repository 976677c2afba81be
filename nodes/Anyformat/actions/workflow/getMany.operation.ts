import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readLimit } from '../../helpers/inputs';
import { eachItem } from '../../helpers/outputs';
import { getAll } from '../../../shared/transport/api';
import { endpoints } from '../../../shared/transport/endpoints';

export const returnAllFields: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		displayOptions: { show: { returnAll: [false] } },
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
	},
];

const displayOptions = { show: { resource: ['workflow'], operation: ['getMany'] } };

export const description = updateDisplayOptions(displayOptions, returnAllFields);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await eachItem(this, items, async (itemIndex, session) => {
		const limit = readLimit(this, itemIndex);
		return await getAll<IDataObject>(await session(), endpoints.workflows(), limit, itemIndex);
	});
}
