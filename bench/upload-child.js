'use strict';
/**
 * Child process of the benchmark: a fresh Node with the test harness, that runs the Anyformat node on
 * one binary file (stored in n8n's binary store by streaming, as n8n does) and samples its own RSS
 * every 10 ms while it runs (started with --expose-gc: each run starts from a collected heap). First a
 * warm-up, then the 1 MB file (the baseline), then the big one, then the 1 MB file again.
 * Prints one JSON line: {idleRss, small: {peakRss, startRss, ms, ok}, big: {...}}.
 * Usage: node bench/upload-child.js <simulator url> <api key> <small file> <big file> [binary|url]
 * With `url`, the two files are links (Input Type URL): the node downloads each one and streams it
 * into the upload, nothing stored.
 */
require('./ts-register');

const fs = require('node:fs');
const [url, apiKey, small, big, mode = 'binary'] = process.argv.slice(2);
const { runNode, cleanupHarnessTempDir, AUDIT_FILE } = require('../test/harness');
const { Anyformat } = require('../nodes/Anyformat/Anyformat.node');
const { AnyformatApi } = require('../credentials/AnyformatApi.credentials');

const rss = () => process.memoryUsage().rss;

async function upload(path) {
	// every run starts from a collected heap, so that the runs compare
	if (global.gc) global.gc();
	const startRss = rss();
	let peakRss = startRss;
	const timer = setInterval(() => {
		peakRss = Math.max(peakRss, rss());
	}, 10);
	const started = Date.now();
	const result = await runNode({
		nodeType: new Anyformat(),
		parameters: {
			resource: 'extraction',
			operation: 'run',
			workflowId: { __rl: true, mode: 'id', value: '0686bb97-8c30-70f0-8000-00000000a001' },
			...(mode === 'url' ? { inputType: 'url', url: path } : { inputType: 'binary' }),
			waitForResults: true,
			options: { maxDownloadSize: 10240 },
		},
		credentials: { anyformatApi: { apiKey, baseUrl: url } },
		credentialTypes: [new AnyformatApi()],
		items: [mode === 'url' ? { json: {} } : { json: {}, binary: { data: { data: path, mimeType: 'application/pdf' } } }],
	});
	clearInterval(timer);
	peakRss = Math.max(peakRss, rss());
	if (result.error) throw result.error;
	return { peakRss, startRss, ms: Date.now() - started, ok: result.items.length === 1 };
}

async function main() {
	const idleRss = rss();
	await upload(small); // warm-up: modules, JIT, n8n services
	const first = await upload(small);
	const bigRun = await upload(big);
	const second = await upload(small);
	// the 1 MB baseline: the higher of the runs before and after the big one
	const smallRun = second.peakRss > first.peakRss ? second : first;
	process.stdout.write(`${JSON.stringify({ idleRss, small: smallRun, big: bigRun })}\n`);
}

main()
	.catch((error) => {
		process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
		process.exitCode = 1;
	})
	.finally(() => {
		cleanupHarnessTempDir();
		fs.rmSync(AUDIT_FILE, { force: true });
	});
