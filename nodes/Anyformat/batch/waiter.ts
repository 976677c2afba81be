import type { IDataObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { Page, RunStatus } from '../../shared/transport/api';
import { getResults, listRunsPage, MAX_PAGE_SIZE } from '../../shared/transport/api';
import type { ApiErrorInfo } from '../../shared/transport/errors';
import type { ApiSession } from '../../shared/transport/request';
import { ExecutionStoppedError, nap } from '../../shared/pause';
import { ACTIVE_STATUSES, TERMINAL_STATUSES } from '../../shared/transport/types';

export interface WatchTarget {
	key: number;
	workflowId: string;
	collectionId: string;
	/** epoch ms after which the target is given up as `timeout` */
	deadline: number;
	/** epoch ms (local clock) the run was submitted, when this execution submitted it */
	submittedAt?: number;
}

export type WatchOutcome =
	| { state: 'processed'; envelope: IDataObject }
	| { state: 'failed' | 'cancelled'; error: ApiErrorInfo }
	| { state: 'timeout' }
	| { state: 'error'; error: Error };

export interface WatchOptions {
	/** check once before the first pause (Wait on a run that may be finished already) */
	checkFirst: boolean;
	/** first pause; grows ×1.5 per round */
	initialDelayMs?: number;
}

const FIRST_DELAY_MS = 2_000;
/** per-run polling cap, as the API docs advise */
const RESULTS_POLL_CAP_MS = 30_000;
/** one runs-list request answers for up to 100 runs, so it may be asked more often */
const LIST_POLL_CAP_MS = 10_000;
/**
 * The list-mode schedule follows observed progress instead of a fixed clock. Once runs of the batch
 * have ended, the runs list is read every fifth of their typical (median) processing time, taken from
 * `created_at` to `updated_at` of the ended runs as the list reports them (both from the server's
 * clock). A run is then seen ended about a tenth of its processing time late on average, for about
 * five list requests per processing time for the whole batch (100 runs a request), whatever the
 * documents: 30-second documents are looked at every 6 s, 2-second ones every 0.4 s, and a test
 * server that runs everything faster is watched proportionally faster. While the batch's documents
 * are still being sent it is read once per processing time only: the batch cannot end before its last
 * submission does. Bounds: at most every 10 s; at least 100 ms apart and never more than a quarter
 * of the general tier's budget (with the API's 600 requests a minute: one page per 0.4 s).
 */
const LIST_POLL_FRACTION = 0.2;
const LIST_POLL_MIN_MS = 100;
const LIST_SHARE_OF_TIER = 0.25;
/** a run the list has not shown this many times is polled through its own results instead */
const MISSES_BEFORE_OWN_POLLING = 2;
/** list reads failing this many times in a row (each after its own retries) switch to per-run polling */
const LIST_FAILURES_BEFORE_OWN_POLLING = 3;
/** a run's results failing to load this many times (each after its own retries) ends it as an error */
const RESULT_FAILURES_ALLOWED = 3;
/**
 * At its deadline a run gets a last look (a list read or a results request started after the
 * deadline) before it is given up as `timeout`; that look may take this long at most.
 */
const LAST_LOOK_MS = 5_000;

const ACTIVE = new Set<string>(ACTIVE_STATUSES);
const TERMINAL = new Set<string>(TERMINAL_STATUSES);

/** One watched run (items naming the same run share it, so its results are fetched once). */
interface Watched {
	workflowId: string;
	collectionId: string;
	targets: WatchTarget[];
	/** polled through the runs list (false: through its own results endpoint) */
	listed: boolean;
	/** a results request is under way */
	fetching: boolean;
	/** the list said the run ended; its results are due */
	ended: boolean;
	outcome?: WatchOutcome;
	misses: number;
	failures: number;
	/** server time the run was created, once the list showed it */
	createdAt?: number;
	/** local time it was submitted (or the watch started) */
	submittedAt: number;
	/** local time the last completed check of this run started */
	checkedAt: number;
	/** own-results polling schedule */
	nextAt: number;
	delay: number;
}

interface Group {
	workflowId: string;
	runs: Watched[];
	reading: boolean;
	nextAt: number;
	delay: number;
	failures: number;
	/** processing times (ms, server clock) of this batch's ended runs, as the list showed them */
	durations: number[];
	/** the same for other runs of the workflow, a first guess while none of the batch has ended */
	otherDurations: number[];
	timed: Set<string>;
	walk: WalkState;
	/** local time the last list read ended */
	lastReadAt?: number;
}

/**
 * Waits for many runs at once with few requests.
 *
 * Runs of one workflow watched together (two or more) are read from the runs list, newest first, 100
 * a request, and each run's results are fetched exactly once, as soon as the list says it ended. The
 * list is read on a schedule based on observed progress (see LIST_POLL_FRACTION): before any run has
 * ended, from 2 s after the first submission, backing off ×1.5 up to 10 s.
 *
 * Fallback to per-run polling (each run's own results endpoint, 2 s ×1.5 up to 30 s, the API docs'
 * pattern), only where the list cannot answer: a run watched on its own (one request either way, and
 * the results come with the answer), a run the list has not shown twice in a row (deleted, or pushed
 * beyond the pages walked by other runs), and every run of a workflow whose list keeps failing. A
 * status this code does not know is checked against the run's results endpoint, which is authoritative.
 *
 * Results are fetched in the background: a slow answer for one run does not delay the others.
 *
 * A batch's runs may already be watched while its documents are still being sent (the submitter
 * starts a `RunWatch` and leaves it on the session): the watch goes on from there, with the
 * deadlines given here.
 */
export async function watchRuns(
	session: ApiSession,
	targets: WatchTarget[],
	options: WatchOptions,
): Promise<Map<number, WatchOutcome>> {
	const watch = session.takeBatchWatch() ?? new RunWatch(session, options);
	for (const target of targets) watch.add(target);
	watch.close();
	return await watch.result();
}

/** A watch that runs may join while it is under way; see `watchRuns`. */
export class RunWatch {
	private readonly byRun = new Map<string, Watched>();

	private readonly groups = new Map<string, Group>();

	private readonly outcomes = new Map<number, WatchOutcome>();

	private readonly work = new Set<Promise<void>>();

	private readonly stats = { listReads: 0, resultReads: 0, ownPolls: 0 };

	private readonly firstDelay: number;

	/** no more runs will join */
	private closed = false;

	/** the watch is over: a list read still under way starts no results request */
	private over = false;

	private stopping = false;

	private running: Promise<Map<number, WatchOutcome>> | undefined;

	private wake: () => void = () => {};

	private changed: Promise<void>;

	private sending = false;

	constructor(
		private readonly session: ApiSession,
		private readonly options: WatchOptions,
	) {
		this.firstDelay = options.initialDelayMs ?? FIRST_DELAY_MS;
		this.changed = new Promise<void>((resolve) => (this.wake = resolve));
	}

	/** Watches one more target; a target already watched (same key) only takes the new deadline. */
	add(target: WatchTarget): void {
		const now = Date.now();
		const runKey = `${target.workflowId}\u0000${target.collectionId}`;
		let run = this.byRun.get(runKey);
		if (!run) {
			const submittedAt = target.submittedAt ?? now;
			run = {
				workflowId: target.workflowId,
				collectionId: target.collectionId,
				targets: [],
				listed: false,
				fetching: false,
				ended: false,
				misses: 0,
				failures: 0,
				submittedAt,
				checkedAt: 0,
				nextAt: this.options.checkFirst ? now : Math.max(now, submittedAt + this.firstDelay),
				delay: this.firstDelay,
			};
			this.byRun.set(runKey, run);
			this.join(run, now);
		}
		const known = run.targets.find((t) => t.key === target.key);
		if (known) known.deadline = target.deadline;
		else run.targets.push({ ...target });
		if (run.outcome && run.outcome.state !== 'timeout' && !this.outcomes.has(target.key)) {
			this.outcomes.set(target.key, run.outcome);
		}
		this.notify();
	}

	/**
	 * While the batch's documents are still being sent the list is read less often (once per typical
	 * processing time instead of five times): the batch cannot finish before its last submission.
	 */
	set submitting(value: boolean) {
		this.sending = value;
		if (value) return;
		for (const group of this.groups.values()) {
			if (group.reading || group.lastReadAt === undefined) continue;
			const delay = nextListDelay(group, this.session, false, false);
			group.nextAt = Math.min(group.nextAt, group.lastReadAt + delay);
		}
		this.notify();
	}

	/** No more targets: `result()` resolves once every target has an outcome. */
	close(): void {
		this.closed = true;
		this.notify();
	}

	/** Ends the watch at once (results already under way are still waited for). */
	stop(): void {
		this.stopping = true;
		this.notify();
	}

	/** Starts the watch (once); resolves with every target's outcome. */
	async result(): Promise<Map<number, WatchOutcome>> {
		this.running ??= this.loop();
		return await this.running;
	}

	private join(run: Watched, now: number) {
		let group = this.groups.get(run.workflowId);
		if (!group) {
			group = {
				workflowId: run.workflowId,
				runs: [],
				reading: false,
				nextAt: 0,
				delay: this.firstDelay,
				failures: 0,
				durations: [],
				otherDurations: [],
				timed: new Set(),
				walk: {},
			};
			this.groups.set(run.workflowId, group);
		}
		group.runs.push(run);
		if (group.runs.length < 2) return;
		if (group.runs.length === 2) {
			// two runs of one workflow: from now on they are read from the list
			const first = Math.min(...group.runs.map((r) => r.submittedAt));
			group.nextAt = this.options.checkFirst ? now : Math.max(now, first + this.firstDelay);
			for (const member of group.runs) if (member.outcome === undefined) member.listed = true;
		} else {
			run.listed = true;
		}
	}

	private notify() {
		this.wake();
		this.changed = new Promise<void>((resolve) => (this.wake = resolve));
	}

	private track(job: Promise<void>) {
		const tracked = job.finally(() => {
			this.work.delete(tracked);
			this.notify();
		});
		this.work.add(tracked);
	}

	private settle(run: Watched, outcome: WatchOutcome) {
		run.outcome = outcome;
		for (const target of run.targets) {
			if (!this.outcomes.has(target.key)) this.outcomes.set(target.key, outcome);
		}
	}

	private async fetchResults(run: Watched, own: boolean): Promise<void> {
		const startedAt = Date.now();
		run.fetching = true;
		this.stats.resultReads++;
		if (own) this.stats.ownPolls++;
		try {
			const result = await getResults(
				this.session,
				run.workflowId,
				run.collectionId,
				run.targets[0]?.key,
			);
			if (result.state === 'processing') {
				// still running (or the list was ahead of the results): look again later
				run.ended = false;
			} else {
				this.settle(run, result);
			}
			run.failures = 0;
		} catch (error) {
			if (error instanceof ExecutionStoppedError) return;
			run.failures++;
			if (isPermanent(error) || run.failures >= RESULT_FAILURES_ALLOWED) {
				this.settle(run, { state: 'error', error: error as Error });
			}
		} finally {
			run.fetching = false;
			run.checkedAt = startedAt;
			if (run.outcome === undefined && !run.listed) {
				run.nextAt = Date.now() + run.delay;
				run.delay = Math.min(run.delay * 1.5, RESULTS_POLL_CAP_MS);
			}
		}
	}

	private async readGroup(group: Group): Promise<void> {
		const startedAt = Date.now();
		group.reading = true;
		const wanted = group.runs.filter(
			(run) => run.listed && run.outcome === undefined && !run.fetching,
		);
		try {
			if (wanted.length === 0) return;
			const ids = new Map(wanted.map((run) => [run.collectionId, run]));
			const known = wanted.map((run) => run.createdAt);
			const since = known.every((t) => t !== undefined)
				? Math.min(...(known as number[]))
				: undefined;
			const seen = new Map<string, RunStatus>();
			await walkNewest<RunStatus>(
				async (page) => {
					this.stats.listReads++;
					return await listRunsPage(this.session, group.workflowId, page);
				},
				group.walk,
				{
					since,
					maxPages: Math.ceil(wanted.length / MAX_PAGE_SIZE) + 1,
					visit: (entry) => {
						if (ids.has(entry.id)) seen.set(entry.id, entry);
						const took = processingTime(entry);
						if (took === undefined || group.timed.has(entry.id)) return;
						if (ids.has(entry.id)) {
							group.timed.add(entry.id);
							group.durations.push(took);
						} else if (group.durations.length === 0 && group.otherDurations.length < 50) {
							group.timed.add(entry.id);
							group.otherDurations.push(took);
						}
					},
					enough: () => seen.size === ids.size,
				},
			);
			group.failures = 0;
			for (const run of wanted) {
				run.checkedAt = startedAt;
				const entry = seen.get(run.collectionId);
				if (!entry) {
					if (++run.misses >= MISSES_BEFORE_OWN_POLLING) this.moveToOwnPolling(run);
					continue;
				}
				run.misses = 0;
				const created = Date.parse(String(entry.created_at ?? ''));
				if (!Number.isNaN(created)) run.createdAt = created;
				const status = String(entry.status);
				if (ACTIVE.has(status) || this.over) continue;
				// ended, or a status this code does not know: the results endpoint tells, once
				run.ended = TERMINAL.has(status);
				this.track(this.fetchResults(run, false));
			}
		} catch (error) {
			if (error instanceof ExecutionStoppedError) return;
			// the list failed even after retries: try it again later, then give up on it
			if (++group.failures >= LIST_FAILURES_BEFORE_OWN_POLLING) {
				wanted.forEach((run) => this.moveToOwnPolling(run));
			}
		} finally {
			group.reading = false;
			group.lastReadAt = Date.now();
			group.nextAt = group.lastReadAt + nextListDelay(group, this.session, this.sending, true);
		}
	}

	private moveToOwnPolling(run: Watched) {
		run.listed = false;
		run.nextAt = Date.now();
		run.delay = FIRST_DELAY_MS;
	}

	private async loop(): Promise<Map<number, WatchOutcome>> {
		const runs = () => [...this.byRun.values()];
		try {
			for (;;) {
				const t = Date.now();
				for (const run of runs()) {
					if (run.outcome !== undefined) continue;
					for (const target of run.targets) {
						if (this.outcomes.has(target.key) || t < target.deadline || run.fetching) continue;
						if (run.checkedAt >= target.deadline || t >= target.deadline + LAST_LOOK_MS) {
							this.outcomes.set(target.key, { state: 'timeout' });
						} else if (run.listed) {
							// a last look before giving up
							const group = this.groups.get(run.workflowId);
							if (group) group.nextAt = Math.min(group.nextAt, t);
						} else {
							run.nextAt = Math.min(run.nextAt, t);
						}
					}
					if (run.targets.every((target) => this.outcomes.has(target.key))) {
						run.outcome ??= { state: 'timeout' };
					}
				}
				const pending = runs().filter((run) => run.outcome === undefined);
				if (this.stopping || (this.closed && pending.length === 0)) break;

				for (const group of this.groups.values()) {
					if (
						!group.reading &&
						t >= group.nextAt &&
						group.runs.some((r) => r.listed && r.outcome === undefined)
					) {
						this.track(this.readGroup(group));
					}
				}
				for (const run of pending) {
					if (!run.listed && !run.fetching && t >= run.nextAt)
						this.track(this.fetchResults(run, true));
				}

				let wakeAt = Infinity;
				for (const group of this.groups.values()) {
					if (!group.reading && group.runs.some((r) => r.listed && r.outcome === undefined)) {
						wakeAt = Math.min(wakeAt, group.nextAt);
					}
				}
				for (const run of pending) {
					if (!run.listed && !run.fetching) wakeAt = Math.min(wakeAt, run.nextAt);
					if (run.fetching) continue;
					for (const target of run.targets) {
						if (this.outcomes.has(target.key)) continue;
						const at = t < target.deadline ? target.deadline : target.deadline + LAST_LOOK_MS;
						wakeAt = Math.min(wakeAt, at);
					}
				}
				const changed = this.changed;
				const waitMs = Math.max(0, wakeAt - Date.now());
				if (waitMs > 0) await nap(waitMs, this.session.signal, changed);
			}
		} finally {
			// results already under way are waited for (each is bounded by its request timeout); a list
			// read still under way starts no more of them
			this.over = true;
			while (this.work.size > 0) await Promise.all([...this.work]);
		}
		this.session.log('Anyformat: watched runs', {
			runs: this.byRun.size,
			listReads: this.stats.listReads,
			resultReads: this.stats.resultReads,
			ownPolls: this.stats.ownPolls,
			...this.session.stats,
		});
		return this.outcomes;
	}
}

/** The pause before the next list read of a group. */
function nextListDelay(
	group: Group,
	session: ApiSession,
	submitting: boolean,
	backOff: boolean,
): number {
	const open = group.runs.filter((run) => run.listed && run.outcome === undefined).length;
	if (open === 0) return LIST_POLL_CAP_MS;
	// a floor that keeps list reads to a share of the general tier, whatever the window's length
	const pages = Math.ceil(open / MAX_PAGE_SIZE);
	const floor = Math.max(
		LIST_POLL_MIN_MS,
		(pages * session.general.spacingMs) / LIST_SHARE_OF_TIER,
	);
	const durations = group.durations.length > 0 ? group.durations : group.otherDurations;
	if (durations.length > 0) {
		const typical = median(durations);
		const fraction = submitting ? 1 : LIST_POLL_FRACTION;
		return Math.min(LIST_POLL_CAP_MS, Math.max(floor, typical * fraction));
	}
	const delay = group.delay;
	if (backOff) group.delay = Math.min(group.delay * 1.5, LIST_POLL_CAP_MS);
	return Math.max(floor, delay);
}

/** How long an ended run took, from the list's timestamps (both from the server's clock). */
function processingTime(entry: RunStatus): number | undefined {
	if (entry.status !== 'processed' && entry.status !== 'error') return undefined;
	const created = Date.parse(String(entry.created_at ?? ''));
	const updated = Date.parse(String(entry.updated_at ?? ''));
	if (Number.isNaN(created) || Number.isNaN(updated) || updated < created) return undefined;
	return updated - created;
}

/** Errors that asking again will not change: the run or workflow is gone, or access is refused. */
function isPermanent(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return false;
	const code = Number(error.httpCode);
	return code >= 400 && code < 500 && code !== 408 && code !== 429;
}

export interface WalkState {
	/** the order the list was seen in: newest first (`desc`) or oldest first (`asc`) */
	order?: 'desc' | 'asc';
	count?: number;
}

/**
 * Reads a paginated list of a workflow's runs or file collections from its newest entries back. The
 * API does not document the order, so it is read off `created_at` on the first page (and remembered):
 * newest-first lists are walked from page 1, oldest-first ones from their last page. It stops when
 * `enough()` says so, when an entry older than `since` (server time, ms) shows that every entry
 * created since then has been seen, at the end of the list, or after `maxPages` pages.
 * Returns whether everything created since `since` (or the whole list) was seen.
 */
export async function walkNewest<T extends { created_at?: unknown }>(
	fetchPage: (page: number) => Promise<Page<T>>,
	state: WalkState,
	options: {
		since?: number;
		maxPages: number;
		visit: (entry: T) => void;
		enough?: () => boolean;
	},
): Promise<{ complete: boolean }> {
	const visited = new Set<number>();
	let page = state.order === 'asc' ? Math.max(1, Math.ceil((state.count ?? 0) / MAX_PAGE_SIZE)) : 1;
	for (;;) {
		const data = await fetchPage(page);
		visited.add(page);
		state.count = data.count;
		const lastPage = Math.max(1, Math.ceil(data.count / Math.max(1, data.page_size)));
		const times = data.results.map((entry) => Date.parse(String(entry.created_at ?? '')));
		if (page === 1 && times.length >= 2 && !times.some(Number.isNaN)) {
			if (times[0] > times[times.length - 1]) state.order = 'desc';
			else if (times[0] < times[times.length - 1]) state.order = 'asc';
		}
		data.results.forEach(options.visit);
		if (options.enough?.()) return { complete: false };
		const oldest = times.some(Number.isNaN) ? NaN : Math.min(...times);
		if (
			state.order !== undefined &&
			options.since !== undefined &&
			times.length > 0 &&
			oldest < options.since
		) {
			// this page reaches back past `since`; in a known order the pages not read yet are older
			// (desc: the later pages; asc: the earlier ones), except newer pages an asc list grew
			const newerUnread =
				state.order === 'asc' &&
				Array.from({ length: lastPage - page }, (_, i) => page + 1 + i).some(
					(p) => !visited.has(p),
				);
			if (!newerUnread) return { complete: true };
		}
		const next = nextPage(state.order, page, lastPage, visited);
		if (next === undefined) return { complete: true };
		if (visited.size >= options.maxPages) return { complete: false };
		page = next;
	}
}

/** The next page towards older entries (newer pages first, if an oldest-first list has grown). */
function nextPage(
	order: WalkState['order'],
	page: number,
	lastPage: number,
	visited: Set<number>,
): number | undefined {
	if (order === 'asc') {
		for (let p = lastPage; p > page; p--) if (!visited.has(p)) return p;
		for (let p = page - 1; p >= 1; p--) if (!visited.has(p)) return p;
		for (let p = lastPage; p >= 1; p--) if (!visited.has(p)) return p;
		return undefined;
	}
	for (let p = page + 1; p <= lastPage; p++) if (!visited.has(p)) return p;
	for (let p = 1; p <= lastPage; p++) if (!visited.has(p)) return p;
	return undefined;
}

function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}
