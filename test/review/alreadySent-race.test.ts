/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Adversarial review: Skip Documents Already Sent "checks" by recording (checkProcessedAndRecord) and
 * then takes the new keys back (removeProcessed). Between those two calls a second execution of the
 * same node checking the same document sees it as recorded and SKIPS it ("already sent by an earlier
 * execution"), although the first execution has sent nothing yet, and may never send it (here its
 * submission is certainly refused, so it records nothing). The document is then never taken, while an
 * item claims it was. Driven with n8n's deduplication store as the harness mirrors it.
 * Expected to FAIL until fixed: marked test.failing.
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

test.failing('review: two executions checking the same document at once: the second does not skip a document the first has not sent', async () => {
	const outcomes1: any[] = [];
	const outcomes2: any[] = [];
	const [first, second] = await Promise.all([
		skipAlreadySent(fakeCtx(), [job()], outcomes1),
		skipAlreadySent(fakeCtx(), [job()], outcomes2),
	]);
	expect(first.jobs).toHaveLength(1); // the first goes on to send it
	// the first's submission is certainly refused (e.g. 429s exhausted): nothing is recorded
	await first.record(new Map([[0, { state: 'failed' }]]));
	// ... yet the second execution skipped the document as "already sent"
	expect(outcomes2[0]?.json?.[0]?.anyformat?.status).toBeUndefined();
	expect(second.jobs).toHaveLength(1);
});
