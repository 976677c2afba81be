import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import * as extraction from './extraction/Extraction.resource';
import * as workflow from './workflow/Workflow.resource';

type Operation = {
	execute: (this: IExecuteFunctions, items: INodeExecutionData[]) => Promise<INodeExecutionData[]>;
};

const resources: Record<string, Record<string, Operation>> = {
	extraction: {
		run: extraction.run,
		getResults: extraction.getResults,
		wait: extraction.wait,
		getMany: extraction.getMany,
		cancel: extraction.cancel,
	},
	workflow: { get: workflow.get, getMany: workflow.getMany },
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = resources[resource]?.[operation];
	if (!handler) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
			{
				description: 'Pick an operation from the list in the node.',
			},
		);
	}
	return [await handler.execute.call(this, items)];
}
