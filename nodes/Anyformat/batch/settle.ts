import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { mapEnvelopeToItems } from '../../shared/mapping/envelope';
import type { ResultOptions } from '../helpers/inputs';
import type { ItemOutcome } from '../helpers/outputs';
import type { CandidateRun, RecentRuns } from './candidates';
import { CANDIDATE_READ_MS, pickCandidates } from './candidates';
import type { SubmitJob, SubmitOutcome } from './submit';
import type { WatchOutcome, WatchTarget } from './watchState';

type NodeOf = Pick<IExecuteFunctions, 'getNode'>;

/** The outcome of one watched run: its items, or an error naming the item, the run and the next step. */
export function watchOutcome(
	ctx: NodeOf,
	target: Pick<WatchTarget, 'itemIndex' | 'workflowId' | 'collectionId'>,
	watched: WatchOutcome | undefined,
	options: ResultOptions,
): ItemOutcome {
	const node = ctx.getNode();
	const { itemIndex, workflowId, collectionId } = target;
	const anyformat: IDataObject = { collection_id: collectionId, workflow_id: workflowId };
	const pickUp = `Collection ID ${collectionId}, workflow ${workflowId}.`;
	if (!watched || watched.state === 'timeout') {
		const unread = watched?.unread === true;
		const message = unread
			? `Run ${collectionId} (item ${itemIndex}) could not be read within the timeout of ${options.timeoutSeconds} s`
			: `Run ${collectionId} (item ${itemIndex}) was still processing when the timeout of ${options.timeoutSeconds} s was reached`;
		const why = unread
			? 'Anyformat asked the node to wait longer than the timeout left (Retry-After or its rate limit), so the node stopped instead of waiting past it. '
			: '';
		return {
			error: new NodeOperationError(node, message, {
				itemIndex,
				description: `${why}The run goes on in Anyformat. Pick its results up later with the Get Results or Wait operation (${pickUp}), or raise Options → Timeout.`,
			}),
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
		return failedRunOutcome(ctx, target, watched);
	}
	const error = watched.error as Error & { description?: string | null; httpCode?: string | null };
	// the read's own error may be about the answer alone: say whose run it was
	if (!error.message.includes(collectionId)) {
		error.message = `Run ${collectionId} (item ${itemIndex}): ${error.message}`;
	}
	// a refused key or a run that does not exist will not "still finish": only transient failures can
	if (!/^4\d\d$/.test(String(error.httpCode ?? ''))) {
		error.description =
			`${error.description ?? ''} The run may still finish in Anyformat: get its results later with Get Results (${pickUp})`.trim();
	}
	return { error, anyformat: { ...anyformat, status: 'error' } };
}

function failedRunOutcome(
	ctx: NodeOf,
	target: Pick<WatchTarget, 'itemIndex' | 'workflowId' | 'collectionId'>,
	watched: Extract<WatchOutcome, { state: 'failed' | 'cancelled' }>,
): ItemOutcome {
	const { itemIndex, workflowId, collectionId } = target;
	const { error } = watched;
	const said = [error.error, error.detail, ...error.fieldMessages].filter(Boolean).join(' — ');
	const status = watched.state;
	return {
		error: new NodeApiError(
			ctx.getNode(),
			{ httpCode: '422', error_code: error.errorCode ?? null },
			{
				message: `Anyformat ${status === 'cancelled' ? 'cancelled' : 'could not process'} the document of item ${itemIndex} (run ${collectionId})`,
				description: `${said ? `Anyformat said: ${said.replace(/\.+$/, '')}. ` : ''}Polling again will not change this. Review the document and run it again, or open the run in the Anyformat app. Collection ID ${collectionId}, workflow ${workflowId}.`,
				httpCode: '422',
				itemIndex,
			},
		),
		anyformat: { collection_id: collectionId, workflow_id: workflowId, status },
	};
}

/**
 * Rule 2: without proof, the item's outcome is "fate unknown": an error naming the item, the workflow
 * and the request's window, with the runs the list shows for that window (information only), how to
 * check, and the warning that running the item again may create a second run.
 */
export function fateUnknownOutcome(
	ctx: NodeOf,
	job: Pick<SubmitJob, 'itemIndex' | 'workflowId'>,
	outcome: Extract<SubmitOutcome, { state: 'unknown' }>,
	recent: RecentRuns,
	ownRuns: Set<string>,
): ItemOutcome {
	const { itemIndex, workflowId } = job;
	const from = new Date(outcome.startedAt).toISOString();
	const to = new Date(outcome.endedAt).toISOString();
	const description = [
		`The request for item ${itemIndex} to workflow ${workflowId} was sent at ${from} and its answer was lost at ${to} (this machine's clock): ${outcome.reason.replace(/\.+$/, '')}. No answer named a run, and to avoid running the document twice it was not sent again.`,
		describeCandidates(recent, outcome, ownRuns),
		`To check: look at the runs of workflow ${workflowId} in the Anyformat app, or list them with Extraction → Get Many, and read a run's results with Get Results (Collection ID) to see whether it is this document.`,
		'Running this item again may create a second run of the same document.',
	].join(' ');
	return {
		error: new NodeApiError(
			ctx.getNode(),
			{ failure: outcome.code },
			{
				// the reason (which may hold a network error code) stays out of the message: NodeApiError
				// would replace a message naming a code with n8n's generic text for it
				message: `It is unknown whether Anyformat received the document of item ${itemIndex}`,
				description,
				itemIndex,
			},
		),
		anyformat: {
			status: 'unknown',
			collection_id: null,
			workflow_id: workflowId,
			sent_at: from,
			answer_lost_at: to,
		},
	};
}

function describeCandidates(
	recent: RecentRuns,
	window: { startedAt: number; endedAt: number },
	ownRuns: Set<string>,
): string {
	if ('outOfTime' in recent) {
		return `Could not list candidates before the Timeout: the workflow's runs list could not be read in the time left (${CANDIDATE_READ_MS / 1000} s are allowed for it after the Timeout).`;
	}
	if ('unreadable' in recent) {
		return `Could not list candidates: the workflow's runs list could not be read (${recent.unreadable.replace(/\.+$/, '')}).`;
	}
	const { runs, more } = pickCandidates(recent.entries, window, ownRuns);
	if (runs.length === 0) {
		return 'The runs list showed no other run created within a minute of that window.';
	}
	const listed = runs.map((run: CandidateRun) => `${run.id} (created ${run.createdAt})`).join(', ');
	return `Runs the runs list shows created within a minute of that window, other than this batch's: ${listed}${more ? ` and ${more} more` : ''}. This is information, not a decision: any of them may be another execution's, another person's or the Anyformat app's.`;
}

export function notSentOutcome(
	ctx: NodeOf,
	job: Pick<SubmitJob, 'itemIndex' | 'workflowId'>,
	reason: 'earlier-failure' | 'deadline',
): ItemOutcome {
	const why =
		reason === 'deadline'
			? 'the timeout was reached before Anyformat took it'
			: 'an earlier item failed and the node stopped';
	return {
		error: new NodeOperationError(
			ctx.getNode(),
			`The document of item ${job.itemIndex} was not sent to Anyformat: ${why}`,
			{
				itemIndex: job.itemIndex,
				description:
					reason === 'deadline'
						? 'Anyformat did not take the document (it was not sent, or Anyformat asked the node to wait longer than the timeout left), so nothing was processed and it is safe to run the item again, e.g. with a longer Options → Timeout.'
						: 'Nothing was processed for this item, so it is safe to run it again.',
			},
		),
		anyformat: { status: 'not_sent', collection_id: null, workflow_id: job.workflowId },
	};
}
