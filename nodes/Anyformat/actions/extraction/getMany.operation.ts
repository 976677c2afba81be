import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readId, readLimit } from '../../helpers/inputs';
import { assembleOutput, eachItem } from '../../helpers/outputs';
import { getAll } from '../../transport/api';
import { endpoints } from '../../transport/endpoints';
import { ApiSession } from '../../transport/request';
import { workflowRLC } from '../common.descriptions';
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
	let session: ApiSession | undefined;
	const outcomes = await eachItem(
		this.getNode(),
		items,
		async (itemIndex) => {
			const workflowId = readId(this, 'workflowId', itemIndex);
			const limit = readLimit(this, itemIndex);
			session ??= await ApiSession.create(this, itemIndex);
			const runs = await getAll<IDataObject>(
				session,
				endpoints.runs(workflowId),
				limit,
				itemIndex,
				`workflow "${workflowId}"`,
			);
			return runs.map((run) => ({ ...run, collection_id: run.id, workflow_id: workflowId }));
		},
		this.continueOnFail(),
	);
	return assembleOutput(this, outcomes);
}
