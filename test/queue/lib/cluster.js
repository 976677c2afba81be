'use strict';
/**
 * n8n in queue mode on this machine: one main process, workers and webhook processes, sharing Redis,
 * Postgres (test/queue/lib/services.js), the encryption key and the community package. Each process
 * has its own user folder whose `.n8n/nodes` is a link to one shared folder where the packed package is
 * installed the way "Install community node" does: what n8n's docs advise for queue mode (a shared
 * `~/.n8n/nodes`, e.g. one volume mounted on every container). Production webhooks go to the webhook
 * processes through a round-robin router (WEBHOOK_URL), as a load balancer in front of them would;
 * main serves the editor/REST only (N8N_DISABLE_PRODUCTION_MAIN_PROCESS).
 */
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const http = require('node:http');
const path = require('node:path');
const { N8n, VERSIONS, freePort } = require('../../e2e/lib/n8n');

/**
 * A round-robin HTTP router in front of the webhook processes, as a load balancer; `pins` sends every
 * request whose path starts with a prefix to one process (a path rule). `served` counts by target.
 */
async function startRouter() {
	const targets = [];
	const pins = new Map();
	const served = new Map();
	let next = 0;
	const server = http.createServer((req, res) => {
		if (!targets.length) {
			res.writeHead(503).end('no webhook process');
			return;
		}
		const pinned = [...pins].find(([prefix]) => req.url.startsWith(prefix));
		const target = pinned ? pinned[1] : targets[next++ % targets.length];
		served.set(target, (served.get(target) ?? 0) + 1);
		const upstream = http.request(
			{ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: { ...req.headers, host: `127.0.0.1:${target}` } },
			(answer) => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => {
			if (!res.headersSent) res.writeHead(502);
			res.end();
		});
		req.pipe(upstream);
	});
	const port = await freePort();
	await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
	return {
		url: `http://127.0.0.1:${port}/`,
		targets,
		pins,
		served,
		close: () => new Promise((resolve) => server.close(() => resolve())),
	};
}

class Cluster {
	constructor({ version = VERSIONS.latest, services, tgz, env = {} }) {
		Object.assign(this, { version, services, tgz, extraEnv: env });
		this.workers = [];
		this.webhooks = [];
		this.timings = {};
	}

	/** The environment every process of the cluster shares. */
	get queueEnv() {
		return {
			...this.services.env,
			EXECUTIONS_MODE: 'queue',
			N8N_DEFAULT_BINARY_DATA_MODE: 'database',
			N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
			WEBHOOK_URL: this.router.url,
			QUEUE_HEALTH_CHECK_ACTIVE: 'false',
			...this.extraEnv,
		};
	}

	/** An n8n process of the cluster (not started): its own folder, the shared nodes folder linked in. */
	async process(role) {
		const n8n = await N8n.create({ version: this.version, env: { ...this.queueEnv, QUEUE_HEALTH_CHECK_PORT: String(await freePort()) } });
		n8n.role = role;
		if (this.nodesDir && role !== 'main') {
			await fsp.rm(n8n.nodesFolder, { recursive: true, force: true });
			await fsp.symlink(this.nodesDir, n8n.nodesFolder);
		}
		return n8n;
	}

	/** Main (migrations, owner, the package installed in the shared folder), then the others. */
	async start({ workers = 2, webhooks = 1, concurrency = 10, credentials = [], workflows = [], activate = [] } = {}) {
		this.concurrency = concurrency;
		this.router = await startRouter();
		let t = Date.now();
		this.main = await this.process('main');
		await this.main.installPackageTarball(this.tgz);
		this.nodesDir = this.main.nodesFolder;
		this.credentialIds = credentials.length ? await this.main.importCredentials(credentials) : [];
		if (workflows.length) await this.main.importWorkflow(workflows); // one CLI call: each boots n8n
		this.timings.import = Date.now() - t;
		t = Date.now();
		await this.main.start();
		this.timings.main = Date.now() - t;
		t = Date.now();
		await Promise.all([
			...Array.from({ length: workers }, () => this.addWorker()),
			...Array.from({ length: webhooks }, () => this.addWebhook()),
		]);
		this.timings.others = Date.now() - t;
		t = Date.now();
		for (const id of activate) await this.main.activate(id);
		this.timings.activate = Date.now() - t;
		return this;
	}

	async addWorker() {
		const worker = await this.process('worker');
		await worker.startCommand('worker', [`--concurrency=${this.concurrency}`], /n8n worker is now ready/);
		this.workers.push(worker);
		return worker;
	}

	async addWebhook() {
		const hook = await this.process('webhook');
		await hook.startCommand('webhook', [], /Webhook listener waiting for requests/);
		this.webhooks.push(hook);
		this.router.targets.push(hook.port);
		return hook;
	}

	/** Stops one webhook process (and takes it out of the router). */
	async removeWebhook(hook) {
		this.router.targets.splice(this.router.targets.indexOf(hook.port), 1);
		this.webhooks.splice(this.webhooks.indexOf(hook), 1);
		await hook.dispose();
	}

	/** The worker whose log says it started execution `id` (n8n logs "Worker started execution ID"). */
	workerRunning(id) {
		return this.workers.find((w) => new RegExp(`Worker started execution ${id}\\b`).test(w.logs));
	}

	/** The production webhook URL of a path, through the router. */
	webhookUrl(p) {
		return `${this.router.url}webhook/${String(p).replace(/^\/+/, '')}`;
	}

	async stop() {
		await Promise.all([...this.workers, ...this.webhooks].map((p) => p.dispose()));
		if (this.main) await this.main.dispose();
		if (this.router) await this.router.close();
	}
}

module.exports = { Cluster, startRouter };
