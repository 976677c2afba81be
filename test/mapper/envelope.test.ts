/**
 * Unit tests of the pure envelope → items mapper (helpers/envelope.ts), shared by the node and the
 * trigger. Envelopes follow the documented shape (shared/anyformat-api.md, seeds/*response-formats*).
 */
import {
	lowConfidenceFields,
	mapEnvelopeToItems,
	trustedValue,
} from '../../nodes/shared/mapping/envelope';
import type { MapOptions } from '../../nodes/shared/transport/types';

const COLLECTION = '069dcc2c-e14c-7606-8000-2ee4fb17b4e1';
const WORKFLOW = '0686bb97-8c30-70f0-8000-97669e000eb8';

type Field = {
	value: unknown;
	value_override: unknown;
	verification_status: string | null;
	confidence: number | null;
	evidence: Array<{ text: string; page_number: number }>;
};

const field = (value: unknown, confidence: number | null = 95, more: Partial<Field> = {}): Field => ({
	value,
	value_override: null,
	verification_status: 'not_verified',
	confidence,
	evidence: [{ text: `evidence of ${JSON.stringify(value)}`, page_number: 1 }],
	...more,
});

const opts = (more: Partial<MapOptions> = {}): MapOptions => ({
	output: 'simplified',
	includeMarkdown: false,
	minimumConfidence: 0,
	collectionId: COLLECTION,
	workflowId: WORKFLOW,
	...more,
});

function envelope(more: Record<string, unknown> = {}) {
	return {
		collection_id: COLLECTION,
		verification_url: `https://app.anyformat.ai/workflows/${WORKFLOW}/files/${COLLECTION}/`,
		parse: { markdown: '<DOCUMENT id="1" page="1">\nInvoice INV-1\n</DOCUMENT>' },
		classifications: [],
		splits: [],
		extractions: [],
		extraction: null,
		...more,
	};
}

const linearFields = () => ({
	invoice_number: field('INV-2024-0847', 97),
	total_amount: field(4087.5, 96),
	vendor_name: field('Acme Corp', 61),
});

const linear = () => {
	const fields = linearFields();
	return envelope({
		extractions: [{ split_name: null, partition: null, fields }],
		extraction: structuredClone(fields),
	});
};

const anyformatOf = (item: Record<string, unknown>) => item.anyformat as Record<string, unknown>;

describe('trustedValue', () => {
	test.each([
		['an override of 0', 0],
		['an override of false', false],
		['an override of ""', ''],
		['a non-empty override', 'INV-FIXED'],
		['an override that is an object', { amount: 1 }],
	])('%s wins over the value', (_label, override) => {
		expect(trustedValue({ value: 'model value', value_override: override })).toEqual(override);
	});

	test('a null override does not win', () => {
		expect(trustedValue({ value: 12.5, value_override: null })).toBe(12.5);
	});

	test('a missing override or value gives the other, or null', () => {
		expect(trustedValue({ value: 'v' })).toBe('v');
		expect(trustedValue({ value: undefined, value_override: undefined })).toBeNull();
		expect(trustedValue({ value: null, value_override: null })).toBeNull();
	});
});

describe('mapEnvelopeToItems', () => {
	test('linear: one item, trusted values at the top level, run metadata under anyformat', () => {
		const items = mapEnvelopeToItems(linear(), opts());
		expect(items).toEqual([
			{
				invoice_number: 'INV-2024-0847',
				total_amount: 4087.5,
				vendor_name: 'Acme Corp',
				anyformat: {
					collection_id: COLLECTION,
					workflow_id: WORKFLOW,
					split_name: null,
					partition: null,
					status: 'processed',
					verification_url: `https://app.anyformat.ai/workflows/${WORKFLOW}/files/${COLLECTION}/`,
					classifications: [],
					low_confidence_fields: [],
				},
			},
		]);
	});

	test('split: one item per (split, partition), each joined with its split: pages of all its files, sorted and unique', () => {
		const files = (pages: number[][], names = ['a.pdf', 'b.pdf']) =>
			pages.map((p, i) => ({ file_id: `f${i}`, file_name: names[i], pages: p }));
		const env = envelope({
			splits: [
				{
					name: 'invoice',
					confidence: 95,
					files: files([[1, 2, 3]]),
					partitions: [
						{ name: 'invoice_1', confidence: 94, files: files([[2, 1], [1, 5]]) },
						{ name: 'invoice_2', confidence: 90, files: files([[3]]) },
					],
				},
				{ name: 'statement', confidence: 89, files: files([[4, 5]]) },
			],
			extractions: [
				{ split_name: 'invoice', partition: 'invoice_1', fields: { invoice_number: field('A-1') } },
				{ split_name: 'invoice', partition: 'invoice_2', fields: { invoice_number: field('A-2') } },
				{ split_name: 'statement', partition: null, fields: { holder: field('Jane Doe') } },
			],
		});
		const items = mapEnvelopeToItems(env, opts());
		expect(items.map((i) => [i.invoice_number ?? i.holder, anyformatOf(i).split_name, anyformatOf(i).partition])).toEqual([
			['A-1', 'invoice', 'invoice_1'],
			['A-2', 'invoice', 'invoice_2'],
			['Jane Doe', 'statement', null],
		]);
		expect(anyformatOf(items[0]).split).toEqual({
			name: 'invoice',
			confidence: 95,
			partition: 'invoice_1',
			partition_confidence: 94,
			pages: [1, 2, 5],
			files: files([[2, 1], [1, 5]]),
		});
		expect(anyformatOf(items[1]).split).toMatchObject({ partition: 'invoice_2', partition_confidence: 90, pages: [3] });
		// a split without partitions: the split's own files and pages
		expect(anyformatOf(items[2]).split).toEqual({
			name: 'statement',
			confidence: 89,
			partition: null,
			partition_confidence: null,
			pages: [4, 5],
			files: files([[4, 5]]),
		});
		// linear entries carry no split
		expect(anyformatOf(mapEnvelopeToItems(linear(), opts())[0])).not.toHaveProperty('split');
	});

	test('split: an extraction whose split is missing from splits[] gets split null instead of failing', () => {
		const env = envelope({
			extractions: [{ split_name: 'ghost', partition: 'ghost_1', fields: { a: field(1) } }],
		});
		const [item] = mapEnvelopeToItems(env, opts());
		expect(item.a).toBe(1);
		expect(anyformatOf(item)).toMatchObject({ split_name: 'ghost', partition: 'ghost_1', split: null });
	});

	test('parse-only: one item whose anyformat.markdown holds the document, even without Include Markdown', () => {
		const env = envelope();
		for (const includeMarkdown of [false, true]) {
			const items = mapEnvelopeToItems(env, opts({ includeMarkdown }));
			expect(items).toHaveLength(1);
			expect(Object.keys(items[0])).toEqual(['anyformat']);
			expect(anyformatOf(items[0])).toMatchObject({
				collection_id: COLLECTION,
				status: 'processed',
				split_name: null,
				partition: null,
				markdown: env.parse.markdown,
			});
		}
		// detailed too
		expect(anyformatOf(mapEnvelopeToItems(env, opts({ output: 'detailed' }))[0]).markdown).toBe(env.parse.markdown);
	});

	test('parse-only with parse null: markdown is present and null', () => {
		const [item] = mapEnvelopeToItems(envelope({ parse: null }), opts());
		expect(anyformatOf(item)).toHaveProperty('markdown', null);
	});

	test('line items: arrays of plain rows, a reviewer override inside a row wins', () => {
		const fields = {
			po_number: field('PO-1'),
			line_items: [
				{ description: field('Widget A'), quantity: field(10), unit_price: field(2.5) },
				{
					description: field('Widget B'),
					quantity: field(4, 90, { value_override: 5, verification_status: 'verified' }),
					unit_price: field(12),
				},
				{ description: field('Free sample'), quantity: field(1, 80, { value_override: 0 }), unit_price: field(0) },
			],
		};
		const [item] = mapEnvelopeToItems(envelope({ extractions: [{ split_name: null, partition: null, fields }] }), opts());
		expect(item.po_number).toBe('PO-1');
		expect(item.line_items).toEqual([
			{ description: 'Widget A', quantity: 10, unit_price: 2.5 },
			{ description: 'Widget B', quantity: 5, unit_price: 12 },
			{ description: 'Free sample', quantity: 0, unit_price: 0 },
		]);
	});

	test('falsy overrides: 0, false and "" win, null does not', () => {
		const fields = {
			discount_amount: field(15.5, 82, { value_override: 0 }),
			is_paid: field(true, 77, { value_override: false }),
			internal_note: field('Check VAT', 64, { value_override: '' }),
			vendor_name: field('Acme Corp', 90, { value_override: null }),
		};
		const [item] = mapEnvelopeToItems(envelope({ extractions: [{ split_name: null, partition: null, fields }] }), opts());
		expect(item).toMatchObject({ discount_amount: 0, is_paid: false, internal_note: '', vendor_name: 'Acme Corp' });
	});

	test('detailed: each field keeps value, value_override, confidence, verification_status and evidence', () => {
		const fields = {
			total: field(100, 96, { value_override: 0, verification_status: 'verified' }),
			due_date: field('2024-04-15', null, { verification_status: null, evidence: [] }),
			line_items: [{ quantity: field(4, 90, { value_override: 5 }) }],
		};
		const [item] = mapEnvelopeToItems(
			envelope({ extractions: [{ split_name: null, partition: null, fields }] }),
			opts({ output: 'detailed' }),
		);
		expect(item.total).toEqual({
			value: 100,
			value_override: 0,
			confidence: 96,
			verification_status: 'verified',
			evidence: [{ text: 'evidence of 100', page_number: 1 }],
		});
		expect(item.due_date).toEqual({
			value: '2024-04-15',
			value_override: null,
			confidence: null,
			verification_status: null,
			evidence: [],
		});
		expect(item.line_items).toEqual([
			{
				quantity: {
					value: 4,
					value_override: 5,
					confidence: 90,
					verification_status: 'not_verified',
					evidence: [{ text: 'evidence of 4', page_number: 1 }],
				},
			},
		]);
		expect(anyformatOf(item).status).toBe('processed');
	});

	test('detailed: missing keys of a field come out as null / [] (never undefined)', () => {
		const [item] = mapEnvelopeToItems(
			envelope({ extractions: [{ split_name: null, partition: null, fields: { a: { value: 'x' } } }] }),
			opts({ output: 'detailed' }),
		);
		expect(item.a).toEqual({ value: 'x', value_override: null, confidence: null, verification_status: null, evidence: [] });
	});

	test('raw: one item that is the envelope exactly, whatever the other options', () => {
		const env = linear();
		const copy = structuredClone(env);
		const items = mapEnvelopeToItems(env, opts({ output: 'raw', includeMarkdown: true, minimumConfidence: 99 }));
		expect(items).toEqual([copy]);
		expect(env).toEqual(copy); // not mutated
	});

	test('Include Markdown adds anyformat.markdown to every item; without it there is none', () => {
		const env = linear();
		expect(anyformatOf(mapEnvelopeToItems(env, opts())[0])).not.toHaveProperty('markdown');
		const [item] = mapEnvelopeToItems(env, opts({ includeMarkdown: true }));
		expect(anyformatOf(item).markdown).toBe(env.parse.markdown);
	});

	test('Minimum Confidence lists the fields below it, rows as line_items[1].quantity; 0 turns it off', () => {
		const fields = {
			po_number: field('PO-1', 98),
			vendor: field('Acme', 61),
			exactly: field('at the threshold', 80),
			unknown: field('no confidence', null),
			line_items: [
				{ quantity: field(10, 90), unit_price: field(2.5, 93) },
				{ quantity: field(4, 55), unit_price: field(12, 79.9) },
			],
		};
		const env = envelope({ extractions: [{ split_name: null, partition: null, fields }] });
		const [item] = mapEnvelopeToItems(env, opts({ minimumConfidence: 80 }));
		expect(anyformatOf(item).low_confidence_fields).toEqual(['vendor', 'line_items[1].quantity', 'line_items[1].unit_price']);
		expect(anyformatOf(mapEnvelopeToItems(env, opts({ minimumConfidence: 0 }))[0]).low_confidence_fields).toEqual([]);
		expect(lowConfidenceFields(fields, 100)).toEqual([
			'po_number',
			'vendor',
			'exactly',
			'line_items[0].quantity',
			'line_items[0].unit_price',
			'line_items[1].quantity',
			'line_items[1].unit_price',
		]);
	});

	test('classifications are carried on every item', () => {
		const classifications = [
			{ category: 'invoice', confidence: 91, evidence: 'Invoice #1' },
			{ category: 'receipt', confidence: 7, evidence: null },
		];
		const env = { ...linear(), classifications };
		const [item] = mapEnvelopeToItems(env, opts());
		expect(anyformatOf(item).classifications).toEqual(classifications);
	});

	test('an envelope without extractions falls back to the deprecated extraction', () => {
		const fields = linearFields();
		const env: Record<string, unknown> = { ...envelope({ extraction: fields }) };
		delete env.extractions;
		const items = mapEnvelopeToItems(env, opts());
		expect(items).toHaveLength(1);
		expect(items[0]).toMatchObject({ invoice_number: 'INV-2024-0847', total_amount: 4087.5 });
		expect(anyformatOf(items[0])).toMatchObject({ split_name: null, partition: null });
	});

	test('an older envelope with extractions [] but the deprecated extraction filled keeps its fields', () => {
		const [item] = mapEnvelopeToItems(envelope({ extractions: [], extraction: linearFields() }), opts());
		expect(item).toMatchObject({ invoice_number: 'INV-2024-0847', vendor_name: 'Acme Corp' });
	});

	test('missing keys do not crash: an empty envelope gives one item with the known ids', () => {
		for (const env of [{}, null, undefined, 'not an object', [1, 2]]) {
			const items = mapEnvelopeToItems(env, opts());
			expect(items).toHaveLength(1);
			expect(anyformatOf(items[0])).toMatchObject({
				collection_id: COLLECTION,
				workflow_id: WORKFLOW,
				status: 'processed',
				verification_url: null,
				classifications: [],
				markdown: null,
			});
		}
	});

	test('malformed parts do not crash: odd entries, fields, rows, splits, pages', () => {
		const env = envelope({
			splits: [{ name: 's', confidence: null, files: 'none', partitions: { not: 'an array' } }, null],
			classifications: 'none',
			extractions: [
				null,
				{ split_name: 's', partition: 'p', fields: null },
				{
					split_name: 's',
					partition: null,
					fields: {
						rows: [null, 'text row', { q: field(1, 10) }, { q: null }],
						only_override: { value_override: 'kept', confidence: 40 },
						plain: 'not a field object',
					},
				},
				{ split_name: null, partition: null, fields: { f: field('x', 50, { evidence: 'a string' as never }) } },
			],
		});
		for (const output of ['simplified', 'detailed'] as const) {
			const items = mapEnvelopeToItems(env, opts({ output, minimumConfidence: 60 }));
			expect(items).toHaveLength(3);
			expect(anyformatOf(items[0]).split).toMatchObject({ name: 's', pages: [], files: [] });
			expect(anyformatOf(items[0]).classifications).toEqual([]);
		}
		const [, second, third] = mapEnvelopeToItems(env, opts({ minimumConfidence: 60 }));
		expect(second.rows).toEqual([null, 'text row', { q: 1 }, { q: null }]);
		expect(second.only_override).toBe('kept');
		expect(anyformatOf(second).low_confidence_fields).toEqual(['rows[2].q', 'only_override']);
		expect(third.f).toBe('x');
	});

	test('unknown enum values pass through untouched', () => {
		const fields = { a: field('x', 90, { verification_status: 'needs_second_review' }) };
		const env = envelope({
			extractions: [{ split_name: null, partition: null, fields }],
			classifications: [{ category: 'unexpected_category', confidence: 50, evidence: null }],
		});
		const [detailed] = mapEnvelopeToItems(env, opts({ output: 'detailed' }));
		expect((detailed.a as Record<string, unknown>).verification_status).toBe('needs_second_review');
		expect(anyformatOf(detailed).classifications).toEqual([{ category: 'unexpected_category', confidence: 50, evidence: null }]);
	});

	test('a field named "anyformat" neither hides the run metadata nor is lost', () => {
		const fields = { anyformat: field('a value the reviewer cares about', 40), other: field(1) };
		const env = envelope({ extractions: [{ split_name: null, partition: null, fields }] });
		const [item] = mapEnvelopeToItems(env, opts({ minimumConfidence: 50 }));
		expect(item.other).toBe(1);
		expect(anyformatOf(item)).toMatchObject({
			collection_id: COLLECTION,
			status: 'processed',
			field: 'a value the reviewer cares about',
			low_confidence_fields: ['anyformat'],
		});
		const [detailed] = mapEnvelopeToItems(env, opts({ output: 'detailed' }));
		expect(anyformatOf(detailed).field).toMatchObject({ value: 'a value the reviewer cares about', confidence: 40 });
		expect(anyformatOf(detailed).collection_id).toBe(COLLECTION);
	});

	test('a field named "__proto__" stays plain data', () => {
		const env = JSON.parse(
			'{"collection_id":"c","extractions":[{"split_name":null,"partition":null,"fields":{"__proto__":{"value":{"polluted":true},"value_override":null,"confidence":90,"verification_status":null,"evidence":[]}}}]}',
		);
		const [item] = mapEnvelopeToItems(env, opts());
		expect(Object.getPrototypeOf(item)).toBe(Object.prototype);
		expect((item as Record<string, unknown>).polluted).toBeUndefined();
		expect(Object.getOwnPropertyDescriptor(item, '__proto__')?.value).toEqual({ polluted: true });
	});

	test('a sub-field of a list field named "__proto__" stays data in simplified and detailed output, and is named in low confidence', () => {
		const env = JSON.parse(
			'{"extractions":[{"split_name":null,"partition":null,"fields":{"line_items":[{"__proto__":{"value":"x","value_override":"y","confidence":10,"verification_status":null,"evidence":[]},"qty":{"value":2,"value_override":null,"confidence":99,"verification_status":null,"evidence":[]}}]}}]}',
		);
		const [simple] = mapEnvelopeToItems(env, opts({ minimumConfidence: 50 }));
		const [row] = simple.line_items as Array<Record<string, unknown>>;
		expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
		expect(Object.getOwnPropertyDescriptor(row, '__proto__')?.value).toBe('y');
		expect(row.qty).toBe(2);
		expect(anyformatOf(simple).low_confidence_fields).toEqual(['line_items[0].__proto__']);
		const [detailed] = mapEnvelopeToItems(env, opts({ output: 'detailed' }));
		const [detailedRow] = detailed.line_items as Array<Record<string, unknown>>;
		expect(Object.getOwnPropertyDescriptor(detailedRow, '__proto__')?.value).toMatchObject({ value: 'x', value_override: 'y', confidence: 10 });
	});

	test('fields named like Object methods ("constructor", "hasOwnProperty", "toString") are plain data', () => {
		const fields = { constructor: field('c'), hasOwnProperty: field('h'), toString: field('t') };
		const [item] = mapEnvelopeToItems(envelope({ extractions: [{ split_name: null, partition: null, fields }] }), opts());
		expect(Object.keys(item).sort()).toEqual(['anyformat', 'constructor', 'hasOwnProperty', 'toString']);
		expect([item.constructor, item.hasOwnProperty, item.toString]).toEqual(['c', 'h', 't']);
	});

	test('extractions that is not a list falls back to the deprecated extraction', () => {
		const env = envelope({ extractions: { fields: { a: field(1) } }, extraction: { b: field(2) } });
		const items = mapEnvelopeToItems(env, opts());
		expect(items).toHaveLength(1);
		expect(items[0].b).toBe(2);
		expect(items[0].a).toBeUndefined();
	});

	test('raw output of something that is not an object gives one empty item, never a crash', () => {
		for (const value of [null, undefined, 'text', 42, [1, 2]]) {
			expect(mapEnvelopeToItems(value, opts({ output: 'raw' }))).toEqual([{}]);
		}
	});

	test('a row that is not an object is kept as it is (null for missing)', () => {
		const fields = { line_items: ['loose text', null, 7] } as unknown as Record<string, Field>;
		const [item] = mapEnvelopeToItems(envelope({ extractions: [{ split_name: null, partition: null, fields }] }), opts());
		expect(item.line_items).toEqual(['loose text', null, 7]);
	});

	test('collection_id comes from the envelope, else from the run being read', () => {
		const env = { ...linear(), collection_id: 'from-envelope' };
		expect(anyformatOf(mapEnvelopeToItems(env, opts())[0]).collection_id).toBe('from-envelope');
		const bare: Record<string, unknown> = linear();
		delete bare.collection_id;
		expect(anyformatOf(mapEnvelopeToItems(bare, opts())[0]).collection_id).toBe(COLLECTION);
		expect(anyformatOf(mapEnvelopeToItems(bare, opts({ collectionId: undefined, workflowId: undefined }))[0])).toMatchObject({
			collection_id: null,
			workflow_id: null,
		});
	});
});
