import type { CollectionFile } from '../transport/api';
import { listFilesPage, submitRun } from '../transport/api';
import type { ApiSession } from '../transport/request';
import { SubmissionFateUnknown } from '../transport/request';
import type { DocumentToSubmit } from './document';
import { pause, rethrowIfStopped } from './pause';
import type { RunReceipt } from './types';

export interface SubmitJob {
	itemIndex: number;
	workflowId: string;
	document: DocumentToSubmit;
}

export type SubmitOutcome =
	| { state: 'submitted'; receipt: RunReceipt; recovered: boolean }
	| { state: 'failed'; error: Error }
	| { state: 'unknown'; reason: string; startedAt: number }
	| { state: 'not-sent'; reason: 'earlier-failure' | 'deadline' };

const CONCURRENT_UPLOADS = 4;
const RECONCILE_DELAYS_MS = [2_000, 5_000];
const CLOCK_SKEW_MS = 120_000;

/**
 * Submits every job, in input order, as fast as the submission tier allows (the session's limiter
 * paces them). A submission whose fate is unknown is never sent again: once the others are done, the
 * workflow's file collections are searched for it (see `reconcile`).
 */
export async function submitAll(
	session: ApiSession,
	jobs: SubmitJob[],
	options: { stopOnFailure: boolean; deadline: number },
): Promise<Map<number, SubmitOutcome>> {
	const outcomes = new Map<number, SubmitOutcome>();
	let stopped = false;
	let next = 0;

	const worker = async () => {
		while (next < jobs.length) {
			const job = jobs[next++];
			if (stopped) {
				outcomes.set(job.itemIndex, { state: 'not-sent', reason: 'earlier-failure' });
				continue;
			}
			if (Date.now() >= options.deadline) {
				outcomes.set(job.itemIndex, { state: 'not-sent', reason: 'deadline' });
				continue;
			}
			try {
				const receipt = await submitRun(
					session,
					job.workflowId,
					job.document.body(),
					job.itemIndex,
				);
				outcomes.set(job.itemIndex, { state: 'submitted', receipt, recovered: false });
			} catch (error) {
				rethrowIfStopped(error);
				if (error instanceof SubmissionFateUnknown) {
					outcomes.set(job.itemIndex, {
						state: 'unknown',
						reason: error.reason,
						startedAt: error.startedAt,
					});
				} else {
					outcomes.set(job.itemIndex, { state: 'failed', error });
					if (options.stopOnFailure) stopped = true;
				}
			}
		}
	};
	await Promise.all(Array.from({ length: Math.min(CONCURRENT_UPLOADS, jobs.length) }, worker));

	const unknown = jobs.filter((job) => outcomes.get(job.itemIndex)?.state === 'unknown');
	if (unknown.length > 0) await reconcile(session, unknown, outcomes);
	return outcomes;
}

/**
 * Finds the run of a submission whose answer was lost (a reset, a timeout, a proxy error page). The
 * API has no idempotency key, so the run is looked for among the workflow's file collections: one
 * created since shortly before the submission, not already claimed by another item of this execution,
 * with the same file name (text inputs have none to compare). Only a single such candidate is adopted;
 * none or several leave the item as "fate unknown", and it is not sent again, so no document runs twice.
 */
async function reconcile(
	session: ApiSession,
	jobs: SubmitJob[],
	outcomes: Map<number, SubmitOutcome>,
): Promise<void> {
	const claimed = new Set<string>();
	for (const outcome of outcomes.values()) {
		if (outcome.state === 'submitted') claimed.add(outcome.receipt.collection_id);
	}
	let open = [...jobs];
	for (const delay of RECONCILE_DELAYS_MS) {
		if (open.length === 0) return;
		await pause(delay, session.signal);
		const byWorkflow = new Map<string, SubmitJob[]>();
		for (const job of open)
			byWorkflow.set(job.workflowId, [...(byWorkflow.get(job.workflowId) ?? []), job]);
		for (const [workflowId, group] of byWorkflow) {
			const earliest = Math.min(
				...group.map((job) => (outcomes.get(job.itemIndex) as { startedAt: number }).startedAt),
			);
			let recent: CollectionFile[];
			try {
				recent = await recentCollections(session, workflowId, earliest - CLOCK_SKEW_MS);
			} catch (error) {
				rethrowIfStopped(error);
				continue;
			}
			for (const job of group) {
				const startedAt = (outcomes.get(job.itemIndex) as { startedAt: number }).startedAt;
				const candidates = recent.filter(
					(file) =>
						!claimed.has(file.id) &&
						createdAfter(file, startedAt - CLOCK_SKEW_MS) &&
						(job.document.kind === 'text' || file.name === job.document.fileName),
				);
				if (candidates.length !== 1) continue;
				const match = candidates[0];
				claimed.add(match.id);
				outcomes.set(job.itemIndex, {
					state: 'submitted',
					recovered: true,
					receipt: {
						collection_id: match.id,
						workflow_id: workflowId,
						status: 'recovered',
						version_id: null,
					},
				});
			}
		}
		open = open.filter((job) => outcomes.get(job.itemIndex)?.state === 'unknown');
	}
}

async function recentCollections(session: ApiSession, workflowId: string, since: number) {
	const recent: CollectionFile[] = [];
	for (let page = 1; page <= 3; page++) {
		const data = await listFilesPage(session, workflowId, page);
		recent.push(...data.results.filter((file) => createdAfter(file, since)));
		if (data.results.length === 0 || data.page * data.page_size >= data.count) break;
	}
	return recent;
}

function createdAfter(file: CollectionFile, since: number): boolean {
	const created = Date.parse(String(file.created_at ?? ''));
	return !Number.isNaN(created) && created >= since;
}
