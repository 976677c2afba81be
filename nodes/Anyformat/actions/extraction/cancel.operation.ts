import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readId } from '../../helpers/inputs';
import { eachItem } from '../../helpers/outputs';
import { deleteCollection } from '../../../shared/transport/api';
import { collectionIdField } from '../../../shared/descriptions';

const properties: INodeProperties[] = [
	{
		...collectionIdField,
		description:
			'The run to cancel. Anyformat deletes its file collection, which stops processing; the document and any results are removed for good.',
	},
];

const displayOptions = { show: { resource: ['extraction'], operation: ['cancel'] } };

export const description = updateDisplayOptions(displayOptions, properties);

export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await eachItem(this, items, async (itemIndex, session) => {
		const collectionId = readId(this, 'collectionId', itemIndex);
		await deleteCollection(await session(), collectionId, itemIndex);
		return [{ collection_id: collectionId, deleted: true }];
	});
}
