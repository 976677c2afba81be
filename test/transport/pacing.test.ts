/**
 * One pacer per organization and process (issue 11), through n8n-core's engine against the simulator:
 * many executions at once share one credential's budget instead of each believing it has all of it;
 * a stopped execution leaves nothing waiting on the shared pacer; headers that give the window's end
 * as a Unix time are read as one (issue 9 rule 4).
 */
import { pacerFor } from '../../nodes/shared/transport/pacers';
import { makeDocs, runBatch, startSimulator, type Sim } from '../batch/helpers';

let sim: Sim;
afterEach(async () => await sim?.close());

const LIMIT = { submission: 4, general: 600, windowMs: 1500 };

async function concurrentExecutions(count: number, keyOf: (i: number) => string) {
	const docs = makeDocs(count, () => 100, 'exec');
	const results = await Promise.all(
		docs.map((doc, i) => runBatch({ sim, docs: [doc], inputType: 'text', apiKey: keyOf(i) })),
	);
	results.forEach((result, i) => {
		expect(result.error).toBeUndefined();
		expect(result.items[0].json.invoice_number).toBe(docs[i].invoiceNumber);
	});
	expect(sim.ledger.duplicates()).toEqual([]);
	expect(sim.ledger.runs).toHaveLength(count);
}

describe('one pacer per credential, shared by concurrent executions', () => {
	test('12 executions of one document each, one key: the budget is shared and no 429 is needed', async () => {
		sim = await startSimulator({ rateLimit: LIMIT });
		await concurrentExecutions(12, () => sim.apiKey);
		expect(sim.ledger.rateLimited).toEqual({ submission: 0, general: 0 });
		expect(sim.ledger.peakRequestsPerWindow.submission).toBeLessThanOrEqual(LIMIT.submission);
	});

	test('control: pacing per execution (here: a key each, one organization budget) runs into 429s', async () => {
		const keys = Array.from({ length: 12 }, (_, i) => `af_exec_key_${i}`);
		sim = await startSimulator({ rateLimit: LIMIT, apiKey: keys, sharedOrganization: true, rateLimitPer: 'organization' });
		await concurrentExecutions(12, (i) => keys[i]);
		expect(sim.ledger.rateLimited.submission).toBeGreaterThan(0);
	});

	test('a stopped execution leaves nothing waiting on the shared pacer', async () => {
		sim = await startSimulator({ rateLimit: { submission: 1, general: 600, windowMs: 3000 } });
		const pacer = pacerFor(sim.url, sim.apiKey);
		const docs = makeDocs(4, () => 100, 'stop');
		// stopped once its submissions are queued behind the one-a-window budget (a fixed 400 ms could
		// come before they were, on a loaded machine: then the loop that waited for them never ended)
		const result = await runBatch({ sim, docs, inputType: 'text', cancelWhen: () => pacer.submissions.waiting > 0 });
		expect(result.status).toBe('canceled');
		expect(pacer.submissions.waiting).toBe(0);
		// and the pacer still serves the next execution
		const next = await runBatch({ sim, docs: makeDocs(1, () => 50, 'after'), inputType: 'text', timeoutSeconds: 30 });
		expect(next.error).toBeUndefined();
	});
});

describe('rate-limit headers as Unix times', () => {
	test.each(['unix-seconds', 'unix-ms'])('%s: a batch at the limit completes, paced, without waiting for decades', async (style) => {
		sim = await startSimulator({ rateLimitTimes: style, rateLimit: { submission: 3, general: 600, windowMs: 1000 } });
		const docs = makeDocs(7, () => 100);
		const result = await runBatch({ sim, docs, inputType: 'text', timeoutSeconds: 60 });
		expect(result.error).toBeUndefined();
		expect(result.items.map((item) => item.json.invoice_number)).toEqual(docs.map((d) => d.invoiceNumber));
		expect(sim.ledger.duplicates()).toEqual([]);
		expect(sim.ledger.peakRequestsPerWindow.submission).toBeLessThanOrEqual(3);
	});
});
