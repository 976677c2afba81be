/**
 * n8n's deduplication store for the harness. A real n8n registers its database-backed
 * `DeduplicationHelper` (packages/cli/src/deduplication/deduplication-helper.ts) with n8n-core's
 * `DataDeduplicationService.init()`; n8n-core alone has none, so `this.helpers.checkProcessedAndRecord`
 * would throw. This mirrors that class in memory for mode 'entries' (the one the node uses): one
 * record per workflow and context (`n:<node id>` for scope 'node', '' for 'workflow'), values kept
 * as MD5 base64 hashes, `maxEntries` keeping the newest. The real one is proven in the queue-mode
 * suite (test/queue).
 */
import { createHash } from 'node:crypto';

import type {
	DeduplicationItemTypes,
	DeduplicationScope,
	ICheckProcessedContextData,
	ICheckProcessedOptions,
	IDataDeduplicator,
	IDeduplicationOutput,
} from 'n8n-workflow';

const records = new Map<string, { mode: string; data: string[] }>();

function recordKey(scope: DeduplicationScope, context: ICheckProcessedContextData): string {
	if (scope === 'node' && !context.node) throw new Error("No node information has been provided and so cannot use scope 'node'");
	return `${String(context.workflow.id)}|${scope === 'node' ? `n:${context.node!.id}` : ''}`;
}

const hash = (value: DeduplicationItemTypes) => createHash('md5').update(value.toString()).digest('base64');

function entriesOnly(options: ICheckProcessedOptions) {
	if (options.mode !== 'entries') throw new Error(`[test harness] deduplication mode ${options.mode} is not mirrored`);
}

export class HarnessDeduplicator implements IDataDeduplicator {
	async checkProcessedAndRecord(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData, options: ICheckProcessedOptions): Promise<IDeduplicationOutput> {
		entriesOnly(options);
		const key = recordKey(scope, context);
		const record = records.get(key) ?? { mode: options.mode, data: [] };
		if (record.mode !== options.mode) throw new Error('Deduplication data was originally saved with an incompatible setting');
		const output: IDeduplicationOutput = { new: [], processed: [] };
		for (const item of items) {
			const h = hash(item);
			if (record.data.includes(h)) output.processed.push(item);
			else {
				output.new.push(item);
				record.data.push(h);
			}
		}
		if (options.maxEntries) record.data.splice(0, Math.max(0, record.data.length - options.maxEntries));
		records.set(key, record);
		return output;
	}

	async removeProcessed(items: DeduplicationItemTypes[], scope: DeduplicationScope, context: ICheckProcessedContextData, options: ICheckProcessedOptions): Promise<void> {
		entriesOnly(options);
		const record = records.get(recordKey(scope, context));
		if (!record) return;
		for (const item of items) {
			const index = record.data.indexOf(hash(item));
			if (index !== -1) record.data.splice(index, 1);
		}
	}

	async clearAllProcessedItems(scope: DeduplicationScope, context: ICheckProcessedContextData): Promise<void> {
		records.delete(recordKey(scope, context));
	}

	async getProcessedDataCount(scope: DeduplicationScope, context: ICheckProcessedContextData, options: ICheckProcessedOptions): Promise<number> {
		return options.mode === 'entries' ? (records.get(recordKey(scope, context))?.data.length ?? 0) : 0;
	}
}

/** How many entries the store holds for a node of the harness workflow (for tests). */
export function processedCount(workflowId: string, nodeId: string): number {
	return records.get(`${workflowId}|n:${nodeId}`)?.data.length ?? 0;
}

/** Empties the store (between tests). */
export function clearProcessed(): void {
	records.clear();
}
