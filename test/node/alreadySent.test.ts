/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Run option "Skip Documents Already Sent" through n8n-core's engine, against the simulator: a
 * document is recognised by the SHA-256 of its content (with the Anyformat workflow), claimed in
 * n8n's deduplication store before it is sent, released when the API certainly did not take it, and
 * skipped by later executions of the node with an item that says so. (The harness's store mirrors n8n's database-backed one in memory:
 * test/harness/deduplication.ts; the real one is exercised by the queue-mode suite, test/queue.)
 */
import { createHash } from 'node:crypto';

import { clearProcessed, processedCount, WORKFLOW_ID } from '../harness';
import { makeDocs, runBatch, startSimulator, SCENARIOS, type Sim } from '../batch/helpers';
import { skipAlreadySent } from '../../nodes/Anyformat/helpers/alreadySent';

const NODE_ID = 'run-node-skip-test';
const skip = { skipAlreadySent: true };
const meta = (item: { json: any }) => item.json.anyformat as Record<string, any>;
const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

let sim: Sim;
beforeEach(async () => {
	clearProcessed();
	sim = await startSimulator({ processingMs: 20 });
});
afterEach(async () => await sim.close());

describe('Skip Documents Already Sent', () => {
	test('a re-run sends only the documents not sent before; the others come out as skipped items, in place and paired', async () => {
		const docs = makeDocs(4, () => 20, 'skip');
		const first = await runBatch({ sim, docs: docs.slice(0, 3), options: skip, nodeId: NODE_ID });
		expect(first.error).toBeUndefined();
		expect(sim.ledger.runs).toHaveLength(3);
		expect(processedCount(WORKFLOW_ID, NODE_ID)).toBe(3);

		const again = await runBatch({ sim, docs, options: skip, nodeId: NODE_ID });
		expect(again.error).toBeUndefined();
		expect(sim.ledger.runs).toHaveLength(4);
		expect(sim.ledger.duplicates()).toEqual([]);
		expect(again.items).toHaveLength(4);
		docs.slice(0, 3).forEach((doc, i) => {
			const item = again.items[i];
			expect(item.pairedItem).toEqual({ item: i });
			expect(item.json.anyformat).toMatchObject({
				status: 'skipped',
				reason: 'already_sent',
				sha256: sha(doc.content),
				workflow_id: SCENARIOS.invoice.id,
				collection_id: null,
			});
			// the hash is the one of the bytes the API received the first time
			expect(sim.ledger.uploads.map((u) => u.sha256)).toContain(meta(item).sha256);
			expect(meta(item).message).toMatch(/Get Many.*Get Results/);
		});
		expect(again.items[3].pairedItem).toEqual({ item: 3 });
		expect(again.items[3].json.invoice_number).toBe(docs[3].invoiceNumber);
		expect(processedCount(WORKFLOW_ID, NODE_ID)).toBe(4);
	});

	test('without the option the same re-run sends every document again (what the option prevents)', async () => {
		const docs = makeDocs(2, () => 20, 'plain');
		await runBatch({ sim, docs, nodeId: NODE_ID });
		await runBatch({ sim, docs, nodeId: NODE_ID });
		expect(sim.ledger.duplicates()).toHaveLength(2);
		expect(processedCount(WORKFLOW_ID, NODE_ID)).toBe(0);
	});

	test('text input is keyed on its UTF-8 bytes; another Anyformat workflow is another key', async () => {
		const docs = makeDocs(1, () => 20, 'text');
		docs[0].content = `Rechnung Nr. ${docs[0].invoiceNumber} – Größe € ✓\n[[processing_ms:20]]\n`;
		await runBatch({ sim, docs, inputType: 'text', options: skip, nodeId: NODE_ID });
		const again = await runBatch({ sim, docs, inputType: 'text', options: skip, nodeId: NODE_ID });
		expect(meta(again.items[0])).toMatchObject({ status: 'skipped', sha256: sha(docs[0].content) });
		expect(sim.ledger.runs).toHaveLength(1);
		const other = await runBatch({ sim, docs, inputType: 'text', options: skip, nodeId: NODE_ID, workflowId: Object.values(SCENARIOS).map((s) => s.id).find((id) => id !== SCENARIOS.invoice.id) });
		expect(meta(other.items[0]).status).not.toBe('skipped');
		expect(sim.ledger.runs).toHaveLength(2);
	});

	test('a document the API refused is not recorded, so a re-run sends it', async () => {
		const docs = makeDocs(2, () => 20, 'refused');
		sim.configure({ credits: 1 });
		const first = await runBatch({ sim, docs, options: skip, nodeId: NODE_ID, continueOnFail: true });
		expect(first.items[1].json.error).toMatch(/no credit/i);
		expect(processedCount(WORKFLOW_ID, NODE_ID)).toBe(1);
		sim.configure({ credits: null });
		const again = await runBatch({ sim, docs, options: skip, nodeId: NODE_ID });
		expect(meta(again.items[0]).status).toBe('skipped');
		expect(again.items[1].json.invoice_number).toBe(docs[1].invoiceNumber);
		expect(sim.ledger.duplicates()).toEqual([]);
	});

	test('a document whose answer was lost (it may have created a run) is recorded: a re-run never sends it twice', async () => {
		const docs = makeDocs(1, () => 20, 'lost');
		sim.faults.once('reset-after-accept', { route: 'run' });
		await runBatch({ sim, docs, options: skip, nodeId: NODE_ID, continueOnFail: true });
		expect(sim.faults.injected['reset-after-accept']).toBe(1);
		expect(sim.ledger.runs).toHaveLength(1);
		const again = await runBatch({ sim, docs, options: skip, nodeId: NODE_ID, continueOnFail: true });
		expect(meta(again.items[0]).status).toBe('skipped');
		expect(sim.ledger.runs).toHaveLength(1);
	});

	test.each([true, false])('a batch that cannot start (a bad Base URL; Continue On Fail %s) sends nothing and releases its claims, so a re-run sends the documents', async (continueOnFail) => {
		const docs = makeDocs(2, () => 20, `nostart-${continueOnFail}`);
		const broken = await runBatch({ sim: { ...sim, url: 'not a url' }, docs, options: skip, nodeId: NODE_ID, continueOnFail });
		if (continueOnFail) expect(broken.items[0].json.error).toMatch(/Base URL/);
		else expect(broken.error?.message).toMatch(/Base URL/);
		expect(sim.ledger.runs).toHaveLength(0);
		expect(processedCount(WORKFLOW_ID, NODE_ID)).toBe(0);
		const again = await runBatch({ sim, docs, options: skip, nodeId: NODE_ID });
		expect(again.error).toBeUndefined();
		docs.forEach((doc, i) => expect(again.items[i].json.invoice_number).toBe(doc.invoiceNumber));
		expect(sim.ledger.runs).toHaveLength(2);
		expect(processedCount(WORKFLOW_ID, NODE_ID)).toBe(2);
	});

	test('an n8n without the deduplication store fails clearly, before anything is sent', async () => {
		const ctx = {
			helpers: {},
			getNode: () => ({ name: 'Anyformat' }),
			getNodeParameter: () => ({ skipAlreadySent: true }),
		} as never;
		const job = { itemIndex: 0, workflowId: 'wf', document: {} as never };
		await expect(skipAlreadySent(ctx, [job], [])).rejects.toThrow(/deduplication store/);
	});
});
