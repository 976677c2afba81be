'use strict';
/**
 * The Anyformat node as an AI Agent's tool, in a real n8n (2.41.1), and Route For Review in a real n8n
 * (2.41.1 and the oldest supported version).
 *
 * Agent: the example "agent-extract-invoice-from-link" (Chat Trigger → AI Agent with an OpenAI Chat
 * Model and the Anyformat tool) with its Chat Trigger swapped for a Manual Trigger that sets
 * `chatInput`, run by `n8n execute`. The model is a scripted OpenAI-compatible stand-in (its own
 * process: test/e2e/lib/openai-standin.js) at the OpenAI credential's Base URL: it calls the tool
 * with the link (or the text) from the user's message, then answers from the tool's result. The
 * document comes from a loopback file server. Checked: the simulator received the document, the
 * tool's result reached the model (small: simplified fields, no markdown), the agent's answer holds
 * the extracted values.
 *
 * Review: Run with Route For Review → the item with a field under Minimum Confidence leaves on
 * Needs Review; a reviewer corrects it (the simulator's control); Get Results then returns the
 * override on Results.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { VERSIONS } = require('./lib/n8n');
const ex = require('./lib/examples');
const { createSimulator } = require('../simulator');

const INVOICE_PDF = fs.readFileSync(ex.SAMPLE_DOCUMENT);
const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
const reviewVersions = ex.versionsFromEnv('N8N_E2E_VERSIONS', `${VERSIONS.latest},${VERSIONS.oldest}`);
const agentVersions = reviewVersions.includes(VERSIONS.latest) ? [VERSIONS.latest] : [];

let tgz;
beforeAll(() => {
	tgz = ex.packPackage({ log: (m) => console.log(`[agent.e2e] ${m}`) });
});

/** The stand-in model, as a child process; resolves {url, requests(), stop()}. */
async function startStandIn() {
	const log = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'standin-')), 'requests.jsonl');
	const child = spawn(process.execPath, [path.join(__dirname, 'lib/openai-standin.js'), log], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	const url = await new Promise((resolve, reject) => {
		let out = '';
		child.stdout.on('data', (d) => {
			out += d;
			const m = /STANDIN_URL=(\S+)/.exec(out);
			if (m) resolve(m[1]);
		});
		child.once('exit', (code) => reject(new Error(`stand-in exited (${code})`)));
	});
	const requests = () =>
		fs.existsSync(log)
			? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
			: [];
	return { url, requests, stop: () => child.kill('SIGTERM') };
}

/** A loopback server with the sample invoice at /files/invoice-INV-2024-0847.pdf. */
async function startFiles() {
	const hits = [];
	const server = http.createServer((req, res) => {
		hits.push(req.url);
		if (req.url.startsWith('/files/invoice-INV-2024-0847.pdf')) {
			res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': INVOICE_PDF.length });
			res.end(INVOICE_PDF);
		} else {
			res.writeHead(404).end();
		}
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	return { url: `http://127.0.0.1:${server.address().port}`, hits, close: () => new Promise((r) => server.close(r)) };
}

/** The example with its Chat Trigger replaced by a Manual Trigger and a Set giving `chatInput`. */
function agentWorkflow(id, chatInput, toolParameters = {}) {
	const example = ex.exampleWorkflow('agent-extract-invoice-from-link');
	const chat = example.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.chatTrigger');
	const nodes = example.nodes
		.filter((n) => n !== chat)
		.map((n) => (n.name === 'Anyformat' ? { ...n, parameters: { ...n.parameters, ...toolParameters } } : n));
	nodes.push(
		{ id: crypto.randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-400, 0], parameters: {} },
		{
			id: crypto.randomUUID(),
			name: 'Message',
			type: 'n8n-nodes-base.set',
			typeVersion: 3.4,
			position: [-200, 0],
			parameters: { mode: 'raw', jsonOutput: JSON.stringify({ chatInput }), options: {} },
		},
	);
	const connections = { ...example.connections };
	delete connections[chat.name];
	connections.Start = { main: [[{ node: 'Message', type: 'main', index: 0 }]] };
	connections.Message = { main: [[{ node: 'AI Agent', type: 'main', index: 0 }]] };
	return { ...example, id, name: `${example.name} (${id})`, nodes, connections };
}

/** The tool's results as the model received them (the content of each `tool` message). */
const toolResults = (requests) =>
	requests
		.filter((r) => r.path.endsWith('/chat/completions'))
		.flatMap((r) => (r.body.messages || []).filter((m) => m.role === 'tool'))
		.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));

// the agent cases need 2.41.1's AI Agent (typeVersion 3); on a run of other versions only, they are skipped
(agentVersions.length ? describe.each(agentVersions) : describe.skip.each([VERSIONS.latest]))('n8n %s: the Anyformat node as an AI Agent tool', (version) => {
	let sim;
	let n8n;
	let model;
	let files;
	const ids = { url: 'afE2eAgentUrl001', text: 'afE2eAgentText01' };

	beforeAll(async () => {
		sim = await createSimulator({ processingMs: 300 });
		model = await startStandIn();
		files = await startFiles();
		({ n8n } = await ex.n8nWithExamples({ version, sim, tgz, workflows: {} }));
		await n8n.importCredentials({
			id: 'openai-example',
			name: 'OpenAI',
			type: 'openAiApi',
			data: { apiKey: 'sk-standin-not-a-key', url: model.url },
		});
		await n8n.importWorkflow([
			agentWorkflow(ids.url, `Please read the invoice at ${files.url}/files/invoice-INV-2024-0847.pdf?token=abc and tell me the total.`),
			agentWorkflow(ids.text, 'What is the total of this invoice? Text: Invoice INV-2024-0912\nDate: 2024-03-01\nAcme Corp\nTotal: $1,250.00', {
				inputType: 'text',
				text: "={{ $fromAI('text', 'The full text of the document, exactly as the user gave it', 'string') }}",
				url: undefined,
			}),
		]);
	});
	afterAll(async () => {
		if (n8n) await n8n.dispose();
		if (model) model.stop();
		if (files) await files.close();
		if (sim) await sim.close();
	});
	beforeEach(() => sim.reset());

	const expectSmallToolResult = (results) => {
		expect(results).toHaveLength(1);
		const [result] = results;
		console.log(`[agent.e2e] the tool's result as the model received it (${Buffer.byteLength(result)} bytes): ${result}`);
		expect(Buffer.byteLength(result)).toBeLessThan(1500);
		expect(result).not.toMatch(/markdown|<DOCUMENT|evidence/);
		return result;
	};

	test('a link from $fromAI: the document is downloaded and sent, the result reaches the model, the answer carries the values', async () => {
		const r = await n8n.executeWorkflow(ids.url);
		expect(r.error).toBeUndefined();
		expect(r.status).toBe('success');
		// the simulator received the sample invoice, byte for byte, named from the link's path
		expect(sim.ledger.uploads).toEqual([
			expect.objectContaining({
				kind: 'file',
				filename: 'invoice-INV-2024-0847.pdf',
				mimeType: 'application/pdf',
				sha256: sha256(INVOICE_PDF),
				accepted: true,
			}),
		]);
		expect(files.hits.filter((h) => h.startsWith('/files/'))).toHaveLength(2); // checked, then sent
		const result = expectSmallToolResult(toolResults(model.requests()).slice(-1));
		expect(result).toContain('INV-2024-0847');
		expect(result).toContain('4087.5');
		// the tool was offered to the model with the link as its one parameter
		const offered = model.requests().find((q) => q.body.tools)?.body.tools[0].function;
		expect(Object.keys(offered.parameters.properties)).toEqual(['url']);
		expect(r.items('AI Agent')).toEqual([{ output: 'Invoice INV-2024-0847 from Acme Corp: total 4087.5.' }]);
	});

	test('text from $fromAI: the text is sent, the answer carries the values', async () => {
		const before = model.requests().length;
		const r = await n8n.executeWorkflow(ids.text);
		expect(r.error).toBeUndefined();
		expect(sim.ledger.uploads).toEqual([expect.objectContaining({ kind: 'text', accepted: true })]);
		const result = expectSmallToolResult(toolResults(model.requests().slice(before)));
		expect(result).toContain('INV-2024-0912');
		expect(r.items('AI Agent')).toEqual([{ output: 'Invoice INV-2024-0912 from Acme Corp: total 1250.' }]);
	});
});

/** Manual → two invoices → Run (Route For Review) → Approved / To Review; or Get Results of `collectionId`. */
function reviewWorkflow(id, { collectionId } = {}) {
	const anyformat = {
		id: crypto.randomUUID(),
		name: 'Anyformat',
		type: ex.NODE_TYPE,
		typeVersion: 1,
		position: [440, 0],
		credentials: { anyformatApi: ex.EXAMPLE_CREDENTIAL },
		parameters: collectionId
			? {
					resource: 'extraction',
					operation: 'getResults',
					workflowId: { __rl: true, mode: 'id', value: ex.SCENARIO.invoice },
					collectionId,
					options: { minimumConfidence: 70, routeForReview: true },
				}
			: {
					resource: 'extraction',
					operation: 'run',
					workflowId: { __rl: true, mode: 'id', value: ex.SCENARIO.invoice },
					inputType: 'text',
					text: '={{ $json.text }}',
					options: { minimumConfidence: '={{ $json.minimum }}', routeForReview: true },
				},
	};
	const docs = [
		{ text: 'Invoice INV-E2E-OK Total: $10.00', minimum: 50 },
		{ text: 'Invoice INV-E2E-CHECK Total: $20.00', minimum: 70 },
	];
	const noop = (name, y) => ({ id: crypto.randomUUID(), name, type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [700, y], parameters: {} });
	return {
		id,
		name: `Route For Review (${id})`,
		nodes: [
			{ id: crypto.randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: crypto.randomUUID(),
				name: 'Documents',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: { jsCode: `return ${JSON.stringify(collectionId ? [docs[0]] : docs)}.map((json) => ({ json }));` },
			},
			anyformat,
			noop('Approved', -100),
			noop('To Review', 100),
		],
		connections: {
			Start: { main: [[{ node: 'Documents', type: 'main', index: 0 }]] },
			Documents: { main: [[{ node: 'Anyformat', type: 'main', index: 0 }]] },
			Anyformat: {
				main: [[{ node: 'Approved', type: 'main', index: 0 }], [{ node: 'To Review', type: 'main', index: 0 }]],
			},
		},
		settings: { executionOrder: 'v1' },
	};
}

/** Manual → Run with Input Type URL on `link` (Content-Length and chunked: see startFiles). */
function urlWorkflow(id, link) {
	return {
		id,
		name: `Input Type URL (${id})`,
		nodes: [
			{ id: crypto.randomUUID(), name: 'Start', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: crypto.randomUUID(),
				name: 'Anyformat',
				type: ex.NODE_TYPE,
				typeVersion: 1,
				position: [220, 0],
				credentials: { anyformatApi: ex.EXAMPLE_CREDENTIAL },
				parameters: {
					resource: 'extraction',
					operation: 'run',
					workflowId: { __rl: true, mode: 'id', value: ex.SCENARIO.invoice },
					inputType: 'url',
					url: link,
				},
			},
		],
		connections: { Start: { main: [[{ node: 'Anyformat', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

describe.each(reviewVersions)('n8n %s: Route For Review, and Input Type URL', (version) => {
	let sim;
	let n8n;
	let files;

	beforeAll(async () => {
		sim = await createSimulator({ processingMs: 300 });
		files = await startFiles();
		({ n8n } = await ex.n8nWithExamples({ version, sim, tgz, workflows: {} }));
		await n8n.importWorkflow([
			reviewWorkflow('afE2eReviewRun01'),
			urlWorkflow('afE2eUrlRun00001', `${files.url}/files/invoice-INV-2024-0847.pdf`),
		]);
	});
	afterAll(async () => {
		if (n8n) await n8n.dispose();
		if (files) await files.close();
		if (sim) await sim.close();
	});

	test("Input Type URL: n8n's HTTP helper downloads the file and streams it to the API, with Content-Length", async () => {
		sim.reset();
		const r = await n8n.executeWorkflow('afE2eUrlRun00001');
		expect(r.error).toBeUndefined();
		expect(r.items('Anyformat')).toEqual([expect.objectContaining({ invoice_number: 'INV-2024-0847', total_amount: 4087.5 })]);
		expect(sim.ledger.uploads).toEqual([
			expect.objectContaining({
				filename: 'invoice-INV-2024-0847.pdf',
				mimeType: 'application/pdf',
				bytes: INVOICE_PDF.length,
				sha256: sha256(INVOICE_PDF),
				contentLength: expect.any(Number),
			}),
		]);
	});

	test('the flagged item leaves on Needs Review; after a reviewer corrects it, Get Results returns it on Results', async () => {
		const r = await n8n.executeWorkflow('afE2eReviewRun01');
		expect(r.error).toBeUndefined();
		expect(r.items('Approved')).toEqual([expect.objectContaining({ invoice_number: 'INV-E2E-OK' })]);
		const [flagged] = r.items('To Review');
		expect(r.items('To Review')).toHaveLength(1);
		expect(flagged).toMatchObject({
			invoice_number: 'INV-E2E-CHECK',
			anyformat: { review_fields: ['vendor_name'], verification_url: expect.stringContaining('/files/') },
		});
		expect(r.nodeItems('Anyformat', { output: 1 })[0].pairedItem).toEqual({ item: 1 });

		const collectionId = flagged.anyformat.collection_id;
		expect(sim.reviewField(collectionId, 'vendor_name', { value_override: 'Acme Corporation', verification_status: 'verified' })).toBe(true);
		await n8n.importWorkflow(reviewWorkflow('afE2eReviewGet01', { collectionId }));
		const again = await n8n.executeWorkflow('afE2eReviewGet01');
		expect(again.error).toBeUndefined();
		expect(again.items('Approved')).toEqual([
			expect.objectContaining({ invoice_number: 'INV-E2E-CHECK', vendor_name: 'Acme Corporation' }),
		]);
		expect(again.runData['To Review']).toBeUndefined();
	});
});
