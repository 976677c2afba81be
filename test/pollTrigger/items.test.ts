/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * One mapper for all three: the polling trigger's items are the Anyformat node's Get Results items and
 * the webhook trigger's items for the same run, and they differ only by the documented trigger
 * metadata under `anyformat` (README, "Which trigger?"): `event_key` on both triggers' items, plus
 * `signature` and `signature_reading` on the webhook trigger's. In raw output `anyformat` holds only
 * that metadata. The keys are stripped exactly (each must be there) and the rest compared with toEqual.
 */
import type { IDataObject } from 'n8n-workflow';

import { getResults, runAnyformat } from '../node/support';
import { API_KEYS, deliveredRun, withTrigger } from '../trigger/sim';
import { PollHarness } from './harness';
import { completed, FAIL_TEXT, failed, params, rl, WF } from './sim';

const POLL_METADATA = ['event_key'];
const SIGNATURE_METADATA = ['signature', 'signature_reading'];
const WEBHOOK_METADATA = [...POLL_METADATA, ...SIGNATURE_METADATA];

/** The items without exactly `keys` of `anyformat` (each present); raw items lose `anyformat`, then empty. */
function strip(items: IDataObject[], keys: string[], raw: boolean): IDataObject[] {
	return items.map((item) => {
		const { anyformat, ...rest } = item;
		const meta = { ...(anyformat as IDataObject) };
		for (const key of keys) {
			expect(meta).toHaveProperty(key);
			delete meta[key];
		}
		if (!raw) return { ...rest, anyformat: meta };
		expect(meta).toEqual({});
		return rest;
	});
}

function expectMetadata(items: IDataObject[], eventKey: string, signed: boolean) {
	expect(items.length).toBeGreaterThan(0);
	for (const item of items) {
		expect(item.anyformat).toMatchObject({
			event_key: eventKey,
			...(signed ? { signature: 'verified', signature_reading: 'standard-webhooks' } : {}),
		});
	}
}

/** Both triggers active on one workflow; one run delivered and polled; each trigger's items. */
async function bothTriggers(
	workflowId: string,
	parameters: IDataObject,
	text: string | undefined,
	check: (run: { id: string; polled: IDataObject[]; delivered: IDataObject[]; sim: any }) => Promise<void>,
) {
	await withTrigger(
		{ events: ['extraction.completed', 'extraction.failed'], workflowId: rl(workflowId), ...parameters },
		async (sim, webhook) => {
			const poll = new PollHarness(sim.url, API_KEYS.main, params(workflowId, parameters as never));
			await poll.activate();
			await webhook.activate();
			const id = await deliveredRun(sim, workflowId, text);
			await poll.poll();
			expect(poll.executions).toHaveLength(1);
			expect(webhook.executions).toHaveLength(1);
			await check({ id, polled: poll.executions[0].items, delivered: webhook.executions[0].items, sim });
		},
	);
}

const CASES = [
	['invoice', 'simplified'],
	['invoice', 'detailed'],
	['invoice', 'raw'],
	['split', 'simplified'],
	['lineItems', 'detailed'],
	['parseOnly', 'simplified'],
	['falsyOverrides', 'simplified'],
] as const;

describe('items identical to Get Results and the webhook trigger', () => {
	test.concurrent.each(CASES)('%s workflow, %s output', async (scenario, output) => {
		const workflowId = WF[scenario];
		const options = { includeMarkdown: true, minimumConfidence: 90 };
		const raw = output === 'raw';
		await bothTriggers(workflowId, { fetchResults: true, output, options }, undefined, async ({ id, polled, delivered, sim }) => {
			expectMetadata(polled, completed(id), false);
			expectMetadata(delivered, completed(id), true);
			const viaGetResults = await runAnyformat(sim, getResults(workflowId, id, { output, options }));
			expect(viaGetResults.error).toBeUndefined();
			const plain = viaGetResults.items.map((item) => item.json);
			expect(strip(polled, POLL_METADATA, raw)).toEqual(plain);
			expect(strip(delivered, WEBHOOK_METADATA, raw)).toEqual(plain);
			// poll and webhook: the same event key, and only the signature keys apart
			expect(strip(delivered, SIGNATURE_METADATA, false)).toEqual(polled);
		});
	});
});

/**
 * With Fetch Results off the polling trigger reads only the runs list, which gives no error code: its
 * failed items have `error_code`/`detail` null where the webhook trigger (which always asks the results
 * endpoint to confirm a delivery) has what the API said. Everything else is the same.
 */
describe('event items identical between the two triggers', () => {
	const FAILURE = { error_code: 'EXTRACTION_FAILED', detail: expect.stringContaining('did not complete') };
	const NO_FAILURE = { error_code: null, detail: null };
	test.concurrent.each([
		['a failed run, Fetch Results on', FAIL_TEXT, true, failed, 'failed', FAILURE, FAILURE],
		['a failed run, Fetch Results off', FAIL_TEXT, false, failed, 'failed', NO_FAILURE, FAILURE],
		['a completed run, Fetch Results off', undefined, false, completed, 'processed', NO_FAILURE, NO_FAILURE],
	] as const)('%s: one item with the run as the API reports it', async (_name, text, fetchResults, key, status, polledFailure, deliveredFailure) => {
		await bothTriggers(WF.invoice, { fetchResults }, text, async ({ id, polled, delivered }) => {
			expectMetadata(polled, key(id), false);
			expectMetadata(delivered, key(id), true);
			const item = {
				status,
				collection_id: id,
				workflow_id: WF.invoice,
				event: key(id).split(':')[0],
				created_at: expect.any(String),
				updated_at: expect.any(String),
				event_key: key(id),
			};
			expect(polled).toEqual([{ anyformat: { ...item, ...polledFailure } }]);
			const [{ anyformat: fromPoll }] = polled as Array<{ anyformat: IDataObject }>;
			expect(strip(delivered, SIGNATURE_METADATA, false)).toEqual([
				{ anyformat: { ...fromPoll, ...deliveredFailure } },
			]);
		});
	});
});

describe('Route For Review', () => {
	test('a flagged run comes out on the second output, Needs Review, as on the webhook trigger', async () => {
		const options = { routeForReview: true, minimumConfidence: 70 };
		await withTrigger(
			{ events: ['extraction.completed'], workflowId: rl(WF.invoice), options },
			async (sim, webhook) => {
				const parameters = { fetchResults: true, output: 'simplified', options };
				const poll = new PollHarness(sim.url, API_KEYS.main, params(WF.invoice, parameters as never));
				await poll.activate();
				await webhook.activate();
				const id = await deliveredRun(sim, WF.invoice);
				await poll.poll();
				expect(poll.executions).toHaveLength(1);
				const { outputs } = poll.executions[0];
				expect(outputs.map((output) => output.length)).toEqual([0, 1]);
				expect(outputs[1][0]).toMatchObject({
					invoice_number: 'INV-7781',
					anyformat: {
						collection_id: id,
						review_fields: ['vendor_name'],
						verification_url: expect.stringContaining(`/files/${id}/`),
						event_key: completed(id),
					},
				});
				expect(strip(webhook.executions[0].outputs[1].map((i) => i.json), SIGNATURE_METADATA, false)).toEqual(
					outputs[1],
				);
			},
		);
	});

	test('off: one output, as before', async () => {
		await withTrigger({ events: ['extraction.completed'], workflowId: rl(WF.invoice) }, async (sim) => {
			const parameters = { fetchResults: true, output: 'simplified', options: { minimumConfidence: 70 } };
			const poll = new PollHarness(sim.url, API_KEYS.main, params(WF.invoice, parameters as never));
			await poll.activate();
			await deliveredRun(sim, WF.invoice);
			await poll.poll();
			expect(poll.executions[0].outputs).toHaveLength(1);
			expect(poll.executions[0].outputs[0]).toHaveLength(1);
		});
	});
});
