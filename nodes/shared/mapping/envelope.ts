import type { IDataObject } from 'n8n-workflow';

import type {
	ExtractedField,
	ExtractionEntry,
	FieldValue,
	MapOptions,
	ResultsEnvelope,
	SplitFile,
	SplitResult,
} from '../transport/types';
import { fieldsForReview, fieldsWhere, isExtractedField } from './review';

/**
 * Pure mapping from a results envelope to the JSON of output items, shared by the Anyformat node and
 * the Anyformat Trigger. `simplified` and `detailed` give one item per extraction partition (one item
 * for parse-only workflows); `raw` gives the envelope as received.
 */
export function mapEnvelopeToItems(envelope: unknown, options: MapOptions): IDataObject[] {
	if (options.output === 'raw') return [asObject(envelope) as IDataObject];

	const env = asObject(envelope) as ResultsEnvelope;
	const entries = extractionEntries(env);
	if (entries.length === 0) {
		const meta = metadata(env, null, options, [], true);
		if (options.review) meta.review_fields = [];
		return [{ anyformat: meta }];
	}
	return entries.map((entry) => {
		const fields = asObject(entry.fields) as Record<string, FieldValue>;
		const json: IDataObject = {};
		const mapField = options.output === 'detailed' ? detailedFieldValue : simplifiedFieldValue;
		for (const [name, field] of Object.entries(fields)) setOwn(json, name, mapField(field));
		const low =
			options.minimumConfidence > 0 ? lowConfidenceFields(fields, options.minimumConfidence) : [];
		const meta = metadata(env, entry, options, low, options.includeMarkdown);
		if (options.review) meta.review_fields = fieldsForReview(fields, options.review);
		// the metadata keeps its name; a field that is also called "anyformat" moves inside it
		if (Object.prototype.hasOwnProperty.call(json, 'anyformat')) meta.field = json.anyformat;
		json.anyformat = meta;
		return json;
	});
}

/** The value to trust: a human override whenever it is not null (0, false and "" are real overrides). */
export function trustedValue(field: ExtractedField): unknown {
	const override = field.value_override;
	return override !== null && override !== undefined ? override : (field.value ?? null);
}

export { isExtractedField };

function extractionEntries(env: ResultsEnvelope): ExtractionEntry[] {
	const entries = Array.isArray(env.extractions)
		? env.extractions.filter((e) => typeof e === 'object' && e !== null)
		: [];
	if (entries.length > 0) return entries;
	// Older or partial envelopes: fall back to the deprecated single-extraction key.
	const legacy = asObject(env.extraction);
	if (Object.keys(legacy).length > 0) {
		return [{ split_name: null, partition: null, fields: legacy as Record<string, FieldValue> }];
	}
	return [];
}

function simplifiedFieldValue(field: FieldValue): unknown {
	if (Array.isArray(field)) {
		return field.map((row) =>
			mapRow(row, (sub) => (isExtractedField(sub) ? trustedValue(sub) : sub)),
		);
	}
	return isExtractedField(field) ? trustedValue(field) : (field ?? null);
}

function detailedFieldValue(field: FieldValue): unknown {
	if (Array.isArray(field)) return field.map((row) => mapRow(row, detailedScalar));
	return detailedScalar(field);
}

function detailedScalar(field: unknown): unknown {
	if (!isExtractedField(field)) return field ?? null;
	return {
		value: field.value ?? null,
		value_override: field.value_override ?? null,
		confidence: field.confidence ?? null,
		verification_status: field.verification_status ?? null,
		evidence: Array.isArray(field.evidence) ? field.evidence : [],
	};
}

function mapRow(row: unknown, mapSub: (sub: unknown) => unknown): unknown {
	if (typeof row !== 'object' || row === null || Array.isArray(row)) return row ?? null;
	const out: IDataObject = {};
	for (const [name, sub] of Object.entries(row)) setOwn(out, name, mapSub(sub));
	return out;
}

/** defineProperty: a field or sub-field called "__proto__" stays data instead of replacing the prototype. */
function setOwn(target: IDataObject, name: string, value: unknown): void {
	Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

/** Names of fields under the threshold; rows of list fields are named like `line_items[0].quantity`. */
export function lowConfidenceFields(fields: Record<string, FieldValue>, minimum: number): string[] {
	return fieldsWhere(
		fields,
		(field) => typeof field.confidence === 'number' && field.confidence < minimum,
	);
}

function metadata(
	env: ResultsEnvelope,
	entry: ExtractionEntry | null,
	options: MapOptions,
	lowConfidence: string[],
	withMarkdown: boolean,
): IDataObject {
	const splitName = entry?.split_name ?? null;
	const partition = entry?.partition ?? null;
	const meta: IDataObject = {
		collection_id: env.collection_id ?? options.collectionId ?? null,
		workflow_id: options.workflowId ?? null,
		split_name: splitName,
		partition,
		status: 'processed',
		verification_url: env.verification_url ?? null,
	};
	if (splitName !== null) meta.split = matchingSplit(env.splits, splitName, partition);
	meta.classifications = Array.isArray(env.classifications)
		? (env.classifications as IDataObject[])
		: [];
	meta.low_confidence_fields = lowConfidence;
	if (withMarkdown) meta.markdown = env.parse?.markdown ?? null;
	return meta;
}

function matchingSplit(
	splits: SplitResult[] | undefined,
	splitName: string,
	partition: string | null,
): IDataObject | null {
	const split = asArray(splits).find((s) => s?.name === splitName);
	if (!split) return null;
	const part =
		partition === null ? undefined : asArray(split.partitions).find((p) => p?.name === partition);
	const files = asArray((part ?? split).files);
	return {
		name: splitName,
		confidence: split.confidence ?? null,
		partition,
		partition_confidence: part?.confidence ?? null,
		pages: pagesOf(files),
		files: files as IDataObject[],
	};
}

function pagesOf(files: SplitFile[]): number[] {
	const pages = new Set<number>();
	for (const file of files) {
		for (const page of asArray(file?.pages)) if (typeof page === 'number') pages.add(page);
	}
	return [...pages].sort((a, b) => a - b);
}

function asArray<T>(value: T[] | undefined | null): T[] {
	return Array.isArray(value) ? value : [];
}

function asObject(value: unknown): Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: {};
}
