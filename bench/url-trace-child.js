'use strict';
/**
 * Child of bench/url-trace.js: runs the Anyformat node (Run, from a URL or from n8n's binary store) on
 * a small file twice (warm-up), then once on the big one, and reports for the big run: RSS and
 * `process.memoryUsage()` peaks (sampled every 10 ms, from a collected heap), where the downloaded
 * bytes live (socket reads vs. the HTTP body pieces made from them, and whether a piece shares its
 * socket read's memory) and every Buffer of 4 KB or more made in JavaScript, by caller (a copy, e.g. a
 * stream joining two buffered chunks). A diagnosis, not the benchmark: the hooks cost time.
 * Usage: node bench/url-trace-child.js <simulator url> <api key> <small> <big> [url|binary|pipe]
 * `pipe`: the warm-up runs go through the node (from the URL), the big file does not: it is piped by
 * plain Node (`http.get` → `res.pipe(http.request)`, multipart framing written by hand) straight into
 * the simulator: the floor any streaming download-to-upload in this process can reach.
 */
require('./ts-register');

const http = require('node:http');
const net = require('node:net');

const [simUrl, apiKey, small, big, mode = 'url'] = process.argv.slice(2);
const { runChildMain } = require('./child-main');
const { runOnce } = require('./run-once');

let tracing = false;
const copies = new Map();
for (const name of ['allocUnsafe', 'allocUnsafeSlow', 'alloc', 'concat', 'from']) {
	const original = Buffer[name];
	Buffer[name] = function (...args) {
		const out = original.apply(this, args);
		if (tracing && out && out.length >= 4096) {
			const where = new Error().stack.split('\n').slice(2, 6).map((l) => l.trim().replace(/\(.*node_modules\//, '(')).join(' < ');
			const entry = copies.get(`${name} ${where}`) ?? { count: 0, bytes: 0 };
			entry.count++;
			entry.bytes += out.length;
			copies.set(`${name} ${where}`, entry);
		}
		return out;
	};
}

const pieces = { socketReads: 0, socketBytes: 0, bodyPieces: 0, bodyBytes: 0, bodyPiecesSharingSocketMemory: 0 };
const socketMemory = new WeakSet();
const socketPush = net.Socket.prototype.push;
net.Socket.prototype.push = function (chunk, ...rest) {
	if (tracing && chunk && chunk.buffer) {
		pieces.socketReads++;
		pieces.socketBytes += chunk.length;
		socketMemory.add(chunk.buffer);
	}
	return socketPush.call(this, chunk, ...rest);
};
const bodyPush = http.IncomingMessage.prototype.push;
http.IncomingMessage.prototype.push = function (chunk, ...rest) {
	if (tracing && chunk && chunk.buffer) {
		pieces.bodyPieces++;
		pieces.bodyBytes += chunk.length;
		if (socketMemory.has(chunk.buffer)) pieces.bodyPiecesSharingSocketMemory++;
	}
	return bodyPush.call(this, chunk, ...rest);
};

const MB = (bytes) => Number((bytes / 2 ** 20).toFixed(1));

async function run(path) {
	global.gc();
	const start = process.memoryUsage();
	const peak = { ...start };
	const timer = setInterval(() => {
		const now = process.memoryUsage();
		for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], now[key]);
	}, 10);
	const began = Date.now();
	tracing = path === big;
	try {
		if (mode === 'pipe' && path === big) await barePipe(path);
		else await runOnce({ simUrl, apiKey, path, mode: mode === 'binary' ? 'binary' : 'url' });
	} finally {
		tracing = false;
		clearInterval(timer);
	}
	return report(start, peak, began);
}

function report(start, peak, began) {
	const fields = (m) => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, MB(v)]));
	return { seconds: (Date.now() - began) / 1000, rssRiseMb: MB(peak.rss - start.rss), startMb: fields(start), peakMb: fields(peak) };
}

/** The download piped into a multipart upload by plain Node, with the source's Content-Length if any. */
async function barePipe(source) {
	const boundary = 'url-trace-boundary';
	const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n`);
	const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
	const res = await new Promise((resolve, reject) => http.get(source, resolve).on('error', reject));
	const length = Number(res.headers['content-length']);
	const headers = { authorization: `Bearer ${apiKey}`, 'content-type': `multipart/form-data; boundary=${boundary}` };
	if (Number.isFinite(length)) headers['content-length'] = head.length + length + tail.length;
	const url = `${simUrl}/v2/workflows/0686bb97-8c30-70f0-8000-00000000a001/run/`;
	await new Promise((resolve, reject) => {
		const req = http.request(url, { method: 'POST', headers }, (answer) => {
			answer.resume();
			answer.on('end', () => (answer.statusCode < 300 ? resolve() : reject(new Error(`HTTP ${answer.statusCode}`))));
		});
		req.on('error', reject);
		req.write(head);
		res.pipe(req, { end: false });
		res.on('end', () => req.end(tail));
	});
}

async function main() {
	await run(small);
	await run(small);
	const bigRun = await run(big);
	const top = [...copies.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 8);
	const report = { mode, ...bigRun, pieces, copiesOver4KB: top.map(([where, e]) => ({ mb: MB(e.bytes), count: e.count, where })) };
	process.stdout.write(`${JSON.stringify(report, null, 1)}\n`);
}

runChildMain(main);
