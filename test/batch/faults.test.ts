/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Issue 5, continued: a batch's deadline and Stop, and submissions whose answer was lost (the run
 * read from a cut answer, or reported as fate unknown; never sent again, never run twice). Asserted on the simulator's ledger and the node's output, never on timings.
 */
import {
	expectEachDocumentRunOnceIn,
	makeDocs,
	runBatch,
	startSimulator,
	type Doc,
	type Sim,
} from './helpers';

let sim: Sim;

afterEach(async () => {
	await sim?.close();
});

const expectEachDocumentRunOnce = (docs: Doc[]) => expectEachDocumentRunOnceIn(sim, docs);
const count = (route: string, extra: Record<string, unknown> = {}) =>
	sim.ledger.count({ route, ...extra });

describe('deadline and stop', () => {
	test('on the timeout, finished items are returned and unfinished ones are error items with their collection_id', async () => {
		sim = await startSimulator();
		const docs = makeDocs(6, (i) => (i % 2 === 0 ? 100 : 600_000));
		const result = await runBatch({ sim, docs, timeoutSeconds: 3, continueOnFail: true });

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(6);
		result.items.forEach((item, i) => {
			expect(item.pairedItem).toEqual({ item: i });
			if (i % 2 === 0) {
				expect(item.json.invoice_number).toBe(docs[i].invoiceNumber);
			} else {
				const { anyformat } = item.json as any;
				expect(anyformat.status).toBe('timeout');
				expect(sim.getRun(anyformat.collection_id)?.name).toBe(docs[i].fileName);
				expect(String(item.json.error)).toContain(anyformat.collection_id);
			}
		});
		expectEachDocumentRunOnce(docs);
	});

	test('without Continue On Fail the timeout fails the node, naming an unfinished item and its run', async () => {
		sim = await startSimulator();
		const docs = makeDocs(3, (i) => (i === 0 ? 100 : 600_000));
		const result = await runBatch({ sim, docs, timeoutSeconds: 2 });

		expect(result.status).toBe('error');
		const unfinished = sim.listRuns().filter((run) => run.status !== 'processed');
		expect(unfinished.some((run) => result.error!.message.includes(run.id))).toBe(true);
	});

	test('Stop ends the whole batch at once: no request after it', async () => {
		sim = await startSimulator({ rateLimit: { submission: 3, general: 600, windowMs: 60000 } });
		const docs = makeDocs(10, () => 600_000);
		// stopped once the window's 3 submissions were answered and the rest wait for the next window
		// (a fixed 1.5 s could come before the third on a loaded machine, and late requests were
		// counted from the test's start, not from the Stop)
		const submitted = () => sim.ledger.requests.filter((r) => r.route === 'run' && r.status === 202).length === 3;
		const result = await runBatch({ sim, docs, cancelWhen: submitted });

		expect(result.status).toBe('canceled');
		// the submission window was spent after 3 documents; the rest were never sent
		expect(sim.ledger.runs).toHaveLength(3);
		// nothing after it (a request already on its way at the Stop may arrive a moment later), nor
		// in the 1.5 s after, when the node would have polled again
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const late = sim.ledger.requests.filter((r) => r.time > result.canceledAt! + 500);
		expect(late).toEqual([]);
	});
});

describe('submissions whose answer was lost', () => {
	// Issue 9 replaced adoption from the files list and resending after "proven absence": without a
	// run id in the answer the item is "fate unknown" and its document is never sent again.
	test('reset after the server accepted: fate unknown, its run listed as a candidate, not adopted and not run again', async () => {
		sim = await startSimulator();
		sim.faults.once('reset-after-accept', { route: 'run' });
		const docs = makeDocs(5, () => 150);
		const result = await runBatch({ sim, docs, continueOnFail: true });

		expect(result.error).toBeUndefined();
		expectEachDocumentRunOnce(docs);
		expect(sim.faults.injected['reset-after-accept']).toBe(1);
		const unknown = result.items.filter((item) => (item.json as any).anyformat?.status === 'unknown');
		expect(unknown).toHaveLength(1);
		const lostIndex = (unknown[0].pairedItem as { item: number }).item;
		const lostRun = sim.ledger.runs.find((run) => sim.getRun(run.collectionId)?.name === docs[lostIndex].fileName)!;
		expect(String(unknown[0].json.description)).toContain(lostRun.collectionId);
		for (const item of result.items) {
			if (item !== unknown[0]) expect((item.json as any).anyformat?.collection_id).not.toBe(lostRun.collectionId);
		}
		expect(count('run')).toBe(5);
		expect(count('files')).toBe(0);
	});

	test('reset before the server read it, or mid-upload: fate unknown, never sent again', async () => {
		sim = await startSimulator();
		sim.faults
			.once('reset-before-read', { route: 'run' })
			.once('reset-mid-upload', { route: 'run' });
		const docs = makeDocs(5, () => 150);
		const result = await runBatch({ sim, docs, continueOnFail: true });

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(5);
		expect(result.items.filter((item) => (item.json as any).anyformat?.status === 'unknown')).toHaveLength(2);
		expect(count('run')).toBe(5);
		expect(count('run', { status: 202 })).toBe(3);
		expect(sim.ledger.duplicates()).toEqual([]);
	});

	test('an accepted answer cut short still names the run', async () => {
		sim = await startSimulator();
		sim.faults.once('truncated-json', { route: 'run' });
		const docs = makeDocs(3, () => 150);
		const result = await runBatch({ sim, docs, inputType: 'text' });

		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.invoice_number)).toEqual(
			docs.map((d) => d.invoiceNumber),
		);
		expectEachDocumentRunOnce(docs);
		expect(count('files')).toBe(0);
	});

	test('same file names: a lost answer that cannot be told apart is reported as unknown, never run twice', async () => {
		sim = await startSimulator();
		sim.faults
			.once('reset-after-accept', { route: 'run' })
			.once('reset-after-accept', { route: 'run' });
		// identical names and (text) no names: the list cannot tell whose run is whose
		const docs = makeDocs(4, () => 100).map((doc) => ({ ...doc, fileName: 'scan.txt' }));
		const result = await runBatch({ sim, docs, continueOnFail: true });

		expect(result.error).toBeUndefined();
		expect(result.items).toHaveLength(4);
		expectEachDocumentRunOnce(docs);
		for (const item of result.items) {
			const i = (item.pairedItem as { item: number }).item;
			if (item.json.error) {
				expect(item.json.anyformat).toMatchObject({ status: 'unknown' });
				expect(String(item.json.description)).toMatch(/not sent again/);
			} else {
				expect(item.json.invoice_number).toBe(docs[i].invoiceNumber);
			}
		}
	});
});
