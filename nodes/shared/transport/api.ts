import type { IDataObject } from 'n8n-workflow';

import type { RunReceipt } from './types';
import { endpoints } from './endpoints';
import type { ApiErrorInfo } from './errors';
import { parseApiError } from './errors';
import type { MultipartBody } from './multipart';
import type { ApiSession } from './request';

export interface Page<T> {
	count: number;
	page: number;
	page_size: number;
	results: T[];
}

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

export const MAX_PAGE_SIZE = 100;

export async function getPage<T>(
	session: ApiSession,
	path: string,
	page: number,
	pageSize: number,
	itemIndex?: number,
	subject?: string,
): Promise<Page<T>> {
	const { body } = await session.request<Partial<Page<T>>>({
		method: 'GET',
		path,
		qs: { page, page_size: Math.min(pageSize, MAX_PAGE_SIZE) },
		kind: 'read',
		itemIndex,
		subject,
	});
	const results = Array.isArray(body.results) ? body.results : [];
	return {
		count: typeof body.count === 'number' ? body.count : results.length,
		page: typeof body.page === 'number' ? body.page : page,
		page_size: typeof body.page_size === 'number' ? body.page_size : pageSize,
		results,
	};
}

/** Walks a paginated list until `limit` entries or the end (`page * page_size >= count`). */
export async function getAll<T>(
	session: ApiSession,
	path: string,
	limit = Infinity,
	itemIndex?: number,
	subject?: string,
): Promise<T[]> {
	const all: T[] = [];
	// one page size for every page: `page` counts in units of it, so changing it would skip or repeat entries
	const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, limit));
	for (let page = 1; all.length < limit; page++) {
		const data = await getPage<T>(session, path, page, pageSize, itemIndex, subject);
		all.push(...data.results);
		if (data.results.length === 0 || data.page * data.page_size >= data.count) break;
	}
	return all.slice(0, limit);
}

export async function getWorkflow(session: ApiSession, workflowId: string, itemIndex?: number) {
	const { body } = await session.request<IDataObject>({
		method: 'GET',
		path: endpoints.workflow(workflowId),
		kind: 'read',
		itemIndex,
		subject: `workflow "${workflowId}"`,
	});
	return body;
}

export async function submitRun(
	session: ApiSession,
	workflowId: string,
	body: MultipartBody,
	itemIndex: number,
): Promise<RunReceipt> {
	let receipt: IDataObject;
	try {
		({ body: receipt } = await session.request<IDataObject>({
			method: 'POST',
			path: endpoints.run(workflowId),
			body,
			kind: 'submit',
			itemIndex,
			subject: `workflow "${workflowId}"`,
		}));
	} catch (error) {
		// the document's own source (a download, the binary store) failed while it was being sent: the
		// request broke off before its body was complete, so no run can exist; that failure is the error
		throw body.sourceFailure() ?? error;
	}
	return {
		collection_id: String(receipt.id ?? receipt.collection_id ?? ''),
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

export async function getResults(
	session: ApiSession,
	workflowId: string,
	collectionId: string,
	itemIndex?: number,
): Promise<ResultsState> {
	const response = await session.request<IDataObject>({
		method: 'GET',
		path: endpoints.results(workflowId, collectionId),
		kind: 'read',
		accept: [412, 422],
		itemIndex,
		subject: `run "${collectionId}" of workflow "${workflowId}"`,
	});
	if (response.statusCode === 412) return { state: 'processing' };
	if (response.statusCode === 422) {
		const error = parseApiError(422, response.body);
		return { state: error.errorCode === 'EXTRACTION_CANCELLED' ? 'cancelled' : 'failed', error };
	}
	return { state: 'processed', envelope: response.body };
}

export async function listRunsPage(
	session: ApiSession,
	workflowId: string,
	page: number,
): Promise<Page<RunStatus>> {
	return await getPage<RunStatus>(
		session,
		endpoints.runs(workflowId),
		page,
		MAX_PAGE_SIZE,
		undefined,
		`workflow "${workflowId}"`,
	);
}

export async function listFilesPage(
	session: ApiSession,
	workflowId: string,
	page: number,
	itemIndex?: number,
): Promise<Page<CollectionFile>> {
	return await getPage<CollectionFile>(
		session,
		endpoints.files(workflowId),
		page,
		MAX_PAGE_SIZE,
		itemIndex,
		`workflow "${workflowId}"`,
	);
}

export async function deleteCollection(
	session: ApiSession,
	collectionId: string,
	itemIndex?: number,
): Promise<void> {
	await session.request({
		method: 'DELETE',
		path: endpoints.collection(collectionId),
		kind: 'read',
		expectJson: false,
		itemIndex,
		subject: `run "${collectionId}"`,
	});
}
