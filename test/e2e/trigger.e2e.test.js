'use strict';
/**
 * Trigger round trip in a real n8n started on loopback, with the example pair shipped in
 * examples/workflows/: "trigger-on-finished" (Anyformat Trigger -> Handle Results) is activated over
 * REST, "trigger-submit" (Run without waiting) is executed by the n8n CLI, the simulator finishes the
 * run and delivers the signed webhook, and the execution that follows must hold the run's results.
 * Also: a failed run, forged and replayed deliveries (no execution), and deactivation (no subscription
 * left). Versions: N8N_E2E_TRIGGER_VERSIONS, else N8N_E2E_VERSIONS, else newest 2.x and oldest 1.x.
 */
const { VERSIONS } = require('./lib/n8n');
const ex = require('./lib/examples');
const { createSimulator } = require('../simulator');

const versions = ex.versionsFromEnv(
	'N8N_E2E_TRIGGER_VERSIONS',
	process.env.N8N_E2E_VERSIONS || `${VERSIONS.latest},${VERSIONS.oldest}`,
);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let tgz;
beforeAll(() => {
	tgz = ex.packPackage({ log: (m) => console.log(`[trigger.e2e] ${m}`) });
	expect(ex.declaredInTarball(tgz).nodes).toContain(
		'dist/nodes/AnyformatTrigger/AnyformatTrigger.node.js',
	);
});

describe.each(versions)('n8n %s: Anyformat Trigger round trip', (version) => {
	let sim;
	let n8n;
	let trigger; // the workflow with the Anyformat Trigger
	let submit; // the workflow that runs a document without waiting
	let hookUrl;
	const timings = {};

	/** Run data of a finished execution: {node: items json}. */
	const executionItems = async (id) => {
		const full = await n8n.getExecution(id);
		const runData = full.data.resultData.runData;
		return Object.fromEntries(
			Object.entries(runData).map(([node, runs]) => [
				node,
				runs[0].data.main[0].map((i) => i.json),
			]),
		);
	};
	const triggerExecutions = () => n8n.listExecutions({ workflowId: trigger.id });

	beforeAll(async () => {
		sim = await createSimulator({ processingMs: 1500, allowHttpWebhooks: true });
		trigger = ex.exampleWorkflow('trigger-on-finished');
		submit = ex.exampleWorkflow('trigger-submit');
		let t = Date.now();
		({ n8n } = await ex.n8nWithExamples({ version, sim, tgz, workflows: { trigger, submit } }));
		timings.setup = Date.now() - t;
		t = Date.now();
		await n8n.start();
		timings.start = Date.now() - t;
		const node = trigger.nodes.find((n) => n.type === ex.TRIGGER_TYPE);
		hookUrl = n8n.webhookUrl(`${node.webhookId}/webhook`);
	});
	afterAll(async () => {
		if (n8n) await n8n.dispose();
		if (sim) await sim.close();
		console.log(`n8n ${version} trigger round trip, ms: ${JSON.stringify(timings)}`);
	});

	test('the server loaded both nodes of the package', async () => {
		const types = await n8n.nodeTypeNames();
		expect(types).toEqual(expect.arrayContaining([ex.NODE_TYPE, ex.TRIGGER_TYPE]));
	});

	test("activating subscribes the trigger's production webhook URL", async () => {
		const t = Date.now();
		await n8n.activate(trigger.id);
		timings.activate = Date.now() - t;
		expect(sim.webhooks.list()).toEqual([
			expect.objectContaining({
				url: hookUrl,
				events: ['extraction.completed', 'extraction.failed'],
				is_active: true,
			}),
		]);
		expect(sim.ledger.count({ method: 'POST', route: 'webhooks.create' })).toBe(1);
	});

	let receipt;
	let genuine; // the simulator's delivery of the completed run
	test('a run submitted by the other example workflow starts the trigger with its results', async () => {
		const t = Date.now();
		const r = await n8n.executeWorkflow(submit.id);
		expect(r.error).toBeUndefined();
		[receipt] = r.items('Submit Invoice');
		expect(receipt).toMatchObject({
			workflow_id: ex.SCENARIO.invoice,
			collection_id: expect.any(String),
		});

		const [execution] = await n8n.waitForExecutions(
			{ workflowId: trigger.id },
			{ count: 1, timeoutMs: 60000 },
		);
		timings.submitToTriggerExecution = Date.now() - t;
		expect(execution).toMatchObject({ status: 'success', mode: 'webhook' });
		const items = await executionItems(execution.id);
		const expected = [
			{
				invoice_number: 'INV-2024-0847',
				total_amount: 4087.5,
				vendor_name: 'Acme Corp',
				invoice_date: '2024-03-01',
				anyformat: expect.objectContaining({
					collection_id: receipt.collection_id,
					workflow_id: ex.SCENARIO.invoice,
					status: 'processed',
					split_name: null,
				}),
			},
		];
		expect(items['When Extraction Finishes']).toEqual(expected);
		expect(items['Handle Results']).toEqual(expected);

		// the simulator delivered one signed event, and n8n accepted it
		await sim.webhooks.idle();
		expect(sim.webhooks.deliveries).toHaveLength(1);
		[genuine] = sim.webhooks.deliveries;
		expect(genuine).toMatchObject({
			url: hookUrl,
			event: 'extraction.completed',
			status: 200,
			signing: 'valid',
		});
		expect(genuine.payload.data.extraction_id).toBe(receipt.collection_id);
	});

	test('a failed run starts the trigger with an item saying so', async () => {
		const before = (await triggerExecutions()).length;
		const form = new FormData();
		form.append('text', 'An unreadable scan. FAIL_EXTRACTION [[processing_ms:200]]');
		const r = await fetch(`${sim.url}/v2/workflows/${ex.SCENARIO.invoice}/run/`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sim.apiKey}` },
			body: form,
		});
		expect(r.status).toBeLessThan(300);
		const { id: cid } = await r.json();
		expect(cid).toEqual(expect.any(String));
		const done = await n8n.waitForExecutions(
			{ workflowId: trigger.id },
			{ count: before + 1, timeoutMs: 60000 },
		);
		const items = await executionItems(done[0].id);
		expect(items['When Extraction Finishes']).toEqual([
			{
				anyformat: expect.objectContaining({
					status: 'failed',
					collection_id: cid,
					workflow_id: ex.SCENARIO.invoice,
					event: 'extraction.failed',
				}),
			},
		]);
	});

	test('forged and replayed deliveries start nothing', async () => {
		const before = (await triggerExecutions()).length;
		const { secret } = sim.webhooks.list()[0];

		// 1. signed with another secret: refused before anything else
		const forged = await sim.webhooks.send(hookUrl, genuine.payload, { signing: 'invalid' });
		expect(forged.status).toBe(401);

		// 2. signed, naming a run that does not exist: the API has the last word
		const invented = {
			event: 'extraction.completed',
			timestamp: new Date().toISOString(),
			data: {
				extraction_id: '01a20000-0000-7000-8000-00000000dead',
				status: 'processed',
				workflow_id: ex.SCENARIO.invoice,
				processed_at: new Date().toISOString(),
			},
		};
		const unknownRun = await sim.webhooks.send(hookUrl, invented, { secret });
		expect(unknownRun.status).toBe(404);
		// unsigned: refused, since the genuine delivery showed how this subscription signs (rule 5)
		const unsigned = await sim.webhooks.send(hookUrl, invented);
		expect(unsigned.status).toBe(401);

		// 3. the genuine event, correctly signed with the real secret but a new message id: a repeat
		const again = await sim.webhooks.send(hookUrl, genuine.payload, {
			secret,
			rawBody: genuine.body,
		});
		expect(again.status).toBe(200);
		expect(JSON.parse(again.body).message).toMatch(/already delivered/);

		// 4. the very same message again (same webhook-id, timestamp, signature, body)
		const replay = await fetch(hookUrl, {
			method: 'POST',
			headers: genuine.headers,
			body: genuine.body,
		});
		expect(replay.status).toBe(200);
		expect((await replay.json()).message).toMatch(/already received/);

		// 5. a completed event for a run that failed: contradicts the API
		const failed = sim.listRuns().find((x) => x.status === 'error');
		const contradiction = await sim.webhooks.send(
			hookUrl,
			{ ...invented, data: { ...invented.data, extraction_id: failed.id } },
			{ secret },
		);
		expect(contradiction.status).toBe(409);

		await sleep(3000); // an execution started by any of these would be listed by now
		expect(await triggerExecutions()).toHaveLength(before);
	});

	test('deactivating removes the subscription; nothing is delivered afterwards', async () => {
		const t = Date.now();
		await n8n.deactivate(trigger.id);
		timings.deactivate = Date.now() - t;
		expect(sim.webhooks.list()).toEqual([]);
		expect(sim.ledger.count({ method: 'DELETE', route: 'webhooks.delete' })).toBeGreaterThanOrEqual(
			1,
		);

		const before = (await triggerExecutions()).length;
		const deliveries = sim.webhooks.deliveries.length;
		const r = await n8n.executeWorkflow(submit.id);
		const [late] = r.items('Submit Invoice');
		// the run finishes; with no subscription there is no delivery and no execution
		for (let i = 0; i < 40 && sim.getRun(late.collection_id).status !== 'processed'; i++)
			await sleep(250);
		expect(sim.getRun(late.collection_id).status).toBe('processed');
		await sim.webhooks.idle();
		await sleep(1000);
		expect(sim.webhooks.deliveries).toHaveLength(deliveries);
		expect(await triggerExecutions()).toHaveLength(before);
		// and n8n no longer serves the production URL
		expect((await fetch(hookUrl, { method: 'POST', body: '{}' })).status).toBe(404);
	});
});
