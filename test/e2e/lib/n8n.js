'use strict';
/**
 * A real n8n for end-to-end tests: one instance = one temporary N8N_USER_FOLDER (its own SQLite database),
 * driven through n8n's own CLI (import, execute) and, once started, its REST API on loopback.
 *
 *   const { N8n } = require('./lib/n8n');
 *   const n8n = await N8n.create({ version: '2.40.7' });   // CLI-only until start()
 *   await n8n.installPackageTarball('n8n-nodes-anyformat-0.1.0.tgz');
 *   const [credId] = await n8n.importCredentials({ name: 'Anyformat', type: 'anyformatApi', data: {...} });
 *   const id = await n8n.importWorkflow(require('./fixtures/x.workflow.json'));
 *   const result = await n8n.executeWorkflow(id);          // CLI: n8n execute --id X --rawOutput
 *   result.items('Set')                                     // -> [{...json}, ...] of the node's first output
 *   await n8n.start();                                      // server + owner + session cookie
 *   await n8n.activate(id); await fetch(n8n.webhookUrl('my-path'), {...}); await n8n.listExecutions();
 *   await n8n.dispose();                                    // stop + delete the user folder
 *
 * n8n itself is installed once per version by scripts/e2e/install-n8n.sh into a cache folder outside the
 * repo; N8n.create() runs that script when the version is not there yet (minutes, the first time).
 */
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');

const REPO_ROOT = path.resolve(__dirname, '../../..');
const INSTALL_SCRIPT = path.join(REPO_ROOT, 'scripts/e2e/install-n8n.sh');
/** The newest 2.x that installs here (runs on Node 24) and the oldest n8n the package supports (Node 20). */
const VERSIONS = { latest: '2.41.1', oldest: '1.101.1' };
const DEFAULT_VERSION = process.env.N8N_E2E_VERSION || VERSIONS.latest;
const OWNER = {
	email: 'e2e-owner@example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-Passw0rd!',
};

const cacheRoot = () =>
	path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'n8n-nodes-anyformat');
/** Folder where install-n8n.sh puts n8n@version. */
const n8nDir = (version = DEFAULT_VERSION) => path.join(cacheRoot(), `n8n-${version}`);
const isInstalled = (version = DEFAULT_VERSION) => fs.existsSync(path.join(n8nDir(version), '.install-complete'));

/** Installs n8n@version (once; cached) with scripts/e2e/install-n8n.sh; returns its folder. */
function ensureInstalled(version = DEFAULT_VERSION) {
	if (isInstalled(version)) return n8nDir(version);
	const r = spawnSync('bash', [INSTALL_SCRIPT, version], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' });
	if (r.status !== 0) throw new Error(`install-n8n.sh ${version} failed (exit ${r.status})`);
	return n8nDir(version);
}

/** A TCP port free on 127.0.0.1 right now. */
function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const randomId = (n = 16) => {
	const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	return Array.from(crypto.randomBytes(n), (b) => abc[b % abc.length]).join('');
};

/**
 * Finds n8n's run data in the stdout of `n8n execute --rawOutput`: a JSON object printed with
 * JSON.stringify(data, null, 2), so it starts with a line "{" and ends with a line "}". Log lines come
 * before it, and the process may crash (segfault) after printing, so only the text is trusted.
 * On a failed execution n8n logs the same JSON (at info level) and exits 1. Returns the last such object
 * that has data.resultData, or null.
 */
function parseRunOutput(stdout) {
	const lines = stdout.split(/\r?\n/);
	const starts = [];
	const ends = [];
	lines.forEach((l, i) => {
		if (l === '{') starts.push(i);
		if (l === '}') ends.push(i);
	});
	for (let s = starts.length - 1; s >= 0; s--) {
		for (const e of ends) {
			if (e <= starts[s]) continue;
			try {
				const obj = JSON.parse(lines.slice(starts[s], e + 1).join('\n'));
				if (obj && obj.data && obj.data.resultData) return obj;
			} catch {
				/* not this end line: try the next */
			}
		}
	}
	return null;
}

/** What executeWorkflow() returns: the parsed run plus helpers to read node outputs. */
class ExecutionResult {
	constructor({ run, stdout, stderr, code, signal, ms }) {
		Object.assign(this, { run, stdout, stderr, code, signal, ms });
	}
	/** 'success' | 'error' | n8n's own status. (n8n 1.x prints status 'running' for a finished CLI run.) */
	get status() {
		if (!this.run) return undefined;
		if (this.run.data.resultData.error) return 'error';
		if (this.run.finished) return 'success';
		return this.run.status;
	}
	get runData() {
		return this.run ? this.run.data.resultData.runData : {};
	}
	/** The error of the run (n8n's serialised error object) or undefined. */
	get error() {
		return this.run ? this.run.data.resultData.error : undefined;
	}
	get lastNodeExecuted() {
		return this.run ? this.run.data.resultData.lastNodeExecuted : undefined;
	}
	/** Raw items ({json, binary, pairedItem}) of a node's output (default: first run, output 0). */
	nodeItems(nodeName, { output = 0, runIndex = 0 } = {}) {
		const runs = this.runData[nodeName];
		if (!runs || !runs[runIndex]) throw new Error(`node "${nodeName}" did not run; ran: ${Object.keys(this.runData)}`);
		const r = runs[runIndex];
		if (r.error) throw new Error(`node "${nodeName}" failed: ${r.error.message}`);
		return (r.data && r.data.main && r.data.main[output]) || [];
	}
	/** The .json of each item of a node's output. */
	items(nodeName, opts) {
		return this.nodeItems(nodeName, opts).map((it) => it.json);
	}
}

class N8n {
	/**
	 * Makes an instance (no process yet): a temporary user folder and the environment n8n will run with.
	 * options: version, userFolder (default: a new temp folder), env (extra variables), port,
	 *          keep (leave the folder on dispose; also N8N_E2E_KEEP=1), install (default true: run
	 *          install-n8n.sh if the version is missing).
	 */
	static async create(options = {}) {
		const n = new N8n(options);
		await n._init();
		return n;
	}

	/** create() + start(). */
	static async start(options = {}) {
		const n = await N8n.create(options);
		try {
			await n.start(options);
		} catch (e) {
			await n.dispose();
			throw e;
		}
		return n;
	}

	constructor({ version = DEFAULT_VERSION, userFolder, env = {}, port, keep, install = true } = {}) {
		this.version = version;
		this.installDir = n8nDir(version);
		this._install = install;
		this._ownFolder = !userFolder;
		this.userFolder = userFolder;
		this.extraEnv = env;
		this.port = port;
		this.keep = keep ?? process.env.N8N_E2E_KEEP === '1';
		this.proc = null;
		this.logs = '';
		this.cookie = null;
		this.owner = { ...OWNER };
		this.encryptionKey = 'e2e-encryption-key-0123456789';
	}

	async _init() {
		if (!isInstalled(this.version)) {
			if (!this._install) throw new Error(`n8n ${this.version} is not installed: bash ${INSTALL_SCRIPT} ${this.version}`);
			ensureInstalled(this.version);
		}
		this.nodeBin = fs.readFileSync(path.join(this.installDir, 'node-bin'), 'utf8').trim();
		this.n8nBin = path.join(this.installDir, 'node_modules/n8n/bin/n8n');
		if (!this.userFolder) this.userFolder = await fsp.mkdtemp(path.join(os.tmpdir(), `n8n-e2e-${this.version}-`));
		await fsp.mkdir(this.n8nFolder, { recursive: true });
		this.port = this.port || (await freePort());
	}

	/** <userFolder>/.n8n: database, config, nodes/. */
	get n8nFolder() {
		return path.join(this.userFolder, '.n8n');
	}
	get nodesFolder() {
		return path.join(this.n8nFolder, 'nodes');
	}
	get baseUrl() {
		return `http://127.0.0.1:${this.port}/`;
	}
	/** The production webhook URL for a path: <base>webhook/<path>. */
	webhookUrl(p) {
		return `${this.baseUrl}webhook/${String(p).replace(/^\/+/, '')}`;
	}
	/** The test webhook URL (only while the editor listens for a test event). */
	webhookTestUrl(p) {
		return `${this.baseUrl}webhook-test/${String(p).replace(/^\/+/, '')}`;
	}

	/** The environment of every n8n process of this instance (broker port: fresh per process). */
	env(extra = {}) {
		const e = { ...process.env };
		// the outer test runner's settings must not leak into n8n
		// (jest sets NODE_ENV=test, which makes n8n look for its TypeScript sources)
		for (const k of Object.keys(e)) {
			if (/^(N8N_|DB_|JEST_|EXECUTIONS_)/.test(k) || ['NODE_ENV', 'NODE_OPTIONS', 'NODE_PATH', 'WEBHOOK_URL'].includes(k)) delete e[k];
		}
		delete e.npm_config_nodedir;
		return Object.assign(
			e,
			{
				N8N_USER_FOLDER: this.userFolder,
				N8N_ENCRYPTION_KEY: this.encryptionKey,
				N8N_DIAGNOSTICS_ENABLED: 'false',
				N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
				N8N_PERSONALIZATION_ENABLED: 'false',
				N8N_TEMPLATES_ENABLED: 'false',
				N8N_HIRING_BANNER_ENABLED: 'false',
				N8N_SECURE_COOKIE: 'false',
				N8N_LOG_LEVEL: 'info', // `execute --rawOutput` prints nothing at warn
				N8N_HOST: '127.0.0.1',
				N8N_LISTEN_ADDRESS: '127.0.0.1',
				N8N_PORT: String(this.port),
				N8N_PROTOCOL: 'http',
				WEBHOOK_URL: this.baseUrl,
				N8N_EDITOR_BASE_URL: this.baseUrl,
				GENERIC_TIMEZONE: 'UTC',
				TZ: 'UTC',
				N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
				N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
				N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
				N8N_REINSTALL_MISSING_PACKAGES: 'false',
				DB_TYPE: 'sqlite',
			},
			this.extraEnv,
			extra,
		);
	}

	/** Runs `n8n <args>` to completion; resolves {code, signal, stdout, stderr, ms} (never rejects on exit code). */
	async cli(args, { env = {}, timeoutMs = 300000 } = {}) {
		const brokerPort = await freePort();
		const t0 = Date.now();
		return await new Promise((resolve, reject) => {
			const child = spawn(this.nodeBin, [this.n8nBin, ...args], {
				env: this.env({ N8N_RUNNERS_BROKER_PORT: String(brokerPort), ...env }),
				cwd: this.userFolder,
				stdio: ['ignore', 'pipe', 'pipe'],
				detached: true,
			});
			let stdout = '';
			let stderr = '';
			child.stdout.on('data', (d) => (stdout += d));
			child.stderr.on('data', (d) => (stderr += d));
			const timer = setTimeout(() => {
				stderr += `\n[n8n.js] timed out after ${timeoutMs} ms: killed\n`;
				killGroup(child, 'SIGKILL');
			}, timeoutMs);
			child.on('error', (e) => {
				clearTimeout(timer);
				reject(e);
			});
			child.on('close', (code, signal) => {
				clearTimeout(timer);
				killGroup(child, 'SIGKILL'); // a task runner left behind
				resolve({ code, signal, stdout, stderr, ms: Date.now() - t0 });
			});
		});
	}

	async _cliOk(args, what) {
		const r = await this.cli(args);
		if (r.code !== 0) throw new Error(`${what}: n8n ${args.join(' ')} exited ${r.code} ${r.signal || ''}\n${tail(r.stdout + r.stderr)}`);
		return r;
	}

	async _jsonInput(fileOrObject, kind) {
		if (typeof fileOrObject === 'string') {
			const data = JSON.parse(await fsp.readFile(fileOrObject, 'utf8'));
			return Array.isArray(data) ? data : [data];
		}
		return Array.isArray(fileOrObject) ? fileOrObject : [fileOrObject];
	}

	async _writeTemp(name, list) {
		const file = path.join(this.userFolder, `${name}-${randomId(6)}.json`);
		await fsp.writeFile(file, JSON.stringify(list, null, 2));
		return file;
	}

	/**
	 * Imports credentials (a file holding one object or an array, or the object(s) themselves) with
	 * `n8n import:credentials`. `data` may be a plain object: n8n encrypts it on import. Missing ids are
	 * generated. Returns the ids.
	 */
	async importCredentials(fileOrObject) {
		const list = (await this._jsonInput(fileOrObject)).map((c) => ({ id: randomId(), ...c }));
		const file = await this._writeTemp('credentials', list);
		await this._cliOk(['import:credentials', `--input=${file}`], 'importCredentials');
		return list.map((c) => c.id);
	}

	/**
	 * Imports workflow(s) with `n8n import:workflow` (a file or object(s)). A missing id, and missing
	 * node ids / webhookIds, are generated. Returns the id (or the ids, for an array).
	 */
	async importWorkflow(fileOrObject) {
		const input = typeof fileOrObject === 'string' ? JSON.parse(await fsp.readFile(fileOrObject, 'utf8')) : fileOrObject;
		const list = (Array.isArray(input) ? input : [input]).map((w) => ({
			active: false,
			settings: { executionOrder: 'v1' },
			connections: {},
			...structuredClone(w),
			id: w.id || randomId(),
			nodes: (w.nodes || []).map((n) => ({ id: n.id || crypto.randomUUID(), ...n })),
		}));
		const file = await this._writeTemp('workflows', list);
		await this._cliOk(['import:workflow', `--input=${file}`], 'importWorkflow');
		const ids = list.map((w) => w.id);
		return Array.isArray(input) ? ids : ids[0];
	}

	/**
	 * Runs a workflow once with `n8n execute --id ID --rawOutput` (its first trigger/start node) and
	 * returns an ExecutionResult: .run (n8n's IRun: status, data.resultData.runData...), .items(node),
	 * .error, .code/.signal/.stdout/.stderr/.ms. It does not throw when the workflow fails (see .status
	 * and .error); it throws only when no run data could be read at all.
	 */
	async executeWorkflow(id, { timeoutMs = 300000, env } = {}) {
		const r = await this.cli(['execute', `--id=${id}`, '--rawOutput'], { timeoutMs, env });
		const run = parseRunOutput(r.stdout);
		if (!run) {
			throw new Error(`executeWorkflow ${id}: no run data in the output (exit ${r.code} ${r.signal || ''})\n${tail(r.stdout + r.stderr)}`);
		}
		return new ExecutionResult({ run, ...r });
	}

	/**
	 * Installs a packed community package (npm pack output) the way n8n's "Install community node" does:
	 * unpacks it into <N8N_USER_FOLDER>/.n8n/nodes/node_modules/<name>, drops its dev/peer/optional
	 * dependencies from its package.json, runs `npm install` there with n8n's flags (only when it has
	 * dependencies), and records it in nodes/package.json. n8n loads it at its next start (node types read
	 * `<package name>.<node name>`). Does not touch n8n's database (the UI's "installed packages" list).
	 * Returns {name, version, dir}.
	 */
	async installPackageTarball(tgzPath) {
		const tgz = path.resolve(tgzPath);
		const listing = execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' });
		const pkg = JSON.parse(listing);
		const dir = path.join(this.nodesFolder, 'node_modules', pkg.name);
		await fsp.rm(dir, { recursive: true, force: true });
		await fsp.mkdir(dir, { recursive: true });
		execFileSync('tar', ['-xzf', tgz, '-C', dir, '--strip-components=1']);
		const kept = { ...pkg };
		for (const k of ['devDependencies', 'peerDependencies', 'optionalDependencies']) delete kept[k];
		await fsp.writeFile(path.join(dir, 'package.json'), JSON.stringify(kept, null, 2));
		if (kept.dependencies && Object.keys(kept.dependencies).length) {
			execFileSync(
				'npm',
				['install', '--audit=false', '--fund=false', '--bin-links=false', '--install-strategy=shallow', '--ignore-scripts=true', '--package-lock=false'],
				{ cwd: dir, stdio: 'inherit', env: { ...process.env, PATH: `${path.dirname(this.nodeBin)}:${process.env.PATH}` } },
			);
		}
		const nodesPkgFile = path.join(this.nodesFolder, 'package.json');
		let nodesPkg = { name: 'installed-nodes', private: true, dependencies: {} };
		try {
			nodesPkg = JSON.parse(await fsp.readFile(nodesPkgFile, 'utf8'));
		} catch {
			/* first package */
		}
		nodesPkg.dependencies = { ...(nodesPkg.dependencies || {}), [pkg.name]: pkg.version };
		await fsp.writeFile(nodesPkgFile, JSON.stringify(nodesPkg, null, 2));
		return { name: pkg.name, version: pkg.version, dir };
	}

	/**
	 * Starts `n8n start` on 127.0.0.1:<port>, waits for "Editor is now accessible", sets up the owner
	 * (first start) or logs in, and keeps the session cookie for request(). Resolves with {ms}.
	 */
	async start({ timeoutMs = 240000 } = {}) {
		if (this.proc) throw new Error('already started');
		const t0 = Date.now();
		await this.startCommand('start', [], /Editor is now accessible/, { timeoutMs });
		await this._ensureOwner();
		this.startupMs = Date.now() - t0;
		return { ms: this.startupMs };
	}

	/**
	 * Starts another n8n command of this instance's environment in the background, e.g. a queue-mode
	 * worker (`startCommand('worker', ['--concurrency=10'], /n8n worker is now ready/)`) or webhook
	 * process (`startCommand('webhook', [], /Webhook listener waiting for requests/)`), and waits for
	 * its ready line (start() runs `start` through it, then sets up the owner). The process is `proc`:
	 * stop() ends it, kill('SIGKILL') kills it at once. Resolves with {ms}.
	 */
	async startCommand(command, args = [], ready = /./, { timeoutMs = 240000, env = {} } = {}) {
		if (this.proc) throw new Error('already started');
		const brokerPort = await freePort();
		const t0 = Date.now();
		this.logs = '';
		const child = spawn(this.nodeBin, [this.n8nBin, command, ...args], {
			env: this.env({ N8N_RUNNERS_BROKER_PORT: String(brokerPort), ...env }),
			cwd: this.userFolder,
			stdio: ['ignore', 'pipe', 'pipe'],
			detached: true,
		});
		this.proc = child;
		const logName = command === 'start' ? 'n8n.log' : `n8n-${command}.log`;
		const logFile = fs.createWriteStream(path.join(this.userFolder, logName), { flags: 'a' });
		const onData = (d) => {
			this.logs += d;
			logFile.write(d);
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		this._exited = new Promise((resolve) =>
			child.on('close', (code, signal) => {
				logFile.end();
				this.proc = null;
				resolve({ code, signal });
			}),
		);
		try {
			await this.waitForLog(ready, { timeoutMs });
		} catch (e) {
			await this.stop();
			const what = command === 'start' ? `n8n ${this.version}` : `n8n ${command} (${this.version})`;
			throw new Error(`${what} did not start: ${e.message}\n${tail(this.logs)}`);
		}
		return { ms: Date.now() - t0 };
	}

	/** Sends a signal to the running process group (e.g. SIGKILL: a crash) and waits for it to end. */
	async kill(signal = 'SIGKILL') {
		const child = this.proc;
		if (!child) return;
		killGroup(child, signal);
		await this._exited;
		this.cookie = null;
	}

	/** Resolves when the server's log (since start) matches re; rejects on timeout or exit. */
	async waitForLog(re, { timeoutMs = 60000 } = {}) {
		const until = Date.now() + timeoutMs;
		while (Date.now() < until) {
			if (re.test(this.logs)) return;
			if (!this.proc) throw new Error(`n8n exited while waiting for ${re}`);
			await sleep(200);
		}
		throw new Error(`timed out after ${timeoutMs} ms waiting for ${re}`);
	}

	async _ensureOwner() {
		const setup = await fetch(new URL('rest/owner/setup', this.baseUrl), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(this.owner),
		});
		if (setup.ok) {
			this.cookie = sessionCookie(setup);
			return;
		}
		await this.login();
	}

	/** Logs the owner in again (after a restart, say); keeps the cookie. */
	async login() {
		const res = await fetch(new URL('rest/login', this.baseUrl), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ emailOrLdapLoginId: this.owner.email, email: this.owner.email, password: this.owner.password }),
		});
		if (!res.ok) throw new Error(`login failed: ${res.status} ${await res.text()}`);
		this.cookie = sessionCookie(res);
	}

	/**
	 * A REST call as the logged-in owner: request('GET', 'rest/workflows/ID'). JSON in, JSON out; n8n's
	 * `{data: ...}` envelope is removed. Throws with the body on a non-2xx answer.
	 */
	async request(method, p, body) {
		if (!this.cookie) throw new Error('not started (no session)');
		const res = await fetch(new URL(p.replace(/^\/+/, ''), this.baseUrl), {
			method,
			headers: { cookie: this.cookie, 'content-type': 'application/json', 'browser-id': 'n8n-e2e' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) {
			const err = new Error(`${method} ${p}: ${res.status} ${text.slice(0, 1000)}`);
			err.status = res.status;
			throw err;
		}
		if (!text) return undefined;
		const json = JSON.parse(text);
		return json && typeof json === 'object' && 'data' in json ? json.data : json;
	}

	/** Names of the node types the running server knows (e.g. 'n8n-nodes-anyformat.anyformat'). */
	async nodeTypeNames() {
		const res = await fetch(new URL('types/nodes.json', this.baseUrl), { headers: { cookie: this.cookie } });
		if (!res.ok) throw new Error(`types/nodes.json: ${res.status}`);
		return (await res.json()).map((t) => t.name);
	}

	getWorkflow(id) {
		return this.request('GET', `rest/workflows/${id}`);
	}

	/**
	 * Activates (publishes) a workflow so its triggers register, and waits until they have: 2.x
	 * POST /rest/workflows/ID/activate {versionId}, then (2.40+, where publishing goes through an outbox and
	 * finishes a moment after the call returns) polls GET /rest/workflows/ID/publication-status until
	 * 'published'; throws with the trigger errors when it ends 'failed' or 'partial' (e.g. a trigger's
	 * webhook create() threw). 1.x: PATCH /rest/workflows/ID {active: true, versionId}, synchronous.
	 * Returns the workflow.
	 */
	async activate(id, { timeoutMs = 60000 } = {}) {
		const wf = await this.getWorkflow(id);
		let result;
		try {
			result = await this.request('POST', `rest/workflows/${id}/activate`, { versionId: wf.versionId });
		} catch (e) {
			if (e.status !== 404) throw e;
			return await this.request('PATCH', `rest/workflows/${id}`, { active: true, versionId: wf.versionId });
		}
		await this.waitForPublication(id, 'published', { timeoutMs });
		return result;
	}

	/** Deactivates (unpublishes) a workflow and waits until its triggers are gone (their delete() ran). */
	async deactivate(id, { timeoutMs = 60000 } = {}) {
		const wf = await this.getWorkflow(id);
		let result;
		try {
			result = await this.request('POST', `rest/workflows/${id}/deactivate`, {});
		} catch (e) {
			if (e.status !== 404) throw e;
			return await this.request('PATCH', `rest/workflows/${id}`, { active: false, versionId: wf.versionId });
		}
		await this.waitForPublication(id, 'not_published', { timeoutMs });
		return result;
	}

	/**
	 * 2.x: the workflow's publication status ({status: 'in_progress'|'not_published'|'published'|'partial'|
	 * 'failed', triggers: [{nodeId, status, errorMessage}]}); null where n8n has no such endpoint (1.x).
	 */
	async publicationStatus(id) {
		try {
			return await this.request('GET', `rest/workflows/${id}/publication-status`);
		} catch (e) {
			if (e.status === 404) return null;
			throw e;
		}
	}

	/** Polls publicationStatus(id) until it settles on `want`; throws on 'failed'/'partial' or timeout. */
	async waitForPublication(id, want, { timeoutMs = 60000 } = {}) {
		const until = Date.now() + timeoutMs;
		let st = null;
		while (Date.now() < until) {
			st = await this.publicationStatus(id);
			if (st === null) return null; // n8n without a publication outbox: the call was synchronous
			if (st.status === want) return st;
			if (st.status !== 'in_progress' && ['failed', 'partial'].includes(st.status)) {
				const why = (st.triggers || []).filter((t) => t.errorMessage).map((t) => `${t.nodeId}: ${t.errorMessage}`);
				const err = new Error(`workflow ${id} publication ${st.status}: ${why.join('; ') || 'no error message'}`);
				err.publication = st;
				throw err;
			}
			await sleep(200);
		}
		throw new Error(`workflow ${id}: publication status still ${st && st.status} after ${timeoutMs} ms (wanted ${want})`);
	}

	/** Executions (newest first) as the REST API lists them; filter e.g. {workflowId}. */
	async listExecutions(filter = {}) {
		const q = encodeURIComponent(JSON.stringify(filter));
		const data = await this.request('GET', `rest/executions?filter=${q}&limit=100`);
		return Array.isArray(data) ? data : data.results;
	}

	/** One execution with its run data (parsed from n8n's flatted storage format when needed). */
	async getExecution(id) {
		const ex = await this.request('GET', `rest/executions/${id}`);
		if (ex && typeof ex.data === 'string') ex.data = unflatten(ex.data);
		return ex;
	}

	/** Polls listExecutions(filter) until `count` are finished (not running/new/waiting). */
	async waitForExecutions(filter = {}, { count = 1, timeoutMs = 60000 } = {}) {
		const until = Date.now() + timeoutMs;
		let last = [];
		while (Date.now() < until) {
			last = await this.listExecutions(filter);
			const done = last.filter((e) => !['running', 'new', 'waiting'].includes(e.status));
			if (done.length >= count) return done;
			await sleep(300);
		}
		throw new Error(`timed out waiting for ${count} execution(s); have ${JSON.stringify(last.map((e) => e.status))}`);
	}

	/** Stops the server (SIGTERM, then SIGKILL after graceMs). Keeps the user folder. */
	async stop({ graceMs = 20000 } = {}) {
		const child = this.proc;
		if (!child) return;
		killGroup(child, 'SIGTERM');
		const t = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
		await this._exited;
		clearTimeout(t);
		killGroup(child, 'SIGKILL');
		this.cookie = null;
	}

	/** stop() + start(): loads newly installed packages. */
	async restart(opts) {
		await this.stop();
		return await this.start(opts);
	}

	/** Stops the server and removes the temporary user folder (unless keep / N8N_E2E_KEEP=1). */
	async dispose() {
		await this.stop();
		if (this._ownFolder && !this.keep && this.userFolder) await fsp.rm(this.userFolder, { recursive: true, force: true });
	}
}

function killGroup(child, sig) {
	try {
		process.kill(-child.pid, sig);
	} catch {
		/* gone */
	}
}

function sessionCookie(res) {
	const raw = typeof res.headers.getSetCookie === 'function' ? res.headers.getSetCookie() : [res.headers.get('set-cookie')];
	const c = raw.filter(Boolean).map((s) => s.split(';')[0]).find((s) => s.startsWith('n8n-auth='));
	if (!c) throw new Error('no n8n-auth cookie in the answer');
	return c;
}

/** Decodes n8n's `flatted` serialisation of execution data (an array whose strings index into it). */
function unflatten(text) {
	const arr = JSON.parse(text);
	if (!Array.isArray(arr)) return arr;
	const seen = new Map();
	const revive = (v) => {
		if (typeof v === 'string' && /^\d+$/.test(v)) return get(Number(v));
		return v;
	};
	const get = (i) => {
		if (seen.has(i)) return seen.get(i);
		const v = arr[i];
		if (v === null || typeof v !== 'object') {
			seen.set(i, v);
			return v;
		}
		const out = Array.isArray(v) ? [] : {};
		seen.set(i, out);
		for (const [k, x] of Object.entries(v)) out[k] = revive(x);
		return out;
	};
	return get(0);
}

function tail(s, n = 4000) {
	return s.length > n ? `…${s.slice(-n)}` : s;
}

module.exports = {
	N8n,
	ExecutionResult,
	VERSIONS,
	DEFAULT_VERSION,
	OWNER,
	n8nDir,
	isInstalled,
	ensureInstalled,
	freePort,
	parseRunOutput,
	unflatten,
};
