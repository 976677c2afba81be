import type { IDataObject, IExecuteFunctions, INode, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { ApiSession } from '../../shared/transport/request';
import { ExecutionStoppedError } from '../../shared/pause';

/** What one input item produced: output JSONs, or the error that replaces them. */
export type ItemOutcome =
	| { json: IDataObject[] }
	| { error: Error & { description?: string | null }; anyformat?: IDataObject };

export function pairedItems(json: IDataObject[], itemIndex: number): INodeExecutionData[] {
	return json.map((entry) => ({ json: entry, pairedItem: { item: itemIndex } }));
}

/**
 * Assembles the node's output in input order. Without Continue On Fail the first error is thrown
 * (every error already names its item); with it, each error becomes an item paired with its input.
 */
export function assembleOutput(
	ctx: IExecuteFunctions,
	outcomes: ItemOutcome[],
): INodeExecutionData[] {
	const continueOnFail = ctx.continueOnFail();
	const output: INodeExecutionData[] = [];
	outcomes.forEach((outcome, itemIndex) => {
		if ('json' in outcome) {
			output.push(...pairedItems(outcome.json, itemIndex));
			return;
		}
		if (!continueOnFail) throw outcome.error;
		output.push(errorItem(outcome.error, itemIndex, outcome.anyformat));
	});
	return output;
}

export function errorItem(
	error: Error & { description?: string | null },
	itemIndex: number,
	anyformat?: IDataObject,
): INodeExecutionData {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	if (anyformat) json.anyformat = anyformat;
	return { json, pairedItem: { item: itemIndex } };
}

/** Errors leave the node as n8n errors, tied to their item. */
export function asNodeError(node: INode, error: unknown, itemIndex?: number): Error {
	if (
		error instanceof NodeApiError ||
		error instanceof NodeOperationError ||
		error instanceof ExecutionStoppedError
	) {
		return error;
	}
	return new NodeOperationError(node, error as Error, { itemIndex });
}

/**
 * Runs `work` for each item in turn, with one API session opened on first use, and assembles the
 * output (each item's error caught and tied to it).
 */
export async function eachItem(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	work: (itemIndex: number, session: () => Promise<ApiSession>) => Promise<IDataObject[]>,
): Promise<INodeExecutionData[]> {
	const node = ctx.getNode();
	const continueOnFail = ctx.continueOnFail();
	let shared: ApiSession | undefined;
	const outcomes: ItemOutcome[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		const session = async () => (shared ??= await ApiSession.create(ctx, itemIndex));
		try {
			outcomes.push({ json: await work(itemIndex, session) });
		} catch (error) {
			if (!continueOnFail) throw asNodeError(node, error, itemIndex);
			outcomes.push({ error: asNodeError(node, error, itemIndex) });
		}
	}
	return assembleOutput(ctx, outcomes);
}

/**
 * Opens the API session of a batch. When that fails (a bad Base URL in the credential), every item
 * still to be sent gets the error: with Continue On Fail, n8n would otherwise pass the input items on
 * as if they had been processed.
 */
export async function sessionForBatch(
	ctx: IExecuteFunctions,
	itemIndexes: number[],
	outcomes: ItemOutcome[],
): Promise<ApiSession | undefined> {
	try {
		return await ApiSession.create(ctx, itemIndexes[0]);
	} catch (error) {
		if (!ctx.continueOnFail()) throw asNodeError(ctx.getNode(), error, itemIndexes[0]);
		for (const itemIndex of itemIndexes) {
			outcomes[itemIndex] = { error: asNodeError(ctx.getNode(), error, itemIndex) };
		}
		return undefined;
	}
}
