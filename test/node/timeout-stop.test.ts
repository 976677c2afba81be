/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * The two ways a wait ends early: the node's Timeout option (the run goes on; the user is told how to
 * pick it up) and the user's Stop button (the harness's `cancelAfterMs`, which is what n8n's
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
			expect(result.durationMs).toBeLessThan(4500);
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

describe('Stop (the user stops the execution)', () => {
	test.concurrent('a long Wait ends promptly and asks nothing more of the API', async () => {
		await withSim(async (sim) => {
			const id = await submitDirect(sim, WF.invoice, `Invoice ${LONG}`);
			const mark = sim.ledger.requests.length;
			const result = await runAnyformat(sim, waitFor(WF.invoice, id), { cancelAfterMs: 400 });
			expect(result.status).toBe('canceled');
			expect(result.durationMs).toBeLessThan(1500);
			const made = sim.ledger.requests.length - mark;
			await new Promise((resolve) => setTimeout(resolve, 2500));
			expect(sim.ledger.requests.length - mark).toBe(made);
		});
	});

	test.concurrent('a Run waiting for its results ends promptly; the run submitted is left alone', async () => {
		await withSim(async (sim) => {
			const result = await runAnyformat(sim, runText(WF.invoice, `Invoice ${LONG}`), { cancelAfterMs: 600 });
			expect(result.status).toBe('canceled');
			expect(result.durationMs).toBeLessThan(1700);
			expect(sim.ledger.runs).toHaveLength(1);
		});
	});

	test.concurrent('a Stop during a Retry-After pause ends promptly too', async () => {
		await withSim(async (sim) => {
			sim.faults.retryAfterSeconds = 30;
			sim.faults.once('429', { route: 'workflow' });
			const result = await runAnyformat(
				sim,
				{ resource: 'workflow', operation: 'get', workflowId: { __rl: true, mode: 'id', value: WF.invoice } },
				{ cancelAfterMs: 400 },
			);
			expect(result.status).toBe('canceled');
			expect(result.durationMs).toBeLessThan(1500);
		});
	});
});
