/**
 * At its deadline an item gets a last look at its run (a list read or a results request started
 * after the deadline) before it is given up as `timeout`; that look may take this long at most.
 */
export const LAST_LOOK_MS = 5_000;

export type DeadlineStep = 'wait' | 'last look' | 'timeout';

/**
 * What an item still waiting for its run needs now: nothing yet, a last look (its run was last
 * checked before the deadline), or to be given up (checked since, or the last look took too long).
 */
export function deadlineStep(
	deadline: number,
	lastCheckStartedAt: number,
	now: number,
): DeadlineStep {
	if (now < deadline) return 'wait';
	if (lastCheckStartedAt >= deadline || now >= deadline + LAST_LOOK_MS) return 'timeout';
	return 'last look';
}

/** When the watch must wake up for an item's deadline. */
export function deadlineWakeAt(deadline: number, now: number): number {
	return now < deadline ? deadline : deadline + LAST_LOOK_MS;
}

/**
 * The deadline a read (a results request, a runs-list page) is given for the items it serves, so
 * that no retry delay, rate-limit wait or request of it runs past their Timeout: the latest of their
 * deadlines, where an item already past its own (the read is its last look) allows the look's time.
 */
export function readDeadline(deadlines: number[], now: number): number {
	let latest = -Infinity;
	for (const deadline of deadlines) {
		latest = Math.max(latest, now < deadline ? deadline : deadline + LAST_LOOK_MS);
	}
	return latest;
}
