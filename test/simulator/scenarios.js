'use strict';
// Scenario workflows with fixed ids, and the results envelope each one produces for a document.
const crypto = require('crypto');
const { documentView, findPattern } = require('./document');

const ID_PREFIX = '0686bb97-8c30-70f0-8000-';

function field(
	value,
	confidence,
	evidence,
	{ override = null, status = 'not_verified', page = 1 } = {},
) {
	const ev =
		evidence === null
			? []
			: Array.isArray(evidence)
				? evidence
				: [{ text: evidence, page_number: page }];
	return { value, value_override: override, verification_status: status, confidence, evidence: ev };
}

function parseBlock(view) {
	return {
		markdown: `<DOCUMENT id="1" page="1">\n${view.body}\n</DOCUMENT>`,
		parse_confidence: 94.5,
		layout_confidence: 97.2,
	};
}

/** invoice_number and total_amount as found in the document (or derived from its sha256). */
function invoiceFacts(c, view) {
	const inv = findPattern(view.haystack, /INV-[\w-]+/);
	const invoiceNumber = inv ? inv.match[0] : `INV-${c.sha256.slice(0, 8)}`;
	const tot = findPattern(view.haystack, /Total:\s*\$?([\d,]+(?:\.\d+)?)/);
	let total = tot ? Number(tot.match[1].replace(/,/g, '')) : NaN;
	if (!Number.isFinite(total) || !tot) total = 100;
	return {
		invoiceNumber,
		invoiceEvidence: inv ? inv.evidence : `Invoice #${invoiceNumber}`,
		total,
		totalEvidence: tot ? tot.evidence : 'Total: $100.00',
	};
}

function linear(fields) {
	return {
		extractions: [{ split_name: null, partition: null, fields }],
		extraction: structuredClone(fields),
	};
}

const EMPTY = { classifications: [], splits: [] };

const DEFINITIONS = {
	invoice: {
		suffix: 'a001',
		name: 'Invoices',
		description: 'Extracts invoice number, total, vendor and date from invoices.',
		versionId: 'FGaV4I2JAA',
		fields: [
			{
				name: 'invoice_number',
				description: 'The invoice identifier, e.g. INV-2024-0847',
				data_type: 'string',
			},
			{ name: 'total_amount', description: 'Grand total including tax', data_type: 'float' },
			{ name: 'vendor_name', description: 'Who issued the invoice', data_type: 'string' },
			{ name: 'invoice_date', description: 'Date of issue', data_type: 'date' },
		],
		build(c, view) {
			const f = invoiceFacts(c, view);
			return {
				parse: parseBlock(view),
				...EMPTY,
				...linear({
					invoice_number: field(f.invoiceNumber, 97, f.invoiceEvidence),
					total_amount: field(f.total, 96, f.totalEvidence),
					vendor_name: field('Acme Corp', 61, 'Acme Corp'),
					invoice_date: field('2024-03-01', 88, 'Date: 2024-03-01'),
				}),
			};
		},
	},
	split: {
		suffix: 'a002',
		name: 'Loan packet (split)',
		description: 'Splits a loan packet into invoices and bank statements, then extracts each part.',
		versionId: 'FGaV4I2JAB',
		fields: [
			{
				name: 'invoice_number',
				description: 'Invoice identifier (invoice parts)',
				data_type: 'string',
			},
			{ name: 'total_amount', description: 'Invoice total (invoice parts)', data_type: 'float' },
			{
				name: 'account_holder',
				description: 'Account holder (bank statements)',
				data_type: 'string',
			},
			{
				name: 'closing_balance',
				description: 'Closing balance (bank statements)',
				data_type: 'float',
			},
		],
		build(c, view) {
			const f = invoiceFacts(c, view);
			const file = (pages) => [{ file_id: c.fileId, file_name: c.name, pages }];
			return {
				parse: parseBlock(view),
				classifications: [],
				splits: [
					{
						name: 'invoice',
						confidence: 95,
						files: file([1, 2, 3]),
						partitions: [
							{ name: 'invoice_1', confidence: 94, files: file([1, 2]) },
							{ name: 'invoice_2', confidence: 90, files: file([3]) },
						],
					},
					{
						name: 'bank_statement',
						confidence: 89,
						files: file([4, 5]),
						partitions: [{ name: 'bank_statement_1', confidence: 88, files: file([4, 5]) }],
					},
				],
				extractions: [
					{
						split_name: 'invoice',
						partition: 'invoice_1',
						fields: {
							invoice_number: field(f.invoiceNumber, 96, f.invoiceEvidence, { page: 1 }),
							total_amount: field(f.total, 93, f.totalEvidence, { page: 2 }),
						},
					},
					{
						split_name: 'invoice',
						partition: 'invoice_2',
						fields: {
							invoice_number: field(`${f.invoiceNumber}-B`, 92, `Invoice #${f.invoiceNumber}-B`, {
								page: 3,
							}),
							total_amount: field(250.75, 90, 'Total: $250.75', { page: 3 }),
						},
					},
					{
						split_name: 'bank_statement',
						partition: 'bank_statement_1',
						fields: {
							account_holder: field('Jane Doe', 94, 'Account holder: Jane Doe', { page: 4 }),
							closing_balance: field(10432.18, 87, [
								{ text: 'Closing balance', page_number: 4 },
								{ text: '$10,432.18', page_number: 5 },
							]),
						},
					},
				],
				extraction: null,
			};
		},
	},
	parseOnly: {
		suffix: 'a003',
		name: 'Parse only',
		description: 'Parses the document to markdown without extracting fields.',
		versionId: 'FGaV4I2JAC',
		fields: [],
		build(c, view) {
			return { parse: parseBlock(view), ...EMPTY, extractions: [], extraction: null };
		},
	},
	lineItems: {
		suffix: 'a004',
		name: 'Purchase orders (line items)',
		description: 'Extracts the PO number and its line items.',
		versionId: 'FGaV4I2JAD',
		fields: [
			{ name: 'po_number', description: 'Purchase order number', data_type: 'string' },
			{
				name: 'line_items',
				description: 'One row per ordered item: description, quantity, unit_price',
				data_type: 'list',
			},
		],
		build(c, view) {
			const po = findPattern(view.haystack, /PO-[\w-]+/);
			const poNumber = po ? po.match[0] : `PO-${c.sha256.slice(0, 8)}`;
			const row = (d, q, p, page, qOpts) => ({
				description: field(d, 95, d, { page }),
				quantity: field(q, 90, `${q} x ${d}`, { page, ...qOpts }),
				unit_price: field(p, 93, `$${p.toFixed(2)}`, { page }),
			});
			return {
				parse: parseBlock(view),
				...EMPTY,
				...linear({
					po_number: field(poNumber, 98, po ? po.evidence : `PO ${poNumber}`),
					line_items: [
						row('Widget A', 10, 2.5, 1),
						row('Widget B', 4, 12, 1, { override: 5, status: 'verified' }),
						row('Service fee', 1, 49.99, 2),
					],
				}),
			};
		},
	},
	falsyOverrides: {
		suffix: 'a005',
		name: 'Reviewed invoices',
		description: 'Invoices reviewed by a human: overrides include 0, false and the empty string.',
		versionId: 'FGaV4I2JAE',
		fields: [
			{ name: 'invoice_number', description: 'Invoice identifier', data_type: 'string' },
			{ name: 'discount_amount', description: 'Discount granted', data_type: 'float' },
			{ name: 'is_paid', description: 'Whether the invoice is paid', data_type: 'boolean' },
			{ name: 'internal_note', description: 'Reviewer note', data_type: 'string' },
			{ name: 'vendor_name', description: 'Who issued the invoice', data_type: 'string' },
			{ name: 'due_date', description: 'Payment due date', data_type: 'date' },
		],
		build(c, view) {
			const f = invoiceFacts(c, view);
			return {
				parse: parseBlock(view),
				...EMPTY,
				...linear({
					invoice_number: field(f.invoiceNumber, 97, f.invoiceEvidence, { status: null }),
					discount_amount: field(15.5, 82, 'Discount: $15.50', { override: 0, status: 'verified' }),
					is_paid: field(true, 77, 'Status: PAID', { override: false, status: 'verified' }),
					internal_note: field('Check VAT', 64, 'Note: Check VAT', {
						override: '',
						status: 'verified',
					}),
					vendor_name: field('Acme Corp', 90, 'Acme Corp', {
						override: null,
						status: 'not_verified',
					}),
					due_date: field('2024-04-15', null, 'Due: 2024-04-15', { status: null }),
				}),
			};
		},
	},
	classification: {
		suffix: 'a006',
		name: 'Inbox classifier',
		description: 'Classifies incoming documents (invoice, receipt) and extracts the sender.',
		versionId: 'FGaV4I2JAF',
		fields: [
			{ name: 'document_type', description: 'The detected document type', data_type: 'string' },
			{ name: 'sender', description: 'Who sent the document', data_type: 'string' },
		],
		build(c, view) {
			const f = invoiceFacts(c, view);
			return {
				parse: parseBlock(view),
				classifications: [
					{ category: 'invoice', confidence: 91, evidence: `Invoice #${f.invoiceNumber}` },
					{ category: 'receipt', confidence: 7, evidence: null },
				],
				splits: [],
				...linear({
					document_type: field('invoice', 91, `Invoice #${f.invoiceNumber}`),
					sender: field('Acme Corp', 84, 'From: Acme Corp'),
				}),
			};
		},
	},
};

function isoDay(base, days) {
	return new Date(Date.parse(base) + days * 86400000).toISOString();
}

function publicWorkflow(def, id, i) {
	return {
		id,
		name: def.name,
		description: def.description,
		created_at: isoDay('2025-01-10T09:00:00.000Z', i),
		updated_at: isoDay('2025-02-10T09:00:00.000Z', i),
		fields: def.fields.map((f) => ({ ...f })),
	};
}

/** The exported scenario catalogue: {invoice: {key, id, name, description, versionId, fields}, ...}. */
const SCENARIOS = Object.freeze(
	Object.fromEntries(
		Object.entries(DEFINITIONS).map(([key, d]) => [
			key,
			Object.freeze({
				key,
				id: ID_PREFIX + '00000000' + d.suffix,
				name: d.name,
				description: d.description,
				versionId: d.versionId,
				fields: d.fields,
			}),
		]),
	),
);

const FILLER = {
	description: 'Filler workflow (exercises pagination).',
	fields: [{ name: 'summary', description: 'One-line summary', data_type: 'string' }],
	build(c, view) {
		return {
			parse: parseBlock(view),
			...EMPTY,
			...linear({ summary: field(`Document of ${c.bytes} bytes`, 80, null) }),
		};
	},
};

/** All workflows: the six scenarios then `extra` fillers. Each: {id, key, versionId, public, build}. */
function buildWorkflows(extra) {
	const out = [];
	Object.entries(DEFINITIONS).forEach(([key, def], i) => {
		const id = SCENARIOS[key].id;
		out.push({
			id,
			key,
			versionId: def.versionId,
			public: publicWorkflow(def, id, i),
			build: def.build,
		});
	});
	for (let n = 1; n <= extra; n++) {
		const id = `${ID_PREFIX}0000000f${n.toString(16).padStart(4, '0')}`;
		const def = { ...FILLER, name: `Filler workflow ${n}` };
		const versionId = crypto.createHash('sha256').update(id).digest('base64url').slice(0, 10);
		out.push({
			id,
			key: `filler${n}`,
			versionId,
			public: publicWorkflow(def, id, 6 + n),
			build: FILLER.build,
		});
	}
	return out;
}

/** The full 200 results envelope for a processed collection. */
function buildResults(workflow, c, frontendUrl) {
	const view = documentView(c);
	const parts = workflow.build(c, view);
	return {
		collection_id: c.id,
		verification_url: frontendUrl ? `${frontendUrl}/workflows/${workflow.id}/files/${c.id}/` : null,
		parse: parts.parse,
		classifications: parts.classifications,
		splits: parts.splits,
		extractions: parts.extractions,
		extraction: parts.extraction,
	};
}

module.exports = { SCENARIOS, buildWorkflows, buildResults };
