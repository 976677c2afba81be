/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Shared plumbing of the engine-level suites (test/node, test/catalogue): a simulator per test, the
 * Anyformat node run through n8n's real engine against it, and direct API calls (outside the node)
 * to set up runs. Tests run `test.concurrent` with one simulator each, so a ledger only ever holds
 * what one test caused.
 */
import { createHash } from 'node:crypto';

import { LoadOptionsContext } from 'n8n-core';
import type {
	INode,
	INodeListSearchResult,
	INodeParameters,
	IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { AnyformatApi } from '../../credentials/AnyformatApi.credentials';
import { Anyformat } from '../../nodes/Anyformat/Anyformat.node';
import type { HarnessInputItem, RunNodeOptions, RunNodeResult } from '../harness';
import { DEFAULT_TYPE_NAME, ensureN8nEnvironment, errorForAudit, recordForAudit, runNode } from '../harness';
import { HarnessCredentialsHelper } from '../harness/credentials-helper';
import { HarnessNodeTypes } from '../harness/node-types';
import { API_KEYS } from '../setup/secrets';
import { SCENARIOS as ALL_SCENARIOS, startSimulator, type LedgerRequest, type SimHandle } from '../simulator/handle';

export { API_KEYS };

// ---- the simulator: one typed handle (test/simulator/handle.ts) -----------------------------------

export type { LedgerRequest, LedgerUpload, SimHandle as Sim } from '../simulator/handle';
type Sim = SimHandle;

export const SCENARIOS = ALL_SCENARIOS;
export const WF = Object.fromEntries(
	Object.entries(SCENARIOS).map(([key, scenario]) => [key, scenario.id]),
) as Record<keyof typeof SCENARIOS, string>;

/** A well-formed id no simulator workflow or run has. */
export const UNKNOWN_ID = '0686bb97-8c30-70f0-8000-0000deadbeef';

/** Short processing by default: the node's first poll comes ~2 s after submission anyway. */
export async function startSim(options: Record<string, unknown> = {}): Promise<Sim> {
	return await startSimulator({
		apiKey: [API_KEYS.main, API_KEYS.other],
		processingMs: 50,
		...options,
	});
}

/** Jest does not time concurrent tests out reliably: a hung node must fail its test, not the run. */
const TEST_LIMIT_MS = 45_000;

/** Runs `body` with a fresh simulator, always closed afterwards, and records its ledger for the audit. */
export async function withSim<T>(
	body: (sim: Sim) => Promise<T>,
	options: Record<string, unknown> = {},
): Promise<T> {
	const sim = await startSim(options);
	let timer: NodeJS.Timeout | undefined;
	const limit = new Promise<never>((_, reject) => {
		timer = setTimeout(() => reject(new Error(`test still running after ${TEST_LIMIT_MS} ms`)), TEST_LIMIT_MS);
	});
	try {
		return await Promise.race([body(sim), limit]);
	} finally {
		clearTimeout(timer);
		recordForAudit('simulator ledger', sim.ledger.summary({ full: true }));
		await sim.close();
	}
}

// ---- running the node --------------------------------------------------------------------------

export const rl = (value: string, mode: 'id' | 'url' | 'list' = 'id') => ({
	__rl: true,
	mode,
	value,
});

export interface RunAnyformatOptions extends Partial<Omit<RunNodeOptions, 'parameters'>> {
	apiKey?: string;
	baseUrl?: string;
	items?: HarnessInputItem[];
}

export async function runAnyformat(
	sim: Sim | { url: string },
	parameters: INodeParameters,
	options: RunAnyformatOptions = {},
): Promise<RunNodeResult> {
	const { apiKey = API_KEYS.main, baseUrl = sim.url, ...rest } = options;
	return await runNode({
		nodeType: new Anyformat(),
		credentialTypes: [new AnyformatApi()],
		credentials: { anyformatApi: { apiKey, baseUrl } },
		parameters,
		...rest,
	});
}

/** Parameters of extraction → run on text. */
export const runText = (workflowId: string, text: string, extra: INodeParameters = {}) => ({
	resource: 'extraction',
	operation: 'run',
	workflowId: rl(workflowId),
	inputType: 'text',
	text,
	...extra,
});

/** Parameters of extraction → run on the binary property `data`. */
export const runBinary = (workflowId: string, extra: INodeParameters = {}) => ({
	resource: 'extraction',
	operation: 'run',
	workflowId: rl(workflowId),
	inputType: 'binary',
	binaryPropertyName: 'data',
	...extra,
});

export const getResults = (workflowId: string, collectionId: string, extra: INodeParameters = {}) => ({
	resource: 'extraction',
	operation: 'getResults',
	workflowId: rl(workflowId),
	collectionId,
	...extra,
});

export const waitFor = (workflowId: string, collectionId: string, extra: INodeParameters = {}) => ({
	resource: 'extraction',
	operation: 'wait',
	workflowId: rl(workflowId),
	collectionId,
	...extra,
});

/** The node's error, asserting it is an n8n error with a message and description. */
export function nodeError(result: RunNodeResult) {
	const error = result.error as
		| (Error & { description?: string | null; context?: Record<string, unknown>; httpCode?: string | null })
		| undefined;
	if (!error) throw new Error(`expected the node to fail; status ${result.status}, items ${JSON.stringify(result.items)}`);
	return {
		error,
		name: error.constructor.name,
		message: error.message,
		description: String(error.description ?? ''),
		itemIndex: error.context?.itemIndex as number | undefined,
		httpCode: error.httpCode,
	};
}

// ---- the API, called directly (setting up runs outside the node) ---------------------------------

export async function submitDirect(
	sim: Sim,
	workflowId: string,
	text: string,
	apiKey: string = API_KEYS.main,
): Promise<string> {
	const form = new FormData();
	form.append('text', text);
	const response = await fetch(`${sim.url}/v2/workflows/${workflowId}/run/`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${apiKey}` },
		body: form,
	});
	const body = (await response.json()) as { id: string };
	if (response.status !== 202) throw new Error(`direct submission failed: ${response.status} ${JSON.stringify(body)}`);
	return body.id;
}

/** A finished run of `workflowId` on `text`, made outside the node. */
export async function finishedRun(sim: Sim, workflowId: string, text = 'Invoice INV-7781 Total: $1,250.00') {
	const id = await submitDirect(sim, workflowId, `${text} [[processing_ms:600000]]`);
	sim.finishRun(id);
	return id;
}

/**
 * The one file upload the simulator received: exactly `bytes`, named and typed as given, accepted, and
 * streamed with a known length (the multipart body announced up front with Content-Length, not chunked).
 */
export function expectSizedUpload(sim: Sim, bytes: Buffer, filename: string, mimeType = 'application/pdf') {
	const [upload] = sim.ledger.uploads;
	expect(upload).toMatchObject({
		kind: 'file',
		filename,
		mimeType,
		bytes: bytes.length,
		sha256: createHash('sha256').update(bytes).digest('hex'),
		accepted: true,
	});
	expect(upload.contentLength).toBeGreaterThan(bytes.length);
	expect(upload.contentLength).toBeLessThan(bytes.length + 1024);
	expect(sim.ledger.runs).toHaveLength(1);
}

/** API requests made after `mark` (a ledger length), e.g. those the node made. */
export const requestsSince = (sim: Sim, mark: number) => sim.ledger.requests.slice(mark);

export const routesOf = (requests: LedgerRequest[]) => requests.map((r) => `${r.method} ${r.route}`);

// ---- the workflow picker (listSearch), through n8n-core's real LoadOptionsContext ----------------

/**
 * Calls the node's `searchWorkflows` the way n8n's editor does (DynamicNodeParametersService): a real
 * n8n-core LoadOptionsContext, so the request goes through httpRequestWithAuthentication and the
 * credential's `authenticate` for real.
 */
export async function searchWorkflows(
	sim: Sim | { url: string },
	filter?: string,
	paginationToken?: string,
	apiKey: string = API_KEYS.main,
): Promise<INodeListSearchResult> {
	await ensureN8nEnvironment();
	const nodeType = new Anyformat();
	const node: INode = {
		id: 'anyformat-list-search',
		name: 'Anyformat',
		type: DEFAULT_TYPE_NAME,
		typeVersion: 1,
		position: [0, 0],
		parameters: { resource: 'workflow', operation: 'get', workflowId: { __rl: true, mode: 'list', value: '' } },
		credentials: { anyformatApi: { id: 'cred-anyformatApi', name: 'Anyformat (test)' } },
	};
	const workflow = new Workflow({
		id: 'anyformat-list-search-wf',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new HarnessNodeTypes(new Map([[DEFAULT_TYPE_NAME, nodeType]])),
		settings: { executionOrder: 'v1' },
	});
	const additionalData = {
		credentialsHelper: new HarnessCredentialsHelper([new AnyformatApi()], {
			anyformatApi: { apiKey, baseUrl: sim.url },
		}),
		currentNodeParameters: node.parameters,
		variables: {},
		instanceBaseUrl: 'http://localhost:5678/',
		restApiUrl: 'http://localhost:5678/rest',
		webhookBaseUrl: 'http://localhost:5678/webhook',
		webhookWaitingBaseUrl: 'http://localhost:5678/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost:5678/webhook-test',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
	} as unknown as IWorkflowExecuteAdditionalData;
	const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters.workflowId');
	try {
		const result = await nodeType.methods.listSearch.searchWorkflows.call(context, filter, paginationToken);
		recordForAudit('searchWorkflows result', result);
		return result;
	} catch (error) {
		recordForAudit('searchWorkflows error', errorForAudit(error));
		throw error;
	}
}
