/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Adversarial review, through the webhook trigger's harness against the simulator: a copy of a signed
 * delivery that arrives while the first is still being confirmed is answered 200 "being processed"
 * (receive.ts, the inFlight branch), and that answer RECORDS the message id (`settle`). The first is then
 * refused (503: the run still processes), so Anyformat delivers the message again later (same
 * webhook-id, as Standard Webhooks retries do): it is answered "This message was already received." and
 * starts nothing. The run finished, its event was delivered, and the workflow never ran.
 * Fixed: the copy answered while another is being confirmed does not record the message id.
 */
import { COMPLETED } from '../trigger/helpers';
import { newMessageId, payload, secretOf, submitRun, subscriptionOf, WF, withTrigger } from '../trigger/sim';

test('review: a copy answered "being processed" does not make the message count as received when the first copy is refused', async () => {
	await withTrigger({}, async (sim, trigger) => {
		await trigger.activate();
		const secret = secretOf(sim, trigger);
		sim.webhooks.forget(subscriptionOf(sim, trigger.productionUrl).id); // only the deliveries sent here
		const id = await submitRun(sim, WF.invoice, 'Invoice INV-REVIEW'); // still processing
		const messageId = newMessageId();
		const body = payload(COMPLETED, id, WF.invoice);
		const deliver = async () =>
			await sim.webhooks.send(trigger.productionUrl, body, { secret, webhookId: messageId, timestamp: Math.floor(Date.now() / 1000) });
		const first = deliver();
		await new Promise((resolve) => setTimeout(resolve, 300));
		const copy = await deliver();
		expect(copy.status).toBe(200);
		expect((await first).status).toBe(503);
		expect(trigger.executions).toHaveLength(0);
		// the run ends; Anyformat delivers the refused message again
		sim.finishRun(id);
		const retry = await deliver();
		expect(retry.status).toBe(200);
		expect(trigger.executions).toHaveLength(1);
	});
});
