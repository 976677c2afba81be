/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * The simulator (plain JS, this folder) as the TypeScript suites see it: one typed handle and one way
 * to start it. test/batch/helpers.ts, test/node/support.ts and test/trigger/sim.ts re-export these
 * types under their old names and start it through `startSimulator` with their own defaults.
 */

export interface LedgerRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	route: string | null;
	targetRoute?: string;
	tier: string | null;
	status: number | null;
	time: number;
	authorized: boolean;
	keyIndex: number | null;
	fault: string | null;
	durationMs: number | null;
}

export interface LedgerUpload {
	workflowId: string;
	collectionId: string | null;
	fileId: string | null;
	kind: 'file' | 'text';
	filename: string;
	mimeType: string;
	bytes: number;
	sha256: string;
	contentLength: number | null;
	accepted: boolean;
	time: number;
}

export interface LedgerRun {
	collectionId: string;
	workflowId: string;
	sha256: string;
	route: string;
	time: number;
	/** created after the client had given up on its answer (fault `accepted-no-answer`) */
	late?: boolean;
}

export interface SimLedger {
	requests: LedgerRequest[];
	uploads: LedgerUpload[];
	/** every run this workflow's submitters started (not another submitter's: see foreignRuns) */
	runs: LedgerRun[];
	/** runs another submitter created (fault `other-submitter`) */
	foreignRuns: Array<{ collectionId: string; workflowId: string; sha256: string; time: number }>;
	rateLimited: { submission: number; general: number };
	peakRequestsPerWindow: { submission: number; general: number };
	maxConcurrentUploads: number;
	count(filter: Partial<LedgerRequest> | Record<string, unknown> | string): number;
	runsPerSha256(): Map<string, number>;
	duplicates(): Array<{ sha256: string; count: number; collectionIds: string[] }>;
	summary(options?: { full?: boolean }): unknown;
}

export interface SimFaults {
	configure(options: Record<string, unknown>): unknown;
	once(kind: string, options?: { route?: string }): SimFaults;
	clear(): void;
	injected: Record<string, number>;
	retryAfterSeconds: number;
}

export interface SimRun {
	id: string;
	fileId: string;
	workflowId: string;
	status: string;
	name: string;
	kind: 'file' | 'text';
	sha256: string;
	isRun: boolean;
	/** another submitter's run (fault `other-submitter`) */
	foreign: boolean;
	createdAt: string;
}

export interface SimSubscription {
	id: string;
	url: string;
	events: string[];
	is_active: boolean;
	secret: string;
	created_at: string;
}

export interface SimDelivery {
	subscriptionId: string;
	url: string;
	event: string;
	webhookId: string;
	timestamp: number;
	copy: number;
	signing: string;
	reading: SigningReading;
	headers: Record<string, string>;
	body: string;
	payload: { event: string; timestamp: string; data: Record<string, unknown> };
	status: number | null;
	error: string | null;
}

/** How the simulator's secret keys the HMAC (webhooks.js). */
export type SigningReading = 'standard-webhooks' | 'whole-secret' | 'secret-after-prefix';
export type Signing = 'valid' | 'invalid' | 'none' | 'unreadable';

export interface SendOptions {
	secret?: string;
	signing?: Signing;
	reading?: SigningReading;
	/** fields added to the body (its `data` merged into the payload's `data`) */
	extraBody?: Record<string, unknown>;
	timestamp?: number;
	webhookId?: string;
	rawBody?: string;
	headers?: Record<string, string>;
}

export interface SimWebhooks {
	setMode(mode: {
		redeliver?: number;
		delayMs?: number;
		signing?: Signing;
		reading?: SigningReading;
		extraBody?: Record<string, unknown> | null;
	}): unknown;
	forget(id: string): boolean;
	list(): SimSubscription[];
	send(
		url: string,
		payload: unknown,
		options?: SendOptions,
	): Promise<{ status: number | null; body: string | null; error: string | null; headers: Record<string, string> }>;
	idle(): Promise<void>;
	deliveries: SimDelivery[];
	create(body: unknown): { ok: boolean; subscription?: SimSubscription; detail?: string };
}

export interface SimHandle {
	url: string;
	apiKey: string;
	workflows: Array<Record<string, unknown>>;
	ledger: SimLedger;
	faults: SimFaults;
	webhooks: SimWebhooks;
	configure(options: Record<string, unknown>): unknown;
	finishRun(collectionId: string): boolean;
	cancelRun(collectionId: string): boolean;
	/** a reviewer's correction in the app on one field of a run's results */
	reviewField(
		collectionId: string,
		field: string,
		patch: { value_override?: unknown; verification_status?: string | null },
	): boolean;
	/** runs created at once, finished or not (see the simulator's seedRuns) */
	seedRuns(
		workflowId: string,
		options?: { count?: number; text?: string; finished?: boolean },
	): string[];
	/** the results endpoint answers 412 for this run while held, whatever its status */
	holdResults(collectionId: string, held?: boolean): boolean;
	/** moves a run's created/started/finished times `ms` into the past */
	ageRun(collectionId: string, ms: number): boolean;
	getRun(collectionId: string): SimRun | null;
	listRuns(): SimRun[];
	/** resolves once every delayed effect of a fault (a run created late) has happened */
	settled(): Promise<void>;
	close(): Promise<void>;
}

export interface Scenario {
	key: string;
	id: string;
	name: string;
	fields: Array<{ name: string }>;
}

export type ScenarioKey = 'invoice' | 'split' | 'parseOnly' | 'lineItems' | 'falsyOverrides' | 'classification';

const simulator = require('./index') as {
	createSimulator(options?: Record<string, unknown>): Promise<SimHandle>;
	signWebhook(
		secret: string,
		messageId: string,
		timestamp: number,
		body: string,
		reading?: SigningReading,
	): string;
	WEBHOOK_READINGS: SigningReading[];
	SCENARIOS: Record<ScenarioKey, Scenario>;
	FAULT_KINDS: string[];
};

export const SCENARIOS = simulator.SCENARIOS;
/** every fault kind the simulator knows (the soak draws from all of them) */
export const FAULT_KINDS: readonly string[] = simulator.FAULT_KINDS;
export const signWebhook = simulator.signWebhook;
export const WEBHOOK_READINGS = simulator.WEBHOOK_READINGS;

/** Starts a simulator on 127.0.0.1 and a free port. */
export async function startSimulator(options: Record<string, unknown> = {}): Promise<SimHandle> {
	return await simulator.createSimulator(options);
}
