/**
 * How one process spends a rate-limit budget that other clients of the organization spend too
 * (other n8n workers: only the API's headers show them). Pure, tested as tables in
 * test/transport/budgetShare.test.ts; `RateLimiter` keeps the state and applies the answers.
 */

/** What one window showed: requests this process let out, and what the others spent meanwhile. */
export interface WindowSpending {
	own: number;
	others: number;
}

/**
 * How many clients share the budget, counted in units of this process's own spending: 1 + what
 * the others spent ÷ what this process spent, over the windows given (the last one and the current
 * one). 1 when no other client showed; at least 2 once one did (another client exists, whatever
 * it spent so far).
 */
export function estimateSharers(windows: WindowSpending[]): number {
	const own = windows.reduce((sum, w) => sum + w.own, 0);
	const others = windows.reduce((sum, w) => sum + w.others, 0);
	if (others <= 0) return 1;
	return Math.max(2, 1 + others / Math.max(1, own));
}

export interface PaceInput {
	now: number;
	/** the budget this process believes is left in the window (it never grows inside one) */
	remaining: number;
	/** local time the window ends */
	resetAt: number;
	/** local time of the last grant */
	lastStart: number;
	/** `remaining` as the latest answer (or the window's start) left it: the base of the share */
	base: number;
	/** `estimateSharers` */
	sharers: number;
	/** the requests one client may have under way, not yet seen in this process's answers */
	inFlightPerClient: number;
}

/**
 * How long the next request waits (ms; 0: now).
 * - Nothing left: until the window ends.
 * - Alone: at once.
 * - Shared: at once up to this process's share of what the latest answer left, after a reserve for
 *   the requests the others may have under way that the answer could not count yet:
 *   (base − reserve) ÷ sharers, reserve = (sharers − 1) × in-flight per client. Every answer renews
 *   the share from the new figure, so when the others spend less than theirs, this process may
 *   spend it. Beyond the share, what is left is spread evenly over the time left, the last request
 *   falling at the window's end: when every client sees one left, none takes it.
 */
export function paceWait(input: PaceInput): number {
	const { now, remaining, resetAt, lastStart } = input;
	if (remaining <= 0) return Math.max(1, resetAt - now);
	if (input.sharers <= 1) return 0;
	const reserve = Math.ceil((input.sharers - 1) * input.inFlightPerClient);
	const share = Math.floor((input.base - reserve) / input.sharers);
	const spentSinceBase = input.base - remaining;
	if (spentSinceBase < share) return 0;
	const spacing = (resetAt - lastStart) / remaining;
	return Math.max(0, lastStart + spacing - now);
}
