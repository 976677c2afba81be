import type { IDataObject } from 'n8n-workflow';

import { DeadlineExceeded } from '../pause';
import type { RunReceipt } from './types';
import { endpoints } from './endpoints';
import type { ApiErrorInfo } from './errors';
import { apiError, invalidAnswerError, parseApiError } from './errors';
import type { MultipartBody } from './multipart';
import type { Page } from './pages';
import { getPage, MAX_PAGE_SIZE } from './pages';
import type { ApiResponse, ApiSession } from './request';
import { markNotTaken, SubmissionFateUnknown } from './request';

export type { Page } from './pages';
export { getAll, getPage, MAX_PAGE_SIZE } from './pages';

export interface RunStatus extends IDataObject {
	id: string;
	status: string;
	created_at?: string;
	updated_at?: string;
}

export interface CollectionFile extends IDataObject {
	id: string;
	name?: string;
	status?: string;
	created_at?: string;
}

export async function getWorkflow(session: ApiSession, workflowId: string, itemIndex?: number) {
	const { body } = await session.request<IDataObject>({
		method: 'GET',
		path: endpoints.workflow(workflowId),
		kind: 'idempotent',
		itemIndex,
		subject: `workflow "${workflowId}"`,
	});
	return body;
}

/**
 * `POST .../run/`. The answer is a receipt only when it names its run (a string `id`); any other
 * 2xx leaves the run's existence unknown.
 */
export async function submitRun(
	session: ApiSession,
	workflowId: string,
	body: MultipartBody,
	itemIndex: number,
	deadline?: number,
): Promise<RunReceipt> {
	let response: ApiResponse<IDataObject>;
	try {
		response = await session.request<IDataObject>({
			method: 'POST',
			path: endpoints.run(workflowId),
			body,
			kind: 'submission',
			itemIndex,
			subject: `workflow "${workflowId}"`,
			deadline,
		});
	} catch (error) {
		// the document's own source (a download, the binary store) failed while it was being sent: the
		// request broke off before its body was complete, so no run can exist; that failure is the error.
		// A deadline stops a submission only before an attempt is sent (in the rate limiter, or in place
		// of a retry, which follows only a certain refusal): the API did not take it. An attempt that
		// may have been taken ends as `SubmissionFateUnknown` instead, never as `DeadlineExceeded`.
		throw body.sourceFailure() ?? (error instanceof DeadlineExceeded ? markNotTaken(error) : error);
	}
	const receipt = response.body;
	if (typeof receipt.id !== 'string' || receipt.id === '') {
		throw new SubmissionFateUnknown(
			`Anyformat answered HTTP ${response.statusCode} without the run's id`,
			response.startedAt,
			'NO_RUN_ID',
		);
	}
	return {
		collection_id: receipt.id,
		workflow_id: String(receipt.workflow_id ?? workflowId),
		// only means "accepted"; never branch on it
		status: String(receipt.status ?? 'accepted'),
		version_id: (receipt.version_id as string | undefined) ?? null,
	};
}

export type ResultsState =
	| { state: 'processed'; envelope: IDataObject }
	| { state: 'processing' }
	| { state: 'failed' | 'cancelled'; error: ApiErrorInfo };

/** A results envelope has `extractions` or the deprecated `extraction` (parse-only: `[]` and null). */
export function isResultsEnvelope(body: unknown): boolean {
	if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
	const b = body as Record<string, unknown>;
	if (typeof b.error_code === 'string') return false;
	return Object.hasOwn(b, 'extractions') || Object.hasOwn(b, 'extraction');
}

export async function getResults(
	session: ApiSession,
	workflowId: string,
	collectionId: string,
	itemIndex?: number,
	deadline?: number,
): Promise<ResultsState> {
	const request = { itemIndex, subject: `run "${collectionId}" of workflow "${workflowId}"` };
	const response = await session.request<IDataObject>({
		method: 'GET',
		path: endpoints.results(workflowId, collectionId),
		kind: 'idempotent',
		accept: [412, 422],
		deadline,
		...request,
	});
	if (response.statusCode === 412) return { state: 'processing' };
	if (response.statusCode === 422) {
		const error = parseApiError(422, response.body);
		return { state: error.errorCode === 'EXTRACTION_CANCELLED' ? 'cancelled' : 'failed', error };
	}
	if (!isResultsEnvelope(response.body)) {
		throw invalidAnswerError(
			session.errorContext(request),
			`Anyformat answered HTTP ${response.statusCode} for the results of ${request.subject}, but not with its results`,
			'The answer had neither "extractions" nor "extraction", so it is not used as results. Read the results again later (Get Results); if it persists, contact Anyformat support.',
			parseApiError(response.statusCode, response.body),
		);
	}
	return { state: 'processed', envelope: response.body };
}

export async function listRunsPage(
	session: ApiSession,
	workflowId: string,
	page: number,
	deadline?: number,
): Promise<Page<RunStatus>> {
	return await getPage<RunStatus>(
		session,
		endpoints.runs(workflowId),
		page,
		MAX_PAGE_SIZE,
		undefined,
		`workflow "${workflowId}"`,
		deadline,
	);
}

export async function listFilesPage(
	session: ApiSession,
	workflowId: string,
	page: number,
	itemIndex?: number,
	deadline?: number,
): Promise<Page<CollectionFile>> {
	return await getPage<CollectionFile>(
		session,
		endpoints.files(workflowId),
		page,
		MAX_PAGE_SIZE,
		itemIndex,
		`workflow "${workflowId}"`,
		deadline,
	);
}

/**
 * `DELETE /v2/files/{id}/`, which also cancels a run still processing. A 404 means deleted when an
 * earlier attempt of this request may have done it (it got no answer, or a 5xx).
 */
export async function deleteCollection(
	session: ApiSession,
	collectionId: string,
	itemIndex?: number,
): Promise<void> {
	const request = { itemIndex, subject: `run "${collectionId}"` };
	const response = await session.request({
		method: 'DELETE',
		path: endpoints.collection(collectionId),
		kind: 'idempotent',
		accept: [404],
		expectJson: false,
		...request,
	});
	if (response.statusCode === 404 && !response.maybeAppliedBefore) {
		throw apiError(session.errorContext(request), parseApiError(404, response.body));
	}
}
