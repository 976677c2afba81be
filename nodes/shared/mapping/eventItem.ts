import type { IDataObject } from 'n8n-workflow';

/**
 * Items of a trigger event built from a run's state as the API reported it (never from a delivery's
 * body). Used by the Anyformat Polling Trigger; the webhook trigger builds the same shapes in its own
 * `receive.ts` (to be shared at merge).
 */
export interface ConfirmedRun {
	event: string;
	runId: string;
	workflowId: string;
	/** today's status word: processed, error or cancelled */
	status: string;
	/** when the run reached that status (ISO 8601), when known */
	finishedAt: string | null;
}

/** With Fetch Results off: the event in the shape of a webhook delivery, from the confirmed state. */
export function eventItem(run: ConfirmedRun, eventKey: string): IDataObject {
	return {
		event: run.event,
		timestamp: run.finishedAt,
		data: {
			extraction_id: run.runId,
			status: run.status,
			workflow_id: run.workflowId,
			processed_at: run.status === 'processed' ? run.finishedAt : null,
		},
		anyformat: { event_key: eventKey },
	};
}

/** With Fetch Results on, for a run that failed or was cancelled: what the results endpoint said. */
export function failureItem(
	run: ConfirmedRun,
	failure: { errorCode: string | null; detail: string | null },
	eventKey: string,
): IDataObject {
	return {
		anyformat: {
			status: run.status === 'cancelled' ? 'cancelled' : 'failed',
			collection_id: run.runId,
			workflow_id: run.workflowId,
			event: run.event,
			error_code: failure.errorCode,
			detail: failure.detail,
			processed_at: run.finishedAt,
			event_key: eventKey,
		},
	};
}

/** Adds the event key to mapped result items (under `anyformat`; raw items are left as returned). */
export function withEventKey(items: IDataObject[], eventKey: string): IDataObject[] {
	return items.map((item) => {
		const meta = item.anyformat;
		if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return item;
		return { ...item, anyformat: { ...(meta as IDataObject), event_key: eventKey } };
	});
}
