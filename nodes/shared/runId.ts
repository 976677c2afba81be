const UUID = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/i;

/**
 * One spelling per run (and per workflow): a UUID in any case, with or without hyphens (an API that parses UUIDs
 * accepts them all for the same run), becomes its lowercase hyphenated form. Other ids stay as sent.
 */
export function normalizeRunId(id: string): string {
	const match = UUID.exec(id.trim());
	return match ? match.slice(1).join('-').toLowerCase() : id;
}
