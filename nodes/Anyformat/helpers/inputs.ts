import type { IExecuteFunctions } from 'n8n-workflow';

import { inputError } from '../../shared/transport/errors';
import { asNodeError } from './outputs';
import type { OutputMode, ReviewRule } from '../../shared/transport/types';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
/**
 * The most text sent as a text part, in UTF-8 bytes (what the server counts, not characters). The API
 * probably caps a non-file form part at 1 MiB (Starlette's default `max_part_size`, 1,048,576 bytes;
 * unconfirmed), and a decimal reading would say 1 MB: 1,000,000 bytes is under both.
 */
export const MAX_TEXT_BYTES = 1_000_000;

/**
 * Reads an Anyformat id (workflow, run/collection) and refuses anything that is not an opaque id:
 * empty, whitespace, path characters or an object from an expression.
 */
export function readId(
	ctx: IExecuteFunctions,
	name: 'workflowId' | 'collectionId',
	itemIndex: number,
): string {
	const label = name === 'workflowId' ? 'Workflow' : 'Collection ID';
	let raw: unknown;
	try {
		raw = ctx.getNodeParameter(name, itemIndex, '', { extractValue: true });
	} catch (error) {
		const given = ctx.getNodeParameter(name, itemIndex, '') as { mode?: unknown; value?: unknown };
		if (given?.mode !== 'url') throw asNodeError(ctx.getNode(), error, itemIndex);
		// n8n found no id in a "By URL" value (its own error names neither the item nor the fix)
		const url = given.value;
		if (String(url ?? '').trim() === '') return checkId(ctx, '', label, itemIndex);
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${label} "${truncate(String(url ?? ''))}" is not an Anyformat workflow URL (item ${itemIndex})`,
			'Paste the URL of the workflow from the Anyformat app, like https://app.anyformat.ai/workflows/0686bb97-8c30-70f0-8000-97669e000eb8, or pick the workflow "From List" or "By ID".',
		);
	}
	return checkId(ctx, raw, label, itemIndex);
}

export function checkId(
	ctx: IExecuteFunctions,
	raw: unknown,
	label: string,
	itemIndex: number,
): string {
	const node = ctx.getNode();
	const fix =
		label === 'Workflow'
			? 'Pick the workflow from the list, or paste its ID (a UUID like 0686bb97-8c30-70f0-8000-97669e000eb8) or its URL from the Anyformat app.'
			: 'Use the "collection_id" returned by the Run operation, e.g. the expression {{ $json.collection_id }}.';
	if (raw !== null && typeof raw === 'object') {
		throw inputError(
			node,
			itemIndex,
			`${label} must be text, but the expression gave an object (item ${itemIndex})`,
			`${fix} If the input item holds the id deeper, point the expression at the field itself, e.g. {{ $json.anyformat.collection_id }}.`,
		);
	}
	const value = raw === undefined || raw === null ? '' : String(raw).trim();
	if (value === '') {
		throw inputError(node, itemIndex, `${label} is empty (item ${itemIndex})`, fix);
	}
	if (!ID_PATTERN.test(value)) {
		throw inputError(
			node,
			itemIndex,
			`${label} "${truncate(value)}" is not a valid Anyformat ID (item ${itemIndex})`,
			`IDs contain only letters, digits, "-" and "_" (no "/", "..", spaces or URLs). ${fix}`,
		);
	}
	return value;
}

export function readNumberOption(
	ctx: IExecuteFunctions,
	options: Record<string, unknown>,
	name: string,
	label: string,
	itemIndex: number,
	{ min, max, fallback }: { min: number; max: number; fallback: number },
): number {
	const raw = options[name];
	if (raw === undefined || raw === null || raw === '') return fallback;
	const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
	if (!Number.isFinite(value) || value < min || value > max) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`${label} must be a number from ${min} to ${max}, but it is "${truncate(String(raw))}" (item ${itemIndex})`,
			`Set Options → ${label} to a number between ${min} and ${max}.`,
		);
	}
	return value;
}

/** Return All → Infinity; else Limit, a whole number of at least 1 (an expression can give anything). */
export function readLimit(ctx: IExecuteFunctions, itemIndex: number): number {
	if (ctx.getNodeParameter('returnAll', itemIndex, false) === true) return Infinity;
	const raw = ctx.getNodeParameter('limit', itemIndex, 50) as unknown;
	const value = typeof raw === 'number' ? raw : Number(String(raw).trim());
	if (!Number.isInteger(value) || value < 1) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`Limit must be a whole number of 1 or more, but it is "${truncate(String(raw))}" (item ${itemIndex})`,
			'Set Limit to how many entries to return, e.g. 50, or turn on Return All.',
		);
	}
	return value;
}

export interface ResultOptions {
	output: OutputMode;
	includeMarkdown: boolean;
	minimumConfidence: number;
	timeoutSeconds: number;
	/** Route For Review on: the rule that sends an item to Needs Review */
	review: ReviewRule | undefined;
}

export function readResultOptions(ctx: IExecuteFunctions, itemIndex: number): ResultOptions {
	const options = ctx.getNodeParameter('options', itemIndex, {}) as Record<string, unknown>;
	const output = ctx.getNodeParameter('output', itemIndex, 'simplified') as OutputMode;
	const result: ResultOptions = {
		output: ['simplified', 'detailed', 'raw'].includes(output) ? output : 'simplified',
		includeMarkdown: options.includeMarkdown === true,
		minimumConfidence: readNumberOption(
			ctx,
			options,
			'minimumConfidence',
			'Minimum Confidence',
			itemIndex,
			{
				min: 0,
				max: 100,
				fallback: 0,
			},
		),
		timeoutSeconds: readNumberOption(ctx, options, 'timeout', 'Timeout', itemIndex, {
			min: 1,
			max: 86_400,
			fallback: 900,
		}),
		review: undefined,
	};
	if (options.routeForReview === true) {
		result.review = {
			minimumConfidence: result.minimumConfidence,
			unverified: options.reviewUnverified === true,
		};
	}
	return result;
}

/** A file name that can go into a multipart header as is: no path, no control characters. */
export function checkFileName(ctx: IExecuteFunctions, name: string, itemIndex: number): string {
	const value = name.trim();
	if (
		value === '' ||
		/[/\\]/.test(value) ||
		hasControlCharacters(value) ||
		value === '.' ||
		value === '..'
	) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`The file name "${truncate(JSON.stringify(value))}" is not allowed (item ${itemIndex})`,
			'Use a plain file name such as invoice.pdf: no "/" or "\\", no control characters. Set it in Options → File Name.',
		);
	}
	return value;
}

export function checkMimeType(ctx: IExecuteFunctions, value: string, itemIndex: number): string {
	if (/[\r\n]/.test(value)) {
		throw inputError(
			ctx.getNode(),
			itemIndex,
			`The MIME type is not valid (item ${itemIndex})`,
			'Use a MIME type such as application/pdf.',
		);
	}
	return value;
}

export function truncate(value: string, max = 80): string {
	return value.length > max ? `${value.slice(0, max)}…` : value;
}

export function hasControlCharacters(value: string): boolean {
	for (let i = 0; i < value.length; i++) {
		const code = value.charCodeAt(i);
		if (code < 32 || code === 127) return true;
	}
	return false;
}
