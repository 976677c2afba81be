import type { ApiSession } from '../../shared/transport/request';
import { normalizeRunStatus } from '../../shared/transport/status';
import { DeadlineExceeded, ExecutionStoppedError, nap } from '../../shared/pause';
import { deadlineStep, deadlineWakeAt, readDeadline } from './deadline';
import { readRunsList } from './listRead';
import { FIRST_DELAY_MS, nextListDelay } from './listSchedule';
import { checkResults } from './results';
import type { WatchedRun, WatchOutcome, WatchTarget, WorkflowGroup } from './watchState';
import { newGroup, newWatchedRun, openListed } from './watchState';

export type { WatchOutcome, WatchTarget } from './watchState';

/** a run the list has not shown this many times is polled through its own results instead */
const MISSES_BEFORE_OWN_POLLING = 2;
/** list reads failing this many times in a row (each after its own retries) switch to per-run polling */
const LIST_FAILURES_BEFORE_OWN_POLLING = 3;

/** Watches the given runs until each has an outcome or its deadline (Wait, and Run's single step). */
export async function watchRuns(
	session: ApiSession,
	targets: WatchTarget[],
	options: { checkFirst: boolean },
): Promise<Map<number, WatchOutcome>> {
	const watch = new RunWatch(session, options);
	for (const target of targets) watch.add(target);
	watch.close();
	return await watch.result();
}

/**
 * Waits for many runs at once with few requests. Runs of one workflow watched together (two or more)
 * are read from the runs list, newest first, 100 a request, and each run's results are fetched exactly
 * once, as soon as the list says it ended (schedule: listSchedule.ts). A run watched on its own, a run
 * the list has not shown twice in a row, and every run of a workflow whose list keeps failing are
 * polled through their own results endpoint instead (2 s ×1.5 up to 30 s, the API docs' pattern).
 * A status this code does not know is checked against the results endpoint, which is authoritative.
 * Runs may join while the watch is under way (the submitter adds each run as soon as it exists).
 */
export class RunWatch {
	private readonly byRun = new Map<string, WatchedRun>();

	private readonly groups = new Map<string, WorkflowGroup>();

	private readonly outcomes = new Map<number, WatchOutcome>();

	private readonly work = new Set<Promise<void>>();

	private readonly stats = { listReads: 0, resultReads: 0, ownPolls: 0 };

	/** no more runs will join */
	private closed = false;

	/** the watch is over: a list read still under way starts no results request */
	private over = false;

	private stopping = false;

	private submitting = false;

	private running: Promise<Map<number, WatchOutcome>> | undefined;

	private wake: () => void = () => {};

	private changed: Promise<void>;

	constructor(
		private readonly session: ApiSession,
		private readonly options: { checkFirst: boolean },
	) {
		this.changed = new Promise<void>((resolve) => (this.wake = resolve));
	}

	/** Watches one more item; the watch starts with the first. An item already watched keeps its first deadline. */
	add(target: WatchTarget): void {
		const now = Date.now();
		const runKey = `${target.workflowId}\u0000${target.collectionId}`;
		let run = this.byRun.get(runKey);
		if (!run) {
			run = newWatchedRun(target, now, this.options.checkFirst);
			this.byRun.set(runKey, run);
			this.join(run, now);
		}
		if (!run.targets.some((known) => known.itemIndex === target.itemIndex)) {
			run.targets.push({ ...target });
		}
		if (run.outcome && run.outcome.state !== 'timeout' && !this.outcomes.has(target.itemIndex)) {
			this.outcomes.set(target.itemIndex, run.outcome);
		}
		this.start();
		this.notify();
	}

	/**
	 * While the batch's documents are still being sent the list is read less often (once per typical
	 * processing time instead of five times): the batch cannot finish before its last submission.
	 */
	setSubmitting(value: boolean): void {
		this.submitting = value;
		if (value) return;
		for (const group of this.groups.values()) {
			if (group.reading || group.lastReadAt === undefined) continue;
			group.nextAt = Math.min(group.nextAt, group.lastReadAt + this.listDelay(group, false));
		}
		this.notify();
	}

	/** No more items: `result()` resolves once every item has an outcome. */
	close(): void {
		this.closed = true;
		this.notify();
	}

	/** Ends the watch at once (results already under way are still waited for). */
	stop(): void {
		this.stopping = true;
		this.notify();
	}

	/** Every item's outcome, once the watch is over. */
	async result(): Promise<Map<number, WatchOutcome>> {
		return await this.start();
	}

	private start(): Promise<Map<number, WatchOutcome>> {
		if (!this.running) {
			this.running = this.loop();
			// awaited through result(); a stop before that must not surface as unhandled
			this.running.catch(() => undefined);
		}
		return this.running;
	}

	private join(run: WatchedRun, now: number) {
		let group = this.groups.get(run.workflowId);
		if (!group) {
			group = newGroup(run.workflowId);
			this.groups.set(run.workflowId, group);
		}
		group.runs.push(run);
		if (group.runs.length < 2) return;
		if (group.runs.length === 2) {
			// two runs of one workflow: from now on they are read from the list
			const first = Math.min(...group.runs.map((r) => r.submittedAt));
			group.nextAt = this.options.checkFirst ? now : Math.max(now, first + FIRST_DELAY_MS);
			for (const member of group.runs) if (member.outcome === undefined) member.listed = true;
		} else {
			run.listed = true;
		}
	}

	private listDelay(group: WorkflowGroup, backOff: boolean): number {
		const { delayMs, backoffMs } = nextListDelay({
			open: openListed(group).length,
			spacingMs: this.session.general.spacingMs,
			durations: group.durations.length > 0 ? group.durations : group.otherDurations,
			submitting: this.submitting,
			backoffMs: group.backoffMs,
		});
		if (backOff) group.backoffMs = backoffMs;
		return delayMs;
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

	private settle(run: WatchedRun, outcome: WatchOutcome) {
		run.outcome = outcome;
		for (const target of run.targets) {
			if (!this.outcomes.has(target.itemIndex)) this.outcomes.set(target.itemIndex, outcome);
		}
	}

	private async fetchResults(run: WatchedRun, own: boolean): Promise<void> {
		this.stats.resultReads++;
		if (own) this.stats.ownPolls++;
		const outcome = await checkResults(this.session, run, this.deadlineOf([run]));
		if (outcome) this.settle(run, outcome);
	}

	/** The deadline of a read for these runs: their items still waiting (see `readDeadline`). */
	private deadlineOf(runs: WatchedRun[]): number {
		const targets = runs.flatMap((run) => run.targets);
		const waiting = targets.filter((target) => !this.outcomes.has(target.itemIndex));
		const deadlines = (waiting.length > 0 ? waiting : targets).map((target) => target.deadline);
		return readDeadline(deadlines, Date.now());
	}

	private async readGroup(group: WorkflowGroup): Promise<void> {
		const startedAt = Date.now();
		group.reading = true;
		const wanted = openListed(group).filter((run) => !run.fetching);
		try {
			if (wanted.length === 0) return;
			const seen = await readRunsList(
				this.session,
				group,
				wanted,
				() => this.stats.listReads++,
				this.deadlineOf(wanted),
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
				const status = normalizeRunStatus(entry.status);
				if (status === 'pending' || status === 'queued' || status === 'in_progress') continue;
				// ended, or a status this code does not know: the results endpoint tells, once
				if (!this.over) this.track(this.fetchResults(run, false));
			}
		} catch (error) {
			if (error instanceof ExecutionStoppedError) return;
			if (error instanceof DeadlineExceeded) {
				// the list cannot be read before the items' Timeout: they end as timeouts, runs named
				for (const run of wanted) this.settle(run, { state: 'timeout', unread: true });
				return;
			}
			// the list failed even after retries: try it again later, then give up on it
			if (++group.failures >= LIST_FAILURES_BEFORE_OWN_POLLING) {
				wanted.forEach((run) => this.moveToOwnPolling(run));
			}
		} finally {
			group.reading = false;
			group.lastReadAt = Date.now();
			group.nextAt = group.lastReadAt + this.listDelay(group, true);
		}
	}

	private moveToOwnPolling(run: WatchedRun) {
		run.listed = false;
		run.nextAt = Date.now();
		run.delayMs = FIRST_DELAY_MS;
	}

	private async loop(): Promise<Map<number, WatchOutcome>> {
		try {
			for (;;) {
				const now = Date.now();
				this.expire(now);
				const pending = [...this.byRun.values()].filter((run) => run.outcome === undefined);
				if (this.stopping || (this.closed && pending.length === 0)) break;
				this.startDue(now, pending);
				const waitMs = Math.max(0, this.wakeAt(now, pending) - Date.now());
				if (waitMs > 0) await nap(waitMs, this.session.signal, this.changed);
			}
		} finally {
			// results already under way are waited for (each is bounded by its request timeout)
			this.over = true;
			while (this.work.size > 0) await Promise.all([...this.work]);
		}
		this.session.log('Anyformat: watched runs', {
			runs: this.byRun.size,
			...this.stats,
			...this.session.stats,
		});
		return this.outcomes;
	}

	/** Items past their deadline: a last look first, then `timeout`. */
	private expire(now: number) {
		for (const run of this.byRun.values()) {
			if (run.outcome !== undefined) continue;
			for (const target of run.targets) {
				if (this.outcomes.has(target.itemIndex) || run.fetching) continue;
				const step = deadlineStep(target.deadline, run.checkedAt, now);
				if (step === 'timeout') {
					this.outcomes.set(target.itemIndex, { state: 'timeout' });
				} else if (step === 'wait') {
					continue;
				} else if (run.listed) {
					const group = this.groups.get(run.workflowId);
					if (group) group.nextAt = Math.min(group.nextAt, now);
				} else {
					run.nextAt = Math.min(run.nextAt, now);
				}
			}
			if (run.targets.every((target) => this.outcomes.has(target.itemIndex))) {
				run.outcome ??= { state: 'timeout' };
			}
		}
	}

	private startDue(now: number, pending: WatchedRun[]) {
		for (const group of this.groups.values()) {
			if (!group.reading && now >= group.nextAt && openListed(group).length > 0) {
				this.track(this.readGroup(group));
			}
		}
		for (const run of pending) {
			if (!run.listed && !run.fetching && now >= run.nextAt)
				this.track(this.fetchResults(run, true));
		}
	}

	/** When something is next due: a list read, a run's own poll, or a deadline. */
	private wakeAt(now: number, pending: WatchedRun[]): number {
		let at = Infinity;
		for (const group of this.groups.values()) {
			if (!group.reading && openListed(group).length > 0) at = Math.min(at, group.nextAt);
		}
		for (const run of pending) {
			if (run.fetching) continue;
			if (!run.listed) at = Math.min(at, run.nextAt);
			for (const target of run.targets) {
				if (this.outcomes.has(target.itemIndex)) continue;
				at = Math.min(at, deadlineWakeAt(target.deadline, now));
			}
		}
		return at;
	}
}
