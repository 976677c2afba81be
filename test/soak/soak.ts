/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Fault-injection soak (issue 6): N documents through Extraction → Run with Wait for Results (Continue
 * On Fail on), against the simulator injecting seeded faults of every kind, then an account of every
 * document from the node's output and the simulator's ledger. Used by test/soak/soak.test.ts (small)
 * and `npm run soak` (scripts/soak.js, full size).
 */
import { getCapturedLogs } from '../harness';
import { makeDocs, runBatch, seeded, startSimulator, type Doc, type Sim } from '../batch/helpers';
import { FAULT_KINDS } from '../simulator/handle';

const { LOST_SUBMISSION_KINDS } = require('../simulator/faults') as { LOST_SUBMISSION_KINDS: string[] };

export interface SoakOptions {
	docs: number;
	/** the soak fails unless at least this many faults were injected */
	minFaults: number;
	seed: number;
	/** share of eligible requests that get a fault */
	rate: number;
	/**
	 * share of submissions that get one: a lost answer now ends its document as "fate unknown" (never
	 * sent again), so at the full rate most documents would never be watched and the reads would see
	 * few faults
	 */
	submissionRate?: number;
	/** responses held beyond the node's 30 s read timeout (each costs ~30 s of wall time) */
	slowFaults: number;
	/** each list fault kind is armed this many times on the runs list */
	listFaults?: number;
	/** each lost-submission kind (answer lost, run created or not) is also armed this many times */
	lostSubmissionFaults?: number;
	/** every other kind but `slow` is also armed once, so that each is drawn at least once */
	armEveryKind?: boolean;
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
	recoveredFromAnswer: number;
	resent: number;
	outcomes: Record<Outcome, number>;
	/** documents run more than once (by uploaded sha256) */
	duplicates: number;
	/** documents not accounted for, with why */
	lost: Array<{ doc: number; why: string }>;
	runs: number;
	/** the four zeros of issue 9, from the simulator's ledger (see `zeros`) */
	zeros: Zeros;
}

export interface Zeros {
	/** documents (by uploaded sha256) the ledger shows started as a run more than once */
	runTwice: number;
	/** output items naming a run (collection_id) that the ledger does not hold for their document's content: another submitter's run, another document's, or one that does not exist */
	adoptedFromAnotherSubmitter: number;
	/** output items without an error whose collection_id is empty or names no run of their document */
	succeededWithoutRunId: number;
	/** documents the ledger shows a run for whose one output item neither names that run nor says "fate unknown" (or that have no output item, or several) */
	lostSilently: number;
}

const sha256 = (text: string) => require('node:crypto').createHash('sha256').update(text).digest('hex') as string;

/**
 * Kinds not armed once (they are still drawn at random): an armed fault stays armed until it applies,
 * and is picked again by every request of its route meanwhile, which keeps that route's random faults
 * away. `proto-subfield` applies only to an envelope with a list field (the soak's invoices have none),
 * `reset-after-delete` only to a DELETE (the soak sends none).
 */
const NOT_ARMED = new Set(['proto-subfield', 'reset-after-delete']);
/** list faults of issue 9 (a page without `count`, a list that ignores `page`) */
export const LIST_KINDS = ['list-no-count', 'list-ignores-page'];

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
	const log = options.log ?? (() => {});
	const random = seeded(options.seed);
	const sim: Sim = await startSimulator({
		rateLimit: options.rateLimit ?? { submission: 60, general: 600, windowMs: 10_000 },
	});
	try {
		const docs = makeDocs(options.docs, () => 100 + random() * 1400, `soak${options.seed}`);
		// every kind the simulator knows but `slow`, which is armed a few times on its own (see SoakOptions.slowFaults)
		const kinds = FAULT_KINDS.filter((kind) => kind !== 'slow');
		sim.faults.configure({
			seed: options.seed,
			rate: options.rate,
			routeRates: { run: options.submissionRate ?? options.rate / 2 },
			kinds,
			retryAfterSeconds: 1,
		});
		const slowRoutes = ['results', 'runs', 'run'];
		for (let i = 0; i < options.slowFaults; i++) sim.faults.once('slow', { route: slowRoutes[i % slowRoutes.length] });
		if (options.armEveryKind) {
			for (const kind of kinds) {
				if (!LOST_SUBMISSION_KINDS.includes(kind) && !NOT_ARMED.has(kind)) sim.faults.once(kind);
			}
		}
		for (let i = 0; i < (options.lostSubmissionFaults ?? 0); i++) {
			for (const kind of LOST_SUBMISSION_KINDS) sim.faults.once(kind, { route: 'run' });
		}
		// the runs list is read a few times a batch, so its faults are armed to be drawn at all
		for (let i = 0; i < (options.listFaults ?? 0); i++) {
			for (const kind of LIST_KINDS) sim.faults.once(kind, { route: 'runs' });
		}
		log(`soak: ${docs.length} documents, fault rate ${options.rate} (submissions ${options.submissionRate ?? options.rate / 2}), seed ${options.seed}, ${options.slowFaults} slow`);

		const logMark = getCapturedLogs().length;
		const started = Date.now();
		const result = await runBatch({ sim, docs, continueOnFail: true });
		const wallMs = Date.now() - started;
		if (result.error) throw result.error;
		// runs a lost submission creates late are in the ledger before anything is counted
		await sim.settled();

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
			recoveredFromAnswer: Number(stats.recoveredFromAnswer ?? 0),
			resent: Number(stats.resent ?? 0),
			...report,
			runs: sim.ledger.runs.length,
			zeros: zeros(sim, docs, result.items),
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

/** The four zeros of issue 9, counted from the simulator's ledger and the node's output. */
export function zeros(sim: Sim, docs: Doc[], items: Array<{ json: any; pairedItem?: any }>): Zeros {
	const runsOf = new Map<string, string[]>();
	for (const run of sim.ledger.runs) runsOf.set(run.sha256, [...(runsOf.get(run.sha256) ?? []), run.collectionId]);
	const out: Zeros = { runTwice: 0, adoptedFromAnotherSubmitter: 0, succeededWithoutRunId: 0, lostSilently: 0 };
	out.runTwice = [...runsOf.values()].filter((ids) => ids.length > 1).length;
	for (const doc of docs) {
		const mine = items.filter((item) => item.pairedItem?.item === doc.index);
		const runs = runsOf.get(sha256(doc.content)) ?? [];
		for (const item of mine) {
			const id = item.json.anyformat?.collection_id;
			if (id && !runs.includes(id)) out.adoptedFromAnotherSubmitter++;
			if (item.json.error === undefined && (!id || !runs.includes(id))) out.succeededWithoutRunId++;
		}
		if (runs.length === 0) continue;
		const accounted =
			mine.length === 1 &&
			(runs.includes(mine[0].json.anyformat?.collection_id) || mine[0].json.anyformat?.status === 'unknown');
		if (!accounted) out.lostSilently++;
	}
	return out;
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
		`lost answers         run id read from a cut answer ${r.recoveredFromAnswer}; documents sent again after a certain refusal (429, refused connection, retryable) ${r.resent}`,
		`documents by outcome ${Object.entries(r.outcomes).map(([k, v]) => `${k}: ${v}`).join(', ')}`,
		`runs started         ${r.runs}`,
		`run twice            ${r.zeros.runTwice}`,
		`adopted from another submitter ${r.zeros.adoptedFromAnotherSubmitter}`,
		`succeeded without a run id     ${r.zeros.succeededWithoutRunId}`,
		`lost silently        ${r.zeros.lostSilently}`,
		`not accounted for    ${r.lost.length}${r.lost.length ? ` ${JSON.stringify(r.lost.slice(0, 10))}` : ''}`,
	];
	return lines.join('\n');
}
