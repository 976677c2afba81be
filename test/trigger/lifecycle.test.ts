/**
 * The trigger's webhook lifecycle (checkExists / create / delete), run through n8n-core's HookContext
 * against the simulator, with static data persisted the way n8n persists it.
 */
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { TriggerHarness } from './context';
import { API_KEYS, rl, startSim, subscriptionOf, WF, withTrigger } from './sim';

const BOTH = ['extraction.completed', 'extraction.failed'];

describe('Anyformat Trigger lifecycle', () => {
	test('activation subscribes the webhook URL to the selected events and keeps id and secret in static data', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const subscription = subscriptionOf(sim, trigger.productionUrl);
			expect(subscription.events.sort()).toEqual(BOTH);
			expect(sim.webhooks.list()).toHaveLength(1);
			expect(trigger.memory.webhookId).toBe(subscription.id);
			expect(trigger.memory.webhookSecret).toBe(subscription.secret);
			expect(trigger.memory.webhookUrl).toBe(trigger.productionUrl);
			// the request was POST /v2/webhooks/ with the URL and events
			const creates = sim.ledger.requests.filter((r) => r.route === 'webhooks.create');
			expect(creates).toHaveLength(1);
			expect(creates[0].status).toBe(201);

			// exists now; activating again (n8n restart) keeps the same subscription
			expect(await trigger.runHook('checkExists')).toBe(true);
			await trigger.activate();
			expect(sim.webhooks.list().map((s) => s.id)).toEqual([subscription.id]);
		});
	});

	test('a workflow filter subscribes with events only (the API has no per-workflow filter)', async () => {
		await withTrigger(
			{ events: ['extraction.completed'], workflowId: rl(WF.invoice) },
			async (sim, trigger) => {
				await trigger.activate();
				const subscription = subscriptionOf(sim, trigger.productionUrl);
				expect(subscription.events).toEqual(['extraction.completed']);
				expect(Object.keys(subscription).filter((k) => /workflow/i.test(k))).toEqual([]);
			},
		);
	});

	test('a subscription deleted on the Anyformat side is detected and re-created', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const first = subscriptionOf(sim, trigger.productionUrl);
			sim.webhooks.forget(first.id);
			expect(await trigger.runHook('checkExists')).toBe(false);
			// the dead id and its secret are forgotten
			expect(trigger.memory.webhookId).toBeUndefined();
			await trigger.activate();
			const second = subscriptionOf(sim, trigger.productionUrl);
			expect(second.id).not.toBe(first.id);
			expect(trigger.memory.webhookId).toBe(second.id);
			expect(trigger.memory.webhookSecret).toBe(second.secret);
		});
	});

	test('deactivation deletes the subscription and forgets the secret: zero subscriptions remain', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			expect(sim.webhooks.list()).toHaveLength(1);
			expect(await trigger.deactivate()).toBe(true);
			expect(sim.webhooks.list()).toHaveLength(0);
			expect(trigger.memory.webhookId).toBeUndefined();
			expect(trigger.memory.webhookSecret).toBeUndefined();
			expect(await trigger.runHook('checkExists')).toBe(false);
		});
	});

	test('deactivation after a remote deletion succeeds and leaves nothing', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			sim.webhooks.forget(subscriptionOf(sim, trigger.productionUrl).id);
			expect(await trigger.deactivate()).toBe(true);
			expect(sim.webhooks.list()).toHaveLength(0);
			expect(trigger.memory.webhookSecret).toBeUndefined();
		});
	});

	test('no orphans: a subscription to this URL that static data lost is replaced on activation and removed on deactivation', async () => {
		await withTrigger({}, async (sim, trigger) => {
			// e.g. a create whose answer was lost, or static data that was never saved
			const stray = sim.webhooks.create({ url: trigger.productionUrl, events: BOTH });
			expect(stray.ok).toBe(true);
			const other = sim.webhooks.create({
				url: 'https://elsewhere.example.com/hook',
				events: BOTH,
			});
			await trigger.activate();
			const mine = subscriptionOf(sim, trigger.productionUrl);
			expect(mine.id).not.toBe(stray.subscription!.id);
			// a stray appearing later is swept on deactivation too
			sim.webhooks.create({ url: trigger.productionUrl, events: BOTH });
			expect(await trigger.deactivate()).toBe(true);
			// only the subscription of someone else remains
			expect(sim.webhooks.list().map((s) => s.id)).toEqual([other.subscription!.id]);
		});
	});

	test('changed events: the old subscription is replaced, not kept beside the new one', async () => {
		await withTrigger({ events: ['extraction.completed'] }, async (sim, trigger) => {
			await trigger.activate();
			trigger.parameters = { events: ['extraction.failed'] };
			expect(await trigger.runHook('checkExists')).toBe(false);
			await trigger.activate();
			const subscription = subscriptionOf(sim, trigger.productionUrl);
			expect(subscription.events).toEqual(['extraction.failed']);
			expect(sim.webhooks.list()).toHaveLength(1);
		});
	});

	test('a remembered subscription without its secret is replaced, so signed deliveries can be verified', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const first = subscriptionOf(sim, trigger.productionUrl);
			const memory = trigger.persisted[`node:Anyformat Trigger`] as Record<string, unknown>;
			delete memory.webhookSecret;
			await trigger.activate();
			const second = subscriptionOf(sim, trigger.productionUrl);
			expect(second.id).not.toBe(first.id);
			expect(trigger.memory.webhookSecret).toBe(second.secret);
		});
	});

	test("n8n's public URL changed: the stale subscription is deleted, the new URL subscribed", async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const first = subscriptionOf(sim, trigger.productionUrl);
			// as if WEBHOOK_URL had been different when the subscription was made
			const memory = trigger.persisted[`node:Anyformat Trigger`] as Record<string, unknown>;
			sim.webhooks.forget(first.id);
			const old = sim.webhooks.create({
				url: 'https://old-n8n.example.com/webhook/x/webhook',
				events: BOTH,
			});
			memory.webhookId = old.subscription!.id;
			memory.webhookSecret = old.subscription!.secret;
			await trigger.activate();
			expect(sim.webhooks.list().map((s) => s.url)).toEqual([trigger.productionUrl]);
		});
	});

	test('listening for a test event uses the test URL and leaves the active subscription alone', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const production = subscriptionOf(sim, trigger.productionUrl);
			const persistedBefore = JSON.stringify(trigger.persisted);

			await trigger.listenForTestEvent();
			const test = subscriptionOf(sim, trigger.testUrl);
			expect(test.id).not.toBe(production.id);
			expect(sim.webhooks.list()).toHaveLength(2);

			expect(await trigger.stopListening()).toBe(true);
			expect(sim.webhooks.list().map((s) => s.id)).toEqual([production.id]);
			// test-mode static data is never saved: production's subscription and secret are intact
			expect(JSON.stringify(trigger.persisted)).toBe(persistedBefore);

			await trigger.deactivate();
			expect(sim.webhooks.list()).toHaveLength(0);
		});
	});

	test('listening for a test event that fails does not remove the active subscription', async () => {
		await withTrigger({}, async (sim, trigger) => {
			await trigger.activate();
			const production = subscriptionOf(sim, trigger.productionUrl);
			sim.configure({ maxWebhooks: 1 });
			await expect(trigger.listenForTestEvent()).rejects.toThrow(/limit of webhook subscriptions/);
			// n8n then deleted the test webhook with the editor's static data, which names the active one
			expect(sim.webhooks.list().map((s) => s.id)).toEqual([production.id]);
			expect(trigger.memory.webhookId).toBe(production.id);
		});
	});

	test('a non-HTTPS webhook URL is refused with an error that says to set WEBHOOK_URL', async () => {
		const sim = await startSim({ allowHttpWebhooks: false });
		const trigger = await new TriggerHarness({ baseUrl: sim.url, apiKey: API_KEYS.main }).start();
		try {
			const error = await trigger.activate().then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(NodeApiError);
			const { message, description } = error as NodeApiError;
			expect(message).toContain(trigger.productionUrl);
			expect(description).toContain('WEBHOOK_URL');
			expect(description).toContain('HTTPS');
			expect(sim.webhooks.list()).toHaveLength(0);
			expect(trigger.memory.webhookId).toBeUndefined();
		} finally {
			await trigger.stop();
			await sim.close();
		}
	});

	test('a refused subscription is redacted like every other error: the API key never appears, even echoed by the API', async () => {
		const sim = await startSim({ allowHttpWebhooks: false, echoCredentials: true });
		const trigger = await new TriggerHarness({ baseUrl: sim.url, apiKey: API_KEYS.main }).start();
		try {
			const error = (await trigger.activate().then(
				() => undefined,
				(e: unknown) => e,
			)) as NodeApiError;
			expect(error).toBeInstanceOf(NodeApiError);
			// the API's words are still shown, with the key masked
			expect(error.description).toContain('Anyformat said: ');
			expect(error.description).toContain('Authorization: Bearer ***');
			const shown = JSON.stringify({
				message: error.message,
				description: error.description,
				context: error.context,
				cause: error.cause,
				messages: error.messages,
				response: (error as unknown as { errorResponse?: unknown }).errorResponse,
			});
			for (const form of [API_KEYS.main, Buffer.from(API_KEYS.main).toString('base64')]) {
				expect(shown).not.toContain(form);
			}
		} finally {
			await trigger.stop();
			await sim.close();
		}
	});

	test('the 50-subscription limit is refused with an error that says what to do', async () => {
		await withTrigger({}, async (sim, trigger) => {
			for (let i = 0; i < 50; i++)
				sim.webhooks.create({ url: `https://other-${i}.example.com/hook` });
			const error = await trigger.activate().then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(NodeApiError);
			expect((error as NodeApiError).message).toMatch(/limit of webhook subscriptions/);
			expect((error as NodeApiError).description).toMatch(/at most 50/);
			expect(sim.webhooks.list().filter((s) => s.url === trigger.productionUrl)).toHaveLength(0);
		});
	});

	test('no event selected: activation fails with a clear error and subscribes nothing', async () => {
		await withTrigger({ events: [] }, async (sim, trigger) => {
			const error = await trigger.activate().then(
				() => undefined,
				(e: unknown) => e,
			);
			expect(error).toBeInstanceOf(NodeOperationError);
			expect((error as Error).message).toBe('Select at least one event');
			expect(sim.webhooks.list()).toHaveLength(0);
		});
	});
});
