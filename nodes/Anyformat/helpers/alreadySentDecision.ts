/**
 * Skip Documents Already Sent, as decisions. A document's key is claimed in n8n's deduplication store
 * before it is sent (`checkProcessedAndRecord`: a key new to the store is recorded by that same call),
 * so two executions never both send it. After the batch's submissions a claim is kept when the API took
 * the document or may have (its fate is unknown), and released when the API certainly did not take it.
 */
export type ClaimDecision = 'skip' | 'send' | 'keep' | 'release';

export type ClaimEvent =
	/** the check: was the key already in the store (claimed or recorded by another execution)? */
	| { at: 'check'; inStore: boolean }
	/** after the submissions: what became of the item (`undefined`: no submission was made) */
	| { at: 'submitted'; state: string | undefined };

export function claimDecision(event: ClaimEvent): ClaimDecision {
	if (event.at === 'check') return event.inStore ? 'skip' : 'send';
	// 'submitted': a receipt with a run id; 'unknown': the request may have created a run
	return event.state === 'submitted' || event.state === 'unknown' ? 'keep' : 'release';
}

/**
 * The claimed keys to release: a key is released only when every item that sent it is released
 * (two items of one batch with the same document share a key; if either may have been taken, it stays).
 */
export function keysToRelease(items: ReadonlyArray<{ key: string; state: string | undefined }>): string[] {
	const kept = new Set(
		items
			.filter((item) => claimDecision({ at: 'submitted', state: item.state }) === 'keep')
			.map((item) => item.key),
	);
	return [...new Set(items.map((item) => item.key))].filter((key) => !kept.has(key));
}
