import { ACTIVE_STATUSES, TERMINAL_STATUSES } from './types';

export type RunStatus = (typeof ACTIVE_STATUSES)[number] | (typeof TERMINAL_STATUSES)[number];

/**
 * The older lifecycle words that the official SDKs' docstrings still use, read as today's:
 * `processing` = `in_progress`, `completed` = `processed`, `failed` = `error`.
 */
const ALIASES: Record<string, RunStatus> = {
	processing: 'in_progress',
	completed: 'processed',
	failed: 'error',
};

const KNOWN = new Set<string>([...ACTIVE_STATUSES, ...TERMINAL_STATUSES]);

/** A run status as the API reported it, in today's words; undefined when it is not a known word. */
export function normalizeRunStatus(raw: unknown): RunStatus | undefined {
	if (typeof raw !== 'string') return undefined;
	const word = raw.trim().toLowerCase();
	if (KNOWN.has(word)) return word as RunStatus;
	return ALIASES[word];
}

export function isTerminalStatus(status: RunStatus | undefined): boolean {
	return status === 'processed' || status === 'error' || status === 'cancelled';
}

/** How a run ended, in the words of the triggers' items (`error` is `failed` there, as in Get Results). */
export type FinalState = 'processed' | 'failed' | 'cancelled';

/** The final state of a run from its status as the API reported it; undefined while it is under way. */
export function finalStateOf(raw: unknown): FinalState | undefined {
	const status = normalizeRunStatus(raw);
	if (status === 'processed' || status === 'cancelled') return status;
	if (status === 'error') return 'failed';
	return undefined;
}

/** The events that announce a final state (transport/webhooks.ts lists them as Anyformat delivers them). */
export type RunEvent = 'extraction.completed' | 'extraction.failed';

export function eventOfState(state: FinalState): RunEvent {
	return state === 'processed' ? 'extraction.completed' : 'extraction.failed';
}

/** The event of a run from its status as the API reported it; undefined while it is under way. */
export function eventOfStatus(raw: unknown): RunEvent | undefined {
	const state = finalStateOf(raw);
	return state === undefined ? undefined : eventOfState(state);
}
