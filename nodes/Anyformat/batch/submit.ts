import { submitRun } from '../../shared/transport/api';
import type { ApiSession } from '../../shared/transport/request';
import { SubmissionFateUnknown, submissionNotTaken } from '../../shared/transport/request';
import type { RunReceipt } from '../../shared/transport/types';
import { DeadlineExceeded, nap, rethrowIfStopped } from '../../shared/pause';
import type { DocumentToSubmit } from '../helpers/document';
import type { SubmissionResult } from './proof';
import { judgeSubmission } from './proof';
import type { RunWatch } from './watch';

export interface SubmitJob {
	itemIndex: number;
	workflowId: string;
	document: DocumentToSubmit;
	/** false: only the receipt is wanted, so the run is not watched */
	wait: boolean;
	/** epoch ms the item's own Timeout ends (Infinity when it does not wait) */
	deadline: number;
}

export type SubmitOutcome =
	| { state: 'submitted'; receipt: RunReceipt; fromCutAnswer: boolean; submittedAt: number }
	| { state: 'failed'; error: Error }
	/** no proof either way: the run may or may not exist (its request's window, local clock) */
	| { state: 'unknown'; reason: string; startedAt: number; endedAt: number; code: string }
	| { state: 'not-sent'; reason: 'earlier-failure' | 'deadline' };

const CONCURRENT_UPLOADS = 4;

/**
 * Submits every job, in input order, as fast as the submission tier allows (the session's limiter
 * paces them, four uploads at a time), and adds each waiting item's run to `watch` as soon as it
 * exists, with the item's own deadline. A document the API certainly did not take is sent again
 * after the others; one whose fate is unknown never is. With `stopOnFailure`, a failure or an
 * unknown fate stops the sending: the documents not sent yet are reported as not sent. No document
 * is sent, or waited for in the rate limiter, past its item's deadline (the transport refuses it
 * with `DeadlineExceeded` before sending, a rate-limit wait included): that item is not sent.
 */
export async function submitAll(
	session: ApiSession,
	jobs: SubmitJob[],
	watch: RunWatch,
	options: { stopOnFailure: boolean },
): Promise<Map<number, SubmitOutcome>> {
	return await new Submission(session, jobs, watch, options).run();
}

/** The state of one batch's sending, shared by its upload workers. */
class Submission {
	readonly outcomes = new Map<number, SubmitOutcome>();

	private readonly queue: SubmitJob[];

	private readonly resends = new Map<number, number>();

	private readonly counts = { fromCutAnswer: 0, resent: 0 };

	private inFlight = 0;

	private stopped = false;

	private wake: () => void = () => {};

	private changed: Promise<void>;

	constructor(
		private readonly session: ApiSession,
		private readonly jobs: SubmitJob[],
		private readonly watch: RunWatch,
		private readonly options: { stopOnFailure: boolean },
	) {
		this.queue = [...jobs];
		this.changed = new Promise<void>((resolve) => (this.wake = resolve));
	}

	async run(): Promise<Map<number, SubmitOutcome>> {
		this.watch.setSubmitting(true);
		try {
			const workers = Math.min(CONCURRENT_UPLOADS, this.jobs.length);
			await Promise.all(Array.from({ length: workers }, async () => await this.work()));
		} finally {
			this.watch.setSubmitting(false);
		}
		this.log();
		return this.outcomes;
	}

	private async work(): Promise<void> {
		for (;;) {
			const job = this.queue.shift();
			if (!job) {
				if (this.inFlight === 0) return;
				// a job on the wire may still come back to the queue
				await nap(60_000, this.session.signal, this.changed);
				continue;
			}
			if (this.stopped || Date.now() >= job.deadline) {
				const reason = this.stopped ? 'earlier-failure' : 'deadline';
				this.outcomes.set(job.itemIndex, { state: 'not-sent', reason });
				continue;
			}
			this.inFlight++;
			try {
				this.record(job, await this.send(job));
			} finally {
				this.inFlight--;
				this.notify();
			}
		}
	}

	/** Sends one document once and judges what its answer proves. */
	private async send(job: SubmitJob): Promise<SubmitOutcome | 'send again'> {
		const startedAt = Date.now();
		let result: SubmissionResult;
		let receipt: RunReceipt | undefined;
		let failure: unknown;
		try {
			receipt = await submitRun(
				this.session,
				job.workflowId,
				job.document.body(),
				job.itemIndex,
				Number.isFinite(job.deadline) ? job.deadline : undefined,
			);
			result = { answeredId: receipt.collection_id };
		} catch (error) {
			rethrowIfStopped(error);
			// refused by the deadline before it was sent, or answered 429 until then: nothing was taken
			if (error instanceof DeadlineExceeded && submissionNotTaken(error)) {
				return { state: 'not-sent', reason: 'deadline' };
			}
			failure = error;
			result =
				error instanceof SubmissionFateUnknown
					? { fateUnknown: true, partialBody: error.partialBody }
					: { failed: true, notTaken: submissionNotTaken(error) };
		}
		const judged = judgeSubmission(result, this.resends.get(job.itemIndex) ?? 0);
		const submittedAt = Date.now();
		switch (judged.verdict) {
			case 'run':
				if (judged.fromCutAnswer) this.counts.fromCutAnswer++;
				receipt ??= {
					collection_id: judged.collectionId,
					workflow_id: job.workflowId,
					status: 'recovered',
					version_id: null,
				};
				return { state: 'submitted', receipt, fromCutAnswer: judged.fromCutAnswer, submittedAt };
			case 'send again':
				return 'send again';
			case 'failed':
				return { state: 'failed', error: failure as Error };
			default:
				return unknownOutcome(failure, startedAt, submittedAt);
		}
	}

	private record(job: SubmitJob, outcome: SubmitOutcome | 'send again') {
		if (outcome === 'send again') {
			this.resends.set(job.itemIndex, (this.resends.get(job.itemIndex) ?? 0) + 1);
			this.counts.resent++;
			this.queue.push(job);
			return;
		}
		this.outcomes.set(job.itemIndex, outcome);
		if (outcome.state === 'submitted' && job.wait) {
			this.watch.add({
				itemIndex: job.itemIndex,
				workflowId: job.workflowId,
				collectionId: outcome.receipt.collection_id,
				deadline: job.deadline,
				submittedAt: outcome.submittedAt,
			});
		}
		if ((outcome.state === 'failed' || outcome.state === 'unknown') && this.options.stopOnFailure) {
			this.stopped = true;
		}
	}

	private notify() {
		this.wake();
		this.changed = new Promise<void>((resolve) => (this.wake = resolve));
	}

	private log() {
		const tally: Record<string, number> = {};
		for (const outcome of this.outcomes.values())
			tally[outcome.state] = (tally[outcome.state] ?? 0) + 1;
		this.session.log('Anyformat: submitted documents', {
			documents: this.jobs.length,
			...tally,
			recoveredFromAnswer: this.counts.fromCutAnswer,
			resent: this.counts.resent,
			...this.session.stats,
		});
	}
}

function unknownOutcome(failure: unknown, sentAt: number, answeredAt: number): SubmitOutcome {
	if (failure instanceof SubmissionFateUnknown) {
		const { reason, startedAt, endedAt, code } = failure;
		return { state: 'unknown', reason, startedAt, endedAt, code };
	}
	return {
		state: 'unknown',
		reason: 'Anyformat accepted the request but its answer named no run',
		startedAt: sentAt,
		endedAt: answeredAt,
		code: 'NO_RUN_ID',
	};
}
