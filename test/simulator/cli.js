#!/usr/bin/env node
'use strict';
// Standalone simulator: prints exactly one line `SIMULATOR_URL=http://HOST:PORT` on stdout once
// listening; everything else goes to stderr. Stops cleanly on SIGTERM / SIGINT.
const { createSimulator } = require('./index');

const USAGE = `usage: node test/simulator/cli.js [--port N] [--host 127.0.0.1] [--api-key KEY] [--processing-ms N]
  [--allow-http-webhooks] [--rate-window-ms N] [--submission-limit N] [--general-limit N] [--verbose]`;

function parseArgs(argv) {
	const opts = {};
	const rateLimit = {};
	const num = (flag, v) => {
		const n = Number(v);
		if (v === undefined || !Number.isFinite(n) || n < 0)
			throw new Error(`${flag} needs a non-negative number`);
		return n;
	};
	for (let i = 0; i < argv.length; i++) {
		let a = argv[i];
		let val;
		const eq = a.indexOf('=');
		if (a.startsWith('--') && eq > 0) {
			val = a.slice(eq + 1);
			a = a.slice(0, eq);
		}
		const next = () => (val !== undefined ? val : argv[++i]);
		switch (a) {
			case '--port':
				opts.port = num(a, next());
				break;
			case '--host':
				opts.host = next();
				break;
			case '--api-key':
				opts.apiKey = next();
				break;
			case '--processing-ms':
				opts.processingMs = num(a, next());
				break;
			case '--allow-http-webhooks':
				opts.allowHttpWebhooks = true;
				break;
			case '--rate-window-ms':
				rateLimit.windowMs = num(a, next());
				break;
			case '--submission-limit':
				rateLimit.submission = num(a, next());
				break;
			case '--general-limit':
				rateLimit.general = num(a, next());
				break;
			case '--verbose':
				opts.log = true;
				break;
			case '-h':
			case '--help':
				process.stderr.write(`${USAGE}\n`);
				process.exit(0);
				break;
			default:
				throw new Error(`unknown argument ${a}`);
		}
	}
	if (Object.keys(rateLimit).length) opts.rateLimit = rateLimit;
	return opts;
}

async function main() {
	let opts;
	try {
		opts = parseArgs(process.argv.slice(2));
	} catch (e) {
		process.stderr.write(`${e.message}\n${USAGE}\n`);
		process.exit(2);
	}
	const sim = await createSimulator(opts);
	process.stdout.write(`SIMULATOR_URL=${sim.url}\n`);
	process.stderr.write(
		`[anyformat-sim] listening on ${sim.url} (scenario workflows: GET ${sim.url}/_sim/scenarios/)\n`,
	);
	let stopping = false;
	const stop = (signal) => {
		if (stopping) return;
		stopping = true;
		process.stderr.write(`[anyformat-sim] ${signal}: shutting down\n`);
		const force = setTimeout(() => process.exit(0), 3000);
		force.unref();
		sim.close().then(
			() => process.exit(0),
			() => process.exit(1),
		);
	};
	process.on('SIGTERM', () => stop('SIGTERM'));
	process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((e) => {
	process.stderr.write(`[anyformat-sim] failed to start: ${e && e.stack}\n`);
	process.exit(1);
});
