import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import type { ExtractedField, FieldValue, ReviewRule } from '../transport/types';

/**
 * Route For Review: which fields a person should check, and which output items go to the node's
 * second output, Needs Review. Pure: shared by the Anyformat node and the triggers.
 */

export function isExtractedField(value: unknown): value is ExtractedField {
	return (
		typeof value === 'object' &&
		value !== null &&
		!Array.isArray(value) &&
		('value' in value || 'value_override' in value)
	);
}

/**
 * Whether a field needs a person: its confidence is below the minimum, or (with `unverified`) it is
 * not verified yet. A field a person has already handled (verified, or given an override) never does,
 * so a corrected run read again comes out on the first output.
 */
export function fieldNeedsReview(field: ExtractedField, rule: ReviewRule): boolean {
	const override = field.value_override;
	if (field.verification_status === 'verified' || (override !== null && override !== undefined)) {
		return false;
	}
	const low =
		rule.minimumConfidence > 0 &&
		typeof field.confidence === 'number' &&
		field.confidence < rule.minimumConfidence;
	return low || rule.unverified;
}

/** Names of the fields `test` picks; rows of list fields are named like `line_items[0].quantity`. */
export function fieldsWhere(
	fields: Record<string, FieldValue>,
	test: (field: ExtractedField) => boolean,
): string[] {
	const names: string[] = [];
	const check = (name: string, field: unknown) => {
		if (isExtractedField(field) && test(field)) names.push(name);
	};
	for (const [name, field] of Object.entries(fields)) {
		if (Array.isArray(field)) {
			field.forEach((row, index) => {
				if (typeof row !== 'object' || row === null) return;
				for (const [sub, value] of Object.entries(row)) check(`${name}[${index}].${sub}`, value);
			});
		} else {
			check(name, field);
		}
	}
	return names;
}

export function fieldsForReview(fields: Record<string, FieldValue>, rule: ReviewRule): string[] {
	return fieldsWhere(fields, (field) => fieldNeedsReview(field, rule));
}

/**
 * The fields an output item flags: `anyformat.review_fields` of a simplified or detailed item, or,
 * for a raw envelope (which carries no names of its own), those of all its extractions.
 */
export function reviewFieldsOf(json: IDataObject, rule: ReviewRule): string[] {
	const meta = json.anyformat as IDataObject | undefined;
	if (meta && Array.isArray(meta.review_fields)) return meta.review_fields as string[];
	const entries = Array.isArray(json.extractions) ? (json.extractions as IDataObject[]) : [];
	const groups = entries.map((entry) => entry?.fields);
	if (groups.length === 0 && json.extraction) groups.push(json.extraction);
	return groups.flatMap((fields) =>
		typeof fields === 'object' && fields !== null && !Array.isArray(fields)
			? fieldsForReview(fields as Record<string, FieldValue>, rule)
			: [],
	);
}

/**
 * Splits a node's output into [Results, Needs Review]. An item goes to Needs Review when it flags a
 * field; error items, runs still processing and items without fields stay on Results. Pairing is
 * the items' own. `ruleOf` gives the rule of the input item an output item came from.
 */
export function splitForReview(
	items: INodeExecutionData[],
	ruleOf: (itemIndex: number) => ReviewRule | undefined,
): [INodeExecutionData[], INodeExecutionData[]] {
	const results: INodeExecutionData[] = [];
	const review: INodeExecutionData[] = [];
	for (const item of items) {
		const paired = Array.isArray(item.pairedItem) ? item.pairedItem[0] : item.pairedItem;
		const index = typeof paired === 'number' ? paired : (paired?.item ?? 0);
		const rule = ruleOf(index);
		const flagged = rule && !('error' in item.json) ? reviewFieldsOf(item.json, rule) : [];
		(flagged.length > 0 ? review : results).push(item);
	}
	return [results, review];
}

type Outputs = Array<{ type: string; displayName?: string }>;

/**
 * The Anyformat node's outputs for its parameters: [Results, Needs Review] when Route For Review is
 * on for an operation that outputs results, else the one main output. Used both in the node's
 * `outputs` expression (n8n serialises it, so it must be self-contained plain JavaScript) and by the
 * router, so the two always agree.
 */
export function actionOutputs(parameters: IDataObject): Outputs {
	const options = (parameters.options || {}) as IDataObject;
	const operation = parameters.operation;
	const results =
		operation === 'getResults' ||
		operation === 'wait' ||
		(operation === 'run' && parameters.waitForResults !== false);
	if (options.routeForReview === true && parameters.resource !== 'workflow' && results) {
		return [
			{ type: 'main', displayName: 'Results' },
			{ type: 'main', displayName: 'Needs Review' },
		];
	}
	return [{ type: 'main' }];
}

/** The triggers' outputs: Needs Review needs the results, so only with Fetch Results on. */
export function triggerOutputs(parameters: IDataObject): Outputs {
	const options = (parameters.options || {}) as IDataObject;
	if (options.routeForReview === true && parameters.fetchResults !== false) {
		return [
			{ type: 'main', displayName: 'Results' },
			{ type: 'main', displayName: 'Needs Review' },
		];
	}
	return [{ type: 'main' }];
}

/** A trigger's outputs for these items: one, or [Results, Needs Review] with Route For Review on. */
export function triggerOutputData(
	parameters: IDataObject,
	items: INodeExecutionData[],
	rule: ReviewRule | undefined,
): INodeExecutionData[][] {
	if (triggerOutputs(parameters).length === 1) return [items];
	return splitForReview(items, () => rule);
}
