import type { IDataObject, ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { getPage } from '../transport/api';
import { endpoints } from '../transport/endpoints';
import { ApiSession } from '../transport/request';

const PAGE_SIZE = 100;
const PAGES_PER_SEARCH = 5;

/**
 * The workflow picker. The API has no search parameter, so a filter is applied to each page on this
 * side; the list pages through the API with n8n's pagination token.
 */
export async function searchWorkflows(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const session = await ApiSession.create(this);
	const needle = filter?.trim().toLowerCase();
	let page = Number(paginationToken ?? 1) || 1;
	// a filter may match nothing on a page: read on (a few pages a call) rather than answer an empty
	// list, which the picker would show as "no results" although later pages hold matches
	for (let read = 1; ; read++, page++) {
		const data = await getPage<IDataObject>(session, endpoints.workflows(), page, PAGE_SIZE);
		const results = data.results
			.filter((wf) => !needle || `${wf.name ?? ''} ${wf.id ?? ''}`.toLowerCase().includes(needle))
			.map((wf) => ({
				name: String(wf.name ?? wf.id),
				value: String(wf.id),
				url: `https://app.anyformat.ai/workflows/${String(wf.id)}`,
			}));
		const more = data.results.length > 0 && data.page * data.page_size < data.count;
		if (results.length > 0 || !more || read >= PAGES_PER_SEARCH) {
			return { results, paginationToken: more ? String(page + 1) : undefined };
		}
	}
}
