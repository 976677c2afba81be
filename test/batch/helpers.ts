/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Shared by the batch tests, the soak and the benchmark: a simulator, documents with distinct content
 * and processing times, and one call that runs the Anyformat node's Run operation on N items through
 * n8n-core's real engine (test/harness).
 */
import { AnyformatApi } from '../../credentials/AnyformatApi.credentials';
import { Anyformat } from '../../nodes/Anyformat/Anyformat.node';
import { runNode, type HarnessInputItem, type RunNodeResult } from '../harness';

import { SCENARIOS as ALL_SCENARIOS, startSimulator as start, type SimHandle } from '../simulator/handle';

export type { LedgerRequest, SimFaults, SimHandle as Sim } from '../simulator/handle';
type Sim = SimHandle;

export const SCENARIOS = ALL_SCENARIOS;
export const INVOICE_WORKFLOW = SCENARIOS.invoice.id;

export async function startSimulator(options: Record<string, unknown> = {}): Promise<Sim> {
	return await start(options);
}

export interface Doc {
	index: number;
	fileName: string;
	/** document text; carries the simulator's [[processing_ms:N]] marker */
	content: string;
	invoiceNumber: string;
	processingMs: number;
}

/** N documents with distinct content (distinct sha256), invoice numbers and file names. */
export function makeDocs(
	count: number,
	processingMs: (index: number) => number,
	prefix = 'doc',
): Doc[] {
	return Array.from({ length: count }, (_, index) => {
		const ms = Math.max(0, Math.round(processingMs(index)));
		const invoiceNumber = `INV-${prefix.toUpperCase()}-${String(index).padStart(5, '0')}`;
		return {
			index,
			fileName: `${prefix}-${String(index).padStart(5, '0')}.txt`,
			invoiceNumber,
			processingMs: ms,
			content: `Invoice #${invoiceNumber}\nTotal: $${(index + 1) * 10}.00\n[[processing_ms:${ms}]]\n`,
		};
	});
}

/** A deterministic pseudo-random generator (mulberry32), for reproducible processing times. */
export function seeded(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export interface RunBatchOptions {
	sim: Sim;
	docs: Doc[];
	workflowId?: string;
	/** binary (default: each document stored in n8n's binary store) or text */
	inputType?: 'binary' | 'text';
	continueOnFail?: boolean;
	waitForResults?: boolean;
	timeoutSeconds?: number;
	output?: 'simplified' | 'detailed' | 'raw';
	cancelAfterMs?: number;
	/** Stop the execution the first time this holds (see the harness's cancelWhen) */
	cancelWhen?: () => boolean;
	/** more Run options (merged with the timeout) */
	options?: Record<string, unknown>;
	/** another of the simulator's keys (default its first) */
	apiKey?: string;
	/** a fixed node id: n8n's deduplication store keys scope 'node' on it (a re-run of one workflow) */
	nodeId?: string;
}

/** Runs Extraction → Run on one item per document through n8n-core's engine. */
export async function runBatch(options: RunBatchOptions): Promise<RunNodeResult> {
	const { sim, docs } = options;
	const inputType = options.inputType ?? 'binary';
	const items: HarnessInputItem[] = docs.map((doc) =>
		inputType === 'binary'
			? {
					json: { doc: doc.index, text: doc.content },
					binary: {
						data: {
							data: Buffer.from(doc.content),
							fileName: doc.fileName,
							mimeType: 'text/plain',
						},
					},
				}
			: { json: { doc: doc.index, text: doc.content } },
	);
	const parameters: Record<string, unknown> = {
		resource: 'extraction',
		operation: 'run',
		workflowId: { __rl: true, mode: 'id', value: options.workflowId ?? INVOICE_WORKFLOW },
		inputType,
		waitForResults: options.waitForResults ?? true,
		output: options.output ?? 'simplified',
		options: {
			...(options.timeoutSeconds ? { timeout: options.timeoutSeconds } : {}),
			...options.options,
		},
	};
	if (inputType === 'text') parameters.text = '={{ $json.text }}';
	return await runNode({
		nodeType: new Anyformat(),
		parameters: parameters as never,
		credentials: { anyformatApi: { apiKey: options.apiKey ?? sim.apiKey, baseUrl: sim.url } },
		credentialTypes: [new AnyformatApi()],
		items,
		continueOnFail: options.continueOnFail,
		cancelAfterMs: options.cancelAfterMs,
		cancelWhen: options.cancelWhen,
		...(options.nodeId ? { nodeOverrides: { id: options.nodeId } } : {}),
	});
}

export type BatchItem = { json: any; pairedItem?: any };

/** Every run started once per document, and every document run. */
export function expectEachDocumentRunOnceIn(sim: Sim, docs: Doc[]) {
	expect(sim.ledger.duplicates()).toEqual([]);
	expect(sim.ledger.runs).toHaveLength(docs.length);
}

/** Output item i (simplified, invoice workflow) holds document i's results and is paired with input i. */
export function expectPairedResultsIn(sim: Sim, items: BatchItem[], docs: Doc[]) {
	expect(items).toHaveLength(docs.length);
	items.forEach((item, i) => {
		expect(item.pairedItem).toEqual({ item: i });
		expect(item.json.invoice_number).toBe(docs[i].invoiceNumber);
		expect(item.json.total_amount).toBe((i + 1) * 10);
		expect(sim.getRun(item.json.anyformat.collection_id)?.name).toBe(docs[i].fileName);
	});
}
