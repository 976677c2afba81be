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

const [url, apiKey, small, big, mode = 'binary'] = process.argv.slice(2);
const { runChildMain } = require('./child-main');
const { runOnce } = require('./run-once');

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
	let ok;
	try {
		ok = (await runOnce({ simUrl: url, apiKey, path, mode })).items.length === 1;
	} finally {
		clearInterval(timer);
	}
	peakRss = Math.max(peakRss, rss());
	return { peakRss, startRss, ms: Date.now() - started, ok };
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

runChildMain(main);
