import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readId, readLimit } from '../../helpers/inputs';
import { eachItem } from '../../helpers/outputs';
import { getAll } from '../../../shared/transport/api';
import { endpoints } from '../../../shared/transport/endpoints';
import { workflowRLC } from '../../../shared/descriptions';
import { returnAllFields } from '../workflow/getMany.operation';

const properties: INodeProperties[] = [
	{ ...workflowRLC, description: 'The Anyformat workflow whose runs to list' },
	...returnAllFields,
];

const displayOptions = { show: { resource: ['extraction'], operation: ['getMany'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** Lists a workflow's runs (newest first as the API orders them): `{id, status, created_at, updated_at}`. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await eachItem(this, items, async (itemIndex, session) => {
		const workflowId = readId(this, 'workflowId', itemIndex);
		const limit = readLimit(this, itemIndex);
		const runs = await getAll<IDataObject>(
			await session(),
			endpoints.runs(workflowId),
			limit,
			itemIndex,
			`workflow "${workflowId}"`,
		);
		return runs.map((run) => ({ ...run, collection_id: run.id, workflow_id: workflowId }));
	});
}
