/**
 * The bad-input catalogue: every kind of invalid input a user can give the node, each expecting a
 * specific, helpful error (message and description, the right item index) and NOTHING sent to the API
 * for it. Each kind runs twice through n8n's engine against the simulator:
 *  - without Continue On Fail: the node fails with that error, and the API saw no request other than
 *    those the kind allows (the 404 kinds need the API to answer; nothing else may reach it);
 *  - with Continue On Fail: the bad item becomes an error item paired with its input index, the good
 *    items around it come out paired with theirs.
 *
 * Run kinds use Wait for Results = off: validation does not depend on it, and the good items then need
 * no polling.
 *
 * "Text and file both": the node has one Input Type switch, so it cannot send both. A Text parameter
 * left set while Input Type is Binary File (or a binary on the item while Input Type is Text) is not
 * "both": only the selected input is sent, which the last test shows on the ledger. The API's own 422
 * for a request carrying both is covered by the simulator's tests.
 */
import { createHash } from 'node:crypto';

import type { INodeParameters } from 'n8n-workflow';

import type { HarnessInputItem } from '../harness';
import {
	UNKNOWN_ID,
	WF,
	finishedRun,
	nodeError,
	rl,
	runAnyformat,
	runBinary,
	runText,
	type Sim,
	withSim,
} from '../node/support';
import { startFileServer, type FileServer } from '../node/fileServer';

const pdf = (text: string) => Buffer.from(`%PDF-1.7\n${text}\n%%EOF\n`);
const binaryItem = (data: Buffer, fileName = 'invoice.pdf', property = 'data'): HarnessInputItem => ({
	json: {},
	binary: { [property]: { data, fileName, mimeType: 'application/pdf' } },
});
const GOOD_BINARY = binaryItem(pdf('Invoice INV-GOOD Total: $1.00'));
const noWait = { waitForResults: false };

interface Ids {
	finished: string;
	/** the loopback file server's base URL (the URL input's links) */
	files: string;
}

const PDF_HEADERS = { 'Content-Type': 'application/pdf' };
let fileServer: Promise<FileServer> | undefined;
/** One file server for the whole catalogue, started on first use (concurrent tests share it). */
const files = () =>
	(fileServer ??= startFileServer({
		'/good.pdf': { body: pdf('Invoice INV-URL-GOOD Total: $1.00'), headers: PDF_HEADERS },
		'/login': { body: '<!DOCTYPE html><html><body><form>Sign in</form></body></html>', headers: { 'Content-Type': 'text/html; charset=utf-8' } },
		'/disguised.pdf': { body: '\n  <html><head><title>Sign in</title></head></html>', headers: PDF_HEADERS },
		'/empty.pdf': { body: '', headers: PDF_HEADERS },
		'/empty-chunked.pdf': { body: '', chunked: 1024, headers: PDF_HEADERS },
		'/gone.pdf': { status: 404 },
		'/private.pdf': { status: 403 },
		'/big.pdf': { body: Buffer.alloc(2 * 1024 * 1024, 65), headers: PDF_HEADERS },
	}));
afterAll(async () => {
	if (fileServer) await (await fileServer).close();
});
const runUrl = (link: string, extra: INodeParameters = {}) => ({
	resource: 'extraction',
	operation: 'run',
	workflowId: rl(WF.invoice),
	inputType: 'url',
	url: '={{ $json.link }}',
	...noWait,
	...extra,
});
/** a good link first, then the bad one (item 1) */
const links = (ids: Ids, bad: unknown): HarnessInputItem[] => [
	{ json: { link: `${ids.files}/good.pdf` } },
	{ json: { link: typeof bad === 'string' && bad.startsWith('/') ? `${ids.files}${bad}` : (bad as string) } },
];
const AT = (path: string) => `^The document at http://127\\.0\\.0\\.1:\\d+${path.replace(/\./g, '\\.')}`;

interface Case {
	kind: string;
	parameters: (ids: Ids) => INodeParameters;
	items?: (ids: Ids) => HarnessInputItem[];
	/** the item the error is about */
	index: number;
	/** items that become error items with Continue On Fail (default: just `index`) */
	errorItems?: number[];
	error?: 'NodeOperationError' | 'NodeApiError';
	message: RegExp;
	description: RegExp;
	/** `${method} ${route}` of the requests the API may see without Continue On Fail; default none */
	allowed?: string[];
	baseUrl?: string;
}

const CASES: Case[] = [
	{
		kind: 'missing binary property',
		parameters: () => runBinary(WF.invoice, noWait),
		items: () => [GOOD_BINARY, binaryItem(pdf('x'), 'x.pdf', 'file')],
		index: 1,
		message: /^Item 1 has no binary property "data"$/,
		description: /^Its binary properties are: file\. Set "Input Binary Field" to one of them\.$/,
	},
	{
		kind: 'an item without any file',
		parameters: () => runBinary(WF.invoice, noWait),
		items: () => [GOOD_BINARY, { json: { note: 'no file here' } }],
		index: 1,
		message: /^Item 1 has no binary property "data"$/,
		description: /The item has no file at all\. Add a node that reads or downloads the document/,
	},
	{
		kind: 'zero-byte file',
		parameters: () => runBinary(WF.invoice, noWait),
		items: () => [GOOD_BINARY, binaryItem(Buffer.alloc(0), 'empty.pdf')],
		index: 1,
		message: /^The file "empty\.pdf" in binary property "data" is empty \(item 1\)$/,
		description: /cannot extract anything from a zero-byte file/,
	},
	{
		kind: 'empty text',
		parameters: () => runText(WF.invoice, '={{ $json.doc }}', noWait),
		items: () => [{ json: { doc: 'Invoice INV-1' } }, { json: { doc: '' } }],
		index: 1,
		message: /^The text to process is empty \(item 1\)$/,
		description: /Fill in "Text" or point it at a field that holds the document text/,
	},
	{
		kind: 'whitespace-only text',
		parameters: () => runText(WF.invoice, '={{ $json.doc }}', noWait),
		items: () => [{ json: { doc: 'Invoice INV-1' } }, { json: { doc: ' \n\t \r\n ' } }],
		index: 1,
		message: /^The text to process is empty \(item 1\)$/,
		description: /set "Input Type" to Binary File/,
	},
	{
		kind: 'text expression pointing at a missing field',
		parameters: () => runText(WF.invoice, '={{ $json.body }}', noWait),
		items: () => [{ json: { body: 'Invoice INV-1' } }, { json: { subject: 'no body' } }],
		index: 1,
		message: /^The text to process is empty \(item 1\)$/,
		description: /\{\{ \$json\.body \}\}/,
	},
	{
		kind: 'huge text',
		parameters: () => runText(WF.invoice, '={{ $json.doc }}', noWait),
		items: () => [{ json: { doc: 'Invoice INV-1' } }, { json: { doc: 'x'.repeat(1_000_001) } }],
		index: 1,
		message: /^The text is 1,000,001 bytes long in UTF-8, over the 1,000,000 bytes this node sends as text \(item 1\)$/,
		description: /Send a document this large as a file: convert it with "Convert to File"/,
	},
	{
		// 600,000 characters, 1,200,000 bytes: under the limit counted in characters, over it in bytes
		kind: 'text under the limit in characters but over it in UTF-8 bytes',
		parameters: () => runText(WF.invoice, '={{ $json.doc }}', noWait),
		items: () => [{ json: { doc: 'Invoice INV-1' } }, { json: { doc: 'é'.repeat(600_000) } }],
		index: 1,
		message: /^The text is 1,200,000 bytes long in UTF-8, over the 1,000,000 bytes this node sends as text \(item 1\)$/,
		description: /counted in bytes: an accented letter takes 2/,
	},
	{
		kind: 'whitespace workflow id',
		parameters: () => ({ ...runText(WF.invoice, 'Invoice', noWait), workflowId: rl('={{ $json.wf }}') }),
		items: () => [{ json: { wf: WF.invoice } }, { json: { wf: '   ' } }],
		index: 1,
		message: /^Workflow is empty \(item 1\)$/,
		description: /Pick the workflow from the list, or paste its ID/,
	},
	{
		kind: 'whitespace collection id',
		parameters: () => ({ resource: 'extraction', operation: 'wait', workflowId: rl(WF.invoice), collectionId: '={{ $json.id }}' }),
		items: (ids) => [{ json: { id: ids.finished } }, { json: { id: ' \t ' } }],
		index: 1,
		message: /^Collection ID is empty \(item 1\)$/,
		description: /Use the "collection_id" returned by the Run operation/,
	},
	{
		kind: 'collection id with "/"',
		parameters: () => ({ resource: 'extraction', operation: 'wait', workflowId: rl(WF.invoice), collectionId: '={{ $json.id }}' }),
		items: (ids) => [{ json: { id: ids.finished } }, { json: { id: 'abc/../../v2/webhooks' } }],
		index: 1,
		message: /^Collection ID "abc\/\.\.\/\.\.\/v2\/webhooks" is not a valid Anyformat ID \(item 1\)$/,
		description: /IDs contain only letters, digits, "-" and "_" \(no "\/", "\.\.", spaces or URLs\)/,
	},
	{
		kind: 'workflow id with ".."',
		parameters: () => ({ ...runText(WF.invoice, 'Invoice', noWait), workflowId: rl('={{ $json.wf }}') }),
		items: () => [{ json: { wf: WF.invoice } }, { json: { wf: '..' } }],
		index: 1,
		message: /^Workflow "\.\." is not a valid Anyformat ID \(item 1\)$/,
		description: /no "\/", "\.\."/,
	},
	{
		kind: 'cancel with ".." as the run (must never become DELETE /v2/files/../)',
		parameters: () => ({ resource: 'extraction', operation: 'cancel', collectionId: '={{ $json.id }}' }),
		items: () => [{ json: { id: '..' } }],
		index: 0,
		message: /^Collection ID "\.\." is not a valid Anyformat ID \(item 0\)$/,
		description: /no "\/", "\.\."/,
	},
	{
		kind: 'expression giving an object where a collection id is expected',
		parameters: () => ({ resource: 'extraction', operation: 'getResults', workflowId: rl(WF.invoice), collectionId: '={{ $json.run }}' }),
		items: () => [{ json: { run: { collection_id: 'abc', status: 'success' } } }],
		index: 0,
		message: /^Collection ID must be text, but the expression gave an object \(item 0\)$/,
		description: /point the expression at the field itself, e\.g\. \{\{ \$json\.anyformat\.collection_id \}\}/,
	},
	{
		kind: 'expression giving an object where a workflow id is expected',
		parameters: () => ({ ...runText(WF.invoice, 'Invoice', noWait), workflowId: rl('={{ $json.wf }}') }),
		items: () => [{ json: { wf: WF.invoice } }, { json: { wf: { id: WF.invoice } } }],
		index: 1,
		message: /^Workflow must be text, but the expression gave an object \(item 1\)$/,
		description: /point the expression at the field itself/,
	},
	{
		kind: 'a workflow URL that is not an Anyformat workflow URL',
		parameters: () => ({ resource: 'workflow', operation: 'get', workflowId: rl('={{ $json.url }}', 'url') }),
		items: () => [{ json: { url: `https://app.anyformat.ai/workflows/${WF.invoice}` } }, { json: { url: 'https://example.com/dashboard' } }],
		index: 1,
		allowed: ['GET workflow'],
		message: /^Workflow "https:\/\/example\.com\/dashboard" is not an Anyformat workflow URL \(item 1\)$/,
		description: /https:\/\/app\.anyformat\.ai\/workflows\//,
	},
	{
		kind: 'unknown workflow (API 404)',
		parameters: () => ({ ...runText(WF.invoice, 'Invoice', noWait), workflowId: rl('={{ $json.wf }}') }),
		items: () => [{ json: { wf: UNKNOWN_ID } }],
		index: 0,
		error: 'NodeApiError',
		message: new RegExp(`^Anyformat could not find workflow "${UNKNOWN_ID}"$`),
		description: /Check the ID: it may be mistyped, deleted, or belong to another organization/,
		allowed: ['POST run'],
	},
	{
		kind: 'unknown run (API 404)',
		parameters: () => ({ resource: 'extraction', operation: 'getResults', workflowId: rl(WF.invoice), collectionId: UNKNOWN_ID }),
		index: 0,
		error: 'NodeApiError',
		message: new RegExp(`^Anyformat could not find run "${UNKNOWN_ID}" of workflow "${WF.invoice}"$`),
		description: /Check the ID/,
		allowed: ['GET results'],
	},
	{
		kind: 'a run read through the wrong workflow (API 404)',
		parameters: (ids) => ({ resource: 'extraction', operation: 'getResults', workflowId: rl(WF.split), collectionId: ids.finished }),
		index: 0,
		error: 'NodeApiError',
		message: new RegExp(`^Anyformat could not find run "[0-9a-f-]{36}" of workflow "${WF.split}"$`),
		description: /For a run, also check that it was submitted to this workflow/,
		allowed: ['GET results'],
	},
	{
		kind: 'a base URL without a scheme',
		parameters: () => runText(WF.invoice, '={{ $json.doc }}', noWait),
		items: () => [{ json: { doc: 'Invoice A' } }, { json: { doc: 'Invoice B' } }],
		baseUrl: 'api.anyformat.ai',
		index: 0,
		errorItems: [0, 1],
		message: /^The Base URL "api\.anyformat\.ai" is not a valid URL: it needs a scheme \(https:\/\/\)$/,
		description: /set Base URL to the scheme and host only, for example https:\/\/api\.anyformat\.ai/,
	},
	{
		kind: 'a base URL with a path',
		parameters: () => ({ resource: 'extraction', operation: 'getResults', workflowId: rl(WF.invoice), collectionId: '={{ $json.id }}' }),
		items: () => [{ json: { id: UNKNOWN_ID } }, { json: { id: UNKNOWN_ID } }],
		baseUrl: 'https://api.anyformat.ai/v2/',
		index: 0,
		errorItems: [0, 1],
		message: /^The Base URL "https:\/\/api\.anyformat\.ai\/v2\/" must not contain a path such as "\/v2\/"$/,
		description: /scheme and host only/,
	},
	{
		kind: 'a base URL with a user name and password (Wait)',
		parameters: () => ({ resource: 'extraction', operation: 'wait', workflowId: rl(WF.invoice), collectionId: '={{ $json.id }}' }),
		items: (ids) => [{ json: { id: ids.finished } }, { json: { id: ids.finished } }],
		baseUrl: 'https://user:hunter2@api.anyformat.ai',
		index: 0,
		errorItems: [0, 1],
		message: /^The Base URL must not contain a user name or password$/,
		description: /scheme and host only/,
	},
	{
		kind: 'a base URL with another scheme',
		parameters: () => ({ resource: 'workflow', operation: 'getMany' }),
		baseUrl: 'ftp://api.anyformat.ai',
		index: 0,
		message: /must start with https:\/\//,
		description: /scheme and host only/,
	},
	{
		kind: 'non-numeric timeout',
		parameters: () => runText(WF.invoice, 'Invoice', { options: { timeout: '={{ $json.t }}' } }),
		items: () => [{ json: { t: 60 } }, { json: { t: 'soon' } }],
		index: 1,
		message: /^Timeout must be a number from 1 to 86400, but it is "soon" \(item 1\)$/,
		description: /Set Options → Timeout to a number between 1 and 86400/,
	},
	{
		kind: 'zero timeout',
		parameters: () => runText(WF.invoice, 'Invoice', { options: { timeout: 0 } }),
		index: 0,
		message: /^Timeout must be a number from 1 to 86400, but it is "0" \(item 0\)$/,
		description: /Options → Timeout/,
	},
	{
		kind: 'negative minimum confidence',
		parameters: () => ({ resource: 'extraction', operation: 'wait', workflowId: rl(WF.invoice), collectionId: '={{ $json.id }}', options: { minimumConfidence: '={{ $json.min }}' } }),
		items: (ids) => [{ json: { id: ids.finished, min: 80 } }, { json: { id: ids.finished, min: -5 } }],
		index: 1,
		message: /^Minimum Confidence must be a number from 0 to 100, but it is "-5" \(item 1\)$/,
		description: /Set Options → Minimum Confidence to a number between 0 and 100/,
	},
	{
		kind: 'minimum confidence over 100',
		parameters: (ids) => ({ resource: 'extraction', operation: 'getResults', workflowId: rl(WF.invoice), collectionId: ids.finished, options: { minimumConfidence: 150 } }),
		index: 0,
		message: /^Minimum Confidence must be a number from 0 to 100, but it is "150" \(item 0\)$/,
		description: /Minimum Confidence/,
	},
	{
		kind: 'non-numeric limit (Workflow → Get Many)',
		parameters: () => ({ resource: 'workflow', operation: 'getMany', returnAll: false, limit: '={{ $json.n }}' }),
		items: () => [{ json: { n: 'ten' } }],
		index: 0,
		message: /^Limit must be a whole number of 1 or more, but it is "ten" \(item 0\)$/,
		description: /Set Limit to how many entries to return, e\.g\. 50, or turn on Return All/,
	},
	{
		kind: 'fractional or zero limit (Extraction → Get Many)',
		parameters: () => ({ resource: 'extraction', operation: 'getMany', workflowId: rl(WF.invoice), returnAll: false, limit: '={{ $json.n }}' }),
		items: () => [{ json: { n: 0 } }, { json: { n: 2.5 } }],
		index: 0,
		errorItems: [0, 1],
		message: /^Limit must be a whole number of 1 or more, but it is "(0|2\.5)" \(item [01]\)$/,
		description: /turn on Return All/,
	},
	{
		kind: 'file name with path separators',
		parameters: () => runBinary(WF.invoice, { ...noWait, options: { fileName: '={{ $json.name }}' } }),
		items: () => [{ ...GOOD_BINARY, json: { name: 'ok.pdf' } }, { ...GOOD_BINARY, json: { name: '../../etc/passwd' } }],
		index: 1,
		message: /^The file name ""\.\.\/\.\.\/etc\/passwd"" is not allowed \(item 1\)$/,
		description: /Use a plain file name such as invoice\.pdf: no "\/" or "\\", no control characters/,
	},
	{
		kind: 'file name with a backslash',
		parameters: () => runBinary(WF.invoice, { ...noWait, options: { fileName: 'C:\\scans\\invoice.pdf' } }),
		items: () => [GOOD_BINARY],
		index: 0,
		message: /^The file name .* is not allowed \(item 0\)$/,
		description: /no "\/" or "\\"/,
	},
	{
		kind: 'file name with control characters (header injection)',
		parameters: () => runBinary(WF.invoice, { ...noWait, options: { fileName: '={{ $json.name }}' } }),
		items: () => [{ ...GOOD_BINARY, json: { name: 'ok.pdf' } }, { ...GOOD_BINARY, json: { name: 'a.pdf"\r\nContent-Type: text/html' } }],
		index: 1,
		message: /^The file name ".*" is not allowed \(item 1\)$/,
		description: /no control characters/,
	},
	{
		kind: 'MIME type with a line break',
		parameters: () => runBinary(WF.invoice, { ...noWait, options: { mimeType: '={{ $json.type }}' } }),
		items: () => [{ ...GOOD_BINARY, json: { type: 'application/pdf' } }, { ...GOOD_BINARY, json: { type: 'application/pdf\r\nX-Injected: 1' } }],
		index: 1,
		message: /^The MIME type is not valid \(item 1\)$/,
		description: /Use a MIME type such as application\/pdf/,
	},
	// ---- Input Type URL: checked (downloaded up to its first bytes) before anything is sent ----
	{
		kind: 'URL: not a URL',
		parameters: () => runUrl(''),
		items: (ids) => links(ids, 'invoice.pdf'),
		index: 1,
		message: /^"invoice\.pdf" is not a valid URL \(item 1\)$/,
		description: /Use a direct link to the file that starts with https:\/\//,
	},
	{
		kind: 'URL: empty',
		parameters: () => runUrl(''),
		items: (ids) => links(ids, '  '),
		index: 1,
		message: /^The URL is empty \(item 1\)$/,
		description: /Use a direct link to the file/,
	},
	{
		kind: 'URL: not http(s)',
		parameters: () => runUrl(''),
		items: (ids) => links(ids, 'file:///etc/passwd'),
		index: 1,
		message: /^The URL "file:\/\/\/etc\/passwd" uses "file:", but only http:\/\/ and https:\/\/ links can be downloaded \(item 1\)$/,
		description: /To send the file itself, set "Input Type" to Binary File/,
	},
	{
		kind: 'URL: the source answers 404',
		parameters: () => runUrl(''),
		items: (ids) => links(ids, '/gone.pdf'),
		index: 1,
		message: new RegExp(`${AT('/gone.pdf')} answered HTTP 404 \\(item 1\\)$`),
		description: /Nothing is at this link \(any more\)/,
	},
	{
		kind: 'URL: the source answers 403 (an expired signed link)',
		parameters: () => runUrl(''),
		items: (ids) => links(ids, '/private.pdf?X-Amz-Signature=abc123secret'),
		index: 1,
		// the query (a signature) is never echoed
		message: new RegExp(`${AT('/private.pdf')} answered HTTP 403 \\(item 1\\)$`),
		description: /may have expired \(signed links do\)/,
	},
	{
		kind: 'URL: a login page (text/html)',
		parameters: () => runUrl(''),
		items: (ids) => links(ids, '/login'),
		index: 1,
		message: new RegExp(`${AT('/login')} gave a web page \\(HTML\\), not a document \\(item 1\\)$`),
		description: /usually a login, consent or preview page\. Use a direct download link/,
	},
	{
		kind: 'URL: a web page served as application/pdf',
		parameters: () => runUrl(''),
		items: (ids) => links(ids, '/disguised.pdf'),
		index: 1,
		message: new RegExp(`${AT('/disguised.pdf')} gave a web page \\(HTML\\), not a document \\(item 1\\)$`),
		description: /Use a direct download link/,
	},
	{
		kind: 'URL: an empty body (Content-Length: 0)',
		parameters: () => runUrl(''),
		items: (ids) => links(ids, '/empty.pdf'),
		index: 1,
		message: new RegExp(`${AT('/empty.pdf')} gave an empty file \\(item 1\\)$`),
		description: /cannot extract anything from zero bytes/,
	},
	{
		kind: 'URL: an empty body (chunked, no Content-Length)',
		parameters: () => runUrl(''),
		items: (ids) => links(ids, '/empty-chunked.pdf'),
		index: 1,
		message: new RegExp(`${AT('/empty-chunked.pdf')} gave an empty file \\(item 1\\)$`),
		description: /cannot extract anything from zero bytes/,
	},
	{
		kind: 'URL: a body over Maximum Download Size',
		parameters: () => runUrl('', { options: { maxDownloadSize: 1 } }),
		items: (ids) => links(ids, '/big.pdf'),
		index: 1,
		message: new RegExp(`${AT('/big.pdf')} is 2,097,152 bytes, over the 1 MB limit \\(item 1\\)$`),
		description: /Raise Options → Maximum Download Size/,
	},
	{
		kind: 'URL: Maximum Download Size not a number',
		parameters: () => runUrl('', { options: { maxDownloadSize: '={{ $json.limit }}' } }),
		items: (ids) => [{ json: { link: `${ids.files}/good.pdf`, limit: 5 } }, { json: { link: `${ids.files}/good.pdf`, limit: 'lots' } }],
		index: 1,
		message: /^Maximum Download Size must be a number from 1 to 10240, but it is "lots" \(item 1\)$/,
		description: /Set Options → Maximum Download Size to a number between 1 and 10240/,
	},
];

async function prepare(sim: Sim): Promise<Ids> {
	return {
		finished: await finishedRun(sim, WF.invoice, 'Invoice INV-CAT Total: $3.00'),
		files: (await files()).url,
	};
}

describe('bad input: a specific error, the right item, nothing sent', () => {
	test('the catalogue covers at least 15 kinds', () => {
		expect(new Set(CASES.map((c) => c.kind)).size).toBeGreaterThanOrEqual(15);
	});

	test.concurrent.each(CASES.map((c) => [c.kind, c] as const))('%s', async (_kind, c) => {
		await withSim(async (sim) => {
			const ids = await prepare(sim);
			const mark = sim.ledger.requests.length;
			const result = await runAnyformat(sim, c.parameters(ids), {
				items: c.items?.(ids) ?? [{ json: {} }],
				...(c.baseUrl ? { baseUrl: c.baseUrl } : {}),
			});
			const e = nodeError(result);
			expect(result.status).toBe('error');
			expect(e.name).toBe(c.error ?? 'NodeOperationError');
			expect(e.message).toMatch(c.message);
			expect(e.description).toMatch(c.description);
			expect(e.itemIndex).toBe(c.index);
			const sent = sim.ledger.requests.slice(mark).map((r) => `${r.method} ${r.route}`);
			expect(sent).toEqual(c.allowed ?? []);
			expect(sim.ledger.runs).toHaveLength(1); // prepare()'s own run only
		});
	});
});

describe('bad input with Continue On Fail: an error item paired with its input', () => {
	test.concurrent.each(CASES.map((c) => [c.kind, c] as const))('%s', async (_kind, c) => {
		await withSim(async (sim) => {
			const ids = await prepare(sim);
			const items = c.items?.(ids) ?? [{ json: {} }];
			const result = await runAnyformat(sim, c.parameters(ids), {
				items,
				continueOnFail: true,
				...(c.baseUrl ? { baseUrl: c.baseUrl } : {}),
			});
			expect(result.status).toBe('success');
			const errorItems = c.errorItems ?? [c.index];
			// one output item per input item here, in input order, each paired with its input
			expect(result.items.map((i) => i.pairedItem)).toEqual(items.map((_, item) => ({ item })));
			result.items.forEach((out, i) => {
				if (errorItems.includes(i)) {
					expect(out.json.error).toMatch(c.message);
					expect(String(out.json.description)).toMatch(c.description);
				} else {
					expect(out.json).not.toHaveProperty('error');
				}
			});
		});
	});
});

describe('text and file "both"', () => {
	const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

	test.concurrent('Input Type Binary File with a Text parameter left set sends only the file', async () => {
		await withSim(async (sim) => {
			const bytes = pdf('Invoice INV-BOTH');
			const result = await runAnyformat(sim, { ...runBinary(WF.invoice, noWait), text: 'stale text from before' }, {
				items: [binaryItem(bytes, 'both.pdf')],
			});
			expect(result.error).toBeUndefined();
			expect(sim.ledger.uploads.map((u) => [u.kind, u.sha256, u.accepted])).toEqual([['file', sha256(bytes), true]]);
		});
	});

	test.concurrent('Input Type Text on an item that also carries a binary sends only the text', async () => {
		await withSim(async (sim) => {
			const result = await runAnyformat(sim, { ...runText(WF.invoice, 'the text wins', noWait), binaryPropertyName: 'data' }, {
				items: [binaryItem(pdf('ignored'), 'ignored.pdf')],
			});
			expect(result.error).toBeUndefined();
			expect(sim.ledger.uploads.map((u) => [u.kind, u.sha256, u.accepted])).toEqual([['text', sha256('the text wins'), true]]);
		});
	});
});
