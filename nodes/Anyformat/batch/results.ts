import { NodeApiError } from 'n8n-workflow';

import { getResults } from '../../shared/transport/api';
import type { ApiSession } from '../../shared/transport/request';
import { DeadlineExceeded, ExecutionStoppedError } from '../../shared/pause';
import type { WatchedRun, WatchOutcome } from './watchState';

/** per-run polling cap, as the API docs advise */
const RESULTS_POLL_CAP_MS = 30_000;
/** a run's results failing to load this many times (each after its own retries) ends it as an error */
const RESULT_FAILURES_ALLOWED = 3;

/**
 * Asks a run's results endpoint once, within `deadline` (its items' Timeout: see `readDeadline`).
 * Returns the run's outcome, or undefined while it is still processing (or the list was ahead of
 * the results) or after a failure that a later look may mend; a read the deadline stopped is a
 * timeout. Schedules the run's next own poll when it is not read from the list.
 */
export async function checkResults(
	session: ApiSession,
	run: WatchedRun,
	deadline: number,
): Promise<WatchOutcome | undefined> {
	const startedAt = Date.now();
	run.fetching = true;
	let outcome: WatchOutcome | undefined;
	try {
		const result = await getResults(
			session,
			run.workflowId,
			run.collectionId,
			run.targets[0]?.itemIndex,
			deadline,
		);
		if (result.state !== 'processing') outcome = result;
		run.failures = 0;
	} catch (error) {
		if (error instanceof ExecutionStoppedError) return undefined;
		if (error instanceof DeadlineExceeded) return { state: 'timeout', unread: true };
		run.failures++;
		if (isPermanent(error) || run.failures >= RESULT_FAILURES_ALLOWED) {
			outcome = { state: 'error', error: error as Error };
		}
	} finally {
		run.fetching = false;
		run.checkedAt = startedAt;
	}
	if (outcome === undefined && !run.listed) {
		run.nextAt = Date.now() + run.delayMs;
		run.delayMs = Math.min(run.delayMs * 1.5, RESULTS_POLL_CAP_MS);
	}
	return outcome;
}

/** Errors that asking again will not change: the run or workflow is gone, or access is refused. */
function isPermanent(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return false;
	const code = Number(error.httpCode);
	return code >= 400 && code < 500 && code !== 408 && code !== 429;
}
