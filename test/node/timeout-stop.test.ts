/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * The two ways a wait ends early: the node's Timeout option (the run goes on; the user is told how to
 * pick it up) and the user's Stop button (the harness's `cancelWhen`, which does what n8n's
 * ActiveExecutions.stopExecution() does).
 */
import { WF, nodeError, runAnyformat, runText, submitDirect, waitFor, withSim } from './support';

const LONG = '[[processing_ms:600000]]';

describe('Timeout', () => {
	test.concurrent('Run: an error naming the item and its collection_id, with the Get Results hint', async () => {
		await withSim(async (sim) => {
			const result = await runAnyformat(sim, runText(WF.invoice, '={{ $json.doc }}', { options: { timeout: 3 } }), {
				items: [{ json: { doc: 'Invoice INV-T0' } }, { json: { doc: `Invoice INV-T1 ${LONG}` } }],
			});
			const id = sim.ledger.runs[1].collectionId;
			const e = nodeError(result);
			expect(e.name).toBe('NodeOperationError');
			expect(e.message).toBe(`Run ${id} (item 1) was still processing when the timeout of 3 s was reached`);
			expect(e.description).toMatch(/Pick its results up later with the Get Results or Wait operation/);
			expect(e.description).toContain(`Collection ID ${id}, workflow ${WF.invoice}`);
			expect(e.itemIndex).toBe(1);
			expect(result.durationMs).toBeGreaterThanOrEqual(3000);
			// at the deadline (counted from the node's start, which is before its first request), not a
			// poll later: measured from the first request, so that a slow start on a loaded machine
			// (the harness, the engine) is not counted
			expect(result.endedAt - sim.ledger.requests[0].time).toBeLessThan(3000 + 1500);
			expect(sim.getRun(id)!.status).toMatch(/pending|queued|in_progress/); // not cancelled: it goes on
		});
	});

	test.concurrent('Run with Continue On Fail: the finished item’s results, then an item with status "timeout" and the collection_id', async () => {
		await withSim(async (sim) => {
			const result = await runAnyformat(sim, runText(WF.invoice, '={{ $json.doc }}', { options: { timeout: 3 } }), {
				items: [{ json: { doc: 'Invoice INV-T0' } }, { json: { doc: `Invoice INV-T1 ${LONG}` } }],
				continueOnFail: true,
			});
			const id = sim.ledger.runs[1].collectionId;
			expect(result.status).toBe('success');
			expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			expect(result.items[0].json.invoice_number).toBe('INV-T0');
			expect(result.items[1].json).toEqual({
				error: `Run ${id} (item 1) was still processing when the timeout of 3 s was reached`,
				description: expect.stringContaining(`Collection ID ${id}`),
				anyformat: { collection_id: id, workflow_id: WF.invoice, status: 'timeout' },
			});
		});
	});

	test.concurrent('Wait: the same error and, with Continue On Fail, the same item', async () => {
		await withSim(async (sim) => {
			const id = await submitDirect(sim, WF.split, `Packet ${LONG}`);
			const failing = nodeError(await runAnyformat(sim, waitFor(WF.split, id, { options: { timeout: 1 } })));
			expect(failing.message).toBe(`Run ${id} (item 0) was still processing when the timeout of 1 s was reached`);
			expect(failing.description).toContain(`Collection ID ${id}, workflow ${WF.split}`);
			const tolerant = await runAnyformat(sim, waitFor(WF.split, id, { options: { timeout: 1 } }), { continueOnFail: true });
			expect(tolerant.items).toEqual([
				{
					json: expect.objectContaining({ anyformat: { collection_id: id, workflow_id: WF.split, status: 'timeout' } }),
					pairedItem: { item: 0 },
				},
			]);
		});
	});

	// found as a bug of the waiter (no last look at the deadline); fixed since (batch/deadline.ts)
	test.concurrent('a run that finished before the deadline is not reported as timed out', async () => {
		await withSim(async (sim) => {
			// processing 50 ms, timeout 1 s: the results are there long before the deadline
			const result = await runAnyformat(sim, runText(WF.invoice, 'Invoice INV-QUICK', { options: { timeout: 1 } }));
			expect(result.error).toBeUndefined();
			expect(result.items[0].json.invoice_number).toBe('INV-QUICK');
		});
	});
});

/**
 * The Stop is pressed at a moment the test names (the node is waiting on the API), not after a fixed
 * time a loaded machine may reach before the node got there. "Promptly" is measured from the Stop:
 * the node sleeps in naps of at most a second (nodes/shared/pause.ts), and a Stop cuts the nap short,
 * so the execution ends well within one nap of it; a node that slept through would take a nap or
 * more (the run here takes 600 s, the Retry-After 30 s).
 */
const WITHIN_A_NAP_MS = 1000;

describe('Stop (the user stops the execution)', () => {
	test.concurrent('a long Wait ends promptly and asks nothing more of the API', async () => {
		await withSim(async (sim) => {
			const id = await submitDirect(sim, WF.invoice, `Invoice ${LONG}`);
			const mark = sim.ledger.requests.length;
			// stopped once the node has looked at the run and found it still processing
			const looked = () => sim.ledger.requests.slice(mark).some((r) => r.status !== null);
			const result = await runAnyformat(sim, waitFor(WF.invoice, id), { cancelWhen: looked });
			expect(result.status).toBe('canceled');
			expect(result.endedAt - result.canceledAt!).toBeLessThan(WITHIN_A_NAP_MS);
			const made = sim.ledger.requests.length - mark;
			// nothing asked afterwards either (the node's next look would come within this time)
			await new Promise((resolve) => setTimeout(resolve, 2500));
			expect(sim.ledger.requests.length - mark).toBe(made);
		});
	});

	test.concurrent('a Run waiting for its results ends promptly; the run submitted is left alone', async () => {
		await withSim(async (sim) => {
			// stopped once the submission was answered: the node is then waiting for the results
			const submitted = () => sim.ledger.requests.some((r) => r.route === 'run' && r.status === 202);
			const result = await runAnyformat(sim, runText(WF.invoice, `Invoice ${LONG}`), { cancelWhen: submitted });
			expect(result.status).toBe('canceled');
			expect(result.endedAt - result.canceledAt!).toBeLessThan(WITHIN_A_NAP_MS);
			expect(sim.ledger.runs).toHaveLength(1);
			expect(sim.getRun(sim.ledger.runs[0].collectionId)!.status).toMatch(/pending|queued|in_progress/);
		});
	});

	test.concurrent('a Stop during a Retry-After pause ends promptly too', async () => {
		await withSim(async (sim) => {
			sim.faults.retryAfterSeconds = 30;
			sim.faults.once('429', { route: 'workflow' });
			// stopped once the 429 was answered: the node is then in its 30 s pause
			const limited = () => sim.ledger.requests.some((r) => r.status === 429);
			const result = await runAnyformat(
				sim,
				{ resource: 'workflow', operation: 'get', workflowId: { __rl: true, mode: 'id', value: WF.invoice } },
				{ cancelWhen: limited },
			);
			expect(result.status).toBe('canceled');
			expect(result.endedAt - result.canceledAt!).toBeLessThan(WITHIN_A_NAP_MS);
			expect(sim.ledger.requests.map((r) => r.status)).toEqual([429]);
		});
	});
});
