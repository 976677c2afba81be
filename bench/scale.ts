/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * The scale rows of `npm run bench` (issue 11), each run in child processes (bench/scale-child.js) so
 * that every process has its own pacer registry and RSS, as n8n workers do:
 *  - 100 concurrent executions × 1 document in one process: one pacer per credential (the node) vs.
 *    pacing per execution (the baseline: each execution its own key of one organization, whose keys
 *    share one budget at the simulator, which is what a limiter per execution amounts to);
 *  - the same 100 executions split over two processes sharing one organization's limit (only the API's
 *    headers coordinate them);
 *  - 10,000 documents in one execution: wall time over the floor, and peak RSS beyond what n8n's own
 *    item storage takes (the same items through a node that only passes them on).
 * Time scale as bench.ts: windows of 2.5 s (60 s ÷ 24).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { seeded, startSimulator, type Sim } from '../test/batch/helpers';

const SCALE = 24;
const WINDOW_MS = 60_000 / SCALE;
const LIMITS = { submission: 60, general: 600, windowMs: WINDOW_MS };
const REAL_PROCESSING_MS: [number, number] = [5_000, 29_000];

export interface ScaleOptions {
	executions: number;
	tenkDocs: number;
	liveHeapDocs: number;
	seed: number;
	log: (line: string) => void;
}

type Row = [string, string, string, string, boolean | null];

/** A child; `onReady` is called when it says it is ready, with a function that lets it go. */
function child(args: string[], env: Record<string, string> = {}, onReady?: (go: () => void) => void): Promise<any> {
	return new Promise((resolve, reject) => {
		const proc = spawn(process.execPath, ['--expose-gc', join(__dirname, 'scale-child.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, ...env } });
		proc.on('message', (message) => {
			if (message === 'ready') onReady ? onReady(() => proc.send('go')) : proc.send('go');
		});
		let out = '';
		proc.stdout.on('data', (chunk) => (out += chunk));
		proc.on('close', (code) => {
			const line = out.trim().split('\n').pop() ?? '';
			if (code !== 0) reject(new Error(`scale child ${args[0]} failed (${code}): ${out}`));
			else resolve(JSON.parse(line));
		});
	});
}

function processing(count: number, seed: number): number[] {
	const random = seeded(seed);
	return Array.from({ length: count }, () => Math.round((REAL_PROCESSING_MS[0] + random() * (REAL_PROCESSING_MS[1] - REAL_PROCESSING_MS[0])) / SCALE));
}

interface Figures {
	wallMs: number;
	correct: number;
	rateLimited: number;
	requests: number;
	/** the most 429s any one window saw */
	worstWindow429: number;
	duplicates: number;
}

/** Runs the executions in `processes` children against a fresh simulator; `perExecution`: a key each. */
async function executions(total: number, processes: number, perExecution: boolean, times: number[]): Promise<Figures> {
	const keys = Array.from({ length: total }, (_, i) => `af_bench_key_${i}`);
	const sim: Sim = await startSimulator({
		rateLimit: LIMITS,
		apiKey: perExecution ? keys : keys[0],
		...(perExecution ? { sharedOrganization: true, rateLimitPer: 'organization' } : {}),
	});
	try {
		const share = Math.ceil(total / processes);
		// every process warms up, then all start together in a fresh window of the simulator's limit,
		// so that the figures do not depend on where in a window the warm-ups left it
		const waiting: Array<() => void> = [];
		const ready = (go: () => void) => {
			waiting.push(go);
			if (waiting.length < processes) return;
			const windowEnds = [...(sim as any).limiter.buckets.values()].map((b: { start: number }) => b.start + WINDOW_MS);
			setTimeout(() => waiting.forEach((release) => release()), Math.max(0, ...windowEnds.map((end) => end - Date.now())) + 20);
		};
		const runs = await Promise.all(
			Array.from({ length: processes }, (_, p) => {
				const count = Math.min(share, total - p * share);
				const own = perExecution ? keys.slice(p * share, p * share + count) : [keys[0]];
				return child(['executions', sim.url, own.join(','), String(count), `p${p}x`, times.slice(p * share, p * share + count).join(',')], {}, ready);
			}),
		);
		const startedAt = Math.min(...runs.map((r) => r.startedAt));
		const endedAt = Math.max(...runs.map((r) => r.endedAt));
		const limited = sim.ledger.requests.filter((r) => r.status === 429 && r.time >= startedAt);
		const perWindow = new Map<number, number>();
		for (const r of limited) {
			const window = Math.floor((r.time - startedAt) / WINDOW_MS);
			perWindow.set(window, (perWindow.get(window) ?? 0) + 1);
		}
		return {
			wallMs: endedAt - startedAt,
			correct: runs.reduce((sum, r) => sum + r.correct, 0),
			rateLimited: limited.length,
			requests: sim.ledger.requests.filter((r) => r.time >= startedAt).length,
			worstWindow429: Math.max(0, ...perWindow.values()),
			duplicates: sim.ledger.duplicates().length,
		};
	} finally {
		await sim.close();
	}
}

/** `docs` in one execution, node and passthrough, with LIVE_HEAP=1: the peak heap in use after collections. */
async function liveHeap(docs: number, log: (line: string) => void) {
	const dir = mkdtempSync(join(tmpdir(), 'anyformat-bench-live-'));
	const sim: Sim = await startSimulator({ rateLimit: LIMITS });
	const processingMs = String(Math.round(REAL_PROCESSING_MS[0] / SCALE));
	try {
		const dump = join(dir, 'items.json');
		log(`bench: ${docs} documents, live heap (a collection every 2 s) …`);
		const node = await child(['tenk', sim.url, sim.apiKey, String(docs), processingMs, dump], { LIVE_HEAP: '1' });
		const base = await child(['passthrough', sim.url, sim.apiKey, String(docs), processingMs, dump], { LIVE_HEAP: '1' });
		return { node, base };
	} finally {
		await sim.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

async function tenThousand(docs: number, log: (line: string) => void) {
	const dir = mkdtempSync(join(tmpdir(), 'anyformat-bench-tenk-'));
	const sim: Sim = await startSimulator({ rateLimit: LIMITS });
	const processingMs = Math.round(REAL_PROCESSING_MS[0] / SCALE);
	try {
		const dump = join(dir, 'items.json');
		log(`bench: ${docs} documents in one execution (floor ${((docs * WINDOW_MS) / LIMITS.submission / 1000).toFixed(0)} s) …`);
		const node = await child(['tenk', sim.url, sim.apiKey, String(docs), String(processingMs), dump]);
		// the child's warm-up run is not counted
		const requests = sim.ledger.requests.filter((r) => r.time >= node.startedAt).length;
		const rateLimited = sim.ledger.rateLimited.submission + sim.ledger.rateLimited.general;
		const duplicates = sim.ledger.duplicates().length;
		log('bench: the same items passed through without the node …');
		const base = await child(['passthrough', sim.url, sim.apiKey, String(docs), String(processingMs), dump]);
		return { node, base, requests, rateLimited, duplicates, floorMs: Math.max((docs * WINDOW_MS) / LIMITS.submission, processingMs) };
	} finally {
		await sim.close();
		rmSync(dir, { recursive: true, force: true });
	}
}

const fmt = (n: number, digits = 2) => n.toFixed(digits);

export async function runScaleBench(options: ScaleOptions): Promise<{ rows: Row[]; notes: string[] }> {
	const { log } = options;
	const n = options.executions;
	const times = processing(n, options.seed);
	const floor = Math.max((n * WINDOW_MS) / LIMITS.submission, Math.max(...times));
	const rows: Row[] = [];
	const notes: string[] = [];
	const describe = (f: Figures) => `${f.correct}/${n} correct, ${f.duplicates} run twice, ${f.rateLimited} answers 429 (at most ${f.worstWindow429} in one window), ${f.requests} requests`;

	for (const processes of [1, 2]) {
		const label = processes === 1 ? `${n} concurrent executions × 1 document, one process` : `${n} executions × 1 document over two processes, one organization`;
		log(`bench: ${label}: one pacer per credential …`);
		const node = await executions(n, processes, false, times);
		log(`bench: ${label}: pacing per execution …`);
		const base = await executions(n, processes, true, times);
		log(`bench: node ${JSON.stringify(node)}; baseline ${JSON.stringify(base)}`);
		rows.push(
			[`${label}: wall ÷ floor (floor ${fmt(floor / 1000)} s)`, `${fmt(node.wallMs / floor)} (${fmt(node.wallMs / 1000)} s)`, `${fmt(base.wallMs / floor)} (${fmt(base.wallMs / 1000)} s)`, '≤ 1.2', node.wallMs / floor <= 1.2],
			[`${label}: 429s (worst window)`, `${node.rateLimited} (${node.worstWindow429})`, `${base.rateLimited} (${base.worstWindow429})`, '≤ 1 per window', node.worstWindow429 <= 1],
			[`${label}: requests per document`, fmt(node.requests / n), fmt(base.requests / n), '—', null],
		);
		notes.push(`- ${label}: the node ${describe(node)}; per-execution pacing ${describe(base)}.`);
	}

	if (options.tenkDocs > 0) {
		const docs = options.tenkDocs;
		const tenk = await tenThousand(docs, log);
		log(`bench: ${docs} documents: ${JSON.stringify(tenk)}`);
		const ownBytes = tenk.node.peakRss - tenk.base.peakRss;
		rows.push(
			[`${docs} documents in one execution: wall ÷ floor (floor ${fmt(tenk.floorMs / 1000, 0)} s)`, `${fmt(tenk.node.ms / tenk.floorMs)} (${fmt(tenk.node.ms / 1000, 0)} s)`, '—', '≤ 1.05', tenk.node.ms / tenk.floorMs <= 1.05],
			[`${docs} documents: peak RSS beyond n8n's item storage, per document`, `${fmt(ownBytes / docs / 1024)} KB (${fmt(ownBytes / 2 ** 20, 1)} MB; peak ${fmt(tenk.node.peakRss / 2 ** 20, 0)} vs ${fmt(tenk.base.peakRss / 2 ** 20, 0)} MB)`, '—', '< 2 KB', ownBytes / docs < 2048],
		);
		notes.push(`- ${docs} documents in one execution: ${tenk.node.correct}/${docs} correct, ${tenk.duplicates} run twice, ${tenk.rateLimited} answers 429, ${fmt(tenk.requests / docs)} requests per document; the passthrough of the same items peaked at ${fmt(tenk.base.peakRss / 2 ** 20, 0)} MB RSS.`);
	}
	if (options.liveHeapDocs > 0) {
		const docs = options.liveHeapDocs;
		const live = await liveHeap(docs, log);
		log(`bench: live heap: ${JSON.stringify(live)}`);
		const own = live.node.peakLiveHeap - live.base.peakLiveHeap;
		rows.push([
			`${docs} documents: the node's own state, peak live heap beyond n8n's item storage, per document`,
			`${fmt(own / docs / 1024)} KB (${fmt(own / 2 ** 20, 1)} MB; ${fmt(live.node.peakLiveHeap / 2 ** 20, 0)} vs ${fmt(live.base.peakLiveHeap / 2 ** 20, 0)} MB)`,
			'—',
			'< 2 KB',
			own / docs < 2048,
		]);
	}
	return { rows, notes };
}
