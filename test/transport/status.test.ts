/** Run statuses as both triggers read them (nodes/shared/transport/status.ts), as a table. */
import { eventOfStatus, finalStateOf, normalizeRunStatus } from '../../nodes/shared/transport/status';

describe('a run status, today\'s word or an older alias, and what a trigger makes of it', () => {
	test.each([
		['processed', 'processed', 'processed', 'extraction.completed'],
		['completed', 'processed', 'processed', 'extraction.completed'],
		[' Processed ', 'processed', 'processed', 'extraction.completed'],
		['error', 'error', 'failed', 'extraction.failed'],
		['failed', 'error', 'failed', 'extraction.failed'],
		['cancelled', 'cancelled', 'cancelled', 'extraction.failed'],
		['in_progress', 'in_progress', undefined, undefined],
		['processing', 'in_progress', undefined, undefined],
		['queued', 'queued', undefined, undefined],
		['pending', 'pending', undefined, undefined],
		['exploded', undefined, undefined, undefined],
		[null, undefined, undefined, undefined],
	])('%j', (raw, normalized, state, event) => {
		expect(normalizeRunStatus(raw)).toBe(normalized);
		expect(finalStateOf(raw)).toBe(state);
		expect(eventOfStatus(raw)).toBe(event);
	});
});
