import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { ApiSession } from '../../shared/transport/request';
import { mapEnvelopeToItems } from '../../shared/mapping/envelope';
import type { ResultOptions } from '../helpers/inputs';
import type { ItemOutcome } from '../helpers/outputs';
import type { SubmitJob, SubmitOutcome } from './submitter';
import type { WatchOutcome, WatchTarget } from './waiter';
import { watchRuns } from './waiter';

interface RunPlan extends SubmitJob {
	wait: boolean;
	options: ResultOptions;
}

/** Turns what happened to each submitted item into its outcome, waiting for results where asked. */
export async function runOutcomes(
	ctx: IExecuteFunctions,
	session: ApiSession,
	plans: RunPlan[],
	submitted: Map<number, SubmitOutcome>,
	outcomes: ItemOutcome[],
	deadlineOf: (plan: RunPlan) => number,
): Promise<void> {
	const node = ctx.getNode();
	const targets: Array<WatchTarget & { options: ResultOptions }> = [];
	const accepted: string[] = [];
	let firstFailure: (Error & { description?: string | null }) | undefined;

	for (const plan of plans) {
		const { itemIndex, workflowId } = plan;
		const outcome = submitted.get(itemIndex);
		if (!outcome) continue;
		if (outcome.state === 'submitted') {
			const { receipt } = outcome;
			accepted.push(`item ${itemIndex} → ${receipt.collection_id}`);
			if (!plan.wait) {
				outcomes[itemIndex] = {
					json: [outcome.recovered ? { ...receipt, recovered: true } : { ...receipt }],
				};
			} else {
				targets.push({
					key: itemIndex,
					workflowId,
					collectionId: receipt.collection_id,
					deadline: deadlineOf(plan),
					submittedAt: outcome.submittedAt,
					options: plan.options,
				});
			}
		} else if (outcome.state === 'failed') {
			outcomes[itemIndex] = { error: outcome.error };
			firstFailure ??= outcome.error;
		} else if (outcome.state === 'unknown') {
			outcomes[itemIndex] = {
				error: new NodeOperationError(
					node,
					`It is unknown whether Anyformat received the document of item ${itemIndex}: ${outcome.reason}`,
					{
						itemIndex,
						description: `To avoid running the document twice it was not sent again, and no run created for it could be identified. In the Anyformat app, look at the runs of workflow ${workflowId} created around ${new Date(outcome.startedAt).toISOString()}: if there is one for this document, fetch it with Get Results; if there is none, run this item again.`,
					},
				),
				anyformat: { status: 'unknown', collection_id: null, workflow_id: workflowId },
			};
		} else {
			const why =
				outcome.reason === 'deadline'
					? 'the timeout was reached before it could be sent'
					: 'an earlier item failed and the node stopped';
			outcomes[itemIndex] = {
				error: new NodeOperationError(
					node,
					`The document of item ${itemIndex} was not sent to Anyformat: ${why}`,
					{
						itemIndex,
						description: 'Nothing was processed for this item, so it is safe to run it again.',
					},
				),
				anyformat: { status: 'not_sent', collection_id: null, workflow_id: workflowId },
			};
		}
	}

	if (firstFailure && !ctx.continueOnFail()) {
		if (accepted.length) {
			firstFailure.description =
				`${firstFailure.description ?? ''} Other items were already submitted and are being processed: ${accepted.join(', ')}. Fetch their results with Get Results instead of running them again.`.trim();
		}
		throw firstFailure;
	}

	if (targets.length === 0) return;
	const watched = await watchRuns(session, targets, { checkFirst: false });
	for (const target of targets) {
		outcomes[target.key] = watchOutcome(ctx, target, watched.get(target.key), target.options);
	}
}

/** The outcome of one watched run: its items, or an error naming the item, the run and the next step. */
export function watchOutcome(
	ctx: IExecuteFunctions,
	target: WatchTarget,
	watched: WatchOutcome | undefined,
	options: ResultOptions,
): ItemOutcome {
	const node = ctx.getNode();
	const { key: itemIndex, workflowId, collectionId } = target;
	const anyformat: IDataObject = { collection_id: collectionId, workflow_id: workflowId };
	const pickUp = `Collection ID ${collectionId}, workflow ${workflowId}.`;
	if (!watched || watched.state === 'timeout') {
		return {
			error: new NodeOperationError(
				node,
				`Run ${collectionId} (item ${itemIndex}) was still processing when the timeout of ${options.timeoutSeconds} s was reached`,
				{
					itemIndex,
					description: `The run goes on in Anyformat. Pick its results up later with the Get Results or Wait operation (${pickUp}), or raise Options → Timeout.`,
				},
			),
			anyformat: { ...anyformat, status: 'timeout' },
		};
	}
	if (watched.state === 'processed') {
		return {
			json: mapEnvelopeToItems(watched.envelope, {
				output: options.output,
				includeMarkdown: options.includeMarkdown,
				minimumConfidence: options.minimumConfidence,
				review: options.review,
				collectionId,
				workflowId,
			}),
		};
	}
	if (watched.state === 'failed' || watched.state === 'cancelled') {
		const { error } = watched;
		const said = [error.error, error.detail, ...error.fieldMessages].filter(Boolean).join(' — ');
		const status = watched.state === 'cancelled' ? 'cancelled' : 'failed';
		return {
			error: new NodeApiError(
				node,
				{ httpCode: '422', error_code: error.errorCode ?? null },
				{
					message: `Anyformat ${status === 'cancelled' ? 'cancelled' : 'could not process'} the document of item ${itemIndex} (run ${collectionId})`,
					description: `${said ? `Anyformat said: ${said.replace(/\.+$/, '')}. ` : ''}Polling again will not change this. Review the document and run it again, or open the run in the Anyformat app. ${pickUp}`,
					httpCode: '422',
					itemIndex,
				},
			),
			anyformat: { ...anyformat, status },
		};
	}
	const error = watched.error as Error & { description?: string | null; httpCode?: string | null };
	// a refused key or a run that does not exist will not "still finish": only transient failures can
	if (!/^4\d\d$/.test(String(error.httpCode ?? ''))) {
		error.description =
			`${error.description ?? ''} The run may still finish in Anyformat: get its results later with Get Results (${pickUp})`.trim();
	}
	return { error, anyformat: { ...anyformat, status: 'error' } };
}
