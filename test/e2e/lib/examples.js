'use strict';
/**
 * The package as users get it, shared by the e2e tests and the demo (scripts/demo.js):
 *  - packPackage(): `npm pack` of the built package (dist/), the tarball "Install community node" installs;
 *  - exampleWorkflows(): examples/workflows/*.json, with the sample document's path made absolute;
 *  - exampleCredential(): the credential those workflows name, pointing at a simulator;
 *  - exampleEnv(): what an n8n instance running the examples needs (file access to examples/documents).
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const REPO_ROOT = path.resolve(__dirname, '../../..');
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');
const WORKFLOWS_DIR = path.join(EXAMPLES_DIR, 'workflows');
const DOCUMENTS_DIR = path.join(EXAMPLES_DIR, 'documents');
const SAMPLE_DOCUMENT = path.join(DOCUMENTS_DIR, 'invoice-INV-2024-0847.pdf');
/** The folder the committed workflows read from: n8n 2.x's default file-access folder in its Docker image. */
const DOCUMENT_FOLDER_IN_EXAMPLES = '/home/node/.n8n-files/';
/** The credential every example workflow names. */
const EXAMPLE_CREDENTIAL = { id: 'anyformat-local', name: 'Anyformat (local simulator)' };
const PACKAGE_NAME = 'n8n-nodes-anyformat';
const NODE_TYPE = `${PACKAGE_NAME}.anyformat`;
const TRIGGER_TYPE = `${PACKAGE_NAME}.anyformatTrigger`;
const POLL_TRIGGER_TYPE = `${PACKAGE_NAME}.anyformatPollingTrigger`;
/** The simulator's scenario workflows (test/simulator/scenarios.js). */
const SCENARIO = {
	invoice: '0686bb97-8c30-70f0-8000-00000000a001',
	split: '0686bb97-8c30-70f0-8000-00000000a002',
	parseOnly: '0686bb97-8c30-70f0-8000-00000000a003',
};

/** Names of the example workflow files (without .json). */
function exampleNames() {
	return fs
		.readdirSync(WORKFLOWS_DIR)
		.filter((f) => f.endsWith('.json'))
		.map((f) => f.slice(0, -5))
		.sort();
}

/**
 * One example workflow as n8n should import it here: the committed JSON with file paths under
 * /home/node/.n8n-files/ pointed at `documentsDir` (default: examples/documents).
 */
function exampleWorkflow(name, { documentsDir = DOCUMENTS_DIR } = {}) {
	const wf = JSON.parse(fs.readFileSync(path.join(WORKFLOWS_DIR, `${name}.json`), 'utf8'));
	for (const node of wf.nodes) {
		const sel = node.parameters && node.parameters.fileSelector;
		if (typeof sel === 'string' && sel.startsWith(DOCUMENT_FOLDER_IN_EXAMPLES)) {
			node.parameters.fileSelector = path.join(
				documentsDir,
				sel.slice(DOCUMENT_FOLDER_IN_EXAMPLES.length),
			);
		}
	}
	return wf;
}

/** All example workflows, {name: workflow}. */
function exampleWorkflows(opts) {
	return Object.fromEntries(exampleNames().map((n) => [n, exampleWorkflow(n, opts)]));
}

/** The credential the examples use, for `n8n import:credentials`. */
function exampleCredential({ baseUrl, apiKey }) {
	return { ...EXAMPLE_CREDENTIAL, type: 'anyformatApi', data: { apiKey, baseUrl } };
}

/**
 * Environment for an n8n that runs the examples: the Read/Write Files node may read examples/documents
 * (n8n 2.x allows only ~/.n8n-files by default), and binaries live on disk (n8n 1.x keeps them in memory
 * by default, where the node cannot stream them).
 */
function exampleEnv({ documentsDir = DOCUMENTS_DIR } = {}) {
	return { N8N_RESTRICT_FILE_ACCESS_TO: documentsDir, N8N_DEFAULT_BINARY_DATA_MODE: 'filesystem' };
}

/** `npm pack` output of dist/ newer than every source file? */
function distIsFresh() {
	const stamp = path.join(REPO_ROOT, 'dist/nodes/Anyformat/Anyformat.node.js');
	if (!fs.existsSync(stamp)) return false;
	const built = fs.statSync(stamp).mtimeMs;
	const newest = (dir) => {
		let m = 0;
		for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
			const p = path.join(dir, e.name);
			m = Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
		}
		return m;
	};
	return (
		['nodes', 'credentials', 'icons'].every((d) => newest(path.join(REPO_ROOT, d)) <= built) &&
		fs.statSync(path.join(REPO_ROOT, 'package.json')).mtimeMs <= built
	);
}

/** `n8n-node build` (dist/) under the repo's toolchain. */
function buildPackage({ log = () => {} } = {}) {
	const t0 = Date.now();
	execFileSync('npx', ['--no-install', 'n8n-node', 'build'], {
		cwd: REPO_ROOT,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	log(`built dist/ in ${Date.now() - t0} ms`);
}

/**
 * The package tarball, as `npm pack` makes it: ANYFORMAT_E2E_TGZ when set (scripts/e2e/run.sh packs once
 * for the whole suite), else build when dist/ is missing or older than the sources (or always with
 * `build: true`) and pack into a temp folder. Returns the .tgz path.
 */
function packPackage({ build, log = () => {} } = {}) {
	const given = process.env.ANYFORMAT_E2E_TGZ;
	if (given && fs.existsSync(given) && !build) return given;
	if (build || !distIsFresh()) buildPackage({ log });
	const dest = fs.mkdtempSync(path.join(os.tmpdir(), 'anyformat-pack-'));
	process.once('exit', () => fs.rmSync(dest, { recursive: true, force: true }));
	const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', dest], {
		cwd: REPO_ROOT,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const tgz = path.join(dest, out.trim().split('\n').pop());
	log(`packed ${path.relative(REPO_ROOT, tgz) || tgz}`);
	return tgz;
}

/** The node types, credentials the tarball declares (package.json "n8n"). */
function declaredInTarball(tgz) {
	const pkg = JSON.parse(
		execFileSync('tar', ['-xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }),
	);
	return {
		name: pkg.name,
		version: pkg.version,
		nodes: pkg.n8n.nodes,
		credentials: pkg.n8n.credentials,
	};
}

/** The n8n versions a suite runs on: N8N_E2E_VERSIONS (comma-separated) or `fallback`. */
function versionsFromEnv(name, fallback) {
	return (process.env[name] || fallback)
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
}

/**
 * A real n8n (test/e2e/lib/n8n.js, not started) with the packed package installed from `tgz`, the
 * example credential pointing at `sim` ({url, apiKey}) and the given workflows imported
 * (default: every example). Returns {n8n, installed, workflows}.
 */
async function n8nWithExamples({
	version,
	sim,
	tgz,
	env = {},
	workflows = exampleWorkflows(),
	...rest
}) {
	const { N8n } = require('./n8n');
	const n8n = await N8n.create({ version, env: { ...exampleEnv(), ...env }, ...rest });
	try {
		const installed = await n8n.installPackageTarball(tgz);
		await n8n.importCredentials(exampleCredential({ baseUrl: sim.url, apiKey: sim.apiKey }));
		const list = Object.values(workflows);
		if (list.length) await n8n.importWorkflow(list);
		return { n8n, installed, workflows };
	} catch (e) {
		await n8n.dispose();
		throw e;
	}
}

module.exports = {
	versionsFromEnv,
	n8nWithExamples,
	REPO_ROOT,
	EXAMPLES_DIR,
	WORKFLOWS_DIR,
	DOCUMENTS_DIR,
	SAMPLE_DOCUMENT,
	EXAMPLE_CREDENTIAL,
	PACKAGE_NAME,
	NODE_TYPE,
	TRIGGER_TYPE,
	POLL_TRIGGER_TYPE,
	SCENARIO,
	exampleNames,
	exampleWorkflow,
	exampleWorkflows,
	exampleCredential,
	exampleEnv,
	packPackage,
	buildPackage,
	distIsFresh,
	declaredInTarball,
};
