'use strict';
/**
 * Child process of the scale benchmark (bench/scale.ts): a fresh Node with the test harness, so that
 * each process has its own pacer registry (as each n8n worker has) and its own RSS. Prints one JSON line.
 *
 *   node bench/scale-child.js executions <url> <keys,comma,separated> <count> <prefix> <processing ms,...>
 *     <count> executions of one document each, all started at once; execution i uses key i (or the
 *     only key). -> {startedAt, endedAt, correct}
 *   node bench/scale-child.js tenk <url> <key> <docs> <processing ms> <dump file>
 *     one execution of <docs> documents; samples its RSS every 10 ms; writes the output items' JSON to
 *     <dump file>. -> {startRss, peakRss, ms, correct} (after a warm-up run of 2 documents)
 *   node bench/scale-child.js passthrough <url> <key> <docs> <processing ms> <dump file>
 *     the same input items, through a node that only outputs the dumped items (n8n's own item storage,
 *     without the Anyformat node's state), after the same warm-up. -> {startRss, peakRss, ms}
 */
require('./ts-register');

const fs = require('node:fs');
const { makeDocs, runBatch } = require('../test/batch/helpers');
const { runNode } = require('../test/harness');
const { runChildMain } = require('./child-main');

const rss = () => process.memoryUsage().rss;

function sampler() {
	if (global.gc) global.gc();
	const sample = { startRss: rss(), peakRss: rss(), started: Date.now() };
	const startedAt = sample.started;
	const timer = setInterval(() => (sample.peakRss = Math.max(sample.peakRss, rss())), 10);
	// LIVE_HEAP=1: also the peak of the heap still in use, from a collection every 2 s (slows the run)
	// and once more at the end, with the output items held (a short run gets only that one)
	sample.peakLiveHeap = 0;
	const liveSample = () => {
		global.gc();
		sample.peakLiveHeap = Math.max(sample.peakLiveHeap, process.memoryUsage().heapUsed);
	};
	const live = process.env.LIVE_HEAP === '1' && global.gc ? setInterval(liveSample, 2000) : undefined;
	return () => {
		clearInterval(timer);
		if (live) {
			clearInterval(live);
			liveSample();
		}
		sample.peakRss = Math.max(sample.peakRss, rss());
		return { startRss: sample.startRss, peakRss: sample.peakRss, peakLiveHeap: sample.peakLiveHeap, ms: Date.now() - startedAt, startedAt };
	};
}

async function executions(url, keys, count, prefix, processing) {
	const times = processing.split(',').map(Number);
	const docs = makeDocs(Number(count), (i) => times[i % times.length], prefix);
	const keyList = keys.split(',');
	// warm-up: module loading and JIT are not the node's steady state
	await runBatch({ sim: { url, apiKey: keyList[0] }, docs: makeDocs(1, () => 50, `${prefix}warm`) });
	// started by the parent (when every process is ready and a fresh rate-limit window can open)
	if (process.send) {
		const go = new Promise((resolve) => process.once('message', resolve));
		process.send('ready');
		await go;
	}
	const startedAt = Date.now();
	const results = await Promise.all(
		docs.map((doc, i) => runBatch({ sim: { url, apiKey: keyList[i % keyList.length] }, docs: [doc] })),
	);
	const endedAt = Date.now();
	const correct = results.filter((r, i) => !r.error && r.items[0]?.json.invoice_number === docs[i].invoiceNumber).length;
	return { startedAt, endedAt, correct };
}

/** Loads and runs everything once (modules, JIT, n8n services), so that only the big run is measured. */
async function warmUp(url, key) {
	const result = await runBatch({ sim: { url, apiKey: key }, docs: makeDocs(2, () => 50, 'warm') });
	if (result.error) throw result.error;
}

async function tenk(url, key, count, processing, dumpFile) {
	const docs = makeDocs(Number(count), () => Number(processing), 'tenk');
	await warmUp(url, key);
	const done = sampler();
	const result = await runBatch({ sim: { url, apiKey: key }, docs, timeoutSeconds: 86_400 });
	const figures = done();
	if (result.error) throw result.error;
	const correct = result.items.filter((item, i) => item.json.invoice_number === docs[i].invoiceNumber).length;
	fs.writeFileSync(dumpFile, JSON.stringify(result.items.map((item) => item.json)));
	return { ...figures, correct };
}

/** A node that outputs the items the Anyformat node produced, paired with the same inputs. */
function passthroughNode(outputs) {
	return {
		description: {
			displayName: 'Passthrough',
			name: 'passthrough',
			group: ['transform'],
			version: 1,
			description: '',
			defaults: { name: 'Passthrough' },
			inputs: ['main'],
			outputs: ['main'],
			properties: [],
		},
		async execute() {
			return [outputs.map((json, i) => ({ json, pairedItem: { item: i } }))];
		},
	};
}

async function passthrough(url, key, count, processing, dumpFile) {
	await warmUp(url, key);
	const docs = makeDocs(Number(count), () => Number(processing), 'tenk');
	const outputs = JSON.parse(fs.readFileSync(dumpFile, 'utf8'));
	const items = docs.map((doc) => ({
		json: { doc: doc.index, text: doc.content },
		binary: { data: { data: Buffer.from(doc.content), fileName: doc.fileName, mimeType: 'text/plain' } },
	}));
	const done = sampler();
	const result = await runNode({ nodeType: passthroughNode(outputs), typeName: 'bench.passthrough', parameters: {}, items });
	const figures = done();
	if (result.error) throw result.error;
	return figures;
}

async function main() {
	const [mode, ...args] = process.argv.slice(2);
	const run = { executions, tenk, passthrough }[mode];
	if (!run) throw new Error(`unknown mode ${mode}`);
	process.stdout.write(`${JSON.stringify(await run(...args))}\n`);
}

runChildMain(main, () => process.disconnect?.());
