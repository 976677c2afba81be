/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * What each example workflow in examples/workflows/ must produce, by file name (without .json).
 * examples.test.ts runs every example through n8n's engine against the simulator and calls its entry
 * here; an example without an entry fails. Values are those the sample documents hold (the same as the
 * real-n8n suite, test/e2e/nodes.e2e.test.js, asserts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import type { RunWorkflowResult, SavedWorkflow } from '../harness/workflow';
import { API_KEYS } from '../setup/secrets';
import type { Sim as NodeSim } from '../node/support';
import type { TriggerHarness } from '../trigger/context';
import type { Sim as TriggerSim } from '../trigger/sim';
import { ex } from './examples';

export type Sim = NodeSim & Pick<TriggerSim, 'webhooks'>;

export interface ExampleContext {
	sim: Sim;
	saved: SavedWorkflow;
	/** runs this example (or another one, by name) through n8n's engine against `sim` */
	run(name?: string): Promise<RunWorkflowResult>;
	/** an Anyformat Trigger harness with the parameters of the example's trigger node, started */
	trigger(): Promise<TriggerHarness>;
}

/**
 * A run and its assertions; or, for an example built around nodes that cannot run in-process (n8n's
 * AI nodes, a Code node, a Wait for a webhook), `loadOnly` (why, and where it is proven instead) with
 * the node types it may use beyond this package's and the stand-ins: then the example must still
 * load into n8n's Workflow and its Anyformat nodes must still fit, but it is not run here.
 */
export type Expectation = ((ctx: ExampleContext) => Promise<void>) | { loadOnly: string; foreignTypes: string[] };

const INVOICE_PDF = readFileSync(ex.SAMPLE_DOCUMENT);
const sha256 = (buf: Buffer) => createHash('sha256').update(buf).digest('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const { SCENARIO } = ex;

const INVOICE_0847 = {
	invoice_number: 'INV-2024-0847',
	total_amount: 4087.5,
	vendor_name: 'Acme Corp',
	invoice_date: '2024-03-01',
};

/** The run metadata of a Simplified item of a processed run of `workflowId`. */
const processed = (workflowId: string, extra: Record<string, unknown> = {}) =>
	expect.objectContaining({
		collection_id: expect.stringMatching(UUID),
		workflow_id: workflowId,
		split_name: null,
		partition: null,
		status: 'processed',
		verification_url: expect.stringContaining(`/workflows/${workflowId}/files/`),
		...extra,
	});

function succeeded(r: RunWorkflowResult) {
	expect(r.error).toBeUndefined();
	expect(r.status).toBe('success');
}

/** The simulator received the sample PDF, byte for byte, once, as a file upload. */
function receivedTheInvoicePdf(sim: Sim, collectionId: string) {
	expect(sim.ledger.uploads).toEqual([
		expect.objectContaining({
			workflowId: SCENARIO.invoice,
			kind: 'file',
			filename: 'invoice-INV-2024-0847.pdf',
			mimeType: 'application/pdf',
			bytes: INVOICE_PDF.length,
			sha256: sha256(INVOICE_PDF),
			collectionId,
		}),
	]);
	expect(sim.ledger.runs).toHaveLength(1);
}

/** Resolves once the simulator has answered `count` results requests (the node's own pace, no sleep). */
async function resultsRequests(sim: Sim, count: number, limitMs = 20_000) {
	const deadline = Date.now() + limitMs;
	const seen = () => sim.ledger.requests.filter((r) => r.path.endsWith('/results/') && r.status !== null).length;
	while (seen() < count) {
		if (Date.now() > deadline) throw new Error(`the simulator saw ${seen()} results requests, not ${count}`);
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

/** A finished run of the invoice workflow on `text`, made outside the workflow under test. */
async function finishedInvoiceRun(sim: Sim, text: string): Promise<string> {
	const form = new FormData();
	form.append('text', `${text} [[processing_ms:600000]]`);
	const response = await fetch(`${sim.url}/v2/workflows/${SCENARIO.invoice}/run/`, {
		method: 'POST',
		headers: { Authorization: `Bearer ${API_KEYS.main}` },
		body: form,
	});
	const { id } = (await response.json()) as { id: string };
	expect(response.status).toBe(202);
	sim.finishRun(id);
	return id;
}

export const EXPECTATIONS: Record<string, Expectation> = {
	'extract-invoice-from-file': async ({ sim, run }) => {
		const r = await run();
		succeeded(r);
		expect(r.nodeItems('Read Invoice PDF')[0].binary!.data).toMatchObject({
			fileName: 'invoice-INV-2024-0847.pdf',
			mimeType: 'application/pdf',
		});
		const items = r.items('Extract Invoice');
		// the example sets Minimum Confidence 70; vendor_name comes at 61
		expect(items).toEqual([
			{ ...INVOICE_0847, anyformat: processed(SCENARIO.invoice, { low_confidence_fields: ['vendor_name'] }) },
		]);
		expect(r.nodeItems('Extract Invoice')[0].pairedItem).toEqual({ item: 0 });
		receivedTheInvoicePdf(sim, items[0].anyformat.collection_id);
	},

	'extract-from-text': async ({ sim, run }) => {
		const r = await run();
		succeeded(r);
		expect(r.items('Extract From Text')).toEqual([
			{
				invoice_number: 'INV-2024-0912',
				total_amount: 1250,
				vendor_name: 'Acme Corp',
				invoice_date: '2024-03-01',
				anyformat: processed(SCENARIO.invoice, { low_confidence_fields: [] }),
			},
		]);
		expect(sim.ledger.uploads).toEqual([expect.objectContaining({ kind: 'text', workflowId: SCENARIO.invoice })]);
	},

	'submit-check-wait': async ({ sim, run }) => {
		sim.configure({ processingMs: 600_000 }); // processing until the test finishes it
		const execution = run();
		// Check Once reads the run while it is processing; then the run finishes while Wait waits
		await resultsRequests(sim, 1);
		sim.finishRun(sim.ledger.runs[0].collectionId);
		const r = await execution;
		succeeded(r);
		const [receipt] = r.items('Submit');
		expect(receipt).toEqual({
			collection_id: expect.stringMatching(UUID),
			workflow_id: SCENARIO.invoice,
			status: expect.any(String),
			version_id: 'FGaV4I2JAA',
		});
		const cid = receipt.collection_id;
		expect(r.items('Check Once')).toEqual([
			{ anyformat: expect.objectContaining({ collection_id: cid, workflow_id: SCENARIO.invoice, status: 'processing' }) },
		]);
		expect(r.items('Wait for Results')).toEqual([
			{ ...INVOICE_0847, anyformat: processed(SCENARIO.invoice, { collection_id: cid }) },
		]);
		const [detailed] = r.items('Get Results Again');
		expect(detailed.invoice_number).toEqual({
			value: 'INV-2024-0847',
			value_override: null,
			confidence: 97,
			verification_status: 'not_verified',
			evidence: [{ text: expect.stringContaining('Invoice #INV-2024-0847'), page_number: 1 }],
		});
		expect(detailed.total_amount).toMatchObject({ value: 4087.5, confidence: 96 });
		receivedTheInvoicePdf(sim, cid);
	},

	'split-loan-packet': async ({ run }) => {
		const r = await run();
		succeeded(r);
		const items = r.items('Split and Extract');
		expect(items.map((i) => [i.anyformat.split_name, i.anyformat.partition])).toEqual([
			['invoice', 'invoice_1'],
			['invoice', 'invoice_2'],
			['bank_statement', 'bank_statement_1'],
		]);
		expect(items[0]).toMatchObject({ invoice_number: 'INV-2024-0950', total_amount: 3100 });
		expect(items[1]).toMatchObject({ invoice_number: 'INV-2024-0950-B', total_amount: 250.75 });
		expect(items[2]).toMatchObject({ account_holder: 'Jane Doe', closing_balance: 10432.18 });
		expect(items[2].anyformat.split).toMatchObject({ name: 'bank_statement', partition: 'bank_statement_1', pages: [4, 5] });
		expect(r.nodeItems('Split and Extract').map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 0 }, { item: 0 }]);
		expect(new Set(items.map((i) => i.anyformat.collection_id)).size).toBe(1);
	},

	'parse-to-markdown': async ({ run }) => {
		const r = await run();
		succeeded(r);
		const items = r.items('Parse to Markdown');
		expect(items).toHaveLength(1);
		expect(Object.keys(items[0])).toEqual(['anyformat']); // no fields: parse only
		expect(items[0].anyformat).toMatchObject({ workflow_id: SCENARIO.parseOnly, status: 'processed' });
		expect(items[0].anyformat.markdown).toMatch(/^<DOCUMENT id="1" page="1">/);
		expect(items[0].anyformat.markdown).toContain('Invoice #INV-2024-0847');
		expect(items[0].anyformat.markdown).toContain('Total: $4,087.50');
	},

	'batch-continue-on-fail': async ({ sim, run }) => {
		const r = await run();
		succeeded(r);
		expect(r.items('One Item per Document').map((i) => i.name)).toEqual(['good.txt', 'unreadable.txt']);
		const raw = r.nodeItems('Extract Each');
		expect(raw.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const [good, failed] = raw.map((i) => i.json as any);
		expect(good).toMatchObject({ invoice_number: 'INV-2024-0960', total_amount: 980, anyformat: { status: 'processed' } });
		const failedRun = sim.listRuns().find((x) => x.status === 'error')!;
		expect(failed).toMatchObject({
			error: expect.stringMatching(/item 1\b/),
			description: expect.stringContaining(failedRun.id),
			anyformat: { collection_id: failedRun.id, workflow_id: SCENARIO.invoice, status: 'failed' },
		});
		expect(sim.ledger.runs).toHaveLength(2); // both documents, each once
	},

	'trigger-submit': async ({ sim, run }) => {
		sim.configure({ processingMs: 600_000 });
		const r = await run();
		succeeded(r);
		const [receipt] = r.items('Submit Invoice');
		expect(receipt).toMatchObject({ collection_id: expect.stringMatching(UUID), workflow_id: SCENARIO.invoice });
		expect(sim.getRun(receipt.collection_id)?.status).not.toBe('processed'); // it did not wait
		receivedTheInvoicePdf(sim, receipt.collection_id);
	},

	// the pair: the trigger (this example's parameters) active, (1/2) submits, the run finishes,
	// Anyformat delivers to the trigger's webhook path and the trigger starts with the results
	'trigger-on-finished': async ({ sim, run, trigger }) => {
		const harness = await trigger();
		await harness.activate();
		expect(sim.webhooks.list().map((s) => s.url)).toEqual([harness.productionUrl]);
		sim.configure({ processingMs: 600_000 });
		const submitted = await run('trigger-submit');
		const [receipt] = submitted.items('Submit Invoice');
		sim.finishRun(receipt.collection_id);
		await sim.webhooks.idle();
		const delivered = sim.webhooks.deliveries.filter((d) => d.url === harness.productionUrl);
		expect(delivered.map((d) => [d.event, d.status])).toEqual([['extraction.completed', 200]]);
		expect(harness.executions).toHaveLength(1);
		expect(harness.executions[0].items).toEqual([
			{ ...INVOICE_0847, anyformat: expect.objectContaining({ collection_id: receipt.collection_id, status: 'processed' }) },
		]);
		expect(await harness.deactivate()).toBe(true);
		expect(sim.webhooks.list()).toEqual([]);
	},

	// a manual execution of a poll trigger is n8n's "Fetch Test Event": the newest finished run
	'poll-on-finished': async ({ sim, run }) => {
		await finishedInvoiceRun(sim, 'Invoice #INV-2024-0970 Total: $75.00 Acme Corp');
		const newest = await finishedInvoiceRun(sim, 'Invoice #INV-2024-0971 Total: $1,075.00 Acme Corp');
		const r = await run();
		succeeded(r);
		expect(r.items('Handle Results')).toEqual([
			expect.objectContaining({
				invoice_number: 'INV-2024-0971',
				total_amount: 1075,
				anyformat: expect.objectContaining({ collection_id: newest, status: 'processed' }),
			}),
		]);
	},

	'agent-extract-invoice-from-link': {
		loadOnly:
			"the Chat Trigger, AI Agent and OpenAI Chat Model are n8n's own AI nodes (not installed here); " +
			'the agent calling the Anyformat tool with a link is proven in a real n8n (issue 12 e2e)',
		foreignTypes: [
			'@n8n/n8n-nodes-langchain.chatTrigger',
			'@n8n/n8n-nodes-langchain.agent',
			'@n8n/n8n-nodes-langchain.lmChatOpenAi',
		],
	},

	'review-low-confidence': {
		loadOnly:
			'its Code node runs JavaScript in n8n\'s task runner and its Wait node resumes on a webhook; ' +
			'the Needs Review routing and the reviewed Get Results are proven by issue 12\'s suites',
		foreignTypes: ['n8n-nodes-base.code', 'n8n-nodes-base.wait'],
	},
};
