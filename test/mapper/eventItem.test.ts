/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/** The triggers' one item builder (nodes/shared/mapping/eventItem.ts), as tables, in milliseconds. */
import type { ConfirmedRun } from '../../nodes/shared/mapping/eventItem';
import { eventKey, failureOf, triggerItems } from '../../nodes/shared/mapping/eventItem';
import type { TriggerResultSettings } from '../../nodes/shared/triggerSettings';

const ID = '01a2336c-774b-70d1-a20f-5318cd2627b8';
const KEY = `extraction.completed:${ID}`;
const envelope = { collection_id: ID, extractions: [{ fields: { total: { value: 5 } } }], extraction: null };
const run = (over: Partial<ConfirmedRun> = {}): ConfirmedRun => ({
	event: 'extraction.completed',
	runId: ID,
	workflowId: 'wf',
	state: 'processed',
	envelope,
	errorCode: null,
	detail: null,
	createdAt: '2026-01-01T00:00:00Z',
	updatedAt: '2026-01-01T00:01:00Z',
	...over,
});
const settings = (over: Partial<TriggerResultSettings> = {}): TriggerResultSettings => ({
	fetchResults: true,
	output: 'simplified',
	includeMarkdown: false,
	minimumConfidence: 0,
	...over,
});

describe('triggerItems: results items or one event item, each with the trigger metadata', () => {
	test('raw: the envelope as returned plus anyformat with only the metadata', () => {
		expect(triggerItems(run(), settings({ output: 'raw' }), { signature: 'unverified' })).toEqual([
			{ ...envelope, anyformat: { event_key: KEY, signature: 'unverified' } },
		]);
	});
	test('raw: an envelope key called "anyformat" moves inside it as "field"', () => {
		const odd = { ...envelope, anyformat: 'theirs' };
		expect(triggerItems(run({ envelope: odd }), settings({ output: 'raw' }))).toEqual([
			{ ...envelope, anyformat: { field: 'theirs', event_key: KEY } },
		]);
	});
	test('simplified: the metadata joins the mapper\'s anyformat', () => {
		const [item] = triggerItems(run(), settings());
		expect(item.total).toBe(5);
		expect(item.anyformat).toMatchObject({ collection_id: ID, status: 'processed', event_key: KEY });
	});
	test.each([
		['Fetch Results off, processed', run(), settings({ fetchResults: false }), 'processed', null],
		['failed, Fetch Results on', run({ event: 'extraction.failed', state: 'failed', envelope: undefined, errorCode: 'EXTRACTION_FAILED', detail: 'no' }), settings(), 'failed', 'EXTRACTION_FAILED'],
		['cancelled', run({ event: 'extraction.failed', state: 'cancelled', envelope: undefined, errorCode: 'EXTRACTION_CANCELLED', detail: null }), settings(), 'cancelled', 'EXTRACTION_CANCELLED'],
	] as const)('%s: one event item from the confirmed state', (_name, r, s, status, code) => {
		expect(triggerItems(r, s)).toEqual([
			{
				anyformat: {
					status,
					collection_id: ID,
					workflow_id: 'wf',
					event: r.event,
					error_code: code,
					detail: code === 'EXTRACTION_FAILED' ? 'no' : null,
					created_at: '2026-01-01T00:00:00Z',
					updated_at: '2026-01-01T00:01:00Z',
					event_key: eventKey(r.event, ID),
				},
			},
		]);
	});
	test('the event key is the same however the run id is spelled', () => {
		const [item] = triggerItems(run({ runId: ID.toUpperCase().replace(/-/g, '') }), settings({ fetchResults: false }));
		expect((item.anyformat as any).event_key).toBe(KEY);
	});
});

describe('failureOf: the error code and detail of a 422', () => {
	test.each([
		[{ errorCode: 'EXTRACTION_FAILED', detail: 'd', fieldMessages: ['x'] }, { errorCode: 'EXTRACTION_FAILED', detail: 'd' }],
		[{ errorCode: undefined, detail: undefined, fieldMessages: ['a', 'b'] }, { errorCode: null, detail: 'a; b' }],
		[{ errorCode: undefined, detail: undefined, fieldMessages: [] }, { errorCode: null, detail: null }],
	])('%j', (error, expected) => {
		expect(failureOf({ status: 422, ...error } as never)).toEqual(expected);
	});
});
