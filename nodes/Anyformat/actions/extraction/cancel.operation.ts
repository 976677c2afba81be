import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readId } from '../../helpers/inputs';
import { assembleOutput, eachItem } from '../../helpers/outputs';
import { deleteCollection } from '../../transport/api';
import { ApiSession } from '../../transport/request';
import { collectionIdField } from '../common.descriptions';

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
	let session: ApiSession | undefined;
	const outcomes = await eachItem(
		this.getNode(),
		items,
		async (itemIndex) => {
			const collectionId = readId(this, 'collectionId', itemIndex);
			session ??= await ApiSession.create(this, itemIndex);
			await deleteCollection(session, collectionId, itemIndex);
			return [{ collection_id: collectionId, deleted: true }];
		},
		this.continueOnFail(),
	);
	return assembleOutput(this, outcomes);
}
