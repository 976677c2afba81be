import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { actionOutputs, splitForReview } from '../../shared/mapping/review';
import { readResultOptions } from '../helpers/inputs';
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
	const output = await handler.execute.call(this, items);
	// as an AI agent's tool the node has one output: the agent cannot route
	const asTool = this.getNode().type.endsWith('Tool');
	if (asTool || actionOutputs(this.getNode().parameters).length === 1) return [output];
	return splitForReview(output, (itemIndex) => {
		try {
			return readResultOptions(this, itemIndex).review;
		} catch {
			return undefined; // that item's options are bad: it is an error item already
		}
	});
}
