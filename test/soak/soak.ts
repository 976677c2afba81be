/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Fault-injection soak (issue 6): N documents through Extraction → Run with Wait for Results (Continue
 * On Fail on), against the simulator injecting seeded faults of every kind, then an account of every
 * document from the node's output and the simulator's ledger. Used by test/soak/soak.test.ts (small)
 * and `npm run soak` (scripts/soak.js, full size).
 */
import { getCapturedLogs } from '../harness';
import { makeDocs, runBatch, seeded, startSimulator, type Doc, type Sim } from '../batch/helpers';

const { FAULT_KINDS } = require('../simulator') as { FAULT_KINDS: string[] };

export interface SoakOptions {
	docs: number;
	/** the soak fails unless at least this many faults were injected */
	minFaults: number;
	seed: number;
	/** share of eligible requests that get a fault */
	rate: number;
	/** responses held beyond the node's 30 s read timeout (each costs ~30 s of wall time) */
	slowFaults: number;
	rateLimit?: { submission: number; general: number; windowMs: number };
	log?: (line: string) => void;
}

export type Outcome = 'results' | 'error with collection_id' | 'fate unknown' | 'not sent' | 'LOST';

export interface SoakReport {
	docs: number;
	wallMs: number;
	faults: Record<string, number>;
	faultsTotal: number;
	requests: number;
	requestsByRoute: Record<string, number>;
	retries: number;
	rateLimitedAnswers: number;
	recoveredFromList: number;
	recoveredFromAnswer: number;
	resent: number;
	outcomes: Record<Outcome, number>;
	/** documents run more than once (by uploaded sha256) */
	duplicates: number;
	/** documents not accounted for, with why */
	lost: Array<{ doc: number; why: string }>;
	runs: number;
}

const sha256 = (text: string) => require('node:crypto').createHash('sha256').update(text).digest('hex') as string;

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
	const log = options.log ?? (() => {});
	const random = seeded(options.seed);
	const sim: Sim = await startSimulator({
		rateLimit: options.rateLimit ?? { submission: 60, general: 600, windowMs: 10_000 },
	});
	try {
		const docs = makeDocs(options.docs, () => 100 + random() * 1400, `soak${options.seed}`);
		// every kind but `slow`, which is armed a few times on its own (see SoakOptions.slowFaults)
		const kinds = FAULT_KINDS.filter((kind) => kind !== 'slow');
		sim.faults.configure({ seed: options.seed, rate: options.rate, kinds, retryAfterSeconds: 1 });
		const slowRoutes = ['results', 'runs', 'run'];
		for (let i = 0; i < options.slowFaults; i++) sim.faults.once('slow', { route: slowRoutes[i % slowRoutes.length] });
		log(`soak: ${docs.length} documents, fault rate ${options.rate}, seed ${options.seed}, ${options.slowFaults} slow`);

		const logMark = getCapturedLogs().length;
		const started = Date.now();
		const result = await runBatch({ sim, docs, continueOnFail: true });
		const wallMs = Date.now() - started;
		if (result.error) throw result.error;

		const stats = nodeStats(logMark);
		if (process.env.SOAK_TRACE) {
			for (const r of sim.ledger.requests) log(`${String(r.time - started).padStart(6)} ${r.method} ${r.route} ${r.status ?? '-'} ${r.fault ?? ''} ${r.query?.page ? 'p' + r.query.page : ''}`);
		}
		const report = account(sim, docs, result.items);
		const requestsByRoute: Record<string, number> = {};
		for (const r of sim.ledger.requests) requestsByRoute[r.route ?? 'other'] = (requestsByRoute[r.route ?? 'other'] ?? 0) + 1;
		const faults = { ...sim.faults.injected };
		return {
			docs: docs.length,
			wallMs,
			faults,
			faultsTotal: Object.values(faults).reduce((a, b) => a + b, 0),
			requests: sim.ledger.requests.length,
			requestsByRoute,
			retries: Number(stats.retries ?? 0),
			rateLimitedAnswers: Number(stats.rateLimited ?? 0),
			recoveredFromList: Number(stats.recoveredFromList ?? 0),
			recoveredFromAnswer: Number(stats.recoveredFromAnswer ?? 0),
			resent: Number(stats.resent ?? 0),
			...report,
			runs: sim.ledger.runs.length,
		};
	} finally {
		sim.faults.clear();
		await sim.close();
	}
}

/** The node's own counts, from the debug lines it logs at the end of each phase. */
function nodeStats(logMark: number): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const line of getCapturedLogs().slice(logMark)) {
		if (!line.message.startsWith('Anyformat: ')) continue;
		try {
			Object.assign(out, JSON.parse(line.meta));
		} catch {
			// not ours
		}
	}
	return out;
}

/**
 * Every document is exactly one of: its results, paired with it; an error item paired with it that
 * names its run (collection_id) — checked against the run the simulator holds for its content; an
 * error item saying truthfully that the submission's fate is unknown; or one saying it was not sent
 * (then no run may exist for it). And no document ran twice.
 */
function account(sim: Sim, docs: Doc[], items: Array<{ json: any; pairedItem?: any }>) {
	const outcomes: Record<Outcome, number> = {
		results: 0,
		'error with collection_id': 0,
		'fate unknown': 0,
		'not sent': 0,
		LOST: 0,
	};
	const lost: Array<{ doc: number; why: string }> = [];
	const runsBySha = sim.ledger.runsPerSha256();
	const byDoc = new Map<number, Array<{ json: any }>>();
	for (const item of items) {
		const index = item.pairedItem?.item;
		if (typeof index !== 'number') continue;
		byDoc.set(index, [...(byDoc.get(index) ?? []), item]);
	}
	for (const doc of docs) {
		const mine = byDoc.get(doc.index) ?? [];
		const sha = sha256(doc.content);
		const runs = runsBySha.get(sha) ?? 0;
		const fail = (why: string) => {
			outcomes.LOST++;
			lost.push({ doc: doc.index, why });
		};
		if (mine.length !== 1) {
			fail(`${mine.length} output items`);
			continue;
		}
		const json = mine[0].json;
		const anyformat = json.anyformat ?? {};
		const run = anyformat.collection_id ? sim.getRun(anyformat.collection_id) : null;
		if (json.error === undefined) {
			if (json.invoice_number !== doc.invoiceNumber) fail(`results of another document (${json.invoice_number})`);
			else if (!run || run.sha256 !== sha) fail('results name a run of another document');
			else if (runs !== 1) fail(`ran ${runs} times`);
			else outcomes.results++;
			continue;
		}
		const status = anyformat.status;
		if (status === 'unknown') {
			if (runs > 1) fail(`fate unknown but ran ${runs} times`);
			else if (!/Get Results|run this item again/.test(String(json.description))) fail('fate unknown without how to check');
			else outcomes['fate unknown']++;
		} else if (status === 'not_sent' || (!anyformat.collection_id && status !== undefined)) {
			if (runs !== 0) fail(`reported ${status} but a run exists`);
			else outcomes['not sent']++;
		} else if (anyformat.collection_id) {
			if (!run || run.sha256 !== sha) fail(`error names a run of another document (${anyformat.collection_id})`);
			else if (runs !== 1) fail(`ran ${runs} times`);
			else if (!String(json.error).includes(String(doc.index)) && !String(json.error).includes(anyformat.collection_id)) fail('error does not name the item');
			else outcomes['error with collection_id']++;
		} else {
			fail(`error without a run or a fate: ${json.error}`);
		}
	}
	const duplicates = sim.ledger.duplicates().length;
	return { outcomes, lost, duplicates };
}

export function formatReport(r: SoakReport): string {
	const lines = [
		`documents            ${r.docs}`,
		`wall time            ${(r.wallMs / 1000).toFixed(1)} s`,
		`faults injected      ${r.faultsTotal}`,
		...Object.entries(r.faults)
			.sort((a, b) => b[1] - a[1])
			.map(([kind, n]) => `  ${kind.padEnd(20)} ${n}`),
		`API requests         ${r.requests}  (${Object.entries(r.requestsByRoute).map(([k, v]) => `${k} ${v}`).join(', ')})`,
		`retries (node)       ${r.retries}  (429 answers waited out: ${r.rateLimitedAnswers})`,
		`lost answers         recovered from the files list ${r.recoveredFromList}, from a cut answer ${r.recoveredFromAnswer}; documents sent again after proven absence or refusal ${r.resent}`,
		`documents by outcome ${Object.entries(r.outcomes).map(([k, v]) => `${k}: ${v}`).join(', ')}`,
		`runs started         ${r.runs}`,
		`run twice            ${r.duplicates}`,
		`lost                 ${r.lost.length}${r.lost.length ? ` ${JSON.stringify(r.lost.slice(0, 10))}` : ''}`,
	];
	return lines.join('\n');
}
