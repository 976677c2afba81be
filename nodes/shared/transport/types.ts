import type { IDataObject } from 'n8n-workflow';

/** Shapes of the Anyformat v2 API as documented; every field is treated as possibly missing. */
export interface ExtractedField {
	value: unknown;
	value_override?: unknown;
	verification_status?: string | null;
	confidence?: number | null;
	evidence?: Array<{ text?: string; page_number?: number }>;
}

export type FieldValue = ExtractedField | Array<Record<string, ExtractedField>>;

export interface ExtractionEntry {
	split_name?: string | null;
	partition?: string | null;
	fields?: Record<string, FieldValue>;
}

export interface SplitFile {
	file_id?: string;
	file_name?: string;
	pages?: number[];
}

export interface SplitPartition {
	name?: string;
	confidence?: number | null;
	files?: SplitFile[];
}

export interface SplitResult extends SplitPartition {
	partitions?: SplitPartition[];
}

export interface ResultsEnvelope {
	collection_id?: string;
	verification_url?: string | null;
	parse?: {
		markdown?: string | null;
		parse_confidence?: number;
		layout_confidence?: number;
	} | null;
	classifications?: Array<{
		category?: string;
		confidence?: number | null;
		evidence?: string | null;
	}>;
	splits?: SplitResult[];
	extractions?: ExtractionEntry[];
	extraction?: Record<string, FieldValue> | null;
}

export type OutputMode = 'simplified' | 'detailed' | 'raw';

export interface MapOptions {
	output: OutputMode;
	includeMarkdown: boolean;
	/** 0 turns the check off */
	minimumConfidence: number;
	/** Route For Review: list the fields a person should check in `anyformat.review_fields` */
	review?: ReviewRule;
	/** used when the envelope lacks its own collection_id */
	collectionId?: string;
	workflowId?: string;
}

export interface ReviewRule {
	/** 0: confidence is not checked */
	minimumConfidence: number;
	/** also flag fields that are not verified yet */
	unverified: boolean;
}

export interface RunReceipt extends IDataObject {
	collection_id: string;
	workflow_id: string;
	status: string;
	version_id: string | null;
}

/** Lifecycle statuses of a run as the runs list reports them. */
export const TERMINAL_STATUSES = ['processed', 'error', 'cancelled'] as const;
export const ACTIVE_STATUSES = ['pending', 'queued', 'in_progress'] as const;
