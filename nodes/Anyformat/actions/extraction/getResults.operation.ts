import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readId, readResultOptions } from '../../helpers/inputs';
import type { ItemOutcome } from '../../helpers/outputs';
import { asNodeError, assembleOutput } from '../../helpers/outputs';
import { watchOutcome } from '../../batch/settle';
import { getResults } from '../../../shared/transport/api';
import { ApiSession } from '../../../shared/transport/request';
import {
	collectionIdField,
	optionsCollection,
	outputField,
	resultOptions,
	runWorkflowRLC,
} from '../../../shared/descriptions';

const properties: INodeProperties[] = [
	collectionIdField,
	runWorkflowRLC,
	outputField,
	optionsCollection(resultOptions()),
];

const displayOptions = { show: { resource: ['extraction'], operation: ['getResults'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** Reads results once. A run still processing gives one item with `anyformat.status: "processing"`. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const continueOnFail = this.continueOnFail();
	const outcomes: ItemOutcome[] = [];
	let session: ApiSession | undefined;
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const collectionId = readId(this, 'collectionId', itemIndex);
			const workflowId = readId(this, 'workflowId', itemIndex);
			const options = readResultOptions(this, itemIndex);
			session ??= await ApiSession.create(this, itemIndex);
			const result = await getResults(session, workflowId, collectionId, itemIndex);
			const target = { itemIndex, workflowId, collectionId };
			outcomes.push(
				result.state === 'processing'
					? {
							json: [
								{
									anyformat: {
										collection_id: collectionId,
										workflow_id: workflowId,
										status: 'processing',
									},
								},
							],
						}
					: watchOutcome(this, target, result, options),
			);
		} catch (error) {
			if (!continueOnFail) throw asNodeError(this.getNode(), error, itemIndex);
			outcomes.push({ error: asNodeError(this.getNode(), error, itemIndex) });
		}
	}
	return assembleOutput(this, outcomes);
}
