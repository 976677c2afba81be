/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Runs a whole saved workflow (an n8n export: nodes + connections) through n8n-core's
 * `WorkflowExecute.run`, from its start node, the way `n8n execute` and the editor's "Execute workflow"
 * do: every node, every connection and every expression between them go through n8n's real engine.
 * The node types are given by the caller (the package's nodes, plus stand-ins for anything else).
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type {
	ExecutionBaseError,
	ICredentialDataDecryptedObject,
	ICredentialType,
	IConnections,
	INode,
	INodeExecutionData,
	INodeType,
	IRun,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { buildAdditionalData } from './index';
import { recordForAudit } from './audit';
import { HarnessCredentialsHelper } from './credentials-helper';
import { ensureN8nEnvironment } from './n8n-env';
import { HarnessNodeTypes } from './node-types';
import { errorForAudit } from './serialize';

export interface SavedWorkflow {
	id?: string;
	name: string;
	nodes: INode[];
	connections: IConnections;
	settings?: IWorkflowSettings;
}

export interface RunWorkflowOptions {
	workflow: SavedWorkflow;
	nodeTypes: Map<string, INodeType | IVersionedNodeType>;
	credentialTypes?: ICredentialType[];
	/** credential data by credential type name; every node's credential of that type gets it */
	credentials?: Record<string, ICredentialDataDecryptedObject>;
	/** the node to start from; default: n8n's choice (Workflow.getStartNode) */
	startNode?: string;
	/** default 'manual' */
	mode?: WorkflowExecuteMode;
}

export interface RunWorkflowResult {
	status: string;
	error?: ExecutionBaseError;
	run: IRun;
	workflow: Workflow;
	/** the items of `node`'s first output in its last run (json + binary + pairedItem) */
	nodeItems(node: string): INodeExecutionData[];
	/** the json of those items */
	items(node: string): any[];
	/** names of the nodes that ran, in order of execution */
	executed: string[];
}

let executionCounter = 0;

/** n8n's Workflow for a saved workflow: parameters resolved against the node types, defaults applied. */
export function loadWorkflow(saved: SavedWorkflow, nodeTypes: Map<string, INodeType | IVersionedNodeType>) {
	return new Workflow({
		id: saved.id ?? 'example',
		name: saved.name,
		nodes: structuredClone(saved.nodes),
		connections: saved.connections,
		active: false,
		nodeTypes: new HarnessNodeTypes(nodeTypes),
		settings: { executionOrder: 'v1', ...saved.settings },
	});
}

export async function runWorkflow(options: RunWorkflowOptions): Promise<RunWorkflowResult> {
	await ensureN8nEnvironment();
	const mode = options.mode ?? 'manual';
	const executionId = `wf-${++executionCounter}`;
	const workflow = loadWorkflow(options.workflow, options.nodeTypes);
	const workflowId = workflow.id;
	const workflowData: IWorkflowBase = {
		id: workflowId,
		name: workflow.name ?? options.workflow.name,
		active: false,
		isArchived: false,
		nodes: Object.values(workflow.nodes),
		connections: workflow.connectionsBySourceNode,
		settings: workflow.settings,
		createdAt: new Date(),
		updatedAt: new Date(),
		activeVersionId: null,
	};
	const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
	const credentialsHelper = new HarnessCredentialsHelper(options.credentialTypes ?? [], options.credentials ?? {});
	const additionalData = buildAdditionalData(hooks, credentialsHelper, executionId, workflowId);
	const startNode = options.startNode ? workflow.getNode(options.startNode) ?? undefined : undefined;
	const run = await new WorkflowExecute(additionalData, mode).run({ workflow, startNode });

	const runData = run.data.resultData.runData;
	const nodeItems = (node: string) => runData[node]?.at(-1)?.data?.main?.[0] ?? [];
	const result: RunWorkflowResult = {
		status: run.status,
		error: run.data.resultData.error,
		run,
		workflow,
		nodeItems,
		items: (node) => nodeItems(node).map((item) => item.json),
		executed: Object.entries(runData)
			.sort(([, a], [, b]) => (a[0]?.startTime ?? 0) - (b[0]?.startTime ?? 0))
			.map(([name]) => name),
	};
	recordForAudit(`runWorkflow "${options.workflow.name}" status=${run.status}`, {
		items: Object.fromEntries(result.executed.map((name) => [name, result.items(name)])),
		error: result.error ? errorForAudit(result.error) : undefined,
	});
	return result;
}
