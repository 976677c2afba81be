import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readLimit } from '../../helpers/inputs';
import { assembleOutput, eachItem } from '../../helpers/outputs';
import { getAll } from '../../transport/api';
import { endpoints } from '../../transport/endpoints';
import { ApiSession } from '../../transport/request';

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
	let session: ApiSession | undefined;
	const outcomes = await eachItem(
		this.getNode(),
		items,
		async (itemIndex) => {
			const limit = readLimit(this, itemIndex);
			session ??= await ApiSession.create(this, itemIndex);
			return await getAll<IDataObject>(session, endpoints.workflows(), limit, itemIndex);
		},
		this.continueOnFail(),
	);
	return assembleOutput(this, outcomes);
}
