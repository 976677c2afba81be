import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readId } from '../../helpers/inputs';
import { eachItem } from '../../helpers/outputs';
import { getWorkflow } from '../../../shared/transport/api';
import { workflowRLC } from '../../../shared/descriptions';

const properties: INodeProperties[] = [
	{ ...workflowRLC, description: 'The Anyformat workflow to get' },
];

const displayOptions = { show: { resource: ['workflow'], operation: ['get'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** A workflow with the fields it extracts: `{id, name, description, fields: [{name, description, data_type}]}`. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	return await eachItem(this, items, async (itemIndex, session) => {
		const workflowId = readId(this, 'workflowId', itemIndex);
		return [await getWorkflow(await session(), workflowId, itemIndex)];
	});
}
