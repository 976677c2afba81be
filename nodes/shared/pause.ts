import { sleep } from 'n8n-workflow';

/**
 * The user stopped the execution. n8n's engine reports a run as "canceled" (not failed) only when the
 * error it ends with says so: a name containing "Cancelled" or a message containing "canceled".
 */
export class ExecutionStoppedError extends Error {
	constructor() {
		super('The execution was canceled');
		this.name = 'ExecutionCancelledError';
	}
}

/** Lets a stop by the user through a catch that otherwise records the error. */
export function rethrowIfStopped(error: unknown): void {
	if (error instanceof ExecutionStoppedError) throw error;
}

/** Longest single sleep: n8n-workflow 1.x's `sleep` ignores the abort signal, so callers loop. */
const MAX_NAP_MS = 1_000;

/**
 * Sleeps up to `ms` (at most a second: callers loop), waking early when `wake` resolves; rejects at
 * once when the user stops the execution. The timer is cleared either way where `sleep` takes a
 * signal (n8n-workflow 2.x); older versions ignore it, so a sleep is never longer than a second.
 * Without `wake` nothing is raced: a reaction on a promise that never settles would be kept for
 * the life of the process, one per nap.
 */
export async function nap(
	ms: number,
	stop: AbortSignal | undefined,
	wake?: Promise<void>,
): Promise<void> {
	if (stop?.aborted) throw new ExecutionStoppedError();
	const controller = new AbortController();
	const onStop = () => controller.abort();
	stop?.addEventListener('abort', onStop, { once: true });
	try {
		const slept = sleep(Math.min(ms, MAX_NAP_MS), controller.signal).catch(() => undefined);
		await (wake ? Promise.race([slept, wake]) : slept);
	} finally {
		stop?.removeEventListener('abort', onStop);
		controller.abort();
	}
	if (stop?.aborted) throw new ExecutionStoppedError();
}

/** Waits `ms`, or rejects as soon as the user stops the execution. */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) throw new ExecutionStoppedError();
	const end = Date.now() + ms;
	for (let left = ms; left > 0; left = end - Date.now()) await nap(left, signal);
}

/**
 * A wait (pacing, a retry delay, a poll) would end past the node's own deadline (its Timeout): the
 * caller reports the item as timed out instead of waiting longer.
 */
export class DeadlineExceeded extends Error {
	constructor(readonly deadline: number) {
		super('The node reached its Timeout while waiting');
		this.name = 'DeadlineExceeded';
	}
}
