import type { IDataObject } from 'n8n-workflow';

/**
 * How long the polling trigger waits for the results of a run the runs list shows final while they
 * answer 412 (not ready), and what of that wait the cursor keeps (`Cursor.waits`).
 */

/**
 * How long a run the list shows final is waited for while its results answer 412 (not ready): the
 * docs' own polling pattern (60 tries, 5 s growing to 30 s) gives up after about 29 minutes.
 */
export const RESULTS_WAIT_MS = 30 * 60_000;

/** The same wait on n8n's clock, for a workflow where nothing else happens (a day: clear of any skew). */
export const RESULTS_WAIT_LOCAL_MS = 24 * 60 * 60 * 1000;

/** Results requests a run is asked at least (polls) before it is given up, however long the poll interval. */
export const RESULTS_WAIT_ASKS = 3;

/** Runs waiting for their results whose wait the cursor keeps at most (see `keepWaits`). */
export const MAX_WAITS = 300;

/** How long one run has waited for its results: since its first 412, on both clocks, and how often asked. */
export interface ResultsWait {
	/** the API's clock (`walkStartBound`) at the first poll that knew it after the run's first 412 */
	api?: number;
	/** n8n's clock at the run's first 412 */
	local: number;
	/** the polls that asked for its results and got 412 (this one included) */
	asks: number;
}

/**
 * A run the runs list shows final whose results answered 412 (not ready) at this poll; `prior` is its
 * wait so far (`undefined`: its first 412). `wait`: it is left unhandled (the poll goes on with the
 * other runs; see `finishBound`) and asked again at the next poll, with `next` kept in the cursor.
 * `give-up`: it has been asked RESULTS_WAIT_ASKS times or more, and RESULTS_WAIT_MS have passed on the
 * API's clock (`apiNow`: the newest `updated_at` of the walk's first page) since its first 412, or a
 * day on n8n's clock (`localNow`, for a workflow where nothing else happens; a day keeps clear of any
 * clock skew); it is handled without being emitted (the caller logs it). When the run finished does
 * not count: a run of the backlog, or one that finished while n8n was down, waits like any other.
 * `startsApiClock` false (a poll that went on with a walk: its first page is an older part of the
 * list, whose `updated_at` may lag the API's clock by hours): `apiNow` may end a wait but not start
 * one, which then starts on the API's clock at the next poll that reads the newest page.
 */
export function resultsWaitDecision(
	prior: ResultsWait | undefined,
	apiNow: number | undefined,
	localNow: number,
	startsApiClock = true,
): { decision: 'wait' | 'give-up'; next: ResultsWait } {
	const next: ResultsWait = { local: prior?.local ?? localNow, asks: (prior?.asks ?? 0) + 1 };
	const api = prior?.api ?? (startsApiClock ? apiNow : undefined);
	if (api !== undefined) next.api = api;
	const apiWaited = api !== undefined && apiNow !== undefined && apiNow - api > RESULTS_WAIT_MS;
	const localWaited = localNow - next.local > RESULTS_WAIT_LOCAL_MS;
	const giveUp = next.asks >= RESULTS_WAIT_ASKS && (apiWaited || localWaited);
	return { decision: giveUp ? 'give-up' : 'wait', next };
}

/**
 * The waits the cursor keeps after a poll: those of the runs left waiting now (`asked`), then those
 * of `prior` whose run this poll neither asked nor handled (`taken`: emitted or given up, which
 * forgets its wait), up to MAX_WAITS. A poll asks at most MAX_RUNS_PER_POLL runs, fewer than
 * MAX_WAITS, so a wait beyond the cap is only ever one of a run not seen at this poll (a walk that
 * did not reach it, a run no longer listed); it is forgotten, the oldest first seen first, and that
 * run's wait starts again at its next 412: the cap makes the trigger wait longer, never lose a run.
 */
export function keepWaits(
	prior: Record<string, ResultsWait> | undefined,
	asked: Record<string, ResultsWait>,
	taken: Array<{ id: string }>,
): Record<string, ResultsWait> {
	const gone = new Set([...taken.map((run) => run.id), ...Object.keys(asked)]);
	const carried = Object.entries(prior ?? {})
		.filter(([id]) => !gone.has(id))
		.sort(([, a], [, b]) => b.local - a.local);
	return Object.fromEntries([...Object.entries(asked), ...carried].slice(0, MAX_WAITS));
}

export function readWaits(raw: unknown): { waits?: Record<string, ResultsWait> } {
	if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return {};
	const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
	const waits: Array<[string, ResultsWait]> = [];
	for (const [id, entry] of Object.entries(raw as IDataObject).slice(0, MAX_WAITS)) {
		const { api, local, asks } = (entry ?? {}) as IDataObject;
		if (id === '' || !num(local) || !num(asks) || asks < 0) continue;
		if (api !== undefined && !num(api)) continue;
		waits.push([id, api === undefined ? { local, asks } : { api, local, asks }]);
	}
	return waits.length > 0 ? { waits: Object.fromEntries(waits) } : {};
}
