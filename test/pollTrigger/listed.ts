/** Runs-list entries and cursors as the polling trigger's decisions take them, for table tests. */
import type { Cursor, ListedRun } from '../../nodes/AnyformatPollingTrigger/cursor';

export const run = (id: string, status: ListedRun['status'], createdAt: number, updatedAt = createdAt): ListedRun => ({
	id,
	status,
	rawStatus: String(status),
	createdAt,
	updatedAt,
	times: { createdAt: new Date(createdAt).toISOString(), updatedAt: new Date(updatedAt).toISOString() },
});

export const cursor = (finishedAt: number, ids: string[] = [], horizon: number | null = 0): Cursor => ({ finishedAt, ids, horizon });
