import type { IDataObject } from 'n8n-workflow';

import type { ApiErrorInfo } from '../../shared/transport/errors';
import { FIRST_DELAY_MS } from './listSchedule';
import type { WalkState } from './walk';

/** One item waiting for one run. */
export interface WatchTarget {
	itemIndex: number;
	workflowId: string;
	collectionId: string;
	/** epoch ms after which the item is given up as `timeout` */
	deadline: number;
	/** epoch ms (local clock) the run was submitted, when this execution submitted it */
	submittedAt?: number;
}

export type WatchOutcome =
	| { state: 'processed'; envelope: IDataObject }
	| { state: 'failed' | 'cancelled'; error: ApiErrorInfo }
	/** `unread`: a read was stopped by the deadline (the API asked for a wait longer than the time left) */
	| { state: 'timeout'; unread?: boolean }
	| { state: 'error'; error: Error };

/** One watched run (items naming the same run share it, so its results are fetched once). */
export interface WatchedRun {
	workflowId: string;
	collectionId: string;
	targets: WatchTarget[];
	/** polled through the runs list (false: through its own results endpoint) */
	listed: boolean;
	/** a results request is under way */
	fetching: boolean;
	outcome?: WatchOutcome;
	/** list reads in a row that did not show the run */
	misses: number;
	/** results requests in a row that failed */
	failures: number;
	/** server time the run was created, once the list showed it */
	createdAt?: number;
	/** local time it was submitted (or the watch started) */
	submittedAt: number;
	/** local time the last completed check of this run started */
	checkedAt: number;
	/** own-results polling: when next, and the pause after that */
	nextAt: number;
	delayMs: number;
}

/** The runs of one workflow, read together from its runs list. */
export interface WorkflowGroup {
	workflowId: string;
	runs: WatchedRun[];
	reading: boolean;
	nextAt: number;
	/** the list-read pause while no processing time is known */
	backoffMs: number;
	/** list reads in a row that failed */
	failures: number;
	/** processing times (ms, server clock) of this batch's ended runs, as the list showed them */
	durations: number[];
	/** the same for other runs of the workflow, a first guess while none of the batch has ended */
	otherDurations: number[];
	/** runs whose processing time is recorded */
	timed: Set<string>;
	walk: WalkState;
	/** local time the last list read ended */
	lastReadAt?: number;
}

export function newWatchedRun(target: WatchTarget, now: number, checkFirst: boolean): WatchedRun {
	const submittedAt = target.submittedAt ?? now;
	return {
		workflowId: target.workflowId,
		collectionId: target.collectionId,
		targets: [],
		listed: false,
		fetching: false,
		misses: 0,
		failures: 0,
		submittedAt,
		checkedAt: 0,
		nextAt: checkFirst ? now : Math.max(now, submittedAt + FIRST_DELAY_MS),
		delayMs: FIRST_DELAY_MS,
	};
}

export function newGroup(workflowId: string): WorkflowGroup {
	return {
		workflowId,
		runs: [],
		reading: false,
		nextAt: 0,
		backoffMs: FIRST_DELAY_MS,
		failures: 0,
		durations: [],
		otherDurations: [],
		timed: new Set(),
		walk: {},
	};
}

/** Runs of the group still waiting for the list to say they ended. */
export function openListed(group: WorkflowGroup): WatchedRun[] {
	return group.runs.filter((run) => run.listed && run.outcome === undefined);
}
