#!/usr/bin/env node
'use strict';
/**
 * Where the memory of a run from a URL goes (a diagnosis for README → Benchmark, not a benchmark):
 *   node bench/url-trace.js [sized|chunked|binary|pipe-sized|pipe-chunked] [MB=256]
 * Starts the simulator and a loopback file server (with or without Content-Length), then a child
 * (bench/url-trace-child.js, with --expose-gc; NODE_FLAGS adds more, e.g. --trace-gc) that runs the
 * node on the file (`pipe-…`: plain Node pipes the big file, see the child). THROTTLE=16 puts a proxy in front of the simulator that takes the upload at 16
 * MB/s: if the download did not wait for the upload, the child's memory would grow with the file, and
 * the lead of the download over the upload (printed every 2 s) would grow too.
 */
require('./ts-register');

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { pipeline } = require('node:stream');
const { startSimulator } = require('../test/batch/helpers');

const mode = process.argv[2] ?? 'sized';
const bigMb = Number(process.argv[3] ?? 256);
const throttle = Number(process.env.THROTTLE ?? 0);

function writeFile(path, bytes) {
	const block = crypto.randomBytes(1024 * 1024);
	const fd = fs.openSync(path, 'w');
	for (let written = 0, n = 0; written < bytes; n++) {
		block.writeUInt32LE(n, 0);
		const size = Math.min(block.length, bytes - written);
		fs.writeSync(fd, block, 0, size);
		written += size;
	}
	fs.closeSync(fd);
}

/** A proxy that reads the upload at `mbPerSecond`. */
async function slowProxy(target, mbPerSecond, counter) {
	const proxy = net.createServer((client) => {
		const upstream = net.connect(Number(target.port), target.hostname);
		upstream.pipe(client);
		client.on('data', (chunk) => {
			counter.uploaded += chunk.length;
			upstream.write(chunk);
			client.pause();
			setTimeout(() => client.resume(), (chunk.length / (mbPerSecond * 2 ** 20)) * 1000);
		});
		client.on('end', () => upstream.end());
		client.on('error', () => upstream.destroy());
		upstream.on('error', () => client.destroy());
	});
	await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	return proxy;
}

async function main() {
	const dir = fs.mkdtempSync(join(tmpdir(), 'anyformat-url-trace-'));
	const small = join(dir, 'small.pdf');
	const big = join(dir, 'big.pdf');
	writeFile(small, 2 ** 20);
	writeFile(big, bigMb * 2 ** 20);
	const sim = await startSimulator({ rateLimit: { submission: 60, general: 600, windowMs: 2500 }, processingMs: 50 });
	const counter = { served: 0, uploaded: 0 };
	const proxy = throttle ? await slowProxy(new URL(sim.url), throttle, counter) : undefined;
	const apiUrl = proxy ? `http://127.0.0.1:${proxy.address().port}` : sim.url;
	const files = http.createServer((req, res) => {
		const [, sized, name] = (req.url ?? '').split('/');
		const file = name === 'small.pdf' ? small : big;
		const headers = { 'Content-Type': 'application/pdf' };
		if (sized === 'sized') headers['Content-Length'] = fs.statSync(file).size;
		res.writeHead(200, headers);
		const source = fs.createReadStream(file);
		if (file === big) source.on('data', (chunk) => (counter.served += chunk.length));
		pipeline(source, res, () => {});
	});
	await new Promise((resolve) => files.listen(0, '127.0.0.1', resolve));
	const pipe = mode.startsWith('pipe-');
	const base = `http://127.0.0.1:${files.address().port}/${mode.replace('pipe-', '')}`;
	const inputs = mode === 'binary' ? [small, big, 'binary'] : [`${base}/small.pdf`, `${base}/big.pdf`, pipe ? 'pipe' : 'url'];
	const flags = (process.env.NODE_FLAGS ?? '').split(' ').filter(Boolean);
	const child = spawn(process.execPath, ['--expose-gc', ...flags, join(__dirname, 'url-trace-child.js'), apiUrl, sim.apiKey, ...inputs], { stdio: ['ignore', 'inherit', 'inherit'] });
	const lead = setInterval(() => {
		if (proxy) process.stderr.write(`served ${(counter.served / 2 ** 20).toFixed(0)} MB, uploaded ${(counter.uploaded / 2 ** 20).toFixed(0)} MB\n`);
	}, 2000);
	const code = await new Promise((resolve) => child.on('close', resolve));
	clearInterval(lead);
	files.closeAllConnections();
	files.close();
	proxy?.close();
	await sim.close();
	fs.rmSync(dir, { recursive: true, force: true });
	process.exit(code ?? 1);
}

main().catch((error) => {
	process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
	process.exit(1);
});
