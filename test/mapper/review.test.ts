/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/** Route For Review's pure decisions, as tables: which field needs a person, which item goes where, how many outputs. */
import type { INodeExecutionData } from 'n8n-workflow';

import {
	actionOutputs,
	fieldNeedsReview,
	fieldsForReview,
	reviewFieldsOf,
	splitForReview,
	triggerOutputs,
} from '../../nodes/shared/mapping/review';
import { actionOutputsExpression, triggerOutputsExpression } from '../../nodes/shared/descriptions';

const f = (confidence: number | null, status: string | null = 'not_verified', override: unknown = null) => ({
	value: 'x',
	value_override: override,
	verification_status: status,
	confidence,
	evidence: [],
});

describe('fieldNeedsReview', () => {
	const low = { minimumConfidence: 80, unverified: false };
	const unverified = { minimumConfidence: 0, unverified: true };
	const both = { minimumConfidence: 80, unverified: true };
	test.each([
		['below the minimum', f(61), low, true],
		['at the minimum', f(80), low, false],
		['above', f(97), low, false],
		['no confidence (null)', f(null), low, false],
		['minimum 0: confidence not checked', f(1), { minimumConfidence: 0, unverified: false }, false],
		['low but verified by a person', f(10, 'verified'), low, false],
		['low but overridden by a person', f(10, 'not_verified', 'Acme Corporation'), low, false],
		['an override of 0 counts as handled', f(10, 'not_verified', 0), low, false],
		['an override of "" counts as handled', f(10, null, ''), low, false],
		['not verified, with the unverified rule', f(99), unverified, true],
		['status null, with the unverified rule', f(99, null), unverified, true],
		['an unknown status word, with the unverified rule', f(99, 'needs_second_review'), unverified, true],
		['verified, with the unverified rule', f(99, 'verified'), unverified, false],
		['high and unverified, with both', f(99), both, true],
		['high and verified, with both', f(99, 'verified'), both, false],
	])('%s', (_name, field, rule, expected) => {
		expect(fieldNeedsReview(field, rule)).toBe(expected);
	});
});

describe('fieldsForReview / reviewFieldsOf', () => {
	const rule = { minimumConfidence: 80, unverified: false };
	const fields = {
		invoice_number: f(97),
		vendor_name: f(61),
		line_items: [{ quantity: f(50), price: f(99) }, { quantity: f(99), price: f(30, 'verified') }],
		note: 'not a field',
	} as never;
	test('names, with rows of list fields', () => {
		expect(fieldsForReview(fields, rule)).toEqual(['vendor_name', 'line_items[0].quantity']);
	});
	test('an item: its own anyformat.review_fields', () => {
		expect(reviewFieldsOf({ anyformat: { review_fields: ['a'] }, a: 1 }, rule)).toEqual(['a']);
	});
	test('a raw envelope: every extraction entry, or the deprecated extraction', () => {
		const envelope = { extractions: [{ fields }, { fields: { total: f(20) } }], extraction: null };
		expect(reviewFieldsOf(envelope as never, rule)).toEqual(['vendor_name', 'line_items[0].quantity', 'total']);
		expect(reviewFieldsOf({ extractions: [], extraction: { total: f(20) } } as never, rule)).toEqual(['total']);
		expect(reviewFieldsOf({ extractions: [], extraction: null, parse: {} } as never, rule)).toEqual([]);
	});
});

describe('splitForReview', () => {
	const item = (json: object, index: number): INodeExecutionData => ({ json: json as never, pairedItem: { item: index } });
	const rule = { minimumConfidence: 80, unverified: false };
	test('flagged items go to Needs Review, the rest (errors, processing, no fields) stay; pairing is kept', () => {
		const items = [
			item({ a: 1, anyformat: { review_fields: [] } }, 0),
			item({ a: 2, anyformat: { review_fields: ['a'] } }, 1),
			item({ error: 'failed', anyformat: { review_fields: ['a'] } }, 2),
			item({ anyformat: { status: 'processing' } }, 3),
			item({ a: 5, anyformat: { review_fields: ['a'] } }, 4),
		];
		const [results, review] = splitForReview(items, () => rule);
		expect(results.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }, { item: 3 }]);
		expect(review.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 4 }]);
		expect(review[0]).toBe(items[1]);
	});
	test('an item whose input has no rule (its options were bad) stays on Results', () => {
		const [results, review] = splitForReview([item({ anyformat: { review_fields: ['a'] } }, 0)], () => undefined);
		expect([results.length, review.length]).toEqual([1, 0]);
	});
});

describe('outputs: one, or Results + Needs Review', () => {
	const two = ['Results', 'Needs Review'];
	const on = { routeForReview: true };
	test.each([
		[{ resource: 'extraction', operation: 'getResults', options: on }, two],
		[{ resource: 'extraction', operation: 'wait', options: on }, two],
		[{ resource: 'extraction', operation: 'run', options: on }, two],
		[{ resource: 'extraction', operation: 'run', waitForResults: true, options: on }, two],
		[{ resource: 'extraction', operation: 'run', waitForResults: false, options: on }, [undefined]],
		[{ resource: 'extraction', operation: 'getMany', options: on }, [undefined]],
		[{ resource: 'extraction', operation: 'getResults', options: { routeForReview: false } }, [undefined]],
		[{ resource: 'extraction', operation: 'getResults', options: { routeForReview: '={{ true }}' } }, [undefined]],
		[{ resource: 'extraction', operation: 'getResults' }, [undefined]],
		[{ resource: 'workflow', operation: 'get', options: on }, [undefined]],
	])('Anyformat %j', (parameters, names) => {
		expect(actionOutputs(parameters).map((o) => o.displayName)).toEqual(names);
		// the node's `outputs` expression is the same function, serialised: evaluate it the way n8n does
		const body = actionOutputsExpression.slice(3, -2);
		expect(new Function('$parameter', `return ${body}`)(parameters)).toEqual(actionOutputs(parameters));
	});
	test.each([
		[{ fetchResults: true, options: on }, two],
		[{ options: on }, two],
		[{ fetchResults: false, options: on }, [undefined]],
		[{ fetchResults: true, options: {} }, [undefined]],
	])('trigger %j', (parameters, names) => {
		expect(triggerOutputs(parameters).map((o) => o.displayName)).toEqual(names);
		const body = triggerOutputsExpression.slice(3, -2);
		expect(new Function('$parameter', `return ${body}`)(parameters)).toEqual(triggerOutputs(parameters));
	});
});
