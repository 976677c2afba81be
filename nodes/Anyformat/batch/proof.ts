/**
 * What one sending of a document proved. Rule 1: a document is sent again only when the API certainly
 * did not take it. Rule 2: a run is this document's only when its id was read from the answer itself
 * (even one cut short). Nothing else (a list entry's name, time or count) is proof.
 */
export type SubmissionVerdict =
	| { verdict: 'run'; collectionId: string; fromCutAnswer: boolean }
	| { verdict: 'send again' }
	| { verdict: 'failed' }
	| { verdict: 'fate unknown' };

export type SubmissionResult =
	/** a 2xx answer, with the run id it named ('' when it named none) */
	| { answeredId: string }
	/** the transport could not tell whether the run exists; the start of a cut answer, if any */
	| { fateUnknown: true; partialBody?: string }
	/** a refusal or failure; `notTaken` when the transport says the API certainly did not take it */
	| { failed: true; notTaken: boolean };

/** a document is sent at most this many times more, and only when it certainly created no run */
export const MAX_RESENDS = 4;

export function judgeSubmission(result: SubmissionResult, resends: number): SubmissionVerdict {
	if ('answeredId' in result) {
		return result.answeredId
			? { verdict: 'run', collectionId: result.answeredId, fromCutAnswer: false }
			: { verdict: 'fate unknown' };
	}
	if ('fateUnknown' in result) {
		const id = runIdInAnswer(result.partialBody);
		return id
			? { verdict: 'run', collectionId: id, fromCutAnswer: true }
			: { verdict: 'fate unknown' };
	}
	return result.notTaken && resends < MAX_RESENDS
		? { verdict: 'send again' }
		: { verdict: 'failed' };
}

/** The run id at the start of a 2xx answer, even one cut short: `{"id":"<collection id>", ...`. */
export function runIdInAnswer(partialBody: string | undefined): string | undefined {
	return /^\s*\{\s*"(?:id|collection_id)"\s*:\s*"([A-Za-z0-9_-]{8,128})"/.exec(
		partialBody ?? '',
	)?.[1];
}
