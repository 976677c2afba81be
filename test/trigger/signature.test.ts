/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Issue 9, rule 5, through n8n-core's WebhookContext against the simulator (see context.ts): what reaches
 * the workflow comes from the API; signatures under every reading of the secret; the reading stored
 * after the first verified delivery; normalised dedupe keys; replays without signature headers; older
 * status words in the confirmation.
 */
import {
	COMPLETED,
	expectedEventItem,
	FAILED,
	forgedThenGenuine,
	nodeItems,
	send,
	VERIFIED,
} from './helpers';
import {
	deliveredRun,
	expectNothingForged,
	FORGED_BODY,
	lastDelivery,
	newMessageId,
	payload,
	READINGS,
	runOf,
	secretOf,
	submitRun,
	subscriptionOf,
	WF,
	withTrigger,
} from './sim';

const UNVERIFIED = { signature: 'unverified' };
const unsignedCopy = (headers: Record<string, string>) => {
	const { 'webhook-signature': _s, 'webhook-id': _i, 'webhook-timestamp': _t, ...rest } = headers;
	return rest;
};

describe('a genuine delivery under any reading of the secret starts the workflow exactly once', () => {
	test.each(READINGS.map((reading) => [reading]))('%s', async (reading) => {
		await withTrigger({ options: { requireSignature: true } }, async (sim, trigger) => {
			await trigger.activate();
			sim.webhooks.setMode({ reading, redeliver: 1 });
			const id = await deliveredRun(sim, WF.invoice);
			expect(sim.webhooks.deliveries.map((d) => [d.reading, d.status])).toEqual([
				[reading, 200],
				[reading, 200],
			]);
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.executions[0].items).toEqual(
				await nodeItems(
					sim,
					WF.invoice,
					id,
					{},
					{ signature: 'verified', signature_reading: reading },
				),
			);
			expect(trigger.memory.webhookSignatureReading).toBe(reading);
			// the next run, under the same reading
			sim.webhooks.setMode({ redeliver: 0 });
			await deliveredRun(sim, WF.invoice, 'Invoice INV-2');
			expect(lastDelivery(sim).status).toBe(200);
			expect(trigger.executions).toHaveLength(2);
		});
	});
});

describe('once a delivery verified under one reading, only that reading is accepted', () => {
	test('another reading, an unsigned delivery and an unreadable signature are refused with 401; the genuine one starts', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			await deliveredRun(sim, WF.invoice);
			expect(trigger.memory.webhookSignatureReading).toBe('standard-webhooks');
			const secret = secretOf(sim, trigger);
			await forgedThenGenuine(sim, trigger, WF.invoice, 'Invoice INV-3', async (id) => {
				const body = payload(COMPLETED, id, WF.invoice);
				const answers = [
					await send(sim, trigger, body, { reading: 'whole-secret' }),
					await send(sim, trigger, body, { reading: 'secret-after-prefix' }),
					await sim.webhooks.send(trigger.productionUrl, body),
					await sim.webhooks.send(trigger.productionUrl, body, { secret, signing: 'unreadable' }),
				];
				expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
				expect(trigger.executions).toHaveLength(1);
			});
			expect(trigger.executions).toHaveLength(2);
			expect(trigger.executions[1].items[0]).toMatchObject({ anyformat: VERIFIED });
		});
	});

	test('the stored reading survives an overlapping delivery that saves static data read before it', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const secret = secretOf(sim, trigger);
			// only the deliveries sent below arrive
			sim.webhooks.forget(subscriptionOf(sim, trigger.productionUrl).id);
			const slow = await submitRun(sim, WF.invoice, 'Invoice INV-5');
			const signed = await submitRun(sim, WF.invoice, 'Invoice INV-6');
			const resultsOf = (id: string) =>
				sim.ledger.requests.filter((r) => r.route === 'results' && r.path.includes(id));
			// B: unsigned, for a run still processing; it read static data and waits for the run to end
			const b = sim.webhooks.send(trigger.productionUrl, payload(COMPLETED, slow, WF.invoice));
			while (resultsOf(slow).length === 0) await new Promise((r) => setTimeout(r, 20));
			// A: signed, answered (and saved) while B waits: the reading is stored
			sim.finishRun(signed);
			const a = await sim.webhooks.send(
				trigger.productionUrl,
				payload(COMPLETED, signed, WF.invoice),
				{
					secret,
				},
			);
			expect(a.status).toBe(200);
			expect(trigger.memory.webhookSignatureReading).toBe('standard-webhooks');
			// B ends: it saves the static data it read, without the reading
			sim.finishRun(slow);
			expect((await b).status).toBe(200);
			expect(trigger.executions).toHaveLength(2);
			expect(trigger.memory.webhookSignatureReading).toBeUndefined();
			// the process still knows it: an unsigned delivery is refused, and the reading is stored again
			const third = await submitRun(sim, WF.invoice, 'Invoice INV-7');
			sim.finishRun(third);
			const unsigned = await sim.webhooks.send(
				trigger.productionUrl,
				payload(COMPLETED, third, WF.invoice),
			);
			expect(unsigned.status).toBe(401);
			expect(trigger.memory.webhookSignatureReading).toBe('standard-webhooks');
			expect(trigger.executions).toHaveLength(2);
		});
	});

	test('a new subscription (re-activation after a remote deletion) learns its reading again', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			sim.webhooks.setMode({ reading: 'whole-secret' });
			await deliveredRun(sim, WF.invoice);
			expect(trigger.memory.webhookSignatureReading).toBe('whole-secret');
			sim.webhooks.forget(subscriptionOf(sim, trigger.productionUrl).id);
			await trigger.activate();
			expect(trigger.memory.webhookSignatureReading).toBeUndefined();
			sim.webhooks.setMode({ reading: 'standard-webhooks' });
			await deliveredRun(sim, WF.invoice, 'Invoice INV-4');
			expect(lastDelivery(sim).status).toBe(200);
			expect(trigger.memory.webhookSignatureReading).toBe('standard-webhooks');
			expect(trigger.executions).toHaveLength(2);
		});
	});
});

describe('until a reading is known, an unverifiable delivery is confirmed with the API and marked "unverified"', () => {
	test.each([
		['Fetch Results on', {}],
		['Fetch Results off', { fetchResults: false }],
	])(
		'%s: an unreadable signature with forged body fields: the item says unverified and carries nothing of the body',
		async (_name, parameters) => {
			await withTrigger(parameters, async (sim, trigger) => {
				await trigger.activate();
				sim.webhooks.setMode({ signing: 'unreadable', extraBody: FORGED_BODY });
				const id = await deliveredRun(sim, WF.invoice);
				const failed = await deliveredRun(sim, WF.invoice, 'FAIL_EXTRACTION');
				expect(sim.webhooks.deliveries.map((d) => [d.signing, d.status])).toEqual([
					['unreadable', 200],
					['unreadable', 200],
				]);
				expect(trigger.executions).toHaveLength(2);
				for (const execution of trigger.executions) {
					for (const item of execution.items) expect(item).toMatchObject({ anyformat: UNVERIFIED });
				}
				if (!('fetchResults' in parameters)) {
					expect(trigger.executions[0].items).toEqual(
						await nodeItems(sim, WF.invoice, id, {}, UNVERIFIED),
					);
				}
				expect(trigger.executions[1].items).toEqual([
					await expectedEventItem(sim, WF.invoice, failed, 'failed', UNVERIFIED),
				]);
				expectNothingForged(trigger);
				expect(trigger.memory.webhookSignatureReading).toBeUndefined();
			});
		},
	);

	test('Require Signature: an unreadable signature with forged fields is refused with 401', async () => {
		await withTrigger({ options: { requireSignature: true } }, async (sim, trigger) => {
			await trigger.activate();
			sim.webhooks.setMode({ signing: 'unreadable', extraBody: FORGED_BODY });
			await deliveredRun(sim, WF.invoice);
			expect(lastDelivery(sim).status).toBe(401);
			expect(trigger.executions).toHaveLength(0);
		});
	});
});

describe('replays start nothing', () => {
	test('a genuine body replayed with its signature headers stripped, once the reading is stored: 401', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			await deliveredRun(sim, WF.invoice);
			const genuine = lastDelivery(sim);
			expect(trigger.memory.webhookSignatureReading).toBe('standard-webhooks');
			const replay = await sim.webhooks.send(trigger.productionUrl, null, {
				rawBody: genuine.body,
				headers: unsignedCopy(genuine.headers),
				signing: 'none',
			});
			expect(replay.headers['webhook-signature']).toBeUndefined();
			expect(replay.status).toBe(401);
			expect(trigger.executions).toHaveLength(1);
		});
	});

	test('the same replay before any reading is stored (unsigned deliveries): deduped, 200, nothing started', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			sim.webhooks.setMode({ signing: 'unreadable' });
			await deliveredRun(sim, WF.invoice);
			const genuine = lastDelivery(sim);
			expect(trigger.executions).toHaveLength(1);
			expect(trigger.memory.webhookSignatureReading).toBeUndefined();
			const replay = await sim.webhooks.send(trigger.productionUrl, null, {
				rawBody: genuine.body,
				headers: unsignedCopy(genuine.headers),
				signing: 'none',
			});
			expect(replay.status).toBe(200);
			expect(JSON.parse(replay.body!)).toEqual({
				message: 'This event was already delivered for this run.',
			});
			expect(trigger.executions).toHaveLength(1);
		});
	});

	test('dedupe keys are normalised: the run id in upper case or without hyphens is the same run', async () => {
		// an API that parses UUIDs answers for every spelling (simulator option lenientIds)
		await withTrigger(
			{},
			async (sim, trigger) => {
				await trigger.activate();
				const id = await deliveredRun(sim, WF.invoice);
				expect(trigger.executions).toHaveLength(1);
				const spellings = [
					id.toUpperCase(),
					id.replace(/-/g, ''),
					id.replace(/-/g, '').toUpperCase(),
				];
				for (const spelling of spellings) {
					// genuinely signed (a new message id), so only the key can tell it is the same run
					const again = await send(sim, trigger, payload(COMPLETED, spelling, WF.invoice), {
						webhookId: newMessageId(),
					});
					expect([spelling, again.status, JSON.parse(again.body!)]).toEqual([
						spelling,
						200,
						{ message: 'This event was already delivered for this run.' },
					]);
				}
				expect(trigger.executions).toHaveLength(1);
				expect(trigger.memory.recentDeliveries).toEqual([`${COMPLETED} ${id}`]);
			},
			{ lenientIds: true },
		);
	});

	test('normalised keys before a reading is stored: an unsigned copy in another spelling starts nothing', async () => {
		await withTrigger(
			{},
			async (sim, trigger) => {
				await trigger.activate();
				sim.webhooks.setMode({ signing: 'none' });
				const id = await deliveredRun(sim, WF.invoice);
				const copy = await sim.webhooks.send(
					trigger.productionUrl,
					payload(COMPLETED, id.replace(/-/g, '').toUpperCase(), WF.invoice),
				);
				expect(copy.status).toBe(200);
				expect(trigger.executions).toHaveLength(1);
			},
			{ lenientIds: true },
		);
	});
});

describe('older status words (processing, completed, failed) in the confirmation', () => {
	test('a failed run whose 422 is a bare detail is confirmed from the runs list, which says "failed"', async () => {
		await withTrigger(
			{},
			async (sim, trigger) => {
				await trigger.activate();
				const id = await submitRun(sim, WF.invoice, 'FAIL_EXTRACTION');
				const mark = sim.ledger.requests.length;
				sim.finishRun(id);
				await sim.webhooks.idle();
				expect(lastDelivery(sim)).toMatchObject({ event: FAILED, status: 200 });
				// no "still processing" look-agains (each would read the results again, 1 s and 2 s later):
				// the older word was read as the final state it is. Counted, not timed (a time bound
				// stretched on a loaded machine)
				expect(sim.ledger.requests.slice(mark).filter((r) => r.route === 'results')).toHaveLength(
					1,
				);
				expect(trigger.executions).toHaveLength(1);
				expect((await runOf(sim, WF.invoice, id)).status).toBe('failed');
				expect(trigger.executions[0].items).toEqual([
					await expectedEventItem(sim, WF.invoice, id, 'failed', VERIFIED, {
						error_code: null,
						detail: null,
					}),
				]);
				// a forged "completed" for it contradicts the list's "failed"
				expect((await send(sim, trigger, payload(COMPLETED, id, WF.invoice))).status).toBe(409);
				expect(trigger.executions).toHaveLength(1);
			},
			{ legacyStatusWords: true, legacyFailureBodies: true },
		);
	});
});
