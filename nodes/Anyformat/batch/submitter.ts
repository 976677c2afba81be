import type { CollectionFile } from '../../shared/transport/api';
import { listFilesPage, submitRun } from '../../shared/transport/api';
import type { ApiSession } from '../../shared/transport/request';
import { SubmissionFateUnknown, submissionNotTaken } from '../../shared/transport/request';
import type { DocumentToSubmit } from '../helpers/document';
import { nap, rethrowIfStopped } from '../../shared/pause';
import type { RunReceipt } from '../../shared/transport/types';
import type { WalkState } from './waiter';
import { RunWatch, walkNewest } from './waiter';

export interface SubmitJob {
	itemIndex: number;
	workflowId: string;
	document: DocumentToSubmit;
	/** false: only the receipt is wanted, so the run is not watched */
	wait?: boolean;
}

export type SubmitOutcome =
	| {
			state: 'submitted';
			receipt: RunReceipt;
			/** the answer was lost and the run was found again (in the files list, or in a cut answer) */
			recovered: boolean;
			/** local time the submission's request started (limiter wait included) */
			sentAt: number;
			/** local time the run was known to exist */
			submittedAt: number;
			/** times the document was sent again because its first sending certainly created no run */
			resent: number;
	  }
	| { state: 'failed'; error: Error }
	| { state: 'unknown'; reason: string; startedAt: number; endedAt: number; code: string }
	| { state: 'not-sent'; reason: 'earlier-failure' | 'deadline' };

const CONCURRENT_UPLOADS = 4;
/**
 * When the files list is read for a submission whose answer was lost, counted from the failure. A run
 * created by the lost request is in the list by the first reading (the API creates it before it
 * answers 202); "not there" is only believed from a reading started 5 s after the failure, once a
 * request the server was still working on when the connection broke has had time to land.
 */
const LOOK_AFTER_MS = 2_000;
const PROVE_AFTER_MS = 5_000;
/**
 * A reading that could not tell (the list could not be read even after retries, or could not be read
 * back far enough, or the only candidate may belong to a submission still under way) is done again
 * this much later, a few times at most.
 */
const READ_AGAIN_AFTER_MS = 5_000;
const MAX_INCONCLUSIVE_READINGS = 3;
/** a document is sent at most this many times more, and only when no run can exist for it */
const MAX_RESENDS = 4;
/** assumed bound on the difference between the server's clock and ours, until it is measured */
const CLOCK_SKEW_MS = 120_000;
/** the server's timestamps vs. ours, once measured: rounding, and several API hosts */
const CLOCK_SLACK_MS = 1_000;
/** files-list pages read at most per workflow and reading (100 collections a page) */
const MAX_RECONCILE_PAGES = 20;

/** A submission whose answer was lost, while its run is looked for. */
interface Lost {
	job: SubmitJob;
	startedAt: number;
	endedAt: number;
	code: string;
	/** when its next files-list reading is due */
	dueAt: number;
	inconclusive: number;
}

/**
 * Submits every job, in input order, as fast as the submission tier allows (the session's limiter
 * paces them, 4 uploads at a time). No document is ever sent twice where it may have created a run:
 *
 * - A submission whose answer was lost (a reset, a timeout, a proxy's error page, an unreadable
 *   answer) is not sent again blindly: its run is looked for in the workflow's files list (see
 *   `reconcile`), while the other documents are still being sent. Found, it is adopted; proven
 *   absent, the document is sent again; neither, the item reports that its fate is unknown and how
 *   to check.
 * - A submission the API certainly did not take (it kept answering 429, an error marked
 *   `retryable: true`, a refused connection) is sent again after the others.
 *
 * Runs are watched from the moment they exist (for jobs that wait for results): a `RunWatch` started
 * here fetches the results of runs that end while documents are still being sent or looked for, and
 * is left on the session for the Run operation's `watchRuns`, which goes on with it. (If the node is
 * about to fail on a submission error instead, it is stopped here.)
 */
export async function submitAll(
	session: ApiSession,
	jobs: SubmitJob[],
	options: { stopOnFailure: boolean; deadline: number },
): Promise<Map<number, SubmitOutcome>> {
	const outcomes = new Map<number, SubmitOutcome>();
	const resent = new Map<number, number>();
	const counts = { fromList: 0, fromAnswer: 0, resent: 0 };
	const queue = [...jobs];
	const lost: Lost[] = [];
	let sending = 0;
	let stopped = false;
	let watch: RunWatch | undefined;
	const watchRun = (job: SubmitJob) => {
		const outcome = outcomes.get(job.itemIndex);
		if (job.wait === false || outcome?.state !== 'submitted') return;
		if (!watch) {
			watch = new RunWatch(session, { checkFirst: false });
			watch.submitting = true;
			// started now; its outcome (or a stop) is awaited later through `watchRuns`
			watch.result().catch(() => undefined);
		}
		watch.add({
			key: job.itemIndex,
			workflowId: job.workflowId,
			collectionId: outcome.receipt.collection_id,
			deadline: options.deadline,
			submittedAt: outcome.submittedAt,
		});
	};

	let wake: () => void = () => {};
	let changed = new Promise<void>((resolve) => (wake = resolve));
	const notify = () => {
		wake();
		changed = new Promise<void>((resolve) => (wake = resolve));
	};
	const done = () => queue.length === 0 && sending === 0 && lost.length === 0;
	const resend = (job: SubmitJob) => {
		resent.set(job.itemIndex, (resent.get(job.itemIndex) ?? 0) + 1);
		counts.resent++;
		queue.push(job);
	};

	const worker = async () => {
		for (;;) {
			const job = queue.shift();
			if (!job) {
				if (done()) return;
				await changed;
				continue;
			}
			if (stopped) {
				outcomes.set(job.itemIndex, { state: 'not-sent', reason: 'earlier-failure' });
				continue;
			}
			if (Date.now() >= options.deadline) {
				outcomes.set(job.itemIndex, { state: 'not-sent', reason: 'deadline' });
				continue;
			}
			sending++;
			let outcome: SubmitOutcome;
			try {
				outcome = await submitOne(session, job, resent.get(job.itemIndex) ?? 0);
			} finally {
				sending--;
				notify();
			}
			outcomes.set(job.itemIndex, outcome);
			watchRun(job);
			if (outcome.state === 'submitted' && outcome.recovered) counts.fromAnswer++;
			if (outcome.state === 'unknown') {
				lost.push({
					job,
					startedAt: outcome.startedAt,
					endedAt: outcome.endedAt,
					code: outcome.code,
					dueAt: outcome.endedAt + LOOK_AFTER_MS,
					inconclusive: 0,
				});
			} else if (outcome.state === 'failed') {
				if (submissionNotTaken(outcome.error)) {
					if ((resent.get(job.itemIndex) ?? 0) < MAX_RESENDS) resend(job);
				} else if (options.stopOnFailure) {
					stopped = true;
				}
			}
			notify();
		}
	};

	const reconciler = async () => {
		while (!done()) {
			if (lost.length === 0) {
				await changed;
				continue;
			}
			const dueAt = Math.min(...lost.map((u) => u.dueAt));
			if (dueAt >= options.deadline) {
				// no time left to look: these stay "fate unknown"
				lost.length = 0;
				notify();
				continue;
			}
			if (Date.now() < dueAt) {
				await nap(dueAt - Date.now(), session.signal, changed);
				continue;
			}
			const found = await reconcile(session, lost, jobs, outcomes, resent);
			counts.fromList += found.adopted.length;
			found.adopted.forEach(watchRun);
			for (const job of found.absent) resend(job);
			notify();
		}
	};

	let finished = false;
	try {
		await Promise.all([
			...Array.from({ length: Math.min(CONCURRENT_UPLOADS, jobs.length) }, worker),
			reconciler(),
		]);
		finished = true;
	} finally {
		// stopped by the user: the watch ends with the execution
		if (!finished) watch?.stop();
	}
	if (watch) {
		const failed = [...outcomes.values()].some((outcome) => outcome.state === 'failed');
		if (options.stopOnFailure && failed) {
			// the node fails on that error without waiting for results
			watch.stop();
			await watch.result().catch(() => undefined);
		} else {
			watch.submitting = false;
			session.handOverBatchWatch(watch);
		}
	}

	const tally: Record<string, number> = {};
	for (const outcome of outcomes.values()) tally[outcome.state] = (tally[outcome.state] ?? 0) + 1;
	session.log('Anyformat: submitted documents', {
		documents: jobs.length,
		...tally,
		recoveredFromList: counts.fromList,
		recoveredFromAnswer: counts.fromAnswer,
		resent: counts.resent,
		...session.stats,
	});
	return outcomes;
}

async function submitOne(
	session: ApiSession,
	job: SubmitJob,
	resent: number,
): Promise<SubmitOutcome> {
	const sentAt = Date.now();
	try {
		const receipt = await submitRun(session, job.workflowId, job.document.body(), job.itemIndex);
		return {
			state: 'submitted',
			receipt,
			recovered: false,
			sentAt,
			submittedAt: Date.now(),
			resent,
		};
	} catch (error) {
		rethrowIfStopped(error);
		if (!(error instanceof SubmissionFateUnknown)) return { state: 'failed', error };
		// a 2xx answer cut short may still name the run: `{"id":"<collection id>", ...`
		const id = /^\s*\{\s*"(?:id|collection_id)"\s*:\s*"([A-Za-z0-9_-]{8,128})"/.exec(
			error.partialBody ?? '',
		)?.[1];
		if (id) {
			return {
				state: 'submitted',
				recovered: true,
				sentAt,
				submittedAt: Date.now(),
				resent,
				receipt: {
					collection_id: id,
					workflow_id: job.workflowId,
					status: 'recovered',
					version_id: null,
				},
			};
		}
		return {
			state: 'unknown',
			reason: error.reason,
			startedAt: error.startedAt,
			endedAt: error.endedAt,
			code: error.code,
		};
	}
}

/**
 * Looks for the runs of submissions whose answer was lost, once a reading is due for some of them.
 * The API has no idempotency key, so a run is looked for among the workflow's file collections (the
 * list carries names and creation times):
 *
 * - The server's clock is measured against ours with this batch's own accepted submissions: each
 *   was created between the start and the end of its request, as we timed them (without any, a skew
 *   of up to 2 minutes is assumed).
 * - A candidate for a lost submission is a collection not claimed by another item, created while
 *   that request was under way, with the document's file name (any name for text, or when the list
 *   does not show this batch's own runs under their file names).
 * - A run is adopted only when it is the single candidate of its submission and could belong to
 *   nothing else: no other lost submission, and no submission still under way.
 * - A submission is proven absent when, at its last reading (5 s after the failure), the list was
 *   read back past the request's start and shows no candidate at all. Only then is the document
 *   sent again (never after a timeout: a server still working on a slow upload may create the run
 *   later). Otherwise, after its last reading, it stays "fate unknown".
 * Mutates `lost` (removes what is settled) and `outcomes`; returns the jobs to send again.
 */
async function reconcile(
	session: ApiSession,
	lost: Lost[],
	allJobs: SubmitJob[],
	outcomes: Map<number, SubmitOutcome>,
	resent: Map<number, number>,
): Promise<{ adopted: SubmitJob[]; absent: SubmitJob[] }> {
	const now = Date.now();
	const isDue = (u: Lost) => now >= u.dueAt;
	const adopted: SubmitJob[] = [];
	const absent: SubmitJob[] = [];
	const settled = new Set<Lost>();
	/** submissions a reading could not settle yet, but a later one may */
	const undecided = new Set<Lost>();

	const claimed = new Set<string>();
	for (const outcome of outcomes.values()) {
		if (outcome.state === 'submitted') claimed.add(outcome.receipt.collection_id);
	}
	const workflows = new Set(lost.filter(isDue).map((u) => u.job.workflowId));
	for (const workflowId of workflows) {
		const group = lost.filter((u) => u.job.workflowId === workflowId);
		const due = group.filter(isDue);
		// requests on the wire now (their runs may show up in the list before their answers)
		const underWay = session.submissions.inFlightSince;
		const earliest = Math.min(...group.map((u) => u.startedAt));
		const entries: CollectionFile[] = [];
		let complete = false;
		let readable = true;
		try {
			const walk: WalkState = {};
			({ complete } = await walkNewest<CollectionFile>(
				async (page) => await listFilesPage(session, workflowId, page),
				walk,
				{
					since: earliest - CLOCK_SKEW_MS - CLOCK_SLACK_MS,
					maxPages: MAX_RECONCILE_PAGES,
					visit: (entry) => entries.push(entry),
				},
			));
		} catch (error) {
			rethrowIfStopped(error);
			readable = false;
		}

		if (readable) {
			const { offLo, offHi, trustNames } = calibrate(allJobs, outcomes, workflowId, entries);
			const inWindow = (created: number | undefined, from: number, to: number) =>
				created === undefined ||
				(created >= from + offLo - CLOCK_SLACK_MS && created <= to + offHi + CLOCK_SLACK_MS);
			const candidates = (u: Lost, byName: boolean) =>
				entries.filter(
					(entry) =>
						!claimed.has(entry.id) &&
						inWindow(createdTime(entry), u.startedAt, u.endedAt) &&
						(!byName || u.job.document.kind !== 'file' || entry.name === u.job.document.fileName),
				);
			const mayBeUnderWay = (entry: CollectionFile) => {
				const created = createdTime(entry);
				return underWay.some(
					(at) => created === undefined || created >= at + offLo - CLOCK_SLACK_MS,
				);
			};

			// adopt runs that can only belong to one lost submission, until nothing changes
			let open = group.filter((u) => !settled.has(u));
			for (let changed = true; changed;) {
				changed = false;
				const sets = open.map((u) => ({ u, set: candidates(u, true) }));
				const usage = new Map<string, number>();
				for (const { set } of sets) {
					for (const entry of set) usage.set(entry.id, (usage.get(entry.id) ?? 0) + 1);
				}
				for (const { u, set } of sets) {
					if (set.length !== 1) continue;
					const [entry] = set;
					if (mayBeUnderWay(entry)) undecided.add(u);
					if (usage.get(entry.id) !== 1 || claimed.has(entry.id) || mayBeUnderWay(entry)) continue;
					claimed.add(entry.id);
					outcomes.set(u.job.itemIndex, {
						state: 'submitted',
						recovered: true,
						sentAt: u.startedAt,
						submittedAt: Date.now(),
						resent: resent.get(u.job.itemIndex) ?? 0,
						receipt: {
							collection_id: entry.id,
							workflow_id: workflowId,
							status: 'recovered',
							version_id: null,
						},
					});
					settled.add(u);
					adopted.push(u.job);
					open = open.filter((other) => other !== u);
					changed = true;
				}
			}
			for (const u of due) {
				if (settled.has(u) || now < u.endedAt + PROVE_AFTER_MS) continue;
				if (!complete) {
					undecided.add(u);
					continue;
				}
				const left = candidates(u, trustNames);
				if (left.length === 0) {
					if (u.code !== 'ETIMEDOUT' && (resent.get(u.job.itemIndex) ?? 0) < MAX_RESENDS) {
						absent.push(u.job);
					}
					settled.add(u);
				} else if (left.every(mayBeUnderWay)) {
					undecided.add(u);
				}
			}
		} else {
			due.forEach((u) => undecided.add(u));
		}
		for (const u of due) {
			if (settled.has(u)) continue;
			if (now < u.endedAt + PROVE_AFTER_MS && readable) {
				u.dueAt = u.endedAt + PROVE_AFTER_MS;
			} else if (undecided.has(u) && ++u.inconclusive <= MAX_INCONCLUSIVE_READINGS) {
				u.dueAt = now + READ_AGAIN_AFTER_MS;
			} else {
				// read late enough and neither adopted nor proven absent: it stays "fate unknown"
				settled.add(u);
			}
		}
	}
	for (const u of settled) lost.splice(lost.indexOf(u), 1);
	return { adopted, absent };
}

/**
 * The server's clock against ours, from this batch's accepted submissions of a workflow that the
 * list shows: each run was created (server clock) while its request was under way (our clock). And
 * whether the list shows them under the file names they were sent with.
 */
function calibrate(
	allJobs: SubmitJob[],
	outcomes: Map<number, SubmitOutcome>,
	workflowId: string,
	entries: CollectionFile[],
): { offLo: number; offHi: number; trustNames: boolean } {
	const byId = new Map(entries.map((entry) => [entry.id, entry]));
	let offLo = -CLOCK_SKEW_MS;
	let offHi = CLOCK_SKEW_MS;
	let namesHold = false;
	let namesFail = false;
	for (const job of allJobs) {
		if (job.workflowId !== workflowId) continue;
		const outcome = outcomes.get(job.itemIndex);
		if (outcome?.state !== 'submitted' || outcome.recovered) continue;
		const entry = byId.get(outcome.receipt.collection_id);
		if (!entry) continue;
		if (job.document.kind === 'file') {
			if (entry.name === job.document.fileName) namesHold = true;
			else namesFail = true;
		}
		const created = createdTime(entry);
		if (created === undefined) continue;
		// created = (a local time within [sentAt, submittedAt]) + offset
		offLo = Math.max(offLo, created - outcome.submittedAt);
		offHi = Math.min(offHi, created - outcome.sentAt);
	}
	if (offLo > offHi) {
		// inconsistent timings (a clock jump): back to the wide assumption
		return { offLo: -CLOCK_SKEW_MS, offHi: CLOCK_SKEW_MS, trustNames: namesHold && !namesFail };
	}
	return { offLo, offHi, trustNames: namesHold && !namesFail };
}

function createdTime(entry: CollectionFile): number | undefined {
	const created = Date.parse(String(entry.created_at ?? ''));
	return Number.isNaN(created) ? undefined : created;
}
