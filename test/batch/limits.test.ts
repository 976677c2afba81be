/**
 * Issue 5: Run with Wait for Results on many items at the API's limits: pacing, nothing run twice,
 * order and pairing, few requests. Everything here is asserted on what the simulator saw (its ledger)
 * and on the node's output, never on timings. (Deadline, Stop and lost answers: faults.test.ts.)
 */
import {
	INVOICE_WORKFLOW,
	expectEachDocumentRunOnceIn,
	expectPairedResultsIn,
	makeDocs,
	runBatch,
	startSimulator,
	type BatchItem,
	type Doc,
	type Sim,
} from './helpers';

let sim: Sim;

afterEach(async () => {
	await sim?.close();
});

const expectEachDocumentRunOnce = (docs: Doc[]) => expectEachDocumentRunOnceIn(sim, docs);
const expectPairedResults = (items: BatchItem[], docs: Doc[]) =>
	expectPairedResultsIn(sim, items, docs);
const count = (route: string, extra: Record<string, unknown> = {}) =>
	sim.ledger.count({ route, ...extra });

describe('a batch at the rate limits', () => {
	test('submissions stay under a low limit (fractional reset), every document runs once, results come back in input order', async () => {
		sim = await startSimulator({ rateLimit: { submission: 4, general: 600, windowMs: 1500 } });
		// later documents finish first: the output must still follow the input
		const docs = makeDocs(14, (i) => 1400 - i * 100);
		const result = await runBatch({ sim, docs });

		expect(result.error).toBeUndefined();
		expectPairedResults(result.items, docs);
		expectEachDocumentRunOnce(docs);
		expect(sim.ledger.rateLimited).toEqual({ submission: 0, general: 0 });
		expect(sim.ledger.peakRequestsPerWindow.submission).toBeLessThanOrEqual(4);
		// each run's results fetched exactly once; statuses read from the runs list, not per run
		expect(count('results')).toBe(docs.length);
		expect(count('runs')).toBeLessThan(docs.length);
		// streamed with a known length
		for (const upload of sim.ledger.uploads)
			expect(upload.contentLength).toBeGreaterThan(upload.bytes);
	});

	test('a whole-second x-ratelimit-reset is honoured too (no 429 at any window boundary)', async () => {
		sim = await startSimulator({ rateLimit: { submission: 3, general: 600, windowMs: 1000 } });
		const docs = makeDocs(9, () => 100);
		const result = await runBatch({ sim, docs, inputType: 'text' });

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.invoice_number)).toEqual(
			docs.map((d) => d.invoiceNumber),
		);
		expect(sim.ledger.rateLimited).toEqual({ submission: 0, general: 0 });
		expect(sim.ledger.peakRequestsPerWindow.submission).toBeLessThanOrEqual(3);
		expectEachDocumentRunOnce(docs);
	});

	test('another client spending the same budget: the node waits out Retry-After and sends nothing twice', async () => {
		sim = await startSimulator({ rateLimit: { submission: 4, general: 600, windowMs: 1500 } });
		const docs = makeDocs(8, () => 150);
		// a second client spends two of the key's submissions in every window, right after the node's
		// first one opened it and without the node's knowing (its answer still says 3 left): the node's
		// next submissions in that window are answered 429 and it must wait out Retry-After. Counted in
		// the simulator's limiter as the window opens, so it does not depend on which of two clients'
		// timers a loaded machine fires first (a client racing the node to each window lost at times)
		const limiter = (sim as unknown as { limiter: { consume: Consume } }).limiter;
		type Consume = (keyId: string, tier: string, now?: number) => { count: number };
		const consume: Consume = limiter.consume.bind(limiter);
		let spentByOther = 0;
		limiter.consume = (keyId, tier, now) => {
			const rate = consume(keyId, tier, now);
			if (tier === 'submission' && rate.count === 1) {
				consume(keyId, tier, now);
				consume(keyId, tier, now);
				spentByOther += 2;
			}
			return rate;
		};
		const result = await runBatch({ sim, docs });

		expect(result.error).toBeUndefined();
		expectPairedResults(result.items, docs);
		expectEachDocumentRunOnce(docs);
		// the node was answered 429 at least once, and every document still ran once
		const nodeLimited = sim.ledger.requests.filter(
			(r) => r.route === 'run' && r.status === 429 && r.path.includes(INVOICE_WORKFLOW),
		);
		expect(nodeLimited.length).toBeGreaterThan(0);
		expect(spentByOther).toBeGreaterThan(0);
	});

	test('an injected 429 (with and without Retry-After) on submissions and reads is waited out', async () => {
		sim = await startSimulator({ rateLimit: { submission: 60, general: 600, windowMs: 60000 } });
		sim.faults.once('429', { route: 'run' }).once('429-no-retry-after', { route: 'run' });
		sim.faults.once('429', { route: 'runs' }).once('429-no-retry-after', { route: 'results' });
		const docs = makeDocs(6, (i) => 200 + i * 50);
		const result = await runBatch({ sim, docs });

		expect(result.error).toBeUndefined();
		expectPairedResults(result.items, docs);
		expectEachDocumentRunOnce(docs);
		expect(sim.faults.injected).toEqual({ '429': 2, '429-no-retry-after': 2 });
	});

	test('the runs list in oldest-first order, with older runs of other executions in front', async () => {
		sim = await startSimulator({
			runsOrder: 'asc',
			rateLimit: { submission: 1000, general: 1000, windowMs: 60000 },
		});
		// 130 earlier runs of the workflow: an oldest-first list shows the batch's runs on page 2
		await runBatch({ sim, docs: makeDocs(130, () => 0, 'old'), inputType: 'text' });
		const before = sim.ledger.requests.length;
		const docs = makeDocs(12, (i) => 900 - i * 60);
		const result = await runBatch({ sim, docs });

		expect(result.error).toBeUndefined();
		expectPairedResults(result.items, docs);
		const mine = sim.ledger.requests.slice(before);
		expect(mine.filter((r) => r.route === 'results')).toHaveLength(docs.length);
		// read from the newest end: never page 1 after the order is known
		const listPages = mine.filter((r) => r.route === 'runs').map((r) => Number(r.query.page));
		expect(listPages.length).toBeGreaterThan(0);
		expect(listPages.slice(1).every((page) => page === 2)).toBe(true);
	}, 60000);
});
