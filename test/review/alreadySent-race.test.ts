/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Adversarial review: Skip Documents Already Sent "checked" by recording (checkProcessedAndRecord) and
 * then taking the new keys back (removeProcessed). Between those two calls a second execution of the
 * same node checking the same document saw it as recorded and SKIPPED it ("already sent by an earlier
 * execution"), although the first had sent nothing yet and might never send it (its submission refused,
 * nothing recorded): the document was never taken while an item claimed it was.
 * Fixed: the check is a claim, made once before sending. Of two executions checking at once exactly
 * one sends; the other's item says the document was sent earlier OR is being sent right now by another
 * execution (and how to check); a refused submission releases the claim, so a re-run sends it.
 * Driven with n8n's deduplication store as the harness mirrors it.
 */
import { clearProcessed } from '../harness';
import { HarnessDeduplicator } from '../harness/deduplication';
import { skipAlreadySent } from '../../nodes/Anyformat/helpers/alreadySent';

const store = new HarnessDeduplicator();
const context = { workflow: { id: 'wf-review' }, node: { id: 'node-review' } } as any;

function fakeCtx() {
	return {
		getNode: () => ({ id: 'node-review', name: 'Anyformat', type: 'n8n-nodes-anyformat.anyformat', typeVersion: 1, position: [0, 0], parameters: {} }),
		getNodeParameter: () => ({ skipAlreadySent: true }),
		logger: { warn: () => {}, debug: () => {} },
		helpers: {
			checkProcessedAndRecord: async (items: string[], scope: any, options: any) =>
				await store.checkProcessedAndRecord(items, scope, context, options),
			removeProcessed: async (items: string[], scope: any, options: any) =>
				await store.removeProcessed(items, scope, context, options),
		},
	} as any;
}
const job = () => ({ itemIndex: 0, workflowId: 'wf_invoice', document: { body: () => [['text', 'the same invoice']] } as any });

beforeEach(() => clearProcessed());

test('review: two executions checking the same document at once: one sends it, the other says it may be in flight; a refusal releases it for a re-run', async () => {
	const outcomes = [[], []] as any[][];
	const checks = await Promise.all([
		skipAlreadySent(fakeCtx(), [job()], outcomes[0]),
		skipAlreadySent(fakeCtx(), [job()], outcomes[1]),
	]);
	const senders = checks.filter((check) => check.jobs.length === 1);
	expect(senders).toHaveLength(1); // never both: that would send the document twice
	const skipper = checks.findIndex((check) => check.jobs.length === 0);
	expect(skipper).not.toBe(-1);
	const skipped = outcomes[skipper][0]?.json?.[0]?.anyformat;
	expect(skipped?.status).toBe('skipped');
	// the truth: sent earlier, or being sent right now by another execution; check before re-running
	expect(skipped?.message).toMatch(/already sent it .* earlier execution, or another execution of this node is sending it right now/);
	expect(skipped?.message).toMatch(/Before re-running it, check: .*Get Many.*Get Results/);
	// the sender's submission is certainly refused (e.g. 429s exhausted): its claim is released
	await senders[0].record(new Map([[0, { state: 'failed' }]]));
	// ... so a re-run sends the document
	const rerunOutcomes: any[] = [];
	const rerun = await skipAlreadySent(fakeCtx(), [job()], rerunOutcomes);
	expect(rerun.jobs).toHaveLength(1);
	expect(rerunOutcomes[0]).toBeUndefined();
});

test('review: the skipping execution never releases the claim of the execution that is sending', async () => {
	const sender = await skipAlreadySent(fakeCtx(), [job()], []);
	expect(sender.jobs).toHaveLength(1);
	const skipper = await skipAlreadySent(fakeCtx(), [job()], []);
	expect(skipper.jobs).toHaveLength(0);
	await skipper.record(new Map()); // it sent nothing
	const third = await skipAlreadySent(fakeCtx(), [job()], []);
	expect(third.jobs).toHaveLength(0); // the sender's claim still stands
	await sender.record(new Map([[0, { state: 'submitted' }]]));
	expect((await skipAlreadySent(fakeCtx(), [job()], [])).jobs).toHaveLength(0);
});
