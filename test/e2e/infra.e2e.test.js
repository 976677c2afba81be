'use strict';
/**
 * Proves the real-n8n e2e infrastructure with n8n's built-in nodes (and a tiny fixture community package),
 * on every n8n version in N8N_E2E_VERSIONS (default: the newest pinned 2.x and the oldest supported 1.x):
 *  - CLI only: import a Manual Trigger -> Set workflow, `n8n execute`, check the items;
 *  - a packed community package installed like "Install community node" runs as <package>.<node>, and
 *    n8n's n8n-workflow offers the APIs n8n-nodes-anyformat uses;
 *  - server: a Webhook workflow activated over REST answers an HTTP call and leaves an execution.
 */
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { N8n, VERSIONS } = require('./lib/n8n');

const versions = (process.env.N8N_E2E_VERSIONS || `${VERSIONS.latest},${VERSIONS.oldest}`)
	.split(',')
	.map((v) => v.trim())
	.filter(Boolean);
const fixtures = path.join(__dirname, 'fixtures');
const wf = (name) => path.join(fixtures, 'workflows', name);

const semverLess = (a, b) => {
	const [x, y] = [a, b].map((v) => v.split('.').map(Number));
	for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] < y[i];
	return false;
};

function packFixturePackage() {
	const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-e2e-pack-'));
	const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dest], {
		cwd: path.join(fixtures, 'n8n-nodes-e2e-fixture'),
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'], // npm's config warnings stay out of the test output
	});
	return path.join(dest, out.trim().split('\n').pop());
}

describe.each(versions)('real n8n %s', (version) => {
	let n8n;
	const timings = {};

	beforeAll(async () => {
		n8n = await N8n.create({ version });
	});
	afterAll(async () => {
		if (n8n) await n8n.dispose();
		console.log(`n8n ${version} timings (ms): ${JSON.stringify(timings)}`);
	});

	test('CLI: import + execute Manual Trigger -> Set', async () => {
		let t = Date.now();
		const id = await n8n.importWorkflow(wf('manual-set.workflow.json'));
		timings.import = Date.now() - t;
		expect(id).toBe('e2eManualSet0001');
		t = Date.now();
		const result = await n8n.executeWorkflow(id);
		timings.execute = Date.now() - t;
		expect(result.error).toBeUndefined();
		expect(result.status).toBe('success');
		expect(result.items('Set')).toEqual([{ greeting: 'hello', answer: 42, doubled: 42 }]);
		expect(result.lastNodeExecuted).toBe('Set');
	});

	test('CLI: a packed community package loads as <package>.<node> and sees the needed APIs', async () => {
		const tgz = packFixturePackage();
		const installed = await n8n.installPackageTarball(tgz);
		fs.rmSync(path.dirname(tgz), { recursive: true, force: true });
		expect(installed.name).toBe('n8n-nodes-e2e-fixture');
		expect(fs.existsSync(path.join(n8n.nodesFolder, 'node_modules/n8n-nodes-e2e-fixture/package.json'))).toBe(true);
		const id = await n8n.importWorkflow(wf('probe.workflow.json'));
		const result = await n8n.executeWorkflow(id);
		expect(result.error).toBeUndefined();
		const [item] = result.items('Probe');
		expect(item.tag).toBe('from-tarball');
		expect(item.api).toEqual({
			NodeOperationError: true,
			NodeApiError: true,
			// sleepWithAbort: n8n-workflow 1.98.0 to 2.33.x only; after that sleep(ms, signal) aborts
			sleepWithAbort: semverLess(item.workflowPackageVersion || version, '2.34.0'),
			abortableSleep: true,
			getExecutionCancelSignal: true,
			getBinaryStream: true,
			getBinaryMetadata: true,
			httpRequestWithAuthentication: true,
			assertBinaryData: true,
		});
	});

	test('CLI: an imported credential authenticates an HTTP Request to a loopback server', async () => {
		const seen = [];
		const server = http.createServer((req, res) => {
			seen.push({ url: req.url, auth: req.headers.authorization });
			res.setHeader('content-type', 'application/json');
			res.end(JSON.stringify({ pong: true }));
		});
		await new Promise((r) => server.listen(0, '127.0.0.1', r));
		try {
			const [credId] = await n8n.importCredentials({
				name: 'E2E header auth',
				type: 'httpHeaderAuth',
				data: { name: 'Authorization', value: 'Bearer e2e-secret' },
			});
			const id = await n8n.importWorkflow({
				name: 'E2E infra: credential + HTTP Request',
				nodes: [
					{ name: 'Manual', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
					{
						name: 'HTTP',
						type: 'n8n-nodes-base.httpRequest',
						typeVersion: 4.2,
						position: [220, 0],
						parameters: {
							url: `http://127.0.0.1:${server.address().port}/ping`,
							authentication: 'genericCredentialType',
							genericAuthType: 'httpHeaderAuth',
							options: {},
						},
						credentials: { httpHeaderAuth: { id: credId, name: 'E2E header auth' } },
					},
				],
				connections: { Manual: { main: [[{ node: 'HTTP', type: 'main', index: 0 }]] } },
			});
			const result = await n8n.executeWorkflow(id);
			expect(result.error).toBeUndefined();
			expect(result.items('HTTP')).toEqual([{ pong: true }]);
			expect(seen).toEqual([{ url: '/ping', auth: 'Bearer e2e-secret' }]);
		} finally {
			server.close();
		}
	});

	test('server: an activated Webhook workflow answers over HTTP and records an execution', async () => {
		const id = await n8n.importWorkflow(wf('webhook-set.workflow.json'));
		const { ms } = await n8n.start();
		timings.start = ms;

		// the server loaded the community package too
		expect(await n8n.nodeTypeNames()).toContain('n8n-nodes-e2e-fixture.e2eProbe');

		await n8n.activate(id);
		const res = await fetch(n8n.webhookUrl('e2e-infra'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ document: 'invoice.pdf' }),
		});
		expect(res.status).toBe(200);
		expect(await res.json()).toEqual({ received: 'invoice.pdf', via: 'webhook' });

		const [execution] = await n8n.waitForExecutions({ workflowId: id }, { count: 1 });
		expect(execution.status).toBe('success');
		expect(execution.mode).toBe('webhook');
		const full = await n8n.getExecution(execution.id);
		const setItems = full.data.resultData.runData.Set[0].data.main[0].map((i) => i.json);
		expect(setItems).toEqual([{ received: 'invoice.pdf', via: 'webhook' }]);

		await n8n.deactivate(id);
		const after = await fetch(n8n.webhookUrl('e2e-infra'), { method: 'POST', body: '{}' });
		expect(after.status).toBe(404);
	});
});
