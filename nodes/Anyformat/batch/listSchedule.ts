import type { RunStatus as RunEntry } from '../../shared/transport/api';
import { normalizeRunStatus } from '../../shared/transport/status';

export const FIRST_DELAY_MS = 2_000;
export const LIST_POLL_CAP_MS = 10_000;
/**
 * Once runs of the batch have ended, the runs list is read every fifth of their typical (median)
 * processing time, as the list's own `created_at`/`updated_at` show it: a run is seen ended about a
 * tenth of its processing time late on average, for about five list requests per processing time for
 * the whole batch, whatever the documents. While documents are still being sent it is read once per
 * processing time: the batch cannot end before its last submission does.
 */
const LIST_POLL_FRACTION = 0.2;
const LIST_POLL_MIN_MS = 100;
/** list reads never take more than this share of the general tier's budget */
const LIST_SHARE_OF_TIER = 0.25;
const RUNS_PER_PAGE = 100;

export interface ListScheduleInput {
	/** runs of the workflow still watched through the list */
	open: number;
	/** the general tier's spacing between requests, ms */
	spacingMs: number;
	/** processing times (ms) of the batch's ended runs, or of other runs while none has ended */
	durations: number[];
	/** documents of the batch are still being sent */
	submitting: boolean;
	/** the pause used while no processing time is known; grows ×1.5 per read */
	backoffMs: number;
}

/** The pause before the next list read of a workflow, and the back-off pause after it. */
export function nextListDelay(input: ListScheduleInput): { delayMs: number; backoffMs: number } {
	if (input.open === 0) return { delayMs: LIST_POLL_CAP_MS, backoffMs: input.backoffMs };
	const pages = Math.ceil(input.open / RUNS_PER_PAGE);
	const floor = Math.max(LIST_POLL_MIN_MS, (pages * input.spacingMs) / LIST_SHARE_OF_TIER);
	if (input.durations.length > 0) {
		const fraction = input.submitting ? 1 : LIST_POLL_FRACTION;
		const delayMs = Math.min(LIST_POLL_CAP_MS, Math.max(floor, median(input.durations) * fraction));
		return { delayMs, backoffMs: input.backoffMs };
	}
	return {
		delayMs: Math.max(floor, input.backoffMs),
		backoffMs: Math.min(input.backoffMs * 1.5, LIST_POLL_CAP_MS),
	};
}

/** How long an ended run took, from the list's timestamps (both from the server's clock). */
export function processingTime(entry: RunEntry): number | undefined {
	const status = normalizeRunStatus(entry.status);
	if (status !== 'processed' && status !== 'error') return undefined;
	const created = Date.parse(String(entry.created_at ?? ''));
	const updated = Date.parse(String(entry.updated_at ?? ''));
	if (Number.isNaN(created) || Number.isNaN(updated) || updated < created) return undefined;
	return updated - created;
}

export function median(values: number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.floor(sorted.length / 2)];
}
