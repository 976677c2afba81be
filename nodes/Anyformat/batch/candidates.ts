import type { RunStatus as RunEntry } from '../../shared/transport/api';
import { listRunsPage } from '../../shared/transport/api';
import type { ApiSession } from '../../shared/transport/request';
import { DeadlineExceeded, rethrowIfStopped } from '../../shared/pause';
import { walkNewest } from './walk';

/**
 * Runs a workflow's runs list shows around a request whose fate is unknown. They are information for
 * the user, never a decision: other executions, other people and the Anyformat app submit to the same
 * workflow, and nothing in the list ties a run to a request.
 */
export interface CandidateRun {
	id: string;
	createdAt: string;
}

/** the server's clock and ours may differ: runs this much before and after the request are shown */
const CANDIDATE_SLACK_MS = 60_000;
/** runs-list pages read at most, once per workflow */
const CANDIDATE_PAGES = 3;
const CANDIDATES_SHOWN = 10;
/**
 * The candidates are read after the items' Timeout may have passed (a request cut by it is what
 * made the fate unknown): the read then gets this long of its own, so the error can still list them.
 */
export const CANDIDATE_READ_MS = 5_000;

export type RecentRuns =
	| { entries: RunEntry[] }
	| { unreadable: string }
	/** the list could not be read before the deadline (and the allowance after it) */
	| { outOfTime: true };

/** Until when the candidates may be read for items with these deadlines. */
export function candidateDeadline(deadlines: number[], now: number): number {
	return Math.max(now + CANDIDATE_READ_MS, ...deadlines);
}

/** Reads the newest runs of a workflow back to `since` (local ms), once and bounded by `deadline`. */
export async function readRecentRuns(
	session: ApiSession,
	workflowId: string,
	since: number,
	deadline: number,
): Promise<RecentRuns> {
	const entries: RunEntry[] = [];
	const until = Number.isFinite(deadline) ? deadline : undefined;
	try {
		await walkNewest<RunEntry>(
			async (page) => await listRunsPage(session, workflowId, page, until),
			{},
			{
				since: since - CANDIDATE_SLACK_MS,
				maxPages: CANDIDATE_PAGES,
				visit: (entry) => entries.push(entry),
			},
		);
	} catch (error) {
		rethrowIfStopped(error);
		if (error instanceof DeadlineExceeded) return { outOfTime: true };
		return { unreadable: error instanceof Error ? error.message : String(error) };
	}
	return { entries };
}

/**
 * The runs created within the request's window (widened by the clock slack), oldest first, leaving out
 * the runs this batch's other items were answered with. At most ten are shown; `more` counts the rest.
 */
export function pickCandidates(
	entries: RunEntry[],
	window: { startedAt: number; endedAt: number },
	ownRuns: Set<string>,
): { runs: CandidateRun[]; more: number } {
	const from = window.startedAt - CANDIDATE_SLACK_MS;
	const to = window.endedAt + CANDIDATE_SLACK_MS;
	const unique = [...new Map(entries.map((entry) => [entry.id, entry])).values()];
	const inWindow = unique
		.filter((entry) => typeof entry.id === 'string' && !ownRuns.has(entry.id))
		.map((entry) => ({
			id: entry.id,
			createdAt: String(entry.created_at ?? ''),
			at: Date.parse(String(entry.created_at ?? '')),
		}))
		.filter((entry) => Number.isNaN(entry.at) || (entry.at >= from && entry.at <= to))
		.sort((a, b) => (a.at || 0) - (b.at || 0));
	const runs = inWindow.slice(0, CANDIDATES_SHOWN).map(({ id, createdAt }) => ({ id, createdAt }));
	return { runs, more: inWindow.length - runs.length };
}
