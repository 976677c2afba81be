/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Adversarial review: Skip Documents Already Sent keys a document as `anyformat:<workflow id as typed>:<sha256>`.
 * The package itself treats a UUID in any case, with or without hyphens, as one id (nodes/shared/runId.ts:
 * "an API that parses UUIDs accepts them all"), and the triggers normalize with it; this key does not.
 * A re-run whose Workflow is the same UUID spelled otherwise (pasted uppercase, from another field, without
 * hyphens) sends the document again. Fixed: the key holds the id as `normalizeRunId` spells it.
 */
import { clearProcessed } from '../harness';
import { HarnessDeduplicator } from '../harness/deduplication';
import { skipAlreadySent } from '../../nodes/Anyformat/helpers/alreadySent';

const store = new HarnessDeduplicator();
const context = { workflow: { id: 'wf-review-2' }, node: { id: 'node-review-2' } } as any;
const ctx = {
	getNode: () => ({ id: 'node-review-2', name: 'Anyformat', type: 'n8n-nodes-anyformat.anyformat', typeVersion: 1, position: [0, 0], parameters: {} }),
	getNodeParameter: () => ({ skipAlreadySent: true }),
	logger: { warn: () => {}, debug: () => {} },
	helpers: {
		checkProcessedAndRecord: async (items: string[], scope: any, options: any) => await store.checkProcessedAndRecord(items, scope, context, options),
		removeProcessed: async (items: string[], scope: any, options: any) => await store.removeProcessed(items, scope, context, options),
	},
} as any;
const job = (workflowId: string) => ({ itemIndex: 0, workflowId, document: { body: () => [['text', 'one invoice']] } as any });

beforeEach(() => clearProcessed());

test('review: the same workflow UUID spelled in upper case is the same workflow for Skip Documents Already Sent', async () => {
	const first = await skipAlreadySent(ctx, [job('0686bb97-8c30-70f0-8000-97669e000eb8')], []);
	await first.record(new Map([[0, { state: 'submitted' }]]));
	const outcomes: any[] = [];
	const again = await skipAlreadySent(ctx, [job('0686BB97-8C30-70F0-8000-97669E000EB8')], outcomes);
	expect(again.jobs).toHaveLength(0);
	expect(outcomes[0]?.json?.[0]?.anyformat?.status).toBe('skipped');
	const unhyphenated: any[] = [];
	const third = await skipAlreadySent(ctx, [job('0686bb978c3070f0800097669e000eb8')], unhyphenated);
	expect(third.jobs).toHaveLength(0);
	expect(unhyphenated[0]?.json?.[0]?.anyformat?.status).toBe('skipped');
});
