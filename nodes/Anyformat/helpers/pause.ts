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

/**
 * Waits `ms`, or rejects as soon as the user stops the execution. n8n-workflow 2.x's `sleep` takes the
 * signal itself; older versions ignore it, so the abort is also watched here.
 */
export async function pause(ms: number, signal?: AbortSignal): Promise<void> {
	if (signal?.aborted) throw new ExecutionStoppedError();
	if (ms <= 0) return;
	if (!signal) return await sleep(ms);
	await new Promise<void>((resolve, reject) => {
		const onAbort = () => reject(new ExecutionStoppedError());
		signal.addEventListener('abort', onAbort, { once: true });
		sleep(ms, signal).then(
			() => {
				signal.removeEventListener('abort', onAbort);
				resolve();
			},
			() => onAbort(),
		);
	});
}
