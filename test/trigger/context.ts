/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Drives the Anyformat Trigger the way n8n does, with n8n-core's REAL contexts:
 *  - lifecycle: `HookContext` (n8n-core) on a `Workflow` (n8n-workflow), as n8n's WebhookService runs
 *    `checkExists` → `create` on activation and `delete` on deactivation (mode `trigger`), or with the
 *    `/webhook-test/` URL in mode `manual` while "listening for a test event";
 *  - deliveries: a local HTTP server receives what the simulator POSTs and does what n8n's
 *    LiveWebhooks/TestWebhooks + `executeWebhook` do: read the raw body (`req.rawBody`), parse it like
 *    n8n's `parseBody` (malformed JSON → 422 before the node runs), build a `WebhookContext` (n8n-core)
 *    with the request/response, call the node's `webhook()`, then
 *      · `noWebhookResponse` → the node answered itself;
 *      · `workflowData` → an execution starts: the items go through n8n's real engine
 *        (WorkflowExecute via the test harness's `runNode`, mode `webhook`), answered 200
 *        `{"message":"Workflow was started"}` (responseMode onReceived);
 *      · otherwise 200 with `webhookResponse`;
 *      · a thrown error → 500, recorded in `errors` (n8n would record a failed execution).
 *  - static data persistence as n8n does it: every production delivery and hook call gets a fresh
 *    `Workflow` built from the stored static data; after the response (and after each hook call) the
 *    static data is stored again only when n8n's observable proxy marked it changed (`__dataChanged`,
 *    WorkflowStaticDataService.saveStaticData). So a key the node "remembers" without n8n noticing
 *    would be lost here too. Test-mode deliveries use `setTestStaticData` with the static data of the
 *    test registration, never persisted (as TestWebhooks does).
 * Credentials go through the harness's credentials helper: `httpRequestWithAuthentication` applies the
 * credential's `authenticate` for real.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { HookContext, WebhookContext } from 'n8n-core';
import type {
	IDataObject,
	INode,
	INodeExecutionData,
	INodeParameters,
	IWebhookData,
	IWebhookResponseData,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { AnyformatApi } from '../../credentials/AnyformatApi.credentials';
import { AnyformatTrigger } from '../../nodes/AnyformatTrigger/AnyformatTrigger.node';
import {
	ensureN8nEnvironment,
	OPTIONAL_ADDITIONAL_DATA,
	recordForAudit,
	runNode,
	type RunNodeResult,
} from '../harness';
import { HarnessCredentialsHelper } from '../harness/credentials-helper';
import { HarnessNodeTypes } from '../harness/node-types';
import { strict } from '../harness/strict';

export const TRIGGER_TYPE = 'n8n-nodes-anyformat.anyformatTrigger';
export const TRIGGER_NODE_NAME = 'Anyformat Trigger';
const WORKFLOW_ID = 'anyformat-trigger-wf';
/** n8n's default N8N_PAYLOAD_SIZE_MAX (MiB): larger bodies never reach the node */
const N8N_PAYLOAD_SIZE_MAX = 16 * 1024 * 1024;

/** A delivery as the server saw it and answered it. */
export interface DeliveryRecord {
	path: string;
	test: boolean;
	headers: Record<string, string | string[] | undefined>;
	body: string;
	status: number;
	response: unknown;
	/** where the answer came from */
	answeredBy: 'n8n' | 'node' | 'execution';
	execution?: ExecutionRecord;
}

export interface ExecutionRecord {
	/** what webhook() returned in workflowData[0] */
	emitted: INodeExecutionData[];
	/** every output webhook() returned (two with Route For Review: Results, Needs Review) */
	outputs: INodeExecutionData[][];
	/** the execution as n8n's engine ran it */
	run: RunNodeResult;
	/** the trigger node's output in that execution */
	items: IDataObject[];
	test: boolean;
}

export interface TriggerHarnessOptions {
	/** the simulator's base URL and an API key it accepts */
	baseUrl: string;
	apiKey: string;
	parameters?: INodeParameters;
}

/** The express Response methods n8n's webhook nodes use, over a Node ServerResponse. */
function expressResponse(res: ServerResponse) {
	const response = {
		get headersSent() {
			return res.headersSent;
		},
		get writableEnded() {
			return res.writableEnded;
		},
		status(code: number) {
			res.statusCode = code;
			return response;
		},
		setHeader(name: string, value: string) {
			res.setHeader(name, value);
			return response;
		},
		set(name: string, value: string) {
			res.setHeader(name, value);
			return response;
		},
		json(body: unknown) {
			const text = JSON.stringify(body);
			res.setHeader('content-type', 'application/json; charset=utf-8');
			res.end(text);
			answered = body;
			return response;
		},
		send(body?: unknown) {
			if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body))
				return response.json(body);
			res.end(body as string | Buffer | undefined);
			answered = body;
			return response;
		},
		end(body?: string | Buffer) {
			res.end(body);
			if (body !== undefined) answered = body;
			return response;
		},
	};
	let answered: unknown;
	return { response, answered: () => answered };
}

async function readRawBody(req: IncomingMessage): Promise<Buffer | 'too-large'> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > N8N_PAYLOAD_SIZE_MAX) return 'too-large';
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}

export class TriggerHarness {
	readonly nodeType = new AnyformatTrigger();
	readonly webhookId = randomUUID();
	readonly credentialsHelper: HarnessCredentialsHelper;
	parameters: INodeParameters;
	/** the workflow's static data as n8n stores it in its database (JSON) */
	persisted: IDataObject = {};
	/** how many times static data was stored */
	saves = 0;
	/** static data of the current test registration ("Listen for test event") */
	testStaticData: IDataObject | undefined;
	readonly deliveries: DeliveryRecord[] = [];
	readonly executions: ExecutionRecord[] = [];
	readonly errors: unknown[] = [];
	private server: Server | undefined;
	private base = '';

	constructor(options: TriggerHarnessOptions) {
		this.parameters = options.parameters ?? {};
		this.credentialsHelper = new HarnessCredentialsHelper([new AnyformatApi()], {
			anyformatApi: { apiKey: options.apiKey, baseUrl: options.baseUrl },
		});
	}

	async start(): Promise<this> {
		await ensureN8nEnvironment();
		this.server = createServer((req, res) => {
			this.handle(req, res).catch((error) => {
				this.errors.push(error);
				if (!res.headersSent) {
					res.statusCode = 500;
					res.end('harness error');
				}
			});
		});
		await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
		this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
		return this;
	}

	async stop(): Promise<void> {
		if (!this.server) return;
		await new Promise<void>((resolve) => {
			this.server!.close(() => resolve());
			this.server!.closeAllConnections();
		});
		this.server = undefined;
	}

	get productionUrl(): string {
		return `${this.base}/webhook/${this.webhookId}/webhook`;
	}

	get testUrl(): string {
		return `${this.base}/webhook-test/${this.webhookId}/webhook`;
	}

	/** this node's entry in the persisted static data */
	get memory(): IDataObject {
		return (this.persisted[`node:${TRIGGER_NODE_NAME}`] as IDataObject | undefined) ?? {};
	}

	setApiKey(apiKey: string): void {
		this.credentialsHelper.data.anyformatApi = {
			...this.credentialsHelper.data.anyformatApi,
			apiKey,
		};
	}

	// ---- n8n's objects -------------------------------------------------------------------------

	node(): INode {
		return {
			id: 'anyformat-trigger-node',
			name: TRIGGER_NODE_NAME,
			type: TRIGGER_TYPE,
			typeVersion: 1,
			position: [0, 0],
			webhookId: this.webhookId,
			parameters: structuredClone(this.parameters),
			credentials: { anyformatApi: { id: 'cred-anyformatApi', name: 'Anyformat (test)' } },
		};
	}

	/** A Workflow as n8n builds it for an activation or a production delivery: static data from the database. */
	workflow(staticData: IDataObject = structuredClone(this.persisted)): Workflow {
		return new Workflow({
			id: WORKFLOW_ID,
			name: 'Anyformat trigger test',
			nodes: [this.node()],
			connections: {},
			active: true,
			nodeTypes: new HarnessNodeTypes(new Map([[TRIGGER_TYPE, this.nodeType]])),
			staticData,
			settings: { executionOrder: 'v1' },
		});
	}

	additionalData(extra: Record<string, unknown> = {}): IWorkflowExecuteAdditionalData {
		const data = {
			credentialsHelper: this.credentialsHelper,
			executionId: undefined,
			workflowId: WORKFLOW_ID,
			currentNodeParameters: undefined,
			currentNodeExecutionIndex: 0,
			restApiUrl: `${this.base}/rest`,
			instanceBaseUrl: `${this.base}/`,
			formBaseUrl: `${this.base}/form`,
			formWaitingBaseUrl: `${this.base}/form-waiting`,
			formTestBaseUrl: `${this.base}/form-test`,
			webhookBaseUrl: `${this.base}/webhook`,
			webhookWaitingBaseUrl: `${this.base}/webhook-waiting`,
			webhookTestBaseUrl: `${this.base}/webhook-test`,
			mcpBaseUrl: `${this.base}/mcp`,
			mcpTestBaseUrl: `${this.base}/mcp-test`,
			variables: {},
			externalSecretsProxy: strict('externalSecretsProxy', {
				hasProvider: () => false,
				hasSecret: () => false,
				getSecret: () => undefined,
				listProviders: () => [],
				listSecrets: () => [],
				update: async () => {},
			}),
			logAiEvent: () => {},
			...extra,
		};
		return strict(
			'additionalData',
			data,
			OPTIONAL_ADDITIONAL_DATA,
		) as unknown as IWorkflowExecuteAdditionalData;
	}

	webhookData(
		workflow: Workflow,
		additionalData: IWorkflowExecuteAdditionalData,
		test: boolean,
	): IWebhookData {
		const description = this.nodeType.description.webhooks![0];
		return {
			httpMethod: 'POST',
			node: TRIGGER_NODE_NAME,
			path: `${this.webhookId}/webhook`,
			webhookDescription: description,
			workflowId: workflow.id,
			workflowExecuteAdditionalData: additionalData,
			webhookId: this.webhookId,
			isTest: test,
		};
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

	// ---- lifecycle -----------------------------------------------------------------------------

	private hookContext(workflow: Workflow, test: boolean) {
		const additionalData = this.additionalData();
		const mode: WorkflowExecuteMode = test ? 'manual' : 'trigger';
		return new HookContext(
			workflow,
			workflow.getNode(TRIGGER_NODE_NAME)!,
			additionalData,
			mode,
			test ? 'manual' : 'activate',
			this.webhookData(workflow, additionalData, test),
		);
	}

	private async hook(
		method: 'checkExists' | 'create' | 'delete',
		workflow: Workflow,
		test: boolean,
	): Promise<boolean> {
		const context = this.hookContext(workflow, test);
		return await this.nodeType.webhookMethods.default[method].call(context);
	}

	/** One webhook method in production mode, on a workflow loaded from the database, saved afterwards. */
	async runHook(method: 'checkExists' | 'create' | 'delete'): Promise<boolean> {
		const workflow = this.workflow();
		try {
			return await this.hook(method, workflow, false);
		} finally {
			this.saveStaticData(workflow);
		}
	}

	/** Activation: WebhookService.createWebhookIfNotExists, then the static data is saved. */
	async activate(): Promise<void> {
		const workflow = this.workflow();
		try {
			if (!(await this.hook('checkExists', workflow, false)))
				await this.hook('create', workflow, false);
		} finally {
			this.saveStaticData(workflow);
		}
	}

	/** Deactivation: WebhookService.deleteWebhook, then the static data is saved. */
	async deactivate(): Promise<boolean> {
		const workflow = this.workflow();
		try {
			return await this.hook('delete', workflow, false);
		} finally {
			this.saveStaticData(workflow);
		}
	}

	/**
	 * "Listen for test event": TestWebhooks registers the test webhook on a workflow built from the
	 * editor's data (static data included, never saved back) and keeps its static data for deliveries.
	 */
	async listenForTestEvent(): Promise<void> {
		const workflow = this.workflow();
		try {
			if (!(await this.hook('checkExists', workflow, true))) {
				await this.hook('create', workflow, true);
			}
		} catch (error) {
			// TestWebhooks.needsWebhook: deactivateWebhooks(workflow) with the editor's static data
			await this.hook('delete', workflow, true);
			throw error;
		}
		this.testStaticData = workflow.staticData;
	}

	/** The test webhook is removed (test event received, or listening stopped). */
	async stopListening(): Promise<boolean> {
		const workflow = this.workflow();
		if (this.testStaticData) workflow.setTestStaticData(this.testStaticData);
		const result = await this.hook('delete', workflow, true);
		this.testStaticData = undefined;
		return result;
	}

	// ---- deliveries ----------------------------------------------------------------------------

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const path = new URL(req.url ?? '/', this.base).pathname;
		const test = path === `/webhook-test/${this.webhookId}/webhook`;
		const record: DeliveryRecord = {
			path,
			test,
			headers: { ...req.headers },
			body: '',
			status: 0,
			response: undefined,
			answeredBy: 'n8n',
		};
		this.deliveries.push(record);
		const reply = (status: number, body: unknown) => {
			record.status = status;
			record.response = body;
			res.statusCode = status;
			res.setHeader('content-type', 'application/json; charset=utf-8');
			res.end(JSON.stringify(body));
		};
		if (req.method !== 'POST' || (!test && path !== `/webhook/${this.webhookId}/webhook`)) {
			return reply(404, { code: 404, message: 'The requested webhook is not registered.' });
		}
		if (test && !this.testStaticData) {
			return reply(404, { code: 404, message: 'The requested webhook is not registered.' });
		}

		// n8n's rawBodyReader + parseBody
		const raw = await readRawBody(req);
		if (raw === 'too-large') return reply(413, { code: 413, message: 'request entity too large' });
		record.body = raw.toString('utf8');
		const contentType = String(req.headers['content-type'] ?? '')
			.split(';')[0]
			.trim()
			.toLowerCase();
		let body: unknown = {};
		if (raw.length) {
			if (contentType === 'application/json') {
				try {
					body = JSON.parse(raw.toString('utf8'));
				} catch (error) {
					return reply(422, {
						code: 422,
						message: 'Failed to parse request body',
						hint: (error as Error).message,
					});
				}
			} else if (contentType === 'text/plain') {
				body = raw.toString('utf8');
			}
		}
		const expressReq = {
			method: req.method,
			url: req.url,
			path,
			headers: req.headers,
			params: {},
			query: {},
			body,
			rawBody: raw,
			contentType,
		};
		const { response, answered } = expressResponse(res);

		const workflow = this.workflow();
		if (test && this.testStaticData) workflow.setTestStaticData(this.testStaticData);
		const additionalData = this.additionalData({ httpRequest: expressReq, httpResponse: response });
		const context = new WebhookContext(
			workflow,
			workflow.getNode(TRIGGER_NODE_NAME)!,
			additionalData,
			test ? 'manual' : 'webhook',
			this.webhookData(workflow, additionalData, test),
			[],
			null,
		);

		let result: IWebhookResponseData;
		try {
			result = await this.nodeType.webhook.call(context);
		} catch (error) {
			this.errors.push(error);
			recordForAudit('trigger webhook() threw', String((error as Error)?.stack ?? error));
			if (!res.headersSent)
				reply(500, {
					code: 500,
					message: 'Workflow Webhook Error: Workflow could not be started!',
				});
			return;
		}

		if (result.noWebhookResponse) {
			record.answeredBy = 'node';
			record.status = res.statusCode;
			record.response = answered();
			if (!res.writableEnded)
				this.errors.push(new Error('webhook() returned noWebhookResponse without answering'));
		} else if (result.workflowData) {
			const emitted = result.workflowData[0] ?? [];
			const run = await runNode({
				nodeType: this.nodeType,
				typeName: TRIGGER_TYPE,
				parameters: this.parameters,
				credentials: { anyformatApi: this.credentialsHelper.data.anyformatApi },
				credentialTypes: [new AnyformatApi()],
				items: emitted.map((item) => ({ json: item.json })),
				mode: test ? 'manual' : 'webhook',
				nodeOverrides: { webhookId: this.webhookId },
			});
			const execution: ExecutionRecord = {
				emitted,
				outputs: result.workflowData,
				run,
				items: run.items.map((item) => item.json),
				test,
			};
			this.executions.push(execution);
			record.execution = execution;
			record.answeredBy = 'execution';
			reply(200, { message: 'Workflow was started' });
		} else {
			reply(200, result.webhookResponse ?? { message: 'Webhook call received' });
		}
		// the response callback of LiveWebhooks saves static data; TestWebhooks does not
		if (!test) this.saveStaticData(workflow);
	}
}
