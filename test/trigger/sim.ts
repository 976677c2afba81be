/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/** The parts of the simulator (plain JS, test/simulator) the trigger suites use, typed. */
import { randomUUID } from 'node:crypto';

import type { INodeParameters } from 'n8n-workflow';

import { recordForAudit } from '../harness';
import { API_KEYS } from '../setup/secrets';
import { TriggerHarness } from './context';
import {
	SCENARIOS,
	signWebhook as sign,
	startSimulator,
	WEBHOOK_READINGS,
	type SimHandle,
	type SimSubscription,
} from '../simulator/handle';

export { API_KEYS };

export type {
	SendOptions,
	Signing,
	SigningReading,
	SimDelivery,
	SimSubscription,
	SimHandle as Sim,
} from '../simulator/handle';
type Sim = SimHandle;

export const WF = Object.fromEntries(Object.entries(SCENARIOS).map(([k, s]) => [k, s.id])) as Record<
	keyof typeof SCENARIOS,
	string
>;

/** `v1,<base64>`: a Standard Webhooks signature, as the simulator computes it. */
export const signWebhook = sign;
export const READINGS = WEBHOOK_READINGS;

export async function startSim(options: Record<string, unknown> = {}): Promise<Sim> {
	return await startSimulator({
		apiKey: [API_KEYS.main, API_KEYS.other],
		allowHttpWebhooks: true,
		processingMs: 50,
		...options,
	});
}

export const rl = (value: string) => ({ __rl: true, mode: 'id', value });

/** A simulator and an Anyformat Trigger wired to it, torn down together. */
export async function withTrigger<T>(
	parameters: INodeParameters,
	body: (sim: Sim, trigger: TriggerHarness) => Promise<T>,
	simOptions: Record<string, unknown> = {},
): Promise<T> {
	const sim = await startSim(simOptions);
	const trigger = await new TriggerHarness({
		baseUrl: sim.url,
		apiKey: API_KEYS.main,
		parameters,
	}).start();
	try {
		return await body(sim, trigger);
	} finally {
		await sim.webhooks.idle();
		recordForAudit(
			'trigger deliveries',
			trigger.deliveries.map(({ execution, ...d }) => ({ ...d, started: !!execution })),
		);
		recordForAudit('simulator ledger', sim.ledger.summary({ full: true }));
		await trigger.stop();
		await sim.close();
		if (trigger.errors.length) throw trigger.errors[0];
	}
}

/** Submits `text` to a workflow outside the trigger; the run stays processing until finished. */
export async function submitRun(sim: Sim, workflowId: string, text: string): Promise<string> {
	const form = new FormData();
	form.append('text', `${text} [[processing_ms:600000]]`);
	const response = await fetch(`${sim.url}/v2/workflows/${workflowId}/run/`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${API_KEYS.main}` },
		body: form,
	});
	const body = (await response.json()) as { id: string };
	if (response.status !== 202)
		throw new Error(`submission failed: ${response.status} ${JSON.stringify(body)}`);
	return body.id;
}

/** Finishes a run (the simulator then delivers its event) and waits for every delivery to be answered. */
export async function finishAndDeliver(sim: Sim, collectionId: string): Promise<void> {
	sim.finishRun(collectionId);
	await sim.webhooks.idle();
}

/** A run finished and delivered: processed, or failed when the text contains FAIL_EXTRACTION. */
export async function deliveredRun(
	sim: Sim,
	workflowId: string,
	text = 'Invoice INV-7781 Total: $1,250.00',
): Promise<string> {
	const id = await submitRun(sim, workflowId, text);
	await finishAndDeliver(sim, id);
	return id;
}

/** The results envelope as the API gives it (read outside the trigger). */
export async function resultsOf(
	sim: Sim,
	workflowId: string,
	collectionId: string,
): Promise<{ status: number; body: any }> {
	const response = await fetch(
		`${sim.url}/v2/workflows/${workflowId}/files/${collectionId}/results/`,
		{
			headers: { Authorization: `Bearer ${API_KEYS.main}` },
		},
	);
	return { status: response.status, body: await response.json() };
}

export function payload(
	event: string,
	extractionId: string,
	workflowId: string,
	status = event === 'extraction.completed' ? 'processed' : 'error',
) {
	return {
		event,
		timestamp: new Date().toISOString(),
		data: {
			extraction_id: extractionId,
			status,
			workflow_id: workflowId,
			processed_at: status === 'processed' ? new Date().toISOString() : null,
		},
	};
}

/** The one subscription of the trigger (with its secret, as only the simulator can show it). */
export function subscriptionOf(sim: Sim, url: string): SimSubscription {
	const mine = sim.webhooks.list().filter((s) => s.url === url);
	if (mine.length !== 1)
		throw new Error(`expected one subscription for ${url}, found ${mine.length}`);
	return mine[0];
}

export const newMessageId = () => `msg_${randomUUID().replace(/-/g, '').slice(0, 24)}`;

/** The secret of the trigger's subscription, for crafting deliveries as Anyformat would sign them. */
export const secretOf = (sim: Sim, trigger: TriggerHarness) =>
	subscriptionOf(sim, trigger.productionUrl).secret;

export const lastDelivery = (sim: Sim) =>
	sim.webhooks.deliveries[sim.webhooks.deliveries.length - 1];

/** The run's entry in its workflow's runs list, read outside the trigger. */
export async function runOf(sim: Sim, workflowId: string, id: string) {
	const response = await fetch(`${sim.url}/v2/workflows/${workflowId}/runs/?page_size=100`, {
		headers: { Authorization: `Bearer ${API_KEYS.main}` },
	});
	const body = (await response.json()) as { results: Array<Record<string, string>> };
	const run = body.results.find((r) => r.id === id);
	if (!run) throw new Error(`run ${id} is not in the runs list`);
	return run;
}

/** Fields a forger adds to a delivery's body, hoping they reach the workflow. */
export const FORGED_BODY = {
	results: { invoice_number: 'FORGED-1', total_amount: 999999 },
	fields: { invoice_number: { value: 'FORGED-2' } },
	data: {
		status: 'processed',
		processed_at: '1999-01-01T00:00:00.000Z',
		fields: { total_amount: { value: 1 } },
		results: { invoice_number: 'FORGED-3' },
		collection_id: 'forged-collection',
	},
};

/** No item of any execution carries anything a forger put in a delivery's body. */
export function expectNothingForged(trigger: TriggerHarness) {
	const text = JSON.stringify(trigger.executions.map((e) => e.items));
	for (const forged of [
		'FORGED',
		'999999',
		'1999-01-01',
		'forged-collection',
		'"results"',
		'"fields"',
		'processed_at',
	]) {
		expect([forged, text.includes(forged)]).toEqual([forged, false]);
	}
}
