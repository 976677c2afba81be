/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Deliveries to the Anyformat Trigger: the simulator POSTs over real HTTP to a local server that runs the
 * trigger's webhook() in n8n-core's WebhookContext (see context.ts). Every forged case is checked to
 * start nothing while a genuine delivery beside it starts exactly one execution.
 */
import { randomUUID } from 'node:crypto';

import { capturedLogsAsText, getCapturedLogs } from '../harness';
import {
	COMPLETED,
	expectedEventItem,
	expectStartedFor,
	FAILED,
	forgedThenGenuine,
	nodeItems,
	send,
} from './helpers';
import {
	API_KEYS,
	deliveredRun,
	expectNothingForged,
	FORGED_BODY,
	lastDelivery,
	runOf,
	secretOf,
	finishAndDeliver,
	newMessageId,
	payload,
	rl,
	signWebhook,
	type Sim,
	submitRun,
	subscriptionOf,
	WF,
	withTrigger,
} from './sim';

describe('genuine deliveries start the workflow', () => {
	test('extraction.completed: one execution with the same items as the Anyformat node gives', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const id = await deliveredRun(sim, WF.invoice);
			expect(lastDelivery(sim)).toMatchObject({ event: COMPLETED, signing: 'valid', status: 200 });
			expect(trigger.executions).toHaveLength(1);
			const [execution] = trigger.executions;
			expect(execution.run.status).toBe('success');
			expect(execution.items).toEqual(await nodeItems(sim, WF.invoice, id));
			expect(execution.items[0]).toMatchObject({
				invoice_number: 'INV-7781',
				total_amount: 1250,
				anyformat: { collection_id: id, workflow_id: WF.invoice, status: 'processed' },
			});
		});
	});

	test('a split workflow gives one item per extraction partition', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const id = await deliveredRun(sim, WF.split);
			expect(trigger.executions).toHaveLength(1);
			const { items } = trigger.executions[0];
			expect(items.map((i: any) => [i.anyformat.split_name, i.anyformat.partition])).toEqual([
				['invoice', 'invoice_1'],
				['invoice', 'invoice_2'],
				['bank_statement', 'bank_statement_1'],
			]);
			expect(items).toEqual(await nodeItems(sim, WF.split, id));
		});
	});

	test('output and options are applied exactly as the Anyformat node applies them', async () => {
		const extra = { output: 'detailed', options: { includeMarkdown: true, minimumConfidence: 90 } };
		await withTrigger(extra, async (sim, trigger) => {
			await trigger.activate();
			const id = await deliveredRun(sim, WF.lineItems, 'PO-5531 line items');
			expect(trigger.executions).toHaveLength(1);
			const { items } = trigger.executions[0];
			expect(items).toEqual(await nodeItems(sim, WF.lineItems, id, extra));
			expect((items[0] as any).anyformat.markdown).toContain('PO-5531');
			expect((items[0] as any).po_number).toMatchObject({ value: 'PO-5531', confidence: 98 });
		});
		await withTrigger({ output: 'raw' }, async (sim, trigger) => {
			await trigger.activate();
			const id = await deliveredRun(sim, WF.invoice);
			expect(trigger.executions[0].items).toEqual(
				await nodeItems(sim, WF.invoice, id, { output: 'raw' }),
			);
			expect(trigger.executions[0].items[0]).toMatchObject({
				collection_id: id,
				extractions: expect.any(Array),
			});
		});
	});

	test('Route For Review: a flagged run comes out on the second output, Needs Review, as the node routes it', async () => {
		const extra = { options: { routeForReview: true, minimumConfidence: 70 } };
		await withTrigger(extra, async (sim, trigger) => {
			await trigger.activate();
			const id = await deliveredRun(sim, WF.invoice);
			expect(trigger.executions).toHaveLength(1);
			const { outputs } = trigger.executions[0];
			expect(outputs.map((o) => o.length)).toEqual([0, 1]);
			expect(outputs[1][0].json).toMatchObject({
				invoice_number: 'INV-7781',
				anyformat: {
					collection_id: id,
					review_fields: ['vendor_name'],
					verification_url: expect.stringContaining(`/files/${id}/`),
				},
			});
			expect(outputs[1].map((i) => i.json)).toEqual(await nodeItems(sim, WF.invoice, id, extra));
		});
		await withTrigger({ options: { minimumConfidence: 70 } }, async (sim, trigger) => {
			await trigger.activate();
			await deliveredRun(sim, WF.invoice);
			expect(trigger.executions[0].outputs).toHaveLength(1);
		});
	});

	test('extraction.failed: one item with anyformat.status "failed" and the run as the API reports it', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const id = await deliveredRun(sim, WF.invoice, 'FAIL_EXTRACTION please');
			expect(lastDelivery(sim)).toMatchObject({ event: FAILED, status: 200 });
			expect(trigger.executions).toHaveLength(1);
			const run = await runOf(sim, WF.invoice, id);
			expect(trigger.executions[0].items).toEqual([
				await expectedEventItem(sim, WF.invoice, id, 'failed'),
			]);
			expect(run.status).toBe('error');
		});
	});

	test('extraction.failed for a cancelled run gives anyformat.status "cancelled"', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const id = await submitRun(sim, WF.invoice, 'Invoice INV-1');
			sim.cancelRun(id);
			const answer = await send(sim, trigger, payload(FAILED, id, WF.invoice, 'cancelled'));
			expect(answer.status).toBe(200);
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.executions[0].items[0]).toMatchObject({
				anyformat: { status: 'cancelled', collection_id: id, error_code: 'EXTRACTION_CANCELLED' },
			});
		});
	});

	test('Fetch Results off: one event item built from the run as the API confirmed it, nothing copied from the delivery', async () => {
		await withTrigger({ fetchResults: false }, async (sim, trigger) => {
			await trigger.activate();
			// every delivery carries forged fields beside the real ones: none may reach the workflow
			sim.webhooks.setMode({ extraBody: FORGED_BODY });
			const done = await deliveredRun(sim, WF.invoice);
			const failed = await deliveredRun(sim, WF.invoice, 'FAIL_EXTRACTION');
			expect(sim.webhooks.deliveries.map((d) => d.status)).toEqual([200, 200]);
			expect(trigger.executions).toHaveLength(2);
			expect(trigger.executions[0].items).toEqual([
				await expectedEventItem(sim, WF.invoice, done, 'processed'),
			]);
			expect(trigger.executions[1].items).toEqual([
				await expectedEventItem(sim, WF.invoice, failed, 'failed'),
			]);
			expectNothingForged(trigger);
			// the run was checked with the API although no results are emitted
			expect(sim.ledger.requests.filter((r) => r.route === 'results')).toHaveLength(2);

			// a forged event still starts nothing
			const forged = await send(sim, trigger, payload(COMPLETED, randomUUID(), WF.invoice));
			expect(forged.status).toBe(404);
			expect(trigger.executions).toHaveLength(2);
		});
	});

	test('"Listen for test event": the delivery to the /webhook-test/ URL starts a manual execution', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.listenForTestEvent();
			subscriptionOf(sim, trigger.testUrl);
			await deliveredRun(sim, WF.invoice);
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.executions[0].test).toBe(true);
			await trigger.stopListening();
			expect(sim.webhooks.list()).toHaveLength(0);
		});
	});

	test('unsigned deliveries, or signed in a scheme other than Standard Webhooks, are not blocked (the API confirms them)', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			sim.webhooks.setMode({ signing: 'none' });
			await deliveredRun(sim, WF.invoice);
			expect(lastDelivery(sim).headers['webhook-signature']).toBeUndefined();
			expect(lastDelivery(sim).status).toBe(200);
			expect(trigger.executions).toHaveLength(1);

			const id = await submitRun(sim, WF.invoice, 'Invoice INV-2');
			sim.webhooks.setMode({ signing: 'valid' });
			sim.webhooks.forget(subscriptionOf(sim, trigger.productionUrl).id); // no genuine copy of this one
			const pending = sim.webhooks.send(trigger.productionUrl, payload(COMPLETED, id, WF.invoice), {
				headers: { 'webhook-signature': 'sha256=0123456789abcdef' },
			});
			// the delivery overtakes the results endpoint: the run ends while the trigger looks again
			await new Promise((resolve) => setTimeout(resolve, 400));
			sim.finishRun(id);
			const answer = await pending;
			expect(answer.status).toBe(200);
			expect(trigger.executions).toHaveLength(2);
		});
	});
});

describe('forged deliveries start nothing, the genuine one beside them starts one execution', () => {
	test('a wrong signature is answered 401', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			sim.webhooks.setMode({ signing: 'invalid' });
			const id = await deliveredRun(sim, WF.invoice);
			expect(lastDelivery(sim)).toMatchObject({ signing: 'invalid', status: 401 });
			expect(trigger.executions).toHaveLength(0);
			// the genuine delivery of the same run, correctly signed
			const answer = await send(sim, trigger, lastDelivery(sim).payload);
			expect(answer.status).toBe(200);
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.executions[0].items[0]).toMatchObject({ anyformat: { collection_id: id } });
		});
	});

	test('a tampered body under a valid signature of another body is answered 401', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const secret = secretOf(sim, trigger);
			await forgedThenGenuine(sim, trigger, WF.invoice, 'Invoice INV-3', async (id) => {
				const messageId = newMessageId();
				const timestamp = Math.floor(Date.now() / 1000);
				const original = JSON.stringify(payload(FAILED, id, WF.invoice));
				const tampered = JSON.stringify(payload(COMPLETED, id, WF.invoice));
				const answer = await sim.webhooks.send(trigger.productionUrl, null, {
					rawBody: tampered,
					webhookId: messageId,
					timestamp,
					headers: { 'webhook-signature': signWebhook(secret, messageId, timestamp, original) },
				});
				expect(answer.status).toBe(401);
				expect(trigger.executions).toHaveLength(0);
			});
			expect(trigger.executions).toHaveLength(1);
		});
	});

	test('a timestamp outside the 5-minute window is answered 401', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			await forgedThenGenuine(sim, trigger, WF.invoice, 'Invoice INV-4', async (id) => {
				for (const skew of [-301, 400]) {
					const answer = await send(sim, trigger, payload(COMPLETED, id, WF.invoice), {
						timestamp: Math.floor(Date.now() / 1000) + skew,
					});
					expect(answer.status).toBe(401);
				}
				expect(trigger.executions).toHaveLength(0);
			});
			expect(lastDelivery(sim).status).toBe(200);
			expect(trigger.executions).toHaveLength(1);
		});
	});

	test('a replayed message (same webhook-id) is answered 200 and starts nothing', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const id = await deliveredRun(sim, WF.invoice);
			expectStartedFor(sim, trigger, id, 1);
			const genuine = lastDelivery(sim);
			const replay = await sim.webhooks.send(trigger.productionUrl, null, {
				rawBody: genuine.body,
				headers: genuine.headers,
			});
			expect(replay.status).toBe(200);
			expect(JSON.parse(replay.body!)).toEqual({ message: 'This message was already received.' });
			expect(trigger.executions).toHaveLength(1);
		});
	});

	test('a run the API does not know is answered 404', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			await forgedThenGenuine(sim, trigger, WF.invoice, 'Invoice INV-5', async () => {
				for (const body of [
					payload(COMPLETED, randomUUID(), WF.invoice),
					payload(FAILED, randomUUID(), WF.invoice),
					payload(COMPLETED, randomUUID(), randomUUID()),
				]) {
					expect((await send(sim, trigger, body)).status).toBe(404);
				}
				expect(trigger.executions).toHaveLength(0);
			});
			expect(trigger.executions).toHaveLength(1);
		});
	});

	test('an event that contradicts the state of the run is refused (409, or 503 while it still processes)', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			// "completed" for a run that failed
			await forgedThenGenuine(sim, trigger, WF.invoice, 'FAIL_EXTRACTION', async (id) => {
				expect((await send(sim, trigger, payload(COMPLETED, id, WF.invoice))).status).toBe(409);
				expect(trigger.executions).toHaveLength(0);
			});
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.executions[0].items[0]).toMatchObject({ anyformat: { status: 'failed' } });

			// "failed" for a run that was processed
			await forgedThenGenuine(sim, trigger, WF.invoice, 'Invoice INV-6', async (id) => {
				expect((await send(sim, trigger, payload(FAILED, id, WF.invoice))).status).toBe(409);
				expect(trigger.executions).toHaveLength(1);
			});
			expect(trigger.executions).toHaveLength(2);
			expect(trigger.executions[1].items[0]).toMatchObject({ anyformat: { status: 'processed' } });

			// "completed" for a run still processing: looked at again for a moment, then refused
			const running = await submitRun(sim, WF.invoice, 'Invoice INV-7');
			const started = Date.now();
			const early = await send(sim, trigger, payload(COMPLETED, running, WF.invoice));
			expect(early.status).toBe(503);
			expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
			expect(trigger.executions).toHaveLength(2);
			// when it really ends, its genuine delivery starts the workflow
			await finishAndDeliver(sim, running);
			expect(lastDelivery(sim).status).toBe(200);
			expect(trigger.executions).toHaveLength(3);
		});
	});

	test('a run of a workflow outside the Workflow filter starts nothing', async () => {
		await withTrigger({ workflowId: rl(WF.invoice) }, async (sim, trigger) => {
			await trigger.activate();
			const other = await deliveredRun(sim, WF.classification);
			expect(lastDelivery(sim).status).toBe(200);
			expect(trigger.executions).toHaveLength(0);
			// a forged delivery claiming the selected workflow for that run: the API does not know it there
			expect((await send(sim, trigger, payload(COMPLETED, other, WF.invoice))).status).toBe(404);
			expect(trigger.executions).toHaveLength(0);
			const mine = await deliveredRun(sim, WF.invoice);
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.executions[0].items[0]).toMatchObject({
				anyformat: { collection_id: mine, workflow_id: WF.invoice },
			});
		});
	});

	test('an event that is not selected starts nothing', async () => {
		await withTrigger({ events: [COMPLETED] }, async (sim, trigger) => {
			await trigger.activate();
			const failed = await deliveredRun(sim, WF.invoice, 'FAIL_EXTRACTION');
			// not subscribed: Anyformat does not deliver it; a delivery naming it anyway starts nothing
			expect(sim.webhooks.deliveries).toHaveLength(0);
			const answer = await send(sim, trigger, payload(FAILED, failed, WF.invoice));
			expect(answer.status).toBe(200);
			expect(trigger.executions).toHaveLength(0);
			// an unknown event neither
			expect(
				(await send(sim, trigger, payload('extraction.started', failed, WF.invoice))).status,
			).toBe(200);
			const done = await deliveredRun(sim, WF.invoice);
			expectStartedFor(sim, trigger, done, 1);
		});
	});

	test('malformed JSON, a missing data.extraction_id, an oversized body: 4xx, nothing started', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			await forgedThenGenuine(sim, trigger, WF.invoice, 'Invoice INV-8', async (id) => {
				const good = payload(COMPLETED, id, WF.invoice);
				const cases: Array<[number, Parameters<Sim['webhooks']['send']>[2]]> = [
					// n8n itself refuses malformed JSON sent as application/json (parseBody → 422)
					[422, { rawBody: '{"event": "extraction.completed", "data": {' }],
					// as another content type it reaches the node, which refuses it
					[
						400,
						{
							rawBody: '{"event": "extraction.completed", "data": {',
							headers: { 'content-type': 'text/plain' },
						},
					],
					[400, { rawBody: '[1, 2, 3]' }],
					[
						400,
						{
							rawBody: JSON.stringify({
								...good,
								data: { ...good.data, extraction_id: undefined },
							}),
						},
					],
					[400, { rawBody: JSON.stringify({ event: COMPLETED }) }],
					[
						400,
						{
							rawBody: JSON.stringify({
								...good,
								data: { ...good.data, extraction_id: '../../v2/webhooks' },
							}),
						},
					],
					[
						400,
						{
							rawBody: JSON.stringify({ ...good, data: { ...good.data, workflow_id: undefined } }),
						},
					],
					[413, { rawBody: JSON.stringify({ ...good, padding: 'x'.repeat(1024 * 1024) }) }],
				];
				for (const [status, options] of cases) {
					const answer = await send(sim, trigger, null, options);
					expect([status, answer.body?.slice(0, 80)]).toEqual([status, expect.any(String)]);
				}
				expect(trigger.executions).toHaveLength(0);
			});
			expect(lastDelivery(sim).status).toBe(200);
			expect(trigger.executions).toHaveLength(1);
		});
	});

	test('Require Signature: unsigned deliveries (and unreadable signatures) are answered 401', async () => {
		await withTrigger({ options: { requireSignature: true } }, async (sim, trigger) => {
			await trigger.activate();
			sim.webhooks.setMode({ signing: 'none' });
			const id = await deliveredRun(sim, WF.invoice);
			expect(lastDelivery(sim)).toMatchObject({ signing: 'none', status: 401 });
			const unreadable = await sim.webhooks.send(
				trigger.productionUrl,
				payload(COMPLETED, id, WF.invoice),
				{
					headers: { 'webhook-signature': 'sha256=0123456789abcdef' },
				},
			);
			expect(unreadable.status).toBe(401);
			expect(trigger.executions).toHaveLength(0);
			// the same run, signed
			expect((await send(sim, trigger, payload(COMPLETED, id, WF.invoice))).status).toBe(200);
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.executions[0].items).toEqual(await nodeItems(sim, WF.invoice, id));
		});
	});
});

describe('at-least-once delivery', () => {
	test('copies of a message, and the same event under another message id, start one execution', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			sim.webhooks.setMode({ redeliver: 2 });
			const id = await deliveredRun(sim, WF.invoice);
			expect(sim.webhooks.deliveries.map((d) => d.status)).toEqual([200, 200, 200]);
			expect(trigger.executions).toHaveLength(1);
			sim.webhooks.setMode({ redeliver: 0 });

			const key = `${COMPLETED} ${id}`;
			expect(trigger.memory.recentDeliveries).toEqual([key]);
			// a new message id for the same (event, extraction), signed or not
			const again = await send(sim, trigger, payload(COMPLETED, id, WF.invoice), {
				webhookId: newMessageId(),
			});
			expect(again.status).toBe(200);
			expect(JSON.parse(again.body!)).toEqual({
				message: 'This event was already delivered for this run.',
			});
			// unsigned: refused, since this subscription's deliveries were seen signed (rule 5)
			const unsigned = await sim.webhooks.send(
				trigger.productionUrl,
				payload(COMPLETED, id, WF.invoice),
			);
			expect(unsigned.status).toBe(401);
			expect(trigger.executions).toHaveLength(1);
			// the failed event of another run is another key
			await deliveredRun(sim, WF.invoice, 'FAIL_EXTRACTION');
			expect(trigger.executions).toHaveLength(2);
		});
	});

	test('the key stays stored (and most recent) when a duplicate is refused; the list is bounded', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const first = await deliveredRun(sim, WF.invoice);
			const second = await deliveredRun(sim, WF.invoice);
			const memory = () => trigger.memory.recentDeliveries as string[];
			expect(memory()).toEqual([`${COMPLETED} ${first}`, `${COMPLETED} ${second}`]);
			const saves = trigger.saves;
			expect((await send(sim, trigger, payload(COMPLETED, first, WF.invoice))).status).toBe(200);
			expect(trigger.saves).toBe(saves + 1);
			expect(memory()).toEqual([`${COMPLETED} ${second}`, `${COMPLETED} ${first}`]);

			// 1,000 keys at most, oldest dropped
			const nodeData = trigger.persisted['node:Anyformat Trigger'] as Record<string, unknown>;
			nodeData.recentDeliveries = Array.from({ length: 1000 }, (_, i) => `${COMPLETED} old-${i}`);
			const third = await deliveredRun(sim, WF.invoice);
			expect(memory()).toHaveLength(1000);
			expect(memory()[0]).toBe(`${COMPLETED} old-1`);
			expect(memory()[999]).toBe(`${COMPLETED} ${third}`);
			expect(trigger.executions).toHaveLength(3);
		});
	});

	test('copies arriving at the same time start one execution', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const id = await submitRun(sim, WF.invoice, 'Invoice INV-9');
			const subscription = subscriptionOf(sim, trigger.productionUrl);
			const secret = subscription.secret;
			sim.webhooks.forget(subscription.id); // the copies below are the only deliveries
			sim.finishRun(id);
			const answers = await Promise.all(
				[0, 1, 2].map(() =>
					sim.webhooks.send(trigger.productionUrl, payload(COMPLETED, id, WF.invoice), {
						secret,
						webhookId: newMessageId(),
					}),
				),
			);
			expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
			expect(trigger.executions).toHaveLength(1);
		});
	});

	test('deliveries of different runs answered at the same time are all remembered', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const ids = await Promise.all(
				[1, 2, 3].map((n) => submitRun(sim, WF.invoice, `Invoice INV-1${n}`)),
			);
			for (const id of ids) sim.finishRun(id);
			await sim.webhooks.idle();
			expect(trigger.executions).toHaveLength(3);
			// each delivery saved the static data it had read, so the last save holds only its own key;
			// the copies must still be recognised
			const copies = await Promise.all(
				ids.map((id) => send(sim, trigger, payload(COMPLETED, id, WF.invoice))),
			);
			expect(copies.map((c) => c.status)).toEqual([200, 200, 200]);
			expect(trigger.executions).toHaveLength(3);
		});
	});

	test('when the API cannot be asked the delivery is answered 503 and remembered nowhere, so a retry succeeds', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			trigger.setApiKey(API_KEYS.wrong);
			const id = await deliveredRun(sim, WF.invoice);
			const failed = lastDelivery(sim);
			expect(failed.status).toBe(503);
			expect(trigger.executions).toHaveLength(0);
			expect(trigger.memory.recentDeliveries).toBeUndefined();
			// Anyformat retries the same message
			trigger.setApiKey(API_KEYS.main);
			const retry = await send(sim, trigger, failed.payload, {
				webhookId: failed.webhookId,
				rawBody: failed.body,
			});
			expect(retry.status).toBe(200);
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.executions[0].items[0]).toMatchObject({ anyformat: { collection_id: id } });
		});
	});
});

test('nothing the trigger logs contains a signing secret or the API key', async () => {
	const secrets: string[] = [];
	await withTrigger({}, async (sim, trigger) => {
		await trigger.activate();
		secrets.push(secretOf(sim, trigger));
		sim.webhooks.setMode({ signing: 'invalid' });
		await deliveredRun(sim, WF.invoice);
		await send(sim, trigger, payload(COMPLETED, randomUUID(), WF.invoice));
	});
	const text = capturedLogsAsText(getCapturedLogs());
	expect(text).toContain('Anyformat Trigger refused a delivery');
	for (const secret of [...secrets, secrets[0].slice('whsec_'.length), API_KEYS.main]) {
		expect(text).not.toContain(secret);
	}
});
