/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * In-process test harness: runs one node through n8n's real execution engine
 * (`WorkflowExecute.processRunExecutionData` from n8n-core), with real HTTP helpers, real
 * credential authentication, real filesystem binary data and real cancellation.
 * Modelled on n8n's packages/core/nodes-testing/node-test-harness.ts.
 */
import { randomUUID } from 'node:crypto';
import { basename, extname } from 'node:path';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionBaseError,
	IBinaryData,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	INodeType,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow, createRunExecutionData, fileTypeFromMimeType } from 'n8n-workflow';

import { recordForAudit } from './audit';
import { HarnessCredentialsHelper } from './credentials-helper';
import { capturedLogMark, capturedLogsAsText, getCapturedLogsSince } from './logs';
import { ensureN8nEnvironment } from './n8n-env';
import { HarnessNodeTypes } from './node-types';
import { errorForAudit } from './serialize';
import { strict } from './strict';

export { AUDIT_DIR, AUDIT_FILE, recordForAudit } from './audit';
export type { CapturedLog } from './logs';
export { clearCapturedLogs, getCapturedLogs, capturedLogsAsText } from './logs';
export { HarnessGapError } from './strict';
export { ensureN8nEnvironment, cleanupHarnessTempDir, Container } from './n8n-env';
export { errorForAudit, toAuditText } from './serialize';
export { clearProcessed, processedCount } from './deduplication';

export const DEFAULT_TYPE_NAME = 'n8n-nodes-anyformat.anyformat';
export const NODE_NAME = 'Node Under Test';
export const WORKFLOW_ID = 'anyformat-harness-wf';

export interface HarnessBinaryInput {
	/** file contents, or the path of a file to stream into binary data storage */
	data: Buffer | string;
	fileName?: string;
	mimeType?: string;
}

export interface HarnessInputItem {
	json: IDataObject;
	binary?: Record<string, HarnessBinaryInput>;
}

export interface RunNodeOptions {
	/** the class instance under test, e.g. new Anyformat() */
	nodeType: INodeType | IVersionedNodeType;
	/** default 'n8n-nodes-anyformat.anyformat' */
	typeName?: string;
	/** default: the node's (default/current) version */
	typeVersion?: number;
	/** the node's parameters as saved in a workflow (defaults are applied by n8n's Workflow) */
	parameters: INodeParameters;
	/** credential data by credential type name, e.g. { anyformatApi: { apiKey, baseUrl } } */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** e.g. [new AnyformatApi()]; their `authenticate` is applied for real */
	credentialTypes?: ICredentialType[];
	/** input items; default one empty item */
	items?: HarnessInputItem[];
	/** sets node.onError = 'continueRegularOutput' */
	continueOnFail?: boolean;
	/** cancel the execution after this many ms, like the Stop button (PCancelable.cancel()) */
	cancelAfterMs?: number;
	/**
	 * cancel the execution (like the Stop button) the first time this returns true, checked every
	 * few ms: a Stop at a moment the test names (a run submitted, a 429 answered), not at a time
	 * that a loaded machine may reach before or after it
	 */
	cancelWhen?: () => boolean;
	/** default 'manual' */
	mode?: WorkflowExecuteMode;
	/** extra workflow settings (executionOrder is 'v1') */
	workflowSettings?: IWorkflowSettings;
	/** extra node properties (retryOnFail, alwaysOutputData, ...) */
	nodeOverrides?: Partial<INode>;
}

export interface RunNodeResult {
	/** output 0 of the node under test (empty array if none) */
	items: INodeExecutionData[];
	outputs: INodeExecutionData[][];
	/**
	 * The node's error when the node failed (also set with continueOnFail when the engine caught
	 * it). The original thrown instance when available, else the engine's stored copy; for a
	 * workflow that could not start (e.g. parameter issues) the engine's error.
	 */
	error?: ExecutionBaseError | Error;
	runData: IRunData;
	/** 'success' | 'error' | 'canceled' | 'waiting' | ... */
	status: string;
	durationMs: number;
	/** Date.now() when the harness cancelled the execution (cancelAfterMs / cancelWhen), if it did */
	canceledAt?: number;
	/** Date.now() when the engine was handed the execution (after the harness's own set-up) */
	executionStartedAt: number;
	/** Date.now() when the execution ended */
	endedAt: number;
	/** the full IRun returned by the engine (undefined if it could not start) */
	run?: IRun;
	/** the node as executed (after n8n applied parameter defaults) */
	node: INode;
	executionId: string;
	/** input items as given to the node (with binary data stored) */
	inputItems: INodeExecutionData[];
}

let executionCounter = 0;

function defaultVersion(nodeType: INodeType | IVersionedNodeType): number {
	if ('nodeVersions' in nodeType) return nodeType.currentVersion;
	const v = nodeType.description.defaultVersion ?? nodeType.description.version;
	return Array.isArray(v) ? Math.max(...v) : v;
}

async function storeBinary(
	input: HarnessBinaryInput,
	workflowId: string,
	executionId: string,
): Promise<IBinaryData> {
	const { binaryDataService } = await ensureN8nEnvironment();
	const isPath = typeof input.data === 'string';
	const fileName = input.fileName ?? (isPath ? basename(input.data as string) : undefined);
	const mimeType = input.mimeType ?? 'application/octet-stream';
	const ext = fileName ? extname(fileName).replace(/^\./, '') : '';
	const binaryData: IBinaryData = {
		data: '',
		mimeType,
		fileType: fileTypeFromMimeType(mimeType),
		...(fileName ? { fileName } : {}),
		...(ext ? { fileExtension: ext } : {}),
	};
	const location = { type: 'execution' as const, workflowId, executionId };
	if (isPath) {
		// streams the file (createReadStream) into filesystem storage; never loads it whole
		return await binaryDataService.copyBinaryFile(location, binaryData, input.data as string);
	}
	return await binaryDataService.store(location, input.data as Buffer, binaryData);
}

export const OPTIONAL_ADDITIONAL_DATA = [
	// optional in IWorkflowExecuteAdditionalData (n8n-workflow 2.41) and left unset by a plain `n8n start`
	'executeAgent',
	'listAgents',
	'restartExecutionId',
	'beginN8nOAuth2Flow',
	'completeN8nOAuth2Flow',
	'refreshN8nOAuth2Flow',
	'validateN8nOAuth2Token',
	'establishTriggerIdentity',
	'checkTriggerCredentialStatus',
	'httpResponse',
	'httpRequest',
	'streamingEnabled',
	'setExecutionStatus',
	'sendDataToUI',
	'executionTimeoutTimestamp',
	'userId',
	'projectId',
	'logHitlResponse',
	'parentCallbackManager',
	'rootExecutionMode',
	'evaluationRunId',
	'getRunnerStatus',
	'validateCookieAuth',
	'getUserById',
	'currentNodeUsedDynamicCredentials',
	'currentNodeAttemptedDynamicCredentials',
	'dynamicCredentialsResolvedUserId',
	'otel',
	// n8n-core augmentation (execution-engine/interfaces.d.ts)
	'externalSecretProviderKeysAccessibleByCredential',
	'ssrfBridge',
	'evalLlmMockHandler',
	'data-table',
	'dynamic-credentials',
	'oauth-jwe',
	'dataTableProjectId',
	'executionContext',
	'workflowSettings',
	'encryptedRunnerIdentity',
];

function notSupported(name: string) {
	return async () => {
		throw new Error(`[test harness] additionalData.${name}() is not supported by the harness`);
	};
}

export function buildAdditionalData(
	hooks: ExecutionLifecycleHooks,
	credentialsHelper: HarnessCredentialsHelper,
	executionId: string,
	workflowId: string,
): IWorkflowExecuteAdditionalData {
	const base = 'http://localhost:5678';
	const data = {
		hooks,
		credentialsHelper,
		executionId,
		workflowId,
		currentNodeParameters: undefined, // read from node.parameters
		currentNodeExecutionIndex: 0,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: `${base}/`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		variables: {},
		externalSecretsProxy: strict('externalSecretsProxy', {
			hasProvider: () => false,
			hasSecret: () => false,
			getSecret: () => undefined,
			listProviders: () => [],
			listSecrets: () => [],
			update: async () => {},
		}),
		executeWorkflow: notSupported('executeWorkflow'),
		getRunExecutionData: notSupported('getRunExecutionData'),
		getRuntimeCredential: notSupported('getRuntimeCredential'),
		startRunnerTask: notSupported('startRunnerTask'),
		logAiEvent: () => {},
	};
	return strict(
		'additionalData',
		data,
		OPTIONAL_ADDITIONAL_DATA,
	) as unknown as IWorkflowExecuteAdditionalData;
}

function errorFromRun(
	run: IRun | undefined,
	nodeTypes: HarnessNodeTypes,
	typeName: string,
): ExecutionBaseError | Error | undefined {
	const task = run?.data.resultData.runData[NODE_NAME]?.at(-1);
	const taskError = task?.error;
	if (taskError) {
		const original = nodeTypes.thrown.get(typeName);
		if (original instanceof Error && original.message === taskError.message) return original;
		return taskError as ExecutionBaseError;
	}
	const runError = run?.data.resultData.error;
	if (runError && run?.status !== 'canceled') return runError as ExecutionBaseError;
	return undefined;
}

function auditResult(result: RunNodeResult, logMark: number): void {
	const runError = result.run?.data.resultData.error;
	recordForAudit(`runNode ${result.node.type} status=${result.status}`, {
		items: result.outputs,
		error: result.error ? errorForAudit(result.error) : undefined,
		runError:
			runError && runError.message !== result.error?.message ? errorForAudit(runError) : undefined,
	});
	const logs = getCapturedLogsSince(logMark);
	if (logs.length) recordForAudit(`runNode ${result.node.type} logs`, capturedLogsAsText(logs));
}

/** Run one node through n8n-core's WorkflowExecute and return its output. */
export async function runNode(options: RunNodeOptions): Promise<RunNodeResult> {
	await ensureN8nEnvironment();
	const logMark = capturedLogMark();
	const started = Date.now();

	const typeName = options.typeName ?? DEFAULT_TYPE_NAME;
	const mode = options.mode ?? 'manual';
	const executionId = String(++executionCounter);
	const workflowId = WORKFLOW_ID;

	const nodeTypes = new HarnessNodeTypes(new Map([[typeName, options.nodeType]]));
	const credentialsHelper = new HarnessCredentialsHelper(
		options.credentialTypes ?? [],
		options.credentials ?? {},
	);

	const node: INode = {
		id: randomUUID(),
		name: NODE_NAME,
		type: typeName,
		typeVersion: options.typeVersion ?? defaultVersion(options.nodeType),
		position: [0, 0],
		parameters: structuredClone(options.parameters),
		...(options.credentials && Object.keys(options.credentials).length
			? {
					credentials: Object.fromEntries(
						Object.keys(options.credentials).map((type) => [
							type,
							{ id: `cred-${type}`, name: `${type} (test)` },
						]),
					),
				}
			: {}),
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
		...options.nodeOverrides,
	};

	const settings: IWorkflowSettings = { executionOrder: 'v1', ...options.workflowSettings };
	const workflow = new Workflow({
		id: workflowId,
		name: 'Anyformat test harness',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
		settings,
	});
	const executedNode = workflow.getNode(NODE_NAME)!;

	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: 'Anyformat test harness',
		active: false,
		isArchived: false,
		nodes: [executedNode],
		connections: {},
		settings,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	};
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const additionalData = buildAdditionalData(hooks, credentialsHelper, executionId, workflowId);

	const inputItems: INodeExecutionData[] = [];
	for (const item of options.items ?? [{ json: {} }]) {
		const out: INodeExecutionData = { json: item.json };
		if (item.binary) {
			out.binary = {};
			for (const [key, value] of Object.entries(item.binary)) {
				out.binary[key] = await storeBinary(value, workflowId, executionId);
			}
		}
		inputItems.push(out);
	}

	const runExecutionData = createRunExecutionData({
		executionData: {
			nodeExecutionStack: [{ node: executedNode, data: { main: [inputItems] }, source: null }],
		},
	});

	let run: IRun | undefined;
	let startError: Error | undefined;
	let timer: NodeJS.Timeout | undefined;
	let watcher: NodeJS.Timeout | undefined;
	let canceledAt: number | undefined;
	let executionStartedAt = Date.now();
	try {
		executionStartedAt = Date.now();
		const workflowExecute = new WorkflowExecute(additionalData, mode, runExecutionData);
		// throws synchronously for workflow issues (e.g. missing required parameters)
		const execution = workflowExecute.processRunExecutionData(workflow);
		// what ActiveExecutions.stopExecution() does for the Stop button
		const stop = () => {
			if (canceledAt !== undefined) return;
			canceledAt = Date.now();
			execution.cancel();
		};
		if (options.cancelAfterMs !== undefined) timer = setTimeout(stop, options.cancelAfterMs);
		const cancelWhen = options.cancelWhen;
		if (cancelWhen) watcher = setInterval(() => cancelWhen() && stop(), 5);
		run = await execution;
	} catch (error) {
		startError = error as Error;
	} finally {
		if (timer) clearTimeout(timer);
		if (watcher) clearInterval(watcher);
	}
	const endedAt = Date.now();

	const runData = run?.data.resultData.runData ?? {};
	const outputs = (runData[NODE_NAME]?.at(-1)?.data?.main ?? []).map((o) => o ?? []);
	const result: RunNodeResult = {
		items: outputs[0] ?? [],
		outputs,
		error: startError ?? errorFromRun(run, nodeTypes, typeName),
		runData,
		status: startError ? 'error' : (run?.status ?? 'unknown'),
		durationMs: endedAt - started,
		canceledAt,
		executionStartedAt,
		endedAt,
		run,
		node: executedNode,
		executionId,
		inputItems,
	};
	auditResult(result, logMark);
	return result;
}
