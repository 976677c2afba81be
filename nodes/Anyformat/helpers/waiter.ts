import type { IDataObject } from 'n8n-workflow';

import type { RunStatus } from '../transport/api';
import { getResults, listRunsPage, MAX_PAGE_SIZE } from '../transport/api';
import type { ApiErrorInfo } from '../transport/errors';
import type { ApiSession } from '../transport/request';
import { pause, rethrowIfStopped } from './pause';

export interface WatchTarget {
	key: number;
	workflowId: string;
	collectionId: string;
	/** epoch ms after which the target is given up as `timeout` */
	deadline: number;
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
const ACTIVE = new Set(['pending', 'queued', 'in_progress']);

/**
 * Waits for many runs at once with few requests. Runs of one workflow watched together are read from
 * the runs list (up to 100 a request) and each run's results are fetched once, when the list says it
 * ended. A run the list cannot answer for (not found in the pages walked, or a status this code does
 * not know) falls back to polling its own results endpoint, which is authoritative. A run watched on
 * its own is polled through its results endpoint directly: that is one request either way.
 */
export async function watchRuns(
	session: ApiSession,
	targets: WatchTarget[],
	options: WatchOptions,
): Promise<Map<number, WatchOutcome>> {
	const outcomes = new Map<number, WatchOutcome>();
	let pending = [...targets];
	const pollOwnResults = new Set<number>();
	let delay = options.initialDelayMs ?? FIRST_DELAY_MS;
	let first = true;

	while (pending.length > 0) {
		const now = Date.now();
		for (const target of pending) {
			if (now >= target.deadline) outcomes.set(target.key, { state: 'timeout' });
		}
		pending = pending.filter((t) => !outcomes.has(t.key));
		if (pending.length === 0) break;

		if (!first || options.checkFirst) {
			const listed = pending.filter((t) => !pollOwnResults.has(t.key));
			const byWorkflow = groupBy(listed, (t) => t.workflowId);
			const direct = pending.filter((t) => pollOwnResults.has(t.key));
			const checks: Array<Promise<void>> = [];
			for (const group of byWorkflow.values()) {
				if (group.length === 1) direct.push(group[0]);
				else checks.push(checkThroughList(session, group, outcomes, pollOwnResults));
			}
			checks.push(...direct.map(async (t) => await checkResults(session, t, outcomes)));
			await Promise.all(checks);
			pending = pending.filter((t) => !outcomes.has(t.key));
			if (pending.length === 0) break;
		}
		first = false;

		const listMode = pending.some((t) => !pollOwnResults.has(t.key)) && pending.length > 1;
		const cap = listMode ? LIST_POLL_CAP_MS : RESULTS_POLL_CAP_MS;
		const nearestDeadline = Math.min(...pending.map((t) => t.deadline));
		const wait = Math.max(0, Math.min(delay, nearestDeadline - Date.now()));
		await pause(wait, session.signal);
		delay = Math.min(delay * 1.5, cap);
	}
	return outcomes;
}

async function checkResults(
	session: ApiSession,
	target: WatchTarget,
	outcomes: Map<number, WatchOutcome>,
): Promise<void> {
	try {
		const result = await getResults(session, target.workflowId, target.collectionId, target.key);
		if (result.state === 'processed') outcomes.set(target.key, result);
		else if (result.state !== 'processing') outcomes.set(target.key, result);
	} catch (error) {
		rethrowIfStopped(error);
		outcomes.set(target.key, { state: 'error', error });
	}
}

async function checkThroughList(
	session: ApiSession,
	group: WatchTarget[],
	outcomes: Map<number, WatchOutcome>,
	pollOwnResults: Set<number>,
): Promise<void> {
	const workflowId = group[0].workflowId;
	const wanted = new Set(group.map((t) => t.collectionId));
	const statuses = new Map<string, string>();
	// The list's order is not documented: walk only as many pages as the watched runs could fill, plus
	// one; runs not seen by then are polled through their own results instead.
	const maxPages = Math.ceil(group.length / MAX_PAGE_SIZE) + 1;
	try {
		for (let page = 1; page <= maxPages; page++) {
			const data = await listRunsPage(session, workflowId, page);
			for (const run of data.results as RunStatus[]) {
				if (wanted.has(run.id)) statuses.set(run.id, String(run.status));
			}
			if (statuses.size === wanted.size) break;
			if (data.results.length === 0 || data.page * data.page_size >= data.count) break;
		}
	} catch (error) {
		rethrowIfStopped(error);
		// the list failed even after retries: ask each run's results instead
		group.forEach((t) => pollOwnResults.add(t.key));
		return;
	}
	const fetches: Array<Promise<void>> = [];
	for (const target of group) {
		const status = statuses.get(target.collectionId);
		if (
			status === undefined ||
			(!ACTIVE.has(status) && !['processed', 'error', 'cancelled'].includes(status))
		) {
			pollOwnResults.add(target.key);
			fetches.push(checkResults(session, target, outcomes));
		} else if (!ACTIVE.has(status)) {
			// ended: the results endpoint gives the envelope or the failure's details, once
			fetches.push(checkResults(session, target, outcomes));
		}
	}
	await Promise.all(fetches);
}

function groupBy<T>(values: T[], key: (value: T) => string): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const value of values) {
		const k = key(value);
		const group = groups.get(k);
		if (group) group.push(value);
		else groups.set(k, [value]);
	}
	return groups;
}
