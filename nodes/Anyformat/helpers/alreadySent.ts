import { createHash } from 'crypto';
import type {
	ICheckProcessedOptions,
	IDataObject,
	IExecuteFunctions,
	INodeProperties,
} from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { DocumentToSubmit } from './document';
import type { ItemOutcome } from './outputs';

/**
 * Run option *Skip Documents Already Sent*: a document whose content this node already sent to the
 * same Anyformat workflow, in any earlier execution, is not sent again. The record is n8n's own
 * deduplication store (`checkProcessedAndRecord`), which lives in n8n's database and so holds across
 * executions, queue-mode workers and restarts.
 */
export const skipAlreadySentOption: INodeProperties = {
	displayName: 'Skip Documents Already Sent',
	name: 'skipAlreadySent',
	type: 'boolean',
	default: false,
	description:
		"Whether to skip documents this node already sent to the same Anyformat workflow in an earlier execution, e.g. when re-running a crashed or failed execution. A document is recognised by the SHA-256 of its content; n8n keeps the last 10,000 in its database. A skipped item says so, with the hash, instead of results: get those with Get Many and Get Results.",
};

/** n8n's record is per node (its id survives renames) and keeps the newest entries */
const SCOPE = 'node' as const;
const RECORD: ICheckProcessedOptions = { mode: 'entries', maxEntries: 10_000 };

interface Job {
	itemIndex: number;
	workflowId: string;
	document: DocumentToSubmit;
}

interface Keyed {
	itemIndex: number;
	workflowId: string;
	sha256: string;
	key: string;
}

/** What became of a sent item, as far as recording it is concerned. */
export interface SentState {
	state: string;
}

export interface AlreadySent<T extends Job> {
	/** the jobs still to send */
	jobs: T[];
	/** records the documents the API took (or may have taken): call right after sending */
	record(sent: ReadonlyMap<number, SentState>): Promise<void>;
}

/** SHA-256 of the bytes the document's body streams: a binary is read from n8n's store in chunks. */
export async function documentSha256(document: DocumentToSubmit): Promise<string> {
	const hash = createHash('sha256');
	for (const [, value] of document.body()) {
		if (typeof value === 'string') hash.update(value, 'utf8');
		else for await (const chunk of value.stream()) hash.update(chunk);
	}
	return hash.digest('hex');
}

/**
 * Leaves out the jobs (with the option on) whose document was already sent, giving each a `skipped`
 * outcome. Nothing is recorded here: only `record`, once the API took a document.
 */
export async function skipAlreadySent<T extends Job>(
	ctx: IExecuteFunctions,
	jobs: T[],
	outcomes: ItemOutcome[],
): Promise<AlreadySent<T>> {
	const wanted = jobs.filter((job) => optionOn(ctx, job.itemIndex));
	if (wanted.length === 0) return { jobs, record: async () => {} };
	assertStore(ctx, wanted[0].itemIndex);
	const keyed = new Map<number, Keyed>();
	for (const job of wanted) {
		const sha256 = await documentSha256(job.document);
		const key = `anyformat:${job.workflowId}:${sha256}`;
		keyed.set(job.itemIndex, { itemIndex: job.itemIndex, workflowId: job.workflowId, sha256, key });
	}
	const keys = [...new Set([...keyed.values()].map((k) => k.key))];
	// n8n offers no read-only check: a check records, so the new keys are taken back at once, and
	// recorded for real only once the API has taken their documents
	const { processed, new: fresh } = await ctx.helpers.checkProcessedAndRecord(keys, SCOPE, RECORD);
	if (fresh.length) await ctx.helpers.removeProcessed(fresh, SCOPE, RECORD);
	const seen = new Set(processed.map(String));
	const remaining = jobs.filter((job) => {
		const entry = keyed.get(job.itemIndex);
		if (!entry || !seen.has(entry.key)) return true;
		outcomes[job.itemIndex] = { json: [skippedItem(entry)] };
		return false;
	});
	return {
		jobs: remaining,
		record: async (sent) => await recordSent(ctx, keyed, sent),
	};
}

/**
 * Records a document once the API took it (a receipt with its run id), and also when its fate is
 * unknown: that request may have created a run, and the package never risks running a document
 * twice. A document the API certainly did not take (refused, not sent) is not recorded, so a re-run
 * sends it.
 */
async function recordSent(
	ctx: IExecuteFunctions,
	keyed: Map<number, Keyed>,
	sent: ReadonlyMap<number, SentState>,
): Promise<void> {
	const keys = [...keyed.values()]
		.filter((entry) => ['submitted', 'unknown'].includes(sent.get(entry.itemIndex)?.state ?? ''))
		.map((entry) => entry.key);
	if (keys.length === 0) return;
	try {
		await ctx.helpers.checkProcessedAndRecord([...new Set(keys)], SCOPE, RECORD);
	} catch (error) {
		// the documents are sent and their results still come; only a later skip is lost
		ctx.logger?.warn('Anyformat: could not record the documents sent', {
			documents: keys.length,
			error: (error as Error).message,
		});
	}
}

function skippedItem(entry: Keyed): IDataObject {
	return {
		anyformat: {
			status: 'skipped',
			reason: 'already_sent',
			sha256: entry.sha256,
			workflow_id: entry.workflowId,
			collection_id: null,
			message: `This document (SHA-256 ${entry.sha256}) was already sent to Anyformat workflow ${entry.workflowId} by an earlier execution of this node, so it was not sent again. To get its results, list the workflow's runs with Extraction → Get Many and fetch the run with Get Results (or let the Anyformat Trigger deliver them).`,
		},
	};
}

function optionOn(ctx: IExecuteFunctions, itemIndex: number): boolean {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as IDataObject;
	return options.skipAlreadySent === true;
}

function assertStore(ctx: IExecuteFunctions, itemIndex: number): void {
	const helpers = ctx.helpers as Partial<IExecuteFunctions['helpers']>;
	if (
		typeof helpers.checkProcessedAndRecord !== 'function' ||
		typeof helpers.removeProcessed !== 'function'
	) {
		throw new NodeOperationError(
			ctx.getNode(),
			'"Skip Documents Already Sent" needs n8n’s deduplication store, which this n8n version does not offer',
			{
				itemIndex,
				description:
					'Update n8n (the store came with the Remove Duplicates node’s "across executions" mode), or turn the option off.',
			},
		);
	}
}
