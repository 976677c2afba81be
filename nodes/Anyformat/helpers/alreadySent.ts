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
import { claimDecision, keysToRelease } from './alreadySentDecision';
import { normalizeRunId } from '../../shared/runId';

/**
 * Run option *Skip Documents Already Sent*: a document whose content this node already sent to the
 * same Anyformat workflow, in any earlier execution, is not sent again. Each document's key is claimed
 * in n8n's own deduplication store (`checkProcessedAndRecord`, in n8n's database, so it holds across
 * executions, queue-mode workers and restarts) before it is sent; see alreadySentDecision.ts.
 */
export const skipAlreadySentOption: INodeProperties = {
	displayName: 'Skip Documents Already Sent',
	name: 'skipAlreadySent',
	type: 'boolean',
	default: false,
	description:
		"Whether to skip documents this node already sent (or is sending right now in another execution) to the same Anyformat workflow, e.g. when re-running a crashed or failed execution. A document is recognised by the SHA-256 of its content; n8n keeps the last 10,000 in its database. A skipped item says so, with the hash, instead of results: get those with Get Many and Get Results.",
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

/** What became of a sent item, as far as its claim is concerned. */
export interface SentState {
	state: string;
}

export interface AlreadySent<T extends Job> {
	/** the jobs still to send (their keys are claimed by this execution) */
	jobs: T[];
	/**
	 * Settles the claims once the batch's submissions end: keeps those of documents the API took or may
	 * have taken, releases the others (an item missing from `sent` was not sent: pass an empty map when
	 * nothing was).
	 */
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
 * Claims the keys of the jobs (with the option on) and leaves out those another execution had
 * already claimed or recorded, giving each a `skipped` outcome. The key holds the workflow id in its
 * one spelling (`normalizeRunId`), so a re-run with the same UUID spelled otherwise is recognised.
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
		const key = `anyformat:${normalizeRunId(job.workflowId)}:${sha256}`;
		keyed.set(job.itemIndex, { itemIndex: job.itemIndex, workflowId: job.workflowId, sha256, key });
	}
	const keys = [...new Set([...keyed.values()].map((k) => k.key))];
	// the check is the claim: a key new to the store is recorded by this same call
	const { processed } = await ctx.helpers.checkProcessedAndRecord(keys, SCOPE, RECORD);
	const inStore = new Set(processed.map(String));
	const remaining = jobs.filter((job) => {
		const entry = keyed.get(job.itemIndex);
		if (!entry || claimDecision({ at: 'check', inStore: inStore.has(entry.key) }) === 'send') {
			return true;
		}
		outcomes[job.itemIndex] = { json: [skippedItem(entry)] };
		keyed.delete(job.itemIndex);
		return false;
	});
	return {
		jobs: remaining,
		record: async (sent) => await releaseNotTaken(ctx, keyed, sent),
	};
}

/** Releases the claims of the documents the API certainly did not take (refused, not sent). */
async function releaseNotTaken(
	ctx: IExecuteFunctions,
	keyed: Map<number, Keyed>,
	sent: ReadonlyMap<number, SentState>,
): Promise<void> {
	const keys = keysToRelease(
		[...keyed.values()].map((entry) => ({ key: entry.key, state: sent.get(entry.itemIndex)?.state })),
	);
	if (keys.length === 0) return;
	try {
		await ctx.helpers.removeProcessed(keys, SCOPE, RECORD);
	} catch (error) {
		// nothing is sent twice; only a re-run skips these documents (its items say how to check)
		ctx.logger?.warn('Anyformat: could not release the documents not sent', {
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
			message: `This document (SHA-256 ${entry.sha256}) was not sent: this node already sent it to Anyformat workflow ${entry.workflowId} in an earlier execution, or another execution of this node is sending it right now. Before re-running it, check: list the workflow's runs with Extraction → Get Many and fetch the run with Get Results (or let the Anyformat Trigger deliver them).`,
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
