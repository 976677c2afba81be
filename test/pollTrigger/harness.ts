/**
 * Drives the Anyformat Polling Trigger the way n8n does, with n8n-core's REAL `PollContext` and
 * `TriggersAndPollers.runPollFunction`, against the simulator over HTTP, and n8n's way of keeping the
 * node's static data (read from n8n 1.101.1 and 2.41.1, `ActiveWorkflowManager` /
 * `TriggerExecutionContextFactory.getExecutePollFunctions`, `ActiveWorkflows.activatePolling` /
 * `PollTriggerExecutor`):
 *  - activation builds a `Workflow` from the static data in the database and runs the first poll at
 *    once; the workflow object (with its static data) stays in memory for every later poll;
 *  - a poll that returns items calls `__emit`, which saves the static data (if n8n's proxy saw it change)
 *    and starts one execution; a poll that returns null saves nothing (2.41 without durable cursors too);
 *  - after activation the static data is saved once more (`ActiveWorkflowManager.add`);
 *  - a poll that throws: `__emitError` (an error execution), nothing saved; at activation the error
 *    fails the activation;
 *  - a restart loses what was only in memory and activates again from the database.
 * "Fetch Test Event" runs the poll in mode `manual` on a workflow built from the editor's data; its
 * static data is never saved.
 */
import type { IDataObject, INode, INodeExecutionData, INodeParameters, IWorkflowExecuteAdditionalData, WorkflowActivateMode, WorkflowExecuteMode } from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';
import { PollContext, TriggersAndPollers } from 'n8n-core';

import { AnyformatPollingTrigger } from '../../nodes/AnyformatPollingTrigger/AnyformatPollingTrigger.node';
import { ensureN8nEnvironment } from '../harness';
import type { HarnessCredentialsHelper } from '../harness/credentials-helper';
import { HarnessNodeTypes } from '../harness/node-types';
import { TriggerHarness } from '../trigger/context';

export const POLL_TYPE = 'n8n-nodes-anyformat.anyformatPollingTrigger';
export const POLL_NODE_NAME = 'Anyformat Polling Trigger';
const WORKFLOW_ID = 'anyformat-poll-wf';

export interface PollExecution {
	items: IDataObject[];
	/** every output's items (Route For Review gives two: Results, Needs Review) */
	outputs: IDataObject[][];
	/** the poll that emitted it (1-based, counting every poll of the harness) */
	poll: number;
}

export class PollHarness {
	readonly nodeType = new AnyformatPollingTrigger();
	readonly credentialsHelper: HarnessCredentialsHelper;
	/** the workflow's static data as n8n stores it in its database (JSON) */
	persisted: IDataObject = {};
	saves = 0;
	readonly executions: PollExecution[] = [];
	readonly errors: Error[] = [];
	polls = 0;
	private readonly base: TriggerHarness;
	/** the active workflow in memory (n8n's ActiveWorkflows entry) */
	private active: Workflow | undefined;

	constructor(
		baseUrl: string,
		apiKey: string,
		public parameters: INodeParameters,
	) {
		this.base = new TriggerHarness({ baseUrl, apiKey });
		this.credentialsHelper = this.base.credentialsHelper;
	}

	node(): INode {
		return {
			id: 'anyformat-poll-node',
			name: POLL_NODE_NAME,
			type: POLL_TYPE,
			typeVersion: 1,
			position: [0, 0],
			parameters: { pollTimes: { item: [{ mode: 'everyMinute' }] }, ...structuredClone(this.parameters) },
			credentials: { anyformatApi: { id: 'cred-anyformatApi', name: 'Anyformat (test)' } },
		};
	}

	workflow(staticData: IDataObject = structuredClone(this.persisted)): Workflow {
		return new Workflow({
			id: WORKFLOW_ID,
			name: 'Anyformat polling trigger test',
			nodes: [this.node()],
			connections: {},
			active: true,
			nodeTypes: new HarnessNodeTypes(new Map([[POLL_TYPE, this.nodeType]])),
			staticData,
			settings: { executionOrder: 'v1' },
		});
	}

	/** this node's entry in the persisted static data */
	get memory(): IDataObject {
		return (this.persisted[`node:${POLL_NODE_NAME}`] as IDataObject | undefined) ?? {};
	}

	/** the same, as the active workflow holds it in memory */
	get liveMemory(): IDataObject {
		return (this.active?.staticData[`node:${POLL_NODE_NAME}`] as IDataObject | undefined) ?? {};
	}

	/** n8n's additionalData for trigger contexts, as the webhook trigger's harness builds it (no server needed). */
	additionalData(): IWorkflowExecuteAdditionalData {
		return this.base.additionalData();
	}

	/** WorkflowStaticDataService.saveStaticData: store only what n8n saw change. */
	private saveStaticData(workflow: Workflow): void {
		const staticData = workflow.staticData as IDataObject & { __dataChanged?: boolean };
		if (staticData.__dataChanged === true) {
			this.persisted = JSON.parse(JSON.stringify(staticData));
			staticData.__dataChanged = false;
			this.saves++;
		}
	}

	private context(workflow: Workflow, mode: WorkflowExecuteMode, activation: WorkflowActivateMode) {
		const poll = ++this.polls;
		const emit = (data: INodeExecutionData[][]) => {
			// n8n: `void saveStaticData(workflow)`, then runWorkflow with the items
			this.saveStaticData(workflow);
			this.executions.push({
				items: data[0].map((item) => item.json),
				outputs: data.map((output) => output.map((item) => item.json)),
				poll,
			});
		};
		const emitError = (error: Error) => {
			this.errors.push(error);
		};
		return new PollContext(workflow, workflow.getNode(POLL_NODE_NAME)!, this.additionalData(), mode, activation, emit, emitError);
	}

	private async runPoll(workflow: Workflow, context: PollContext) {
		return await new TriggersAndPollers().runPollFunction(workflow, workflow.getNode(POLL_NODE_NAME)!, context);
	}

	/** Activation (or n8n starting with the workflow active: `init`): the first poll runs at once. */
	async activate(activation: WorkflowActivateMode = 'activate'): Promise<void> {
		await ensureN8nEnvironment();
		const workflow = this.workflow();
		const context = this.context(workflow, 'trigger', activation);
		const result = await this.runPoll(workflow, context); // a throw fails the activation
		if (result !== null) context.__emit(result);
		this.saveStaticData(workflow);
		this.active = workflow;
	}

	/** One scheduled poll of the active workflow. Resolves to false when the poll threw. */
	async poll(): Promise<boolean> {
		if (!this.active) throw new Error('not active');
		const context = this.context(this.active, 'trigger', 'activate');
		try {
			const result = await this.runPoll(this.active, context);
			if (result !== null) context.__emit(result);
			return true;
		} catch (error) {
			context.__emitError(error as never);
			return false;
		}
	}

	/** n8n stops (crash or shutdown: pollers save nothing) and starts again with the workflow active. */
	async restart(): Promise<void> {
		this.active = undefined;
		await this.activate('init');
	}

	deactivate(): void {
		this.active = undefined;
	}

	/** "Fetch Test Event" in the editor. */
	async fetchTestEvent(): Promise<IDataObject[]> {
		await ensureN8nEnvironment();
		const workflow = this.workflow();
		const context = this.context(workflow, 'manual', 'manual');
		const result = await this.runPoll(workflow, context);
		return (result ?? [[]])[0].map((item) => item.json);
	}

	/** every emitted item, in order */
	get items(): IDataObject[] {
		return this.executions.flatMap((execution) => execution.items);
	}
}
