import type { IExecuteFunctions } from 'n8n-workflow';

import type { ApiSession } from '../../shared/transport/request';
import type { ResultOptions } from '../helpers/inputs';
import type { ItemOutcome } from '../helpers/outputs';
import type { ItemRunState } from './batchRuns';
import { describeBatchRuns } from './batchRuns';
import type { RecentRuns } from './candidates';
import { candidateDeadline, readRecentRuns } from './candidates';
import { fateUnknownOutcome, notSentOutcome, watchOutcome } from './settle';
import type { SubmitJob, SubmitOutcome } from './submit';
import { submitAll } from './submit';
import { RunWatch } from './watch';
import type { WatchOutcome } from './watchState';

export interface RunPlan extends SubmitJob {
	options: ResultOptions;
}

/**
 * The batch engine's entry point (Extraction → Run). One document goes: submit.ts (sent, its run
 * proven by the answer or its fate unknown) → watch.ts (its run watched from the moment it exists,
 * until it ends or the item's deadline) → settle.ts (the item's outcome: results or an error naming
 * the item, the run or the request's window, and what to do). Fills `outcomes` by item index.
 * Without Continue On Fail a failing batch throws one error that lists every run it submitted.
 */
export async function runDocuments(
	ctx: IExecuteFunctions,
	session: ApiSession,
	plans: RunPlan[],
	outcomes: ItemOutcome[],
	/**
	 * called once the submissions end, before results are awaited (Skip Documents Already Sent releases
	 * the claims of documents not taken); not called when the user stops the execution while sending
	 */
	afterSubmit?: (submitted: ReadonlyMap<number, SubmitOutcome>) => Promise<void>,
): Promise<void> {
	const continueOnFail = ctx.continueOnFail();
	const watch = new RunWatch(session, { checkFirst: false });
	let submitted = new Map<number, SubmitOutcome>();
	let sent = false;
	try {
		submitted = await submitAll(session, plans, watch, { stopOnFailure: !continueOnFail });
		sent = true;
	} finally {
		// stopped by the user: the watch ends with the execution
		if (!sent) watch.stop();
	}
	await afterSubmit?.(submitted);
	const failedEarly = [...submitted.values()].some(
		(o) => o.state === 'failed' || o.state === 'unknown',
	);
	if (!continueOnFail && failedEarly) {
		// the node fails on that error without waiting for results
		watch.stop();
	} else {
		watch.close();
	}
	const watched = await watch.result();
	await settleAll(ctx, session, plans, submitted, watched, outcomes);
	if (!continueOnFail) throwFirstError(plans, submitted, watched, outcomes);
}

async function settleAll(
	ctx: IExecuteFunctions,
	session: ApiSession,
	plans: RunPlan[],
	submitted: Map<number, SubmitOutcome>,
	watched: Map<number, WatchOutcome>,
	outcomes: ItemOutcome[],
): Promise<void> {
	const ownRuns = new Set<string>();
	for (const outcome of submitted.values()) {
		if (outcome.state === 'submitted') ownRuns.add(outcome.receipt.collection_id);
	}
	const unknownSince = Math.min(
		...[...submitted.values()].map((o) => (o.state === 'unknown' ? o.startedAt : Infinity)),
	);
	const recent = new Map<string, RecentRuns>();
	for (const plan of plans) {
		const outcome = submitted.get(plan.itemIndex);
		if (!outcome) continue;
		if (outcome.state === 'submitted') {
			const { receipt } = outcome;
			outcomes[plan.itemIndex] = plan.wait
				? watchOutcome(
						ctx,
						{ ...plan, collectionId: receipt.collection_id },
						watched.get(plan.itemIndex),
						plan.options,
					)
				: { json: [outcome.fromCutAnswer ? { ...receipt, recovered: true } : { ...receipt }] };
		} else if (outcome.state === 'failed') {
			outcomes[plan.itemIndex] = { error: outcome.error };
		} else if (outcome.state === 'unknown') {
			if (!recent.has(plan.workflowId)) {
				const deadline = candidateDeadline(
					unknownDeadlines(plans, submitted, plan.workflowId),
					Date.now(),
				);
				recent.set(
					plan.workflowId,
					await readRecentRuns(session, plan.workflowId, unknownSince, deadline),
				);
			}
			outcomes[plan.itemIndex] = fateUnknownOutcome(
				ctx,
				plan,
				outcome,
				recent.get(plan.workflowId)!,
				ownRuns,
			);
		} else {
			outcomes[plan.itemIndex] = notSentOutcome(ctx, plan, outcome.reason);
		}
	}
}

/** The deadlines of a workflow's items whose fate is unknown (Infinity: an item that did not wait). */
function unknownDeadlines(
	plans: RunPlan[],
	submitted: Map<number, SubmitOutcome>,
	workflowId: string,
): number[] {
	return plans
		.filter((p) => p.workflowId === workflowId && submitted.get(p.itemIndex)?.state === 'unknown')
		.map((p) => p.deadline);
}

/**
 * Without Continue On Fail the first failing item's error is thrown, in input order: the failure that
 * stopped the sending when there was one (a submission error or an unknown fate), else the first
 * item that timed out, failed or could not be read. Rule 7: its description lists every run.
 */
function throwFirstError(
	plans: RunPlan[],
	submitted: Map<number, SubmitOutcome>,
	watched: Map<number, WatchOutcome>,
	outcomes: ItemOutcome[],
): void {
	const stopping = plans.find((plan) => {
		const state = submitted.get(plan.itemIndex)?.state;
		return state === 'failed' || state === 'unknown';
	});
	const failing = stopping ?? plans.find((plan) => 'error' in (outcomes[plan.itemIndex] ?? {}));
	if (!failing) return;
	const outcome = outcomes[failing.itemIndex];
	if (!('error' in outcome)) return;
	const states: ItemRunState[] = plans.map((plan) => ({
		itemIndex: plan.itemIndex,
		submitted: submitted.get(plan.itemIndex),
		watched: watched.get(plan.itemIndex),
		waited: plan.wait,
	}));
	const runs = describeBatchRuns(states);
	if (runs) outcome.error.description = `${outcome.error.description ?? ''} ${runs}`.trim();
	throw outcome.error;
}
