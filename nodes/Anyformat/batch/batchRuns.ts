import type { SubmitOutcome } from './submit';
import type { WatchOutcome } from './watchState';

/** What the batch knows of one item when it fails (rule 7). */
export interface ItemRunState {
	itemIndex: number;
	submitted: SubmitOutcome | undefined;
	/** the watch's outcome for its run; undefined while it was still being watched */
	watched: WatchOutcome | undefined;
	/** the item waited for its run's results */
	waited: boolean;
}

/**
 * Rule 7: the description a failing batch adds to its error, listing every run the batch submitted
 * (item → collection_id, with its state) and how to collect them, so that running the items again is
 * never the only way to get their results. Empty when the batch submitted nothing.
 */
export function describeBatchRuns(items: ItemRunState[]): string {
	const lines: string[] = [];
	const unknown: number[] = [];
	for (const item of items) {
		if (item.submitted?.state === 'unknown') unknown.push(item.itemIndex);
		if (item.submitted?.state !== 'submitted') continue;
		const id = item.submitted.receipt.collection_id;
		lines.push(`item ${item.itemIndex} → ${id} (${runState(item)})`);
	}
	if (lines.length === 0 && unknown.length === 0) return '';
	const parts: string[] = [];
	if (lines.length > 0) {
		parts.push(
			`Runs this batch submitted: ${lines.join(', ')}. Collect them with Extraction → Get Results (or Wait) and their Collection ID instead of running the items again.`,
		);
	}
	if (unknown.length > 0) {
		parts.push(
			`Fate unknown (a run may exist, see each item's error): item${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}.`,
		);
	}
	return parts.join(' ');
}

function runState(item: ItemRunState): string {
	if (!item.waited) return 'submitted, not waited for';
	switch (item.watched?.state) {
		case 'processed':
			return 'processed';
		case 'failed':
			return 'failed';
		case 'cancelled':
			return 'cancelled';
		case 'timeout':
			return item.watched.unread
				? 'not read before the timeout'
				: 'still processing at the timeout';
		case 'error':
			return 'its results could not be read';
		default:
			return 'processing, no longer watched';
	}
}
