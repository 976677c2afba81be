'use strict';
/** The workflows of the queue-mode suite (imported into main with `n8n import:workflow`). */
const { NODE_TYPE, TRIGGER_TYPE, SCENARIO } = require('../../e2e/lib/examples');

const BATCH_ID = 'QueueBatch000001';
const BATCH_PATH = 'queue-batch';
const RESEND_ID = 'QueueResend00001';
const RESEND_PATH = 'queue-resend';
const TRIGGER_ID = 'QueueTrigger0001';
const COLLECT_ID = 'QueueCollect0001';
const COLLECT_PATH = 'queue-collect';
const EXTRACT = 'Extract';
const ONCE = 'Once Per Run';

const node = (id, name, type, typeVersion, x, parameters, extra = {}) => ({
	id: `0a0b0c0d-0000-4000-8000-${id.padStart(12, '0')}`,
	name,
	type,
	typeVersion,
	position: [x, 0],
	parameters,
	...extra,
});
const chain = (...names) =>
	Object.fromEntries(names.slice(0, -1).map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));

/**
 * Webhook (answers at once) → one item per document → a file in n8n's binary store (database mode)
 * → Anyformat Run and wait. `skip`: with Skip Documents Already Sent.
 */
function documentsWorkflow({ id, path, name, credential, skip = false, n }) {
	return {
		id,
		name,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node(`${n}1`, 'Documents In', 'n8n-nodes-base.webhook', 2, 0, { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} }, { webhookId: `0a0b0c0d-0000-4000-9000-${String(n).padStart(12, '0')}` }),
			node(`${n}2`, 'One Item per Document', 'n8n-nodes-base.splitOut', 1, 220, { fieldToSplitOut: 'body.docs', options: {} }),
			node(`${n}3`, 'To File', 'n8n-nodes-base.convertToFile', 1.1, 440, { operation: 'toText', sourceProperty: 'text', binaryPropertyName: 'data', options: { fileName: '={{ $json.name }}' } }),
			node(`${n}4`, EXTRACT, NODE_TYPE, 1, 660, {
				resource: 'extraction',
				operation: 'run',
				workflowId: { __rl: true, mode: 'id', value: SCENARIO.invoice },
				inputType: 'binary',
				binaryPropertyName: 'data',
				waitForResults: true,
				output: 'simplified',
				options: { timeout: 600, ...(skip ? { skipAlreadySent: true } : {}) },
			}, { credentials: { anyformatApi: credential } }),
		],
		connections: chain('Documents In', 'One Item per Document', 'To File', EXTRACT),
	};
}

const batch = (credential) => documentsWorkflow({ id: BATCH_ID, path: BATCH_PATH, name: 'Queue: batch', credential, n: 1 });
const resend = (credential) => documentsWorkflow({ id: RESEND_ID, path: RESEND_PATH, name: 'Queue: batch, skipping documents already sent', credential, skip: true, n: 2 });

/**
 * What to do after a crash, before the polling trigger: Webhook (answers with the last node's items)
 * → Extraction → Get Many (every run of the workflow) → Get Results of each.
 */
function collect(credential) {
	const anyformat = (n, name, x, parameters) =>
		node(n, name, NODE_TYPE, 1, x, { resource: 'extraction', workflowId: { __rl: true, mode: 'id', value: SCENARIO.invoice }, ...parameters }, { credentials: { anyformatApi: credential } });
	return {
		id: COLLECT_ID,
		name: 'Queue: collect every run',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('41', 'Collect', 'n8n-nodes-base.webhook', 2, 0, { httpMethod: 'POST', path: COLLECT_PATH, responseMode: 'lastNode', responseData: 'allEntries', options: {} }, { webhookId: '0a0b0c0d-0000-4000-9000-000000000041' }),
			anyformat('42', 'Get Many', 220, { operation: 'getMany', returnAll: true }),
			anyformat('43', 'Get Results', 440, { operation: 'getResults', collectionId: '={{ $json.collection_id }}', output: 'simplified' }),
		],
		connections: chain('Collect', 'Get Many', 'Get Results'),
	};
}

/**
 * Anyformat Trigger → Remove Duplicates (across executions, keyed on the run and its final status:
 * stable for every delivery of one finished run) → a no-op whose items are the runs handled exactly once.
 */
function trigger(credential) {
	return {
		id: TRIGGER_ID,
		name: 'Queue: trigger',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			node('31', 'When Extraction Finishes', TRIGGER_TYPE, 1, 0, {
				workflowId: { __rl: true, mode: 'id', value: SCENARIO.invoice },
				events: ['extraction.completed', 'extraction.failed'],
				fetchResults: true,
				output: 'simplified',
				options: {},
			}, { webhookId: '0a0b0c0d-0000-4000-9000-000000000031', credentials: { anyformatApi: credential } }),
			node('32', 'Remove Duplicates', 'n8n-nodes-base.removeDuplicates', 2, 220, {
				operation: 'removeItemsSeenInPreviousExecutions',
				logic: 'removeItemsWithAlreadySeenKeyValues',
				dedupeValue: '={{ $json.anyformat.collection_id }}:{{ $json.anyformat.status }}',
				options: {},
			}),
			node('33', ONCE, 'n8n-nodes-base.noOp', 1, 440, {}),
		],
		connections: chain('When Extraction Finishes', 'Remove Duplicates', ONCE),
	};
}

module.exports = { BATCH_ID, BATCH_PATH, RESEND_ID, RESEND_PATH, TRIGGER_ID, COLLECT_ID, COLLECT_PATH, EXTRACT, ONCE, batch, resend, collect, trigger };
