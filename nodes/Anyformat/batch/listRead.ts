import type { RunStatus as RunEntry } from '../../shared/transport/api';
import { listRunsPage, MAX_PAGE_SIZE } from '../../shared/transport/api';
import type { ApiSession } from '../../shared/transport/request';
import { processingTime } from './listSchedule';
import { walkNewest } from './walk';
import type { WatchedRun, WorkflowGroup } from './watchState';

/** other runs' processing times kept as a first guess */
const OTHER_DURATIONS_KEPT = 50;

/**
 * Reads a workflow's runs list from the newest entries back until every run in `wanted` was seen
 * (or the list reaches back past the oldest of them). Records processing times on the group as it
 * goes. Returns the entries of the wanted runs that the list showed, by collection id. No page is
 * read, waited for or retried past `deadline` (the transport throws `DeadlineExceeded`).
 */
export async function readRunsList(
	session: ApiSession,
	group: WorkflowGroup,
	wanted: WatchedRun[],
	onPage: () => void,
	deadline: number,
): Promise<Map<string, RunEntry>> {
	const ids = new Set(wanted.map((run) => run.collectionId));
	const created = wanted.map((run) => run.createdAt);
	const since = created.every((t) => t !== undefined)
		? Math.min(...(created as number[]))
		: undefined;
	const seen = new Map<string, RunEntry>();
	await walkNewest<RunEntry>(
		async (page) => {
			onPage();
			return await listRunsPage(session, group.workflowId, page, deadline);
		},
		group.walk,
		{
			since,
			maxPages: Math.ceil(wanted.length / MAX_PAGE_SIZE) + 1,
			visit: (entry) => {
				if (ids.has(entry.id)) seen.set(entry.id, entry);
				recordDuration(group, entry, ids.has(entry.id));
			},
			enough: () => seen.size === ids.size,
		},
	);
	return seen;
}

function recordDuration(group: WorkflowGroup, entry: RunEntry, ours: boolean): void {
	const took = processingTime(entry);
	if (took === undefined || group.timed.has(entry.id)) return;
	if (ours) {
		group.timed.add(entry.id);
		group.durations.push(took);
	} else if (group.durations.length === 0 && group.otherDurations.length < OTHER_DURATIONS_KEPT) {
		group.timed.add(entry.id);
		group.otherDurations.push(took);
	}
}
