/**
 * Issue 9, rule 4: every wait is bounded by the node's own deadline (its Timeout, counted from when the
 * node starts). Each test drives the Anyformat node through n8n-core's engine against the simulator and
 * reads the simulator's ledger: when each request reached it, and that none came after the deadline.
 *
 * The deadline is `nodeStart + Timeout`, and the node starts before its first request reaches the
 * simulator, so `firstRequest.time + Timeout` bounds the deadline from above (and `before + Timeout`,
 * `before` taken just before the node runs, bounds it from below).
 */
import { AnyformatApi } from '../../credentials/AnyformatApi.credentials';
import { Anyformat } from '../../nodes/Anyformat/Anyformat.node';
import { runNode, type RunNodeResult } from '../harness';
import { INVOICE_WORKFLOW, makeDocs, runBatch, startSimulator, type LedgerRequest, type Sim } from './helpers';

let sim: Sim;

afterEach(async () => {
	await sim?.close();
});

const TIMEOUT_S = 3;
const TIMEOUT_MS = TIMEOUT_S * 1000;
/** the ledger stamps a request when it arrives; the node may be a little late to notice its deadline */
const SLACK_MS = 500;
const LONG_RETRY_AFTER_S = 60;

function ledgerTimes(): { first: LedgerRequest; last: LedgerRequest } {
	const requests = sim.ledger.requests;
	expect(requests.length).toBeGreaterThan(0);
	return { first: requests[0], last: requests[requests.length - 1] };
}

/** No request reached the API after the node's deadline (bounded from above by first request + Timeout). */
function expectNothingAfterDeadline(timeoutMs = TIMEOUT_MS) {
	const { first } = ledgerTimes();
	const late = sim.ledger.requests.filter((r) => r.time > first.time + timeoutMs + SLACK_MS);
	expect(late).toEqual([]);
}

/** Extraction → Wait on the given runs, one item each, through n8n-core's engine. */
async function runWait(collectionIds: string[], continueOnFail: boolean): Promise<RunNodeResult> {
	return await runNode({
		nodeType: new Anyformat(),
		parameters: {
			resource: 'extraction',
			operation: 'wait',
			workflowId: { __rl: true, mode: 'id', value: INVOICE_WORKFLOW },
			collectionId: '={{ $json.id }}',
			output: 'simplified',
			options: { timeout: TIMEOUT_S },
		} as never,
		credentials: { anyformatApi: { apiKey: sim.apiKey, baseUrl: sim.url } },
		credentialTypes: [new AnyformatApi()],
		items: collectionIds.map((id) => ({ json: { id } })),
		continueOnFail,
	});
}

describe('a submission is never sent, nor waited for, past the Timeout', () => {
	test(`429 with Retry-After ${LONG_RETRY_AFTER_S} s and Timeout ${TIMEOUT_S} s: the item is not_sent at once, nothing is sent after the deadline`, async () => {
		sim = await startSimulator();
		sim.faults.configure({ routeRates: { run: 1 }, kinds: ['429'], retryAfterSeconds: LONG_RETRY_AFTER_S });
		const docs = makeDocs(1, () => 100);
		const result = await runBatch({ sim, docs, continueOnFail: true, timeoutSeconds: TIMEOUT_S });
		const returnedAt = Date.now();

		const { first } = ledgerTimes();
		expect(sim.ledger.count({ route: 'run', status: 429 })).toBe(1);
		expect(sim.ledger.runs).toHaveLength(0);
		expectNothingAfterDeadline();
		// the node did not sit out the Retry-After
		expect(returnedAt).toBeLessThan(first.time + LONG_RETRY_AFTER_S * 1000);
		expect(result.items).toHaveLength(1);
		const [item] = result.items;
		expect(item.pairedItem).toEqual({ item: 0 });
		expect(item.json.anyformat).toEqual({ status: 'not_sent', collection_id: null, workflow_id: INVOICE_WORKFLOW });
		expect(String(item.json.error)).toBe('The document of item 0 was not sent to Anyformat: the timeout was reached before Anyformat took it');
		expect(String(item.json.description)).toMatch(/safe to run the item again/);
	}, 30_000);

	test('429 with a Retry-After that fits: retried until the next wait would pass the deadline, then not_sent', async () => {
		// Retry-After 4 s, Timeout 6 s: sent at d and d + 4 s (d: from the node's start to its first
		// request), a third attempt would come at d + 8 s, past the deadline whatever d is. The second
		// fits while d < 2 s; with 2 s and 3 s it had to be under 1 s, and a loaded machine took 0.7 s
		const retryAfterS = 4;
		const timeoutS = 6;
		sim = await startSimulator();
		sim.faults.configure({ routeRates: { run: 1 }, kinds: ['429'], retryAfterSeconds: retryAfterS });
		const docs = makeDocs(1, () => 100);
		const result = await runBatch({ sim, docs, continueOnFail: true, timeoutSeconds: timeoutS });

		expect(sim.ledger.count({ route: 'run', status: 429 })).toBe(2);
		const [a, b] = sim.ledger.requests.filter((r) => r.route === 'run');
		expect(b.time - a.time).toBeGreaterThanOrEqual(retryAfterS * 1000 - 50);
		expectNothingAfterDeadline(timeoutS * 1000);
		expect(sim.ledger.runs).toHaveLength(0);
		expect(result.items[0].json.anyformat).toMatchObject({ status: 'not_sent' });
	}, 30_000);

	test('without Continue On Fail the node fails on the not-sent item, naming it', async () => {
		sim = await startSimulator();
		sim.faults.configure({ routeRates: { run: 1 }, kinds: ['429'], retryAfterSeconds: LONG_RETRY_AFTER_S });
		const result = await runBatch({ sim, docs: makeDocs(1, () => 100), timeoutSeconds: TIMEOUT_S });

		expect(result.status).toBe('error');
		expect(result.error?.message).toBe('The document of item 0 was not sent to Anyformat: the timeout was reached before Anyformat took it');
		expectNothingAfterDeadline();
	}, 30_000);
});

describe('a read stopped by the Timeout ends the item as a timeout with its collection_id', () => {
	test(`Wait: results answered 503 with Retry-After ${LONG_RETRY_AFTER_S} s end as a timeout at once, no read after the deadline`, async () => {
		sim = await startSimulator();
		const [id] = sim.seedRuns(INVOICE_WORKFLOW, { count: 1 });
		sim.faults.configure({ routeRates: { results: 1 }, kinds: ['503'], retryAfter5xxSeconds: LONG_RETRY_AFTER_S });
		const result = await runWait([id], true);
		const returnedAt = Date.now();

		const { first } = ledgerTimes();
		expect(sim.ledger.count({ route: 'results', status: 503 })).toBe(1);
		expectNothingAfterDeadline();
		expect(returnedAt).toBeLessThan(first.time + LONG_RETRY_AFTER_S * 1000);
		expect(result.items).toEqual([
			{
				json: {
					error: `Run ${id} (item 0) could not be read within the timeout of ${TIMEOUT_S} s`,
					description: expect.stringContaining(`Collection ID ${id}, workflow ${INVOICE_WORKFLOW}`),
					anyformat: { collection_id: id, workflow_id: INVOICE_WORKFLOW, status: 'timeout' },
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(String(result.items[0].json.description)).toMatch(/wait longer than the timeout left/);
	}, 30_000);

	test('Wait on two runs of one workflow: a runs list answered 503 with a long Retry-After ends both as timeouts', async () => {
		sim = await startSimulator();
		const ids = sim.seedRuns(INVOICE_WORKFLOW, { count: 2 });
		sim.faults.configure({ routeRates: { runs: 1 }, kinds: ['503'], retryAfter5xxSeconds: LONG_RETRY_AFTER_S });
		const result = await runWait(ids, true);

		expect(sim.ledger.count({ route: 'runs', status: 503 })).toBeGreaterThanOrEqual(1);
		// a results read only ever answers 412 here (the runs go on): what ended the items is the list
		expect(sim.ledger.requests.filter((r) => r.route === 'results' && r.status !== 412)).toEqual([]);
		expectNothingAfterDeadline();
		expect(result.items.map((item) => item.json.anyformat)).toEqual(
			ids.map((id) => ({ collection_id: id, workflow_id: INVOICE_WORKFLOW, status: 'timeout' })),
		);
		for (const item of result.items) {
			expect(String(item.json.description)).toMatch(/wait longer than the timeout left/);
		}
	}, 30_000);

	test('Wait without Continue On Fail: the error names the run and how to pick it up', async () => {
		sim = await startSimulator();
		const [id] = sim.seedRuns(INVOICE_WORKFLOW, { count: 1 });
		sim.faults.configure({ routeRates: { results: 1 }, kinds: ['503'], retryAfter5xxSeconds: LONG_RETRY_AFTER_S });
		const result = await runWait([id], false);

		expect(result.status).toBe('error');
		const error = result.error as Error & { description?: string };
		expect(error.message).toBe(`Run ${id} (item 0) could not be read within the timeout of ${TIMEOUT_S} s`);
		expect(error.description).toContain('Get Results or Wait');
		expectNothingAfterDeadline();
	}, 30_000);
});

describe('a fate-unknown item still lists its candidates when its deadline has passed', () => {
	test('the answer never comes: the request is cut at the Timeout, and the runs list is read after it, within its own allowance', async () => {
		sim = await startSimulator();
		// the connection would be held a minute; the run appears 300 ms after the upload was read
		sim.faults.configure({ hangMs: 60_000, lateRunMs: 300 });
		sim.faults.once('accepted-no-answer', { route: 'run' });
		const before = Date.now();
		const result = await runBatch({ sim, docs: makeDocs(1, () => 600_000), continueOnFail: true, timeoutSeconds: TIMEOUT_S });

		const [submission] = sim.ledger.requests.filter((r) => r.route === 'run');
		const [late] = sim.ledger.runs;
		expect(late).toBeDefined();
		const listReads = sim.ledger.requests.filter((r) => r.route === 'runs');
		expect(listReads.length).toBeGreaterThanOrEqual(1);
		for (const read of listReads) {
			// read after the deadline (which is at least before + Timeout), and within the 5 s allowed for it
			expect(read.time).toBeGreaterThanOrEqual(before + TIMEOUT_MS);
			expect(read.time).toBeLessThanOrEqual(submission.time + TIMEOUT_MS + 5_000 + SLACK_MS);
		}
		const [item] = result.items;
		expect(item.json.anyformat).toMatchObject({ status: 'unknown', collection_id: null });
		const description = String(item.json.description);
		expect(description).toContain(late.collectionId);
		expect(description).toMatch(/information, not a decision/);
		expect(description).toMatch(/may create a second run/);
	}, 30_000);

	test('the runs list cannot be read before the allowance ends either: the error says it could not list candidates', async () => {
		sim = await startSimulator();
		sim.faults.configure({ hangMs: 60_000, lateRunMs: 300 });
		sim.faults.once('accepted-no-answer', { route: 'run' });
		sim.faults.configure({ routeRates: { runs: 1 }, kinds: ['503'], retryAfter5xxSeconds: LONG_RETRY_AFTER_S });
		const result = await runBatch({ sim, docs: makeDocs(1, () => 600_000), continueOnFail: true, timeoutSeconds: TIMEOUT_S });

		const [submission] = sim.ledger.requests.filter((r) => r.route === 'run');
		const late = sim.ledger.requests.filter((r) => r.time > submission.time + TIMEOUT_MS + 5_000 + SLACK_MS);
		expect(late).toEqual([]);
		expect(sim.ledger.count({ route: 'runs', status: 503 })).toBe(1);
		const [item] = result.items;
		expect(item.json.anyformat).toMatchObject({ status: 'unknown', collection_id: null });
		const description = String(item.json.description);
		expect(description).toMatch(/Could not list candidates before the Timeout/);
		expect(description).toMatch(/may create a second run/);
	}, 30_000);
});
