/** Steps and assertions the delivery suites share. */
import { AnyformatApi } from '../../credentials/AnyformatApi.credentials';
import { Anyformat } from '../../nodes/Anyformat/Anyformat.node';
import { runNode } from '../harness';
import type { TriggerHarness } from './context';
import { API_KEYS, lastDelivery, rl, runOf, secretOf, type Sim, submitRun } from './sim';

export const COMPLETED = 'extraction.completed';
export const FAILED = 'extraction.failed';

/** Sends a delivery signed with the subscription's secret (or as told by `options`). */
export async function send(
	sim: Sim,
	trigger: TriggerHarness,
	body: unknown,
	options: Parameters<Sim['webhooks']['send']>[2] = {},
) {
	return await sim.webhooks.send(trigger.productionUrl, body, {
		secret: secretOf(sim, trigger),
		...options,
	});
}

/**
 * The genuine delivery of a run, sent by the simulator after `forge` has run: the simulator holds its
 * deliveries back a moment, so the forged delivery is answered first and could not "use up" the run.
 */
export async function forgedThenGenuine(
	sim: Sim,
	trigger: TriggerHarness,
	workflowId: string,
	text: string,
	forge: (collectionId: string) => Promise<void>,
) {
	const id = await submitRun(sim, workflowId, text);
	sim.webhooks.setMode({ delayMs: 500 });
	sim.finishRun(id);
	const before = trigger.executions.length;
	await forge(id);
	expect(trigger.executions).toHaveLength(before);
	await sim.webhooks.idle();
	sim.webhooks.setMode({ delayMs: 0 });
	expectStartedFor(sim, trigger, id, before + 1);
	return id;
}

/** The last delivery started execution number `count`, whose items are those of run `id`. */
export function expectStartedFor(sim: Sim, trigger: TriggerHarness, id: string, count: number) {
	expect(lastDelivery(sim).status).toBe(200);
	expect(trigger.executions).toHaveLength(count);
	const { items } = trigger.executions[count - 1];
	expect(items.length).toBeGreaterThan(0);
	for (const item of items) {
		expect(item).toMatchObject({
			anyformat: { collection_id: id, workflow_id: lastDelivery(sim).payload.data.workflow_id },
		});
	}
}

/** How the trigger marks a delivery signed under the Standard Webhooks reading (the simulator's default). */
export const VERIFIED = { signature: 'verified', signature_reading: 'standard-webhooks' };

/**
 * The items the Anyformat node's Get Results gives for the same run and options, with the trigger
 * metadata only the trigger adds (README, "Which trigger?"): `anyformat.event_key` and how the
 * delivery's signature was found (`anyformat.signature`, `anyformat.signature_reading`).
 */
export async function nodeItems(
	sim: Sim,
	workflowId: string,
	collectionId: string,
	extra: Record<string, unknown> = {},
	mark: Record<string, unknown> = VERIFIED,
) {
	const result = await runNode({
		nodeType: new Anyformat(),
		credentialTypes: [new AnyformatApi()],
		credentials: { anyformatApi: { apiKey: API_KEYS.main, baseUrl: sim.url } },
		parameters: {
			resource: 'extraction',
			operation: 'getResults',
			workflowId: rl(workflowId),
			collectionId,
			...extra,
		},
	});
	expect(result.error).toBeUndefined();
	// every output in order (Route For Review gives two)
	return result.outputs.flat().map(({ json }) => ({
		...json,
		anyformat: { ...((json.anyformat as object) ?? {}), event_key: `${COMPLETED}:${collectionId}`, ...mark },
	}));
}

/**
 * The one item the trigger emits for a failed run, or for any run with Fetch Results off, as the API
 * reports the run (its times from the workflow's runs list, read here outside the trigger).
 */
export async function expectedEventItem(
	sim: Sim,
	workflowId: string,
	id: string,
	state: 'processed' | 'failed',
	mark: Record<string, unknown> = VERIFIED,
	failure: { error_code: string | null; detail: unknown } = {
		error_code: 'EXTRACTION_FAILED',
		detail: expect.stringContaining('did not complete'),
	},
) {
	const run = await runOf(sim, workflowId, id);
	const failed = state === 'failed';
	return {
		anyformat: {
			status: state,
			collection_id: id,
			workflow_id: workflowId,
			event: failed ? FAILED : COMPLETED,
			error_code: failed ? failure.error_code : null,
			detail: failed ? failure.detail : null,
			created_at: run.created_at,
			updated_at: run.updated_at,
			event_key: `${failed ? FAILED : COMPLETED}:${id}`,
			...mark,
		},
	};
}
