/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Issue 9, rules 1, 2 and 7 in the batch engine: a document is sent again only when the API certainly
 * did not take it, a run is adopted only on proof from its own answer, and a failing batch says where
 * its runs are. Each test drives Extraction → Run through n8n-core's engine against the simulator and
 * asserts on its ledger (uploads and runs per document) and the node's output.
 */
import { createHash } from 'node:crypto';

import { makeDocs, runBatch, startSimulator, type Doc, type Sim } from './helpers';

let sim: Sim;

afterEach(async () => {
	await sim?.close();
});

const sha = (doc: Doc) => createHash('sha256').update(doc.content).digest('hex');
/** how many times a document's bytes reached the API */
const uploadsOf = (doc: Doc) => sim.ledger.uploads.filter((u) => u.sha256 === sha(doc)).length;
const runsOf = (doc: Doc) => sim.ledger.runs.filter((r) => r.sha256 === sha(doc)).length;
const itemOf = (items: Array<{ json: any; pairedItem?: any }>, index: number) => {
	const mine = items.filter((item) => item.pairedItem?.item === index);
	expect(mine).toHaveLength(1);
	return mine[0].json;
};

/** The one document (index 1) hit by the fault: its item is "fate unknown", and says all it must. */
function expectFateUnknown(json: any, doc: Doc) {
	expect(json.anyformat).toMatchObject({ status: 'unknown', collection_id: null });
	expect(String(json.error)).toContain(`item ${doc.index}`);
	const description = String(json.description);
	expect(description).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z.*\d{4}-\d\d-\d\dT/);
	expect(description).toContain('Get Many');
	expect(description).toContain('Get Results');
	expect(description).toMatch(/may create a second run/);
	return description;
}

describe('rule 2: a run is adopted only on proof from its own answer', () => {
	test("another submitter's run in the same workflow and window (same file name) is never adopted", async () => {
		// the files list shows names here: a match by name and time is still no proof
		sim = await startSimulator({ filesListNames: true });
		sim.faults.once('other-submitter', { route: 'run' });
		const docs = makeDocs(3, () => 150);
		const result = await runBatch({ sim, docs, continueOnFail: true });

		expect(result.error).toBeUndefined();
		const [foreign] = sim.ledger.foreignRuns;
		expect(foreign).toBeDefined();
		const lost = docs.find((doc) => itemOf(result.items, doc.index).anyformat?.status === 'unknown')!;
		expect(lost).toBeDefined();
		expect(sim.getRun(foreign.collectionId)?.name).toBe(lost.fileName);
		for (const item of result.items) {
			expect((item.json as any).anyformat?.collection_id).not.toBe(foreign.collectionId);
			expect(String(item.json.invoice_number ?? '')).not.toMatch(/FOREIGN/);
		}
		const description = expectFateUnknown(itemOf(result.items, lost.index), lost);
		// listed as information only
		expect(description).toContain(foreign.collectionId);
		expect(description).toMatch(/information, not a decision/);
		expect(uploadsOf(lost)).toBe(1);
		expect(runsOf(lost)).toBe(0);
	});

	test('a 504 page after the run was created: fate unknown, the run listed as a candidate, never adopted', async () => {
		sim = await startSimulator();
		sim.faults.once('504-html-after-create', { route: 'run' });
		const docs = makeDocs(3, () => 150);
		const result = await runBatch({ sim, docs, inputType: 'text', continueOnFail: true });

		expect(result.error).toBeUndefined();
		const hit = sim.ledger.requests.find((r) => r.fault === '504-html-after-create');
		expect(hit).toBeDefined();
		const lost = docs.find((doc) => itemOf(result.items, doc.index).anyformat?.status === 'unknown')!;
		expect(lost).toBeDefined();
		const [run] = sim.ledger.runs.filter((r) => r.sha256 === sha(lost));
		const description = expectFateUnknown(itemOf(result.items, lost.index), lost);
		expect(description).toContain(run.collectionId);
		for (const doc of docs) {
			expect(runsOf(doc)).toBe(1);
			expect(uploadsOf(doc)).toBe(1);
			if (doc !== lost) expect(itemOf(result.items, doc.index).invoice_number).toBe(doc.invoiceNumber);
		}
	});

	test('a 202 without an id is fate unknown, never a success with an empty collection_id', async () => {
		sim = await startSimulator();
		sim.faults.once('202-no-id', { route: 'run' });
		const docs = makeDocs(2, () => 150);
		const result = await runBatch({ sim, docs, continueOnFail: true });

		expect(sim.faults.injected['202-no-id']).toBe(1);
		const statuses = docs.map((doc) => itemOf(result.items, doc.index).anyformat?.status);
		expect(statuses.filter((s) => s === 'unknown')).toHaveLength(1);
		for (const item of result.items) {
			if (item.json.error === undefined) expect((item.json as any).anyformat.collection_id).toMatch(/\S/);
		}
		for (const doc of docs) expect(uploadsOf(doc)).toBe(1);
	});
});

describe('rule 1: a document is sent again only when the API certainly did not take it', () => {
	test('an accepted request whose answer never comes (the run appears seconds later) is not sent again', async () => {
		sim = await startSimulator();
		sim.faults.configure({ hangMs: 500, lateRunMs: 8_000 });
		sim.faults.once('accepted-no-answer', { route: 'run' });
		const docs = makeDocs(3, () => 150);
		const result = await runBatch({ sim, docs, continueOnFail: true, timeoutSeconds: 30 });
		await sim.settled();

		expect(sim.faults.injected['accepted-no-answer']).toBe(1);
		expect(sim.ledger.duplicates()).toEqual([]);
		const lost = docs.find((doc) => itemOf(result.items, doc.index).anyformat?.status === 'unknown')!;
		expect(lost).toBeDefined();
		expectFateUnknown(itemOf(result.items, lost.index), lost);
		expect(runsOf(lost)).toBe(1); // the late run, created once
		for (const doc of docs) expect(uploadsOf(doc)).toBe(1);
	}, 60_000);

	test('a reset before acceptance: fate unknown, the document is not sent again', async () => {
		sim = await startSimulator();
		sim.faults.once('reset-before-accept', { route: 'run' });
		const docs = makeDocs(3, () => 150);
		const result = await runBatch({ sim, docs, continueOnFail: true });

		const lost = docs.find((doc) => itemOf(result.items, doc.index).anyformat?.status === 'unknown')!;
		expect(lost).toBeDefined();
		expectFateUnknown(itemOf(result.items, lost.index), lost);
		for (const doc of docs) expect(uploadsOf(doc)).toBe(1);
		expect(runsOf(lost)).toBe(0);
	});
});

describe('rule 7: without Continue On Fail a failing batch still says where its runs are', () => {
	test('a timeout: the error lists every run the batch submitted, with its state, and how to collect it', async () => {
		sim = await startSimulator();
		const docs = makeDocs(4, (i) => (i === 2 ? 600_000 : 100));
		const result = await runBatch({ sim, docs, timeoutSeconds: 3 });

		expect(result.status).toBe('error');
		const error = result.error as Error & { description?: string };
		expect(sim.ledger.runs).toHaveLength(4);
		for (const doc of docs) {
			const [run] = sim.ledger.runs.filter((r) => r.sha256 === sha(doc));
			const state = doc.index === 2 ? 'still processing at the timeout' : 'processed';
			expect(error.description).toContain(`item ${doc.index} → ${run.collectionId} (${state})`);
		}
		expect(error.description).toMatch(/Get Results \(or Wait\)/);
	});

	test('a fate-unknown item stops the batch; the error lists the runs submitted before it', async () => {
		// one submission per window: the documents reach the API one after another
		sim = await startSimulator({ rateLimit: { submission: 1, general: 600, windowMs: 1500 } });
		const docs = makeDocs(3, () => 100);
		const result = await runBatchWithFaultOnSecond(docs);

		expect(result.status).toBe('error');
		expect(sim.faults.injected['reset-before-accept']).toBe(1);
		const error = result.error as Error & { description?: string };
		const lost = docs.find((doc) => uploadsOf(doc) === 1 && runsOf(doc) === 0)!;
		expect(lost).toBeDefined();
		expect(error.message).toContain(`unknown whether Anyformat received the document of item ${lost.index}`);
		expect(sim.ledger.runs.length).toBeGreaterThan(0);
		for (const run of sim.ledger.runs) {
			const doc = docs.find((d) => sha(d) === run.sha256)!;
			expect(error.description).toContain(`item ${doc.index} → ${run.collectionId}`);
		}
		for (const doc of docs) expect(uploadsOf(doc)).toBeLessThanOrEqual(1);
	});
});

/** Runs the batch with `reset-before-accept` armed once the first document's run exists. */
async function runBatchWithFaultOnSecond(docs: Doc[]) {
	let armed = false;
	const arm = setInterval(() => {
		if (!armed && sim.ledger.runs.length > 0) {
			armed = true;
			sim.faults.once('reset-before-accept', { route: 'run' });
		}
	}, 5);
	try {
		return await runBatch({ sim, docs });
	} finally {
		clearInterval(arm);
	}
}

describe('the watcher reads the older status words', () => {
	test('processing / completed / failed in the runs list: each run is read once, when it ended', async () => {
		sim = await startSimulator({ legacyStatusWords: true });
		const docs = makeDocs(6, (i) => 1500 + i * 200);
		const result = await runBatch({ sim, docs });

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.invoice_number)).toEqual(docs.map((d) => d.invoiceNumber));
		// no results request for a run the list says is still `processing`
		expect(sim.ledger.count({ route: 'results' })).toBe(docs.length);
		expect(sim.ledger.count({ route: 'runs' })).toBeGreaterThan(0);
	});
});
