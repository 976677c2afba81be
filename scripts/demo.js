#!/usr/bin/env node
'use strict';
/**
 * One-command demo (`npm run demo`, via scripts/demo.sh): builds and packs the package, starts the local
 * Anyformat simulator and a real n8n (installed once into a cache folder) with the package installed the
 * way "Install community node" does, imports the example credential and workflows, runs
 * examples/workflows/extract-invoice-from-file.json on examples/documents/invoice-INV-2024-0847.pdf with
 * the n8n CLI and prints the resulting items as JSON on stdout (progress goes to stderr).
 *
 *   npm run demo                       print the items and stop
 *   npm run demo -- --editor           then keep n8n at http://localhost:5678 (and the simulator) until Ctrl-C
 *   options: --port 5678  --listen 127.0.0.1 (0.0.0.0 to reach it from another machine)
 *            --document FILE (run the example on another file)  --n8n-version 2.41.1  --keep (keep the n8n folder)
 *
 * No API key, no account: the credential points at the simulator, which answers like the Anyformat API.
 * Only the first run needs the npm registry (dev dependencies, n8n).
 */
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const ex = require('../test/e2e/lib/examples');
const { N8n, VERSIONS, isInstalled, ensureInstalled } = require('../test/e2e/lib/n8n');
const { createSimulator } = require('../test/simulator');

const DEMO_OWNER = {
	email: 'demo@example.com',
	firstName: 'Demo',
	lastName: 'User',
	password: 'Demo-Passw0rd!',
};
const EXAMPLE = 'extract-invoice-from-file';
const RUN_NODE = 'Extract Invoice';
const t0 = Date.now();
/** Stops whatever was started (n8n runs in its own process group and would outlive this process). */
let cleanup = async () => {};
const log = (msg) =>
	process.stderr.write(`[demo ${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${msg}\n`);

function parseArgs(argv) {
	const o = {
		editor: false,
		port: 5678,
		listen: '127.0.0.1',
		version: VERSIONS.latest,
		document: null,
		keep: false,
	};
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		const val = () => {
			if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
			return argv[++i];
		};
		if (a === '--editor') o.editor = true;
		else if (a === '--keep') o.keep = true;
		else if (a === '--port') o.port = Number(val());
		else if (a === '--listen') o.listen = val();
		else if (a === '--n8n-version') o.version = val();
		else if (a === '--document') o.document = path.resolve(val());
		else if (a === '-h' || a === '--help') o.help = true;
		else throw new Error(`unknown argument ${a} (try --help)`);
	}
	return o;
}

function portIsFree(port, host) {
	return new Promise((resolve) => {
		const srv = net.createServer();
		srv.once('error', () => resolve(false));
		srv.listen(port, host, () => srv.close(() => resolve(true)));
	});
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	if (opts.help) {
		process.stderr.write(
			fs
				.readFileSync(__filename, 'utf8')
				.split('*/')[0]
				.replace(/^[\s\S]*?\/\*\*/, '') + '\n',
		);
		return;
	}
	if (opts.editor && !(await portIsFree(opts.port, opts.listen))) {
		throw new Error(
			`port ${opts.port} is in use (another n8n?). Stop it, or pick another: npm run demo -- --editor --port 5679`,
		);
	}
	const document = opts.document || ex.SAMPLE_DOCUMENT;
	if (!fs.existsSync(document)) throw new Error(`no such document: ${document}`);

	log('building the package (n8n-node build)');
	ex.buildPackage();
	const tgz = ex.packPackage({ build: false });
	log(`packed ${path.basename(tgz)}`);

	if (!isInstalled(opts.version))
		log(`installing n8n ${opts.version} into a cache folder (once; a few minutes)`);
	ensureInstalled(opts.version);

	const sim = await createSimulator({ processingMs: 1500, allowHttpWebhooks: true });
	log(
		`Anyformat simulator on ${sim.url} (API key ${sim.apiKey}: a test key of the simulator, not a secret)`,
	);

	// the example workflow, pointed at the document
	const workflows = ex.exampleWorkflows();
	const documentsDir = path.dirname(document);
	for (const node of workflows[EXAMPLE].nodes) {
		if (node.parameters && node.parameters.fileSelector) node.parameters.fileSelector = document;
	}
	const baseUrl = `http://localhost:${opts.port}/`;
	const env = opts.editor
		? {
				N8N_LISTEN_ADDRESS: opts.listen,
				N8N_HOST: 'localhost',
				N8N_EDITOR_BASE_URL: baseUrl,
				// the simulator delivers trigger events here (it may call plain http; the real API needs https)
				WEBHOOK_URL: `http://127.0.0.1:${opts.port}/`,
			}
		: {};
	let n8n;
	let stopping = false;
	const shutdown = async (code) => {
		if (stopping) return;
		stopping = true;
		log('stopping n8n and the simulator');
		if (n8n) await n8n.dispose().catch(() => {});
		await sim.close().catch(() => {});
		if (n8n && opts.keep) log(`n8n's folder kept: ${n8n.userFolder}`);
		process.exit(code);
	};
	cleanup = async () => {
		if (n8n) await n8n.dispose().catch(() => {});
		await sim.close().catch(() => {});
	};
	process.on('SIGINT', () => shutdown(0));
	process.on('SIGTERM', () => shutdown(0));

	log(
		`preparing n8n ${opts.version}: package, credential "${ex.EXAMPLE_CREDENTIAL.name}", ${Object.keys(workflows).length} example workflows`,
	);
	({ n8n } = await ex.n8nWithExamples({
		version: opts.version,
		sim,
		tgz,
		workflows,
		keep: opts.keep,
		port: opts.editor ? opts.port : undefined,
		env: { ...ex.exampleEnv({ documentsDir: [ex.DOCUMENTS_DIR, documentsDir].join(';') }), ...env },
	}));

	log(
		`running "${workflows[EXAMPLE].name}" on ${path.relative(process.cwd(), document) || document} with the n8n CLI`,
	);
	const result = await n8n.executeWorkflow(workflows[EXAMPLE].id);
	if (result.error) {
		log(
			`the workflow failed: ${result.error.message}${result.error.description ? ` — ${result.error.description}` : ''}`,
		);
		await shutdown(1);
		return;
	}
	const items = result.items(RUN_NODE);
	log(`"${RUN_NODE}" output ${items.length} item(s) in ${(result.ms / 1000).toFixed(1)} s:`);
	process.stdout.write(`${JSON.stringify(items, null, 2)}\n`);

	if (!opts.editor) {
		log('done. `npm run demo -- --editor` keeps n8n open at http://localhost:5678 to look around.');
		await shutdown(0);
		return;
	}

	n8n.owner = { ...DEMO_OWNER };
	log(`starting the n8n editor on ${baseUrl}`);
	await n8n.start();
	const list = Object.entries(workflows)
		.map(
			([file, w]) =>
				`    ${baseUrl}workflow/${w.id}   ${w.name}  (examples/workflows/${file}.json)`,
		)
		.join('\n');
	process.stderr.write(
		[
			'',
			`  n8n ${opts.version} is running at ${baseUrl}`,
			`  log in as ${DEMO_OWNER.email} / ${DEMO_OWNER.password}`,
			'',
			`  The credential "${ex.EXAMPLE_CREDENTIAL.name}" points at the simulator (${sim.url}), which stays up too.`,
			'  Example workflows (open one and press "Execute workflow"):',
			list,
			'  For the trigger pair: activate "(2/2)", then execute "(1/2)"; the trigger\'s execution appears under Executions.',
			'',
			'  Ctrl-C stops n8n and the simulator.',
			'',
		].join('\n') + '\n',
	);
	await new Promise(() => {}); // until a signal
}

main().catch(async (e) => {
	log(`failed: ${e.message}`);
	if (process.env.DEBUG) console.error(e);
	await cleanup();
	process.exit(1);
});
