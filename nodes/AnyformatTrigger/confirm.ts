import type { IDataObject } from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import { failureOf } from '../shared/mapping/eventItem';
import { normalizeRunId } from '../shared/runId';
import type { RunStatus } from '../shared/transport/api';
import { getResults, listRunsPage } from '../shared/transport/api';
import type { ApiSession } from '../shared/transport/request';
import { finalStateOf } from '../shared/transport/status';

/**
 * The state of a run as the API reports it, read with the credential. This, not the delivery, is what
 * the trigger believes.
 * - `unknown`: the API does not know this run in this workflow (404, or an id it refuses);
 * - `unavailable`: the API could not be asked (network, server error, refused key): no conclusion.
 */
export type RunConfirmation =
	| { state: 'processed'; envelope: IDataObject }
	| { state: 'failed' | 'cancelled'; errorCode: string | null; detail: string | null }
	| { state: 'processing' }
	| { state: 'unknown' }
	| { state: 'unavailable'; reason: string };

/**
 * A delivery can overtake the results endpoint by a moment: a run still processing is looked at again
 * after these pauses before the delivery is answered as not (yet) true.
 */
export const SETTLE_PAUSES_MS = [1000, 2000];

const KNOWN_FAILURE_CODES: Record<string, 'failed' | 'cancelled'> = {
	EXTRACTION_FAILED: 'failed',
	EXTRACTION_CANCELLED: 'cancelled',
};

/** How many pages (of 100 runs, newest first) to search for a run whose 422 did not say why. */
const RUNS_PAGES_SEARCHED = 5;

export async function confirmRun(
	session: ApiSession,
	workflowId: string,
	extractionId: string,
	pauses: number[] = SETTLE_PAUSES_MS,
): Promise<RunConfirmation> {
	let confirmation = await readRunOnce(session, workflowId, extractionId);
	for (const pauseMs of pauses) {
		if (confirmation.state !== 'processing') break;
		await sleep(pauseMs);
		confirmation = await readRunOnce(session, workflowId, extractionId);
	}
	return confirmation;
}

async function readRunOnce(
	session: ApiSession,
	workflowId: string,
	extractionId: string,
): Promise<RunConfirmation> {
	let result: Awaited<ReturnType<typeof getResults>>;
	try {
		result = await getResults(session, workflowId, extractionId);
	} catch (error) {
		return fromRequestError(error);
	}
	if (result.state === 'processed') return { state: 'processed', envelope: result.envelope };
	if (result.state === 'processing') return { state: 'processing' };
	const failure = failureOf(result.error);
	const known = failure.errorCode ? KNOWN_FAILURE_CODES[failure.errorCode] : undefined;
	if (known) return { state: known, ...failure };
	// a 422 that is not a documented run failure (e.g. a validation error on the id): ask the runs list
	return await statusFromRunsList(session, workflowId, extractionId);
}

function fromRequestError(error: unknown): RunConfirmation {
	if (error instanceof NodeApiError) {
		const code = String(error.httpCode ?? '');
		// the API refuses or does not know the id: not a run of this workflow
		if (code === '400' || code === '404' || code === '422') return { state: 'unknown' };
		return { state: 'unavailable', reason: error.message };
	}
	return { state: 'unavailable', reason: (error as Error)?.message ?? String(error) };
}

async function statusFromRunsList(
	session: ApiSession,
	workflowId: string,
	extractionId: string,
): Promise<RunConfirmation> {
	let run: RunStatus | undefined;
	try {
		run = await findInRunsList(session, workflowId, extractionId);
	} catch (error) {
		return fromRequestError(error);
	}
	if (!run) return { state: 'unknown' };
	// older deployments say processing/completed/failed (finalStateOf reads them as today's words)
	const state = finalStateOf(run.status);
	if (state === 'failed' || state === 'cancelled') return { state, errorCode: null, detail: null };
	if (state === 'processed') return { state: 'unknown' };
	return { state: 'processing' };
}

/** The run's entry in its workflow's runs list (newest first, at most RUNS_PAGES_SEARCHED pages). */
export async function findInRunsList(
	session: ApiSession,
	workflowId: string,
	extractionId: string,
): Promise<RunStatus | undefined> {
	const wanted = normalizeRunId(extractionId);
	for (let page = 1; page <= RUNS_PAGES_SEARCHED; page++) {
		const data = await listRunsPage(session, workflowId, page);
		const run = data.results.find(
			(r) => typeof r.id === 'string' && normalizeRunId(r.id) === wanted,
		);
		if (run) return run;
		if (data.results.length === 0 || data.page * data.page_size >= data.count) break;
	}
	return undefined;
}

/**
 * When the run was created and last updated, as the runs list says; nulls when the list cannot be read
 * or does not show the run (the confirmation itself came from the results endpoint).
 */
export async function runTimes(
	session: ApiSession,
	workflowId: string,
	extractionId: string,
): Promise<{ id: string | null; createdAt: string | null; updatedAt: string | null }> {
	let run: RunStatus | undefined;
	try {
		run = await findInRunsList(session, workflowId, extractionId);
	} catch {
		run = undefined;
	}
	const text = (value: unknown) => (typeof value === 'string' ? value : null);
	return { id: text(run?.id), createdAt: text(run?.created_at), updatedAt: text(run?.updated_at) };
}
