/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * `npm run bench` (scripts/bench.js): the Anyformat node against the local simulator, side by side
 * with the baseline users build by hand. Prints a table; nothing here asserts. See README → Benchmark.
 *
 * Time scale: the simulator's rate-limit window and processing times are the real ones divided by
 * SCALE (the real API allows 60 submissions and 600 other requests per 60 s window; here per 2.5 s).
 * The node's own clock is not scaled: its fixed delays (poll floors, limiter margins, n8n's per-item
 * overhead) therefore weigh SCALE times more here than against the real API.
 */
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream';

import { AnyformatApi } from '../credentials/AnyformatApi.credentials';
import { Anyformat } from '../nodes/Anyformat/Anyformat.node';
import { mapEnvelopeToItems } from '../nodes/shared/mapping/envelope';
import { makeDocs, runBatch, seeded, startSimulator, type Doc, type Sim } from '../test/batch/helpers';
import { runNode } from '../test/harness';

export const SCALE = 24;
const REAL_WINDOW_MS = 60_000;
const WINDOW_MS = REAL_WINDOW_MS / SCALE;
const LIMITS = { submission: 60, general: 600, windowMs: WINDOW_MS };
/** real processing times of 5 s to 29 s, uniformly spread (seeded) */
const REAL_PROCESSING_MS: [number, number] = [5_000, 29_000];
/** what users build by hand: a Wait node of 5 s between result checks */
const BASELINE_POLL_MS = 5_000 / SCALE;

export interface BenchOptions {
	docs: number;
	seed: number;
	uploadBytes: number;
	partitions: number;
	log: (line: string) => void;
	/** `url`: only the Input Type URL download rows */
	only?: string;
}

interface RunFigures {
	wallMs: number;
	requests: number;
	rateLimited: number;
	duplicates: number;
	correct: number;
	byRoute: Record<string, number>;
}

function processingTimes(count: number, seed: number): (i: number) => number {
	const random = seeded(seed);
	const times = Array.from({ length: count }, () => (REAL_PROCESSING_MS[0] + random() * (REAL_PROCESSING_MS[1] - REAL_PROCESSING_MS[0])) / SCALE);
	return (i) => times[i];
}

function figures(sim: Sim, wallMs: number, correct: number): RunFigures {
	const byRoute: Record<string, number> = {};
	for (const r of sim.ledger.requests) byRoute[r.route ?? 'other'] = (byRoute[r.route ?? 'other'] ?? 0) + 1;
	return {
		wallMs,
		requests: sim.ledger.requests.length,
		rateLimited: sim.ledger.rateLimited.submission + sim.ledger.rateLimited.general,
		duplicates: sim.ledger.duplicates().length,
		correct,
		byRoute,
	};
}

/** The node: one execution of Run (Wait for Results) with one item per document, through n8n-core. */
async function benchNode(docs: Doc[]): Promise<RunFigures> {
	// warm-up on another simulator: module loading and JIT are not the node's steady state
	const warm = await startSimulator({ rateLimit: LIMITS });
	await runBatch({ sim: warm, docs: makeDocs(8, () => 50, 'warmup') });
	await warm.close();

	const sim = await startSimulator({ rateLimit: LIMITS });
	try {
		const result = await runBatch({ sim, docs });
		if (result.error) throw result.error;
		const correct = result.items.filter(
			(item, i) => item.pairedItem && (item.pairedItem as { item: number }).item === i && item.json.invoice_number === docs[i].invoiceNumber,
		).length;
		return figures(sim, result.durationMs, correct);
	} finally {
		await sim.close();
	}
}

/**
 * The baseline: a plain HTTP script doing what users wire by hand (HTTP Request → Wait → HTTP Request
 * → IF "still processing" → back to Wait), one document after another: submit, then ask for that
 * run's results every BASELINE_POLL_MS until they are there. It honours Retry-After on a 429.
 */
async function benchBaseline(docs: Doc[], workflowId: string): Promise<RunFigures> {
	const sim = await startSimulator({ rateLimit: LIMITS });
	const auth = { authorization: `Bearer ${sim.apiKey}` };
	const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
	const call = async (url: string, init: RequestInit): Promise<Response> => {
		for (;;) {
			const res = await fetch(url, init);
			if (res.status !== 429) return res;
			await res.arrayBuffer();
			await sleep(Number(res.headers.get('retry-after') ?? 1) * 1000);
		}
	};
	try {
		const started = Date.now();
		let correct = 0;
		for (const doc of docs) {
			const form = new FormData();
			form.append('file', new Blob([doc.content], { type: 'text/plain' }), doc.fileName);
			const submitted = await call(`${sim.url}/v2/workflows/${workflowId}/run/`, { method: 'POST', headers: auth, body: form });
			const { id } = (await submitted.json()) as { id: string };
			for (;;) {
				await sleep(BASELINE_POLL_MS);
				const res = await call(`${sim.url}/v2/workflows/${workflowId}/files/${id}/results/`, { headers: auth });
				const body = (await res.json()) as any;
				if (res.status === 412) continue;
				if (body?.extractions?.[0]?.fields?.invoice_number?.value === doc.invoiceNumber) correct++;
				break;
			}
		}
		return figures(sim, Date.now() - started, correct);
	} finally {
		await sim.close();
	}
}

/**
 * Peak RSS of a child process (a fresh Node with the harness) while the node uploads a file from
 * n8n's binary store: once with a 1 MB file (the baseline), then with the big one. The child samples
 * process.memoryUsage().rss every 10 ms during each run.
 */
async function benchUpload(bytes: number, log: (line: string) => void) {
	const dir = mkdtempSync(join(tmpdir(), 'anyformat-bench-'));
	const sim = await startSimulator({ rateLimit: LIMITS, processingMs: 50 });
	try {
		const small = join(dir, 'small.pdf');
		const big = join(dir, 'big.pdf');
		writeFile(small, 1024 * 1024, 1);
		log(`bench: writing a ${(bytes / 2 ** 30).toFixed(2)} GiB file in ${dir}`);
		writeFile(big, bytes, 2);
		const child = spawn(process.execPath, ['--expose-gc', join(__dirname, 'upload-child.js'), sim.url, sim.apiKey, small, big], {
			stdio: ['ignore', 'pipe', 'inherit'],
		});
		let out = '';
		child.stdout.on('data', (chunk) => (out += chunk));
		const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
		const line = out.trim().split('\n').pop() ?? '';
		if (code !== 0) throw new Error(`upload child failed (${code}): ${out}`);
		const result = JSON.parse(line) as { small: Sample; big: Sample; idleRss: number };
		const upload = sim.ledger.uploads.find((u) => u.bytes === bytes);
		return { ...result, uploaded: upload?.bytes ?? 0, contentLength: upload?.contentLength ?? null };
	} finally {
		await sim.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

/**
 * The same for Input Type URL: the node downloads the file from a loopback file server (in this
 * process, streaming from disk) and streams it into the upload. Once with Content-Length, once
 * without (the upload is then sent chunked).
 */
async function benchUrlUpload(bytes: number, log: (line: string) => void) {
	const dir = mkdtempSync(join(tmpdir(), 'anyformat-bench-url-'));
	const sim = await startSimulator({ rateLimit: LIMITS, processingMs: 50 });
	const files = createServer((req, res) => {
		const [, mode, name] = (req.url ?? '').split('/');
		const file = join(dir, name ?? '');
		if (!['small.pdf', 'big.pdf'].includes(name ?? '')) return void res.writeHead(404).end();
		const headers: Record<string, string | number> = { 'Content-Type': 'application/pdf' };
		if (mode === 'sized') headers['Content-Length'] = statSync(file).size;
		res.writeHead(200, headers);
		// pipeline, not pipe: when the node's check closes the connection after the first bytes, the
		// file stops being read (pipe went on reading the whole file into the closed response)
		pipeline(createReadStream(file), res, () => {});
	});
	await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
	const base = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
	try {
		writeFile(join(dir, 'small.pdf'), 1024 * 1024, 1);
		log(`bench: writing a ${(bytes / 2 ** 30).toFixed(2)} GiB file in ${dir}`);
		writeFile(join(dir, 'big.pdf'), bytes, 2);
		const runs: Record<string, { small: Sample; big: Sample; idleRss: number; uploaded: number; contentLength: number | null }> = {};
		for (const mode of ['sized', 'chunked']) {
			const mark = sim.ledger.uploads.length;
			const line = await runChild([sim.url, sim.apiKey, `${base}/${mode}/small.pdf`, `${base}/${mode}/big.pdf`, 'url']);
			const upload = sim.ledger.uploads.slice(mark).find((u) => u.bytes === bytes);
			runs[mode] = { ...JSON.parse(line), uploaded: upload?.bytes ?? 0, contentLength: upload?.contentLength ?? null };
		}
		// the baseline, in the same run: the same files uploaded from n8n's binary store
		const mark = sim.ledger.uploads.length;
		const line = await runChild([sim.url, sim.apiKey, join(dir, 'small.pdf'), join(dir, 'big.pdf'), 'binary']);
		const upload = sim.ledger.uploads.slice(mark).find((u) => u.bytes === bytes);
		runs.binary = { ...JSON.parse(line), uploaded: upload?.bytes ?? 0, contentLength: upload?.contentLength ?? null };
		return runs as Record<'sized' | 'chunked' | 'binary', (typeof runs)[string]>;
	} finally {
		files.closeAllConnections();
		files.close();
		await sim.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function runChild(args: string[]): Promise<string> {
	const child = spawn(process.execPath, ['--expose-gc', join(__dirname, 'upload-child.js'), ...args], {
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	let out = '';
	child.stdout.on('data', (chunk) => (out += chunk));
	const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
	if (code !== 0) throw new Error(`upload child failed (${code}): ${out}`);
	return out.trim().split('\n').pop() ?? '';
}

interface Sample {
	peakRss: number;
	startRss: number;
	ms: number;
	ok: boolean;
}

/** A file of `bytes` pseudo-random bytes, written in 1 MiB blocks (never held whole). */
function writeFile(path: string, bytes: number, seed: number) {
	const random = seeded(seed);
	const block = Buffer.alloc(1024 * 1024);
	for (let i = 0; i < block.length; i += 4) block.writeUInt32LE(Math.floor(random() * 2 ** 32), i);
	const fd = openSync(path, 'w');
	try {
		for (let written = 0, n = 0; written < bytes; n++) {
			block.writeUInt32LE(n, 0); // every block differs
			const size = Math.min(block.length, bytes - written);
			writeSync(fd, block, 0, size);
			written += size;
		}
	} finally {
		closeSync(fd);
	}
}

/**
 * Mapping: a results envelope with `partitions` split partitions (one extraction entry each) mapped to
 * items by the node, timed on its own (median of repeated runs) and compared with the end-to-end time
 * of a Run-and-wait of that document through n8n, and with a Get Results of the finished run.
 */
async function benchMapping(partitions: number, processingMs: number) {
	const sim = await startSimulator({ rateLimit: LIMITS });
	const workflowId = '0686bb97-8c30-70f0-8000-0000000bbe01';
	sim.workflows.push({
		id: workflowId,
		key: 'bench-partitions',
		versionId: 'BENCHPART1',
		public: { id: workflowId, name: `Bench: ${partitions} partitions`, description: '', created_at: '2025-01-01T00:00:00.000Z', updated_at: '2025-01-01T00:00:00.000Z', fields: [] },
		build: (c: { fileId: string; name: string }) => bigEnvelope(partitions, c),
	});
	try {
		const docs = makeDocs(1, () => processingMs, 'partitions');
		const credentials = { anyformatApi: { apiKey: sim.apiKey, baseUrl: sim.url } };
		const run = await runBatch({ sim, docs, workflowId });
		if (run.error) throw run.error;
		const collectionId = (run.items[0].json as any).anyformat.collection_id as string;
		const get = await runNode({
			nodeType: new Anyformat(),
			parameters: {
				resource: 'extraction',
				operation: 'getResults',
				workflowId: { __rl: true, mode: 'id', value: workflowId },
				collectionId,
			} as never,
			credentials,
			credentialTypes: [new AnyformatApi()],
		});
		if (get.error) throw get.error;
		const res = await fetch(`${sim.url}/v2/workflows/${workflowId}/files/${collectionId}/results/`, { headers: { authorization: `Bearer ${sim.apiKey}` } });
		const text = await res.text();
		const times: number[] = [];
		let items = 0;
		for (let i = 0; i < 15; i++) {
			const envelope = JSON.parse(text);
			const t = process.hrtime.bigint();
			items = mapEnvelopeToItems(envelope, { output: 'simplified', includeMarkdown: false, minimumConfidence: 80, collectionId, workflowId }).length;
			times.push(Number(process.hrtime.bigint() - t) / 1e6);
		}
		times.sort((a, b) => a - b);
		return {
			partitions,
			items,
			envelopeBytes: text.length,
			mapMs: times[Math.floor(times.length / 2)],
			runMs: run.durationMs,
			runItems: run.items.length,
			getMs: get.durationMs,
			getItems: get.items.length,
		};
	} finally {
		await sim.close();
	}
}

function bigEnvelope(partitions: number, c: { fileId: string; name: string }) {
	const field = (value: unknown, confidence: number, page: number) => ({
		value,
		value_override: null,
		verification_status: 'not_verified',
		confidence,
		evidence: [{ text: String(value), page_number: page }],
	});
	const names = Array.from({ length: partitions }, (_, i) => `invoice_${i + 1}`);
	return {
		parse: { markdown: null, parse_confidence: 95, layout_confidence: 96 },
		classifications: [],
		splits: [
			{
				name: 'invoice',
				confidence: 95,
				files: [{ file_id: c.fileId, file_name: c.name, pages: names.map((_, i) => i + 1) }],
				partitions: names.map((name, i) => ({ name, confidence: 90, files: [{ file_id: c.fileId, file_name: c.name, pages: [i + 1] }] })),
			},
		],
		extractions: names.map((name, i) => ({
			split_name: 'invoice',
			partition: name,
			fields: {
				invoice_number: field(`INV-${i + 1}`, 97, i + 1),
				total_amount: field((i + 1) * 10.5, 75 + (i % 25), i + 1),
				vendor_name: field('Acme Corp', 88, i + 1),
				invoice_date: field('2024-03-01', 91, i + 1),
				line_items: [
					{ description: field('Widget', 95, i + 1), quantity: field(2, 90, i + 1), unit_price: field(4.5, 93, i + 1) },
				],
			},
		})),
		extraction: null,
	};
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);
const mb = (bytes: number) => `${fmt(bytes / 2 ** 20, 1)} MB`;

type UrlRuns = Awaited<ReturnType<typeof benchUrlUpload>>;

function urlRows(options: BenchOptions, url: UrlRuns): Array<[string, string, string, string, boolean | null]> {
	return (['sized', 'chunked'] as const).map((mode) => {
		const run = url[mode];
		// the rise of RSS during the big run itself, from its own start: stricter than peak vs peak (the
		// 1 MB run after the big one starts from the RSS the big one left, which hides a rise)
		const growth = run.big.peakRss - run.big.startRss;
		const base = url.binary;
		const baseGrowth = base.big.peakRss - base.big.startRss;
		return [
			`RSS rise during a ${mb(options.uploadBytes)} run from a URL (${mode === 'sized' ? 'with Content-Length' : 'no Content-Length: chunked'}); baseline: the same file from n8n's binary store`,
			`${mb(growth)} (${mb(run.big.startRss)} → ${mb(run.big.peakRss)})`,
			`${mb(baseGrowth)} (${mb(base.big.startRss)} → ${mb(base.big.peakRss)})`,
			'≤ 64 MB',
			growth <= 64 * 2 ** 20 && run.uploaded === options.uploadBytes,
		];
	});
}

function urlNotes(options: BenchOptions, url: UrlRuns): string[] {
	return (['sized', 'chunked'] as const).map((mode) => {
		const run = url[mode];
		return `- URL (${mode}): ${mb(run.uploaded)} downloaded from a loopback server and received by the simulator with Content-Length ${run.contentLength} in ${fmt(run.big.ms / 1000)} s (checked first, then downloaded again and streamed into the upload; nothing stored); RSS of the child: idle ${mb(run.idleRss)}, 1 MB run ${mb(run.small.startRss)} → ${mb(run.small.peakRss)}, ${mb(options.uploadBytes)} run ${mb(run.big.startRss)} → ${mb(run.big.peakRss)}.`;
	});
}

function markdownTable(rows: Array<[string, string, string, string, boolean | null]>): string {
	return [
		'| figure | this node | baseline | target | met |',
		'|---|---|---|---|---|',
		...rows.map(([a, b, c, d, ok]) => `| ${a} | ${b} | ${c} | ${d} | ${ok === null ? '' : ok ? 'yes' : 'NO'} |`),
	].join('\n');
}

/** `npm run bench -- --only url`: the URL download rows alone. */
async function runUrlBench(options: BenchOptions) {
	options.log('bench: URL download memory …');
	const url = await benchUrlUpload(options.uploadBytes, options.log);
	options.log(`bench: URL: ${JSON.stringify(url)}`);
	return { table: markdownTable(urlRows(options, url)), notes: urlNotes(options, url).join('\n'), url };
}

export async function runBench(options: BenchOptions) {
	const { log } = options;
	if (options.only === 'url') return await runUrlBench(options);
	const docs = makeDocs(options.docs, processingTimes(options.docs, options.seed), 'bench');
	const maxProcessing = Math.max(...docs.map((d) => d.processingMs));
	const submissionFloor = (options.docs * WINDOW_MS) / LIMITS.submission;
	const floor = Math.max(submissionFloor, maxProcessing);
	log(`bench: ${options.docs} documents, processing ${fmt(REAL_PROCESSING_MS[0] / SCALE / 1000)}–${fmt(REAL_PROCESSING_MS[1] / SCALE / 1000)} s, ${LIMITS.submission} submissions / ${LIMITS.general} other requests per ${WINDOW_MS / 1000} s window (real time ÷ ${SCALE})`);
	log(`bench: floor = max(${options.docs} × ${WINDOW_MS / 1000} s / ${LIMITS.submission} = ${fmt(submissionFloor / 1000)} s, longest processing ${fmt(maxProcessing / 1000)} s) = ${fmt(floor / 1000)} s`);

	log('bench: the node …');
	const node = await benchNode(docs);
	log(`bench: the node: ${fmt(node.wallMs / 1000)} s, ${node.requests} requests ${JSON.stringify(node.byRoute)}`);
	log('bench: the baseline (one document after another, polling every ' + `${fmt(BASELINE_POLL_MS / 1000)} s) …`);
	const baseline = await benchBaseline(docs, '0686bb97-8c30-70f0-8000-00000000a001');
	log(`bench: the baseline: ${fmt(baseline.wallMs / 1000)} s, ${baseline.requests} requests ${JSON.stringify(baseline.byRoute)}`);
	log('bench: upload memory …');
	const upload = await benchUpload(options.uploadBytes, log);
	log(`bench: upload: ${JSON.stringify(upload)}`);
	log('bench: URL download memory …');
	const url = await benchUrlUpload(options.uploadBytes, log);
	log(`bench: URL: ${JSON.stringify(url)}`);
	log('bench: mapping …');
	const typicalProcessing = (REAL_PROCESSING_MS[0] + REAL_PROCESSING_MS[1]) / 2 / SCALE;
	const mapping = await benchMapping(options.partitions, typicalProcessing);
	log(`bench: mapping: ${JSON.stringify(mapping)}`);

	const growth = upload.big.peakRss - upload.small.peakRss;
	const rows: Array<[string, string, string, string, boolean | null]> = [
		[
			`wall time ÷ floor (${options.docs} docs; floor ${fmt(floor / 1000)} s)`,
			`${fmt(node.wallMs / floor)} (${fmt(node.wallMs / 1000)} s)`,
			`${fmt(baseline.wallMs / floor)} (${fmt(baseline.wallMs / 1000)} s)`,
			'≤ 1.15',
			node.wallMs / floor <= 1.15,
		],
		[
			'API requests per document',
			`${fmt(node.requests / options.docs)} (${node.requests})`,
			`${fmt(baseline.requests / options.docs)} (${baseline.requests})`,
			'≤ 2.2',
			node.requests / options.docs <= 2.2,
		],
		[
			`peak RSS growth, ${mb(options.uploadBytes)} upload vs 1 MB`,
			`${mb(growth)} (peak ${mb(upload.big.peakRss)} vs ${mb(upload.small.peakRss)})`,
			'—',
			'≤ 64 MB',
			growth <= 64 * 2 ** 20,
		],
		[
			`mapping, ${mapping.partitions}-partition envelope, share of end-to-end`,
			`${fmt((100 * mapping.mapMs) / mapping.runMs)} % (${fmt(mapping.mapMs, 1)} ms of ${fmt(mapping.runMs / 1000)} s)`,
			'—',
			'≤ 5 %',
			mapping.mapMs / mapping.runMs <= 0.05,
		],
	];
	rows.splice(3, 0, ...urlRows(options, url));
	const table = markdownTable(rows);
	const notes = [
		`- the node: ${node.correct}/${options.docs} items paired with their input and holding its results; ${node.rateLimited} answers 429; ${node.duplicates} documents run twice; requests ${Object.entries(node.byRoute).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
		`- the baseline: ${baseline.correct}/${options.docs} results; requests ${Object.entries(baseline.byRoute).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
		`- upload: ${mb(upload.uploaded)} received by the simulator with Content-Length ${upload.contentLength} in ${fmt(upload.big.ms / 1000)} s (streamed into n8n's binary store, then to the API); RSS of the child: idle ${mb(upload.idleRss)}, 1 MB run ${mb(upload.small.startRss)} → ${mb(upload.small.peakRss)}, ${mb(options.uploadBytes)} run ${mb(upload.big.startRss)} → ${mb(upload.big.peakRss)}.`,
		...urlNotes(options, url),
		`- mapping: ${mapping.items} items from ${mb(mapping.envelopeBytes)} of JSON in ${fmt(mapping.mapMs, 1)} ms (median of 15); the same run's Get Results (no waiting) took ${fmt(mapping.getMs)} ms for ${mapping.getItems} items, so mapping is ${fmt((100 * mapping.mapMs) / mapping.getMs, 1)} % of that.`,
		`- machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${mb(totalmem())} RAM, Node ${process.versions.node}; ${new Date().toISOString().slice(0, 10)}; \`npm run bench\`.`,
	].join('\n');
	return { table, notes, node, baseline, upload, url, mapping, floor };
}
