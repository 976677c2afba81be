import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { updateDisplayOptions } from 'n8n-workflow';

import { readId, readResultOptions } from '../../helpers/inputs';
import type { ItemOutcome } from '../../helpers/outputs';
import { asNodeError, assembleOutput, sessionForBatch } from '../../helpers/outputs';
import { watchOutcome } from '../../batch/settle';
import type { WatchTarget } from '../../batch/watch';
import { watchRuns } from '../../batch/watch';
import {
	collectionIdField,
	optionsCollection,
	outputField,
	resultOptions,
	runWorkflowRLC,
	timeoutOption,
} from '../../../shared/descriptions';

const properties: INodeProperties[] = [
	collectionIdField,
	runWorkflowRLC,
	outputField,
	optionsCollection([...resultOptions(), timeoutOption]),
];

const displayOptions = { show: { resource: ['extraction'], operation: ['wait'] } };

export const description = updateDisplayOptions(displayOptions, properties);

/** Waits for every item's run at once and outputs its results. */
export async function execute(
	this: IExecuteFunctions,
	items: INodeExecutionData[],
): Promise<INodeExecutionData[]> {
	const startedAt = Date.now();
	const continueOnFail = this.continueOnFail();
	const outcomes: ItemOutcome[] = new Array(items.length);
	const targets: Array<WatchTarget & { options: ReturnType<typeof readResultOptions> }> = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const collectionId = readId(this, 'collectionId', itemIndex);
			const workflowId = readId(this, 'workflowId', itemIndex);
			const options = readResultOptions(this, itemIndex);
			targets.push({
				itemIndex,
				collectionId,
				workflowId,
				options,
				deadline: startedAt + options.timeoutSeconds * 1000,
			});
		} catch (error) {
			if (!continueOnFail) throw asNodeError(this.getNode(), error, itemIndex);
			outcomes[itemIndex] = { error: asNodeError(this.getNode(), error, itemIndex) };
		}
	}
	const session =
		targets.length > 0
			? await sessionForBatch(
					this,
					targets.map((target) => target.itemIndex),
					outcomes,
				)
			: undefined;
	if (session) {
		const watched = await watchRuns(session, targets, { checkFirst: true });
		for (const target of targets) {
			outcomes[target.itemIndex] = watchOutcome(
				this,
				target,
				watched.get(target.itemIndex),
				target.options,
			);
		}
	}
	return assembleOutput(this, outcomes);
}
