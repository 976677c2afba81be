'use strict';
/**
 * The Anyformat node in a real n8n, through n8n's own CLI, on every version in N8N_E2E_VERSIONS (default:
 * the newest pinned 2.x and the oldest version the README claims). The package is packed with `npm pack`
 * and installed like "Install community node"; the credential and the example workflows shipped in
 * examples/workflows/ are imported with `n8n import:*` and run with `n8n execute`, against the local
 * Anyformat simulator (in this process). Every check names the values the sample documents hold.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const { VERSIONS } = require('./lib/n8n');
const ex = require('./lib/examples');
const { createSimulator } = require('../simulator');

const versions = ex.versionsFromEnv('N8N_E2E_VERSIONS', `${VERSIONS.latest},${VERSIONS.oldest}`);
const INVOICE_PDF = fs.readFileSync(ex.SAMPLE_DOCUMENT);
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The run metadata every Simplified item carries, for a processed run of `workflowId`. */
const processed = (workflowId, extra = {}) => ({
	collection_id: expect.stringMatching(UUID),
	workflow_id: workflowId,
	split_name: null,
	partition: null,
	status: 'processed',
	verification_url: expect.stringContaining(`/workflows/${workflowId}/files/`),
	classifications: [],
	low_confidence_fields: [],
	...extra,
});

let tgz;
beforeAll(() => {
	tgz = ex.packPackage({ log: (m) => console.log(`[nodes.e2e] ${m}`) });
	const { nodes, credentials } = ex.declaredInTarball(tgz);
	expect(nodes).toContain('dist/nodes/Anyformat/Anyformat.node.js');
	expect(credentials).toContain('dist/credentials/AnyformatApi.credentials.js');
});

describe.each(versions)('n8n %s: the example workflows run by the n8n CLI', (version) => {
	let sim;
	let n8n;
	let wf;
	const outputs = []; // every CLI output, checked for the API key at the end
	const timings = {};

	const run = async (name) => {
		const t = Date.now();
		const result = await n8n.executeWorkflow(wf[name].id);
		timings[name] = Date.now() - t;
		outputs.push(result.stdout, result.stderr);
		return result;
	};

	beforeAll(async () => {
		sim = await createSimulator({ processingMs: 300 });
		const t = Date.now();
		({ n8n, workflows: wf } = await ex.n8nWithExamples({ version, sim, tgz }));
		timings.setup = Date.now() - t;
	});
	afterAll(async () => {
		if (n8n) await n8n.dispose();
		if (sim) await sim.close();
		console.log(`n8n ${version} node workflows, ms: ${JSON.stringify(timings)}`);
	});
	beforeEach(() => {
		sim.reset();
		sim.configure({ processingMs: 300 });
	});

	test('the package is installed from its tarball like "Install community node"', () => {
		const pkg = JSON.parse(fs.readFileSync(`${n8n.nodesFolder}/package.json`, 'utf8'));
		expect(pkg.dependencies).toEqual({ 'n8n-nodes-anyformat': expect.any(String) });
		expect(
			fs.existsSync(
				`${n8n.nodesFolder}/node_modules/n8n-nodes-anyformat/dist/nodes/Anyformat/Anyformat.node.js`,
			),
		).toBe(true);
		for (const w of Object.values(wf)) {
			for (const node of w.nodes.filter((n) => n.type.startsWith('n8n-nodes-anyformat.'))) {
				expect([ex.NODE_TYPE, ex.TRIGGER_TYPE, ex.POLL_TRIGGER_TYPE, `${ex.NODE_TYPE}Tool`]).toContain(node.type);
				expect(node.credentials).toEqual({ anyformatApi: ex.EXAMPLE_CREDENTIAL });
			}
		}
	});

	test('Run from a binary file read from disk (extract-invoice-from-file)', async () => {
		const r = await run('extract-invoice-from-file');
		expect(r.error).toBeUndefined();
		expect(r.status).toBe('success');
		expect(r.nodeItems('Read Invoice PDF')[0].binary.data).toMatchObject({
			fileName: 'invoice-INV-2024-0847.pdf',
			mimeType: 'application/pdf',
		});
		const items = r.items('Extract Invoice');
		expect(items).toEqual([
			{
				invoice_number: 'INV-2024-0847',
				total_amount: 4087.5,
				vendor_name: 'Acme Corp',
				invoice_date: '2024-03-01',
				// the example sets Minimum Confidence 70; vendor_name comes at 61
				anyformat: processed(ex.SCENARIO.invoice, { low_confidence_fields: ['vendor_name'] }),
			},
		]);
		expect(r.nodeItems('Extract Invoice')[0].pairedItem).toEqual({ item: 0 });
		// the simulator received exactly the file on disk, once, as a multipart upload
		expect(sim.ledger.uploads).toEqual([
			expect.objectContaining({
				workflowId: ex.SCENARIO.invoice,
				kind: 'file',
				filename: 'invoice-INV-2024-0847.pdf',
				mimeType: 'application/pdf',
				bytes: INVOICE_PDF.length,
				sha256: sha256(INVOICE_PDF),
				collectionId: items[0].anyformat.collection_id,
			}),
		]);
		expect(sim.ledger.runs).toHaveLength(1);
	});

	test("Run from a binary file kept in memory (N8N_DEFAULT_BINARY_DATA_MODE=default, n8n 1.x's default)", async () => {
		const t = Date.now();
		const r = await n8n.executeWorkflow(wf['extract-invoice-from-file'].id, {
			env: { N8N_DEFAULT_BINARY_DATA_MODE: 'default' },
		});
		timings.inMemoryBinary = Date.now() - t;
		outputs.push(r.stdout, r.stderr);
		expect(r.error).toBeUndefined();
		expect(r.items('Extract Invoice')).toEqual([
			expect.objectContaining({ invoice_number: 'INV-2024-0847', total_amount: 4087.5 }),
		]);
		expect(sim.ledger.uploads).toEqual([
			expect.objectContaining({
				filename: 'invoice-INV-2024-0847.pdf',
				bytes: INVOICE_PDF.length,
				sha256: sha256(INVOICE_PDF),
			}),
		]);
	});

	test('Run from text (extract-from-text)', async () => {
		const r = await run('extract-from-text');
		expect(r.error).toBeUndefined();
		expect(r.items('Extract From Text')).toEqual([
			{
				invoice_number: 'INV-2024-0912',
				total_amount: 1250,
				vendor_name: 'Acme Corp',
				invoice_date: '2024-03-01',
				anyformat: processed(ex.SCENARIO.invoice),
			},
		]);
		const [upload] = sim.ledger.uploads;
		expect(upload).toMatchObject({ kind: 'text', workflowId: ex.SCENARIO.invoice });
		expect(sim.getRun(upload.collectionId)).toMatchObject({ kind: 'text', status: 'processed' });
	});

	test('Run without waiting, Get Results of an unfinished run, Wait, Get Results of the finished run (submit-check-wait)', async () => {
		sim.configure({ processingMs: 5000 }); // still processing when "Check Once" asks
		const r = await run('submit-check-wait');
		expect(r.error).toBeUndefined();
		const [receipt] = r.items('Submit');
		expect(receipt).toEqual({
			collection_id: expect.stringMatching(UUID),
			workflow_id: ex.SCENARIO.invoice,
			status: expect.any(String),
			version_id: 'FGaV4I2JAA',
		});
		const cid = receipt.collection_id;
		expect(r.items('Check Once')).toEqual([
			{ anyformat: { collection_id: cid, workflow_id: ex.SCENARIO.invoice, status: 'processing' } },
		]);
		expect(r.items('Wait for Results')).toEqual([
			{
				invoice_number: 'INV-2024-0847',
				total_amount: 4087.5,
				vendor_name: 'Acme Corp',
				invoice_date: '2024-03-01',
				anyformat: processed(ex.SCENARIO.invoice, { collection_id: cid }),
			},
		]);
		// Get Results of the finished run, Detailed output: each field with its confidence and evidence
		const [detailed] = r.items('Get Results Again');
		expect(detailed.invoice_number).toEqual({
			value: 'INV-2024-0847',
			value_override: null,
			confidence: 97,
			verification_status: 'not_verified',
			evidence: [{ text: expect.stringContaining('Invoice #INV-2024-0847'), page_number: 1 }],
		});
		expect(detailed.total_amount).toMatchObject({ value: 4087.5, confidence: 96 });
		expect(detailed.anyformat).toMatchObject({ collection_id: cid, status: 'processed' });
		// one document, one run: waiting and reading again submitted nothing new
		expect(sim.ledger.runs.map((x) => x.collectionId)).toEqual([cid]);
		expect(sim.getRun(cid).status).toBe('processed');
	});

	test('a split workflow gives one item per document part (split-loan-packet)', async () => {
		const r = await run('split-loan-packet');
		expect(r.error).toBeUndefined();
		const items = r.items('Split and Extract');
		expect(items.map((i) => [i.anyformat.split_name, i.anyformat.partition])).toEqual([
			['invoice', 'invoice_1'],
			['invoice', 'invoice_2'],
			['bank_statement', 'bank_statement_1'],
		]);
		expect(items[0]).toMatchObject({ invoice_number: 'INV-2024-0950', total_amount: 3100 });
		expect(items[1]).toMatchObject({ invoice_number: 'INV-2024-0950-B', total_amount: 250.75 });
		expect(items[2]).toMatchObject({ account_holder: 'Jane Doe', closing_balance: 10432.18 });
		expect(items[2].anyformat.split).toMatchObject({
			name: 'bank_statement',
			partition: 'bank_statement_1',
			pages: [4, 5],
		});
		// all three parts come from the one input item and the one run
		expect(r.nodeItems('Split and Extract').map((i) => i.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 0 },
		]);
		expect(new Set(items.map((i) => i.anyformat.collection_id)).size).toBe(1);
		expect(items.every((i) => i.anyformat.workflow_id === ex.SCENARIO.split)).toBe(true);
	});

	test('a parse-only workflow gives one item with the markdown (parse-to-markdown)', async () => {
		const r = await run('parse-to-markdown');
		expect(r.error).toBeUndefined();
		const items = r.items('Parse to Markdown');
		expect(items).toHaveLength(1);
		expect(Object.keys(items[0])).toEqual(['anyformat']); // no fields: parse only
		expect(items[0].anyformat).toMatchObject({
			workflow_id: ex.SCENARIO.parseOnly,
			status: 'processed',
		});
		expect(items[0].anyformat.markdown).toMatch(/^<DOCUMENT id="1" page="1">/);
		expect(items[0].anyformat.markdown).toContain('Invoice #INV-2024-0847');
		expect(items[0].anyformat.markdown).toContain('Total: $4,087.50');
	});

	test('an error with Continue On Fail becomes an item paired with its input (batch-continue-on-fail)', async () => {
		const r = await run('batch-continue-on-fail');
		expect(r.error).toBeUndefined();
		expect(r.status).toBe('success');
		const raw = r.nodeItems('Extract Each');
		expect(raw.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		const [good, failed] = raw.map((i) => i.json);
		expect(good).toMatchObject({
			invoice_number: 'INV-2024-0960',
			total_amount: 980,
			anyformat: { status: 'processed' },
		});
		const failedRun = sim.listRuns().find((x) => x.status === 'error');
		expect(failed).toEqual({
			error: expect.stringMatching(/item 1\b/),
			description: expect.stringContaining(failedRun.id),
			anyformat: {
				collection_id: failedRun.id,
				workflow_id: ex.SCENARIO.invoice,
				status: 'failed',
			},
		});
		expect(failed.error).toContain(failedRun.id);
		// both documents were submitted (at once), each exactly once
		expect(sim.ledger.runs).toHaveLength(2);
	});

	test('the same error without Continue On Fail fails the execution and names the item', async () => {
		const strict = structuredClone(wf['batch-continue-on-fail']);
		strict.id = 'afE2eBatchStrict';
		strict.name = 'E2E: batch without Continue On Fail';
		delete strict.nodes.find((n) => n.name === 'Extract Each').onError;
		await n8n.importWorkflow(strict);
		const t = Date.now();
		const r = await n8n.executeWorkflow(strict.id);
		timings.strict = Date.now() - t;
		outputs.push(r.stdout, r.stderr);
		expect(r.status).toBe('error');
		expect(r.lastNodeExecuted).toBe('Extract Each');
		const failedRun = sim.listRuns().find((x) => x.status === 'error');
		expect(r.error.message).toMatch(/item 1\b/);
		expect(r.error.message).toContain(failedRun.id);
	});

	test('the API key never shows in what n8n printed', () => {
		expect(outputs.length).toBeGreaterThan(10);
		for (const text of outputs) expect(text).not.toContain(sim.apiKey);
	});
});
