/**
 * Extraction → Run with Input Type URL, through n8n's engine against the simulator and a loopback
 * file server: what arrives at the API (bytes, name, type, Content-Length or chunked), the download
 * repeated for each sending of the submission (a 429), a source that fails and recovers, and a
 * download cut while it is being uploaded (an error naming the item, no run, never "fate unknown").
 * The bad links (nothing sent) are in the bad-input catalogue.
 */
import { createHash, randomBytes } from 'node:crypto';

import { startFileServer, type FileServer } from './fileServer';
import { WF, expectSizedUpload, nodeError, rl, runAnyformat, withSim } from './support';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const pdfLike = (text: string, size = 256 * 1024) => {
	const head = Buffer.from(`%PDF-1.7\n${text}\n`);
	return Buffer.concat([head, randomBytes(size - head.length)]);
};
const runUrl = (url: string, extra: Record<string, unknown> = {}) => ({
	resource: 'extraction',
	operation: 'run',
	workflowId: rl(WF.invoice),
	inputType: 'url',
	url,
	...extra,
});

async function withFiles<T>(body: (files: FileServer) => Promise<T>): Promise<T> {
	const files = await startFileServer();
	try {
		return await body(files);
	} finally {
		await files.close();
	}
}

describe('extraction → run (URL): what arrives at the API', () => {
	test.concurrent('a PDF with Content-Length: its bytes, the Content-Disposition name, its type, a Content-Length upload; results out', async () => {
		await withFiles(async (files) => {
			const bytes = pdfLike('Invoice INV-URL-1 Total: $12.50');
			files.route('/download', {
				body: bytes,
				headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="inv 1.pdf"' },
			});
			await withSim(async (sim) => {
				const result = await runAnyformat(sim, runUrl(`${files.url}/download?sig=secret-signature`));
				expect(result.error).toBeUndefined();
				expect(result.items[0].json).toMatchObject({ invoice_number: 'INV-URL-1', total_amount: 12.5 });
				// streamed with a known length: the multipart body is announced up front, not chunked
				expectSizedUpload(sim, bytes, 'inv 1.pdf');
				// checked once before sending, downloaded once for the one sending
				expect(files.hits['/download']).toBe(2);
			});
		});
	});

	test.concurrent('a source without Content-Length: streamed chunked, intact; the name from the URL path (RFC 5987 name when given)', async () => {
		await withFiles(async (files) => {
			const bytes = pdfLike('Invoice INV-URL-2 Total: $7.00', 600 * 1024);
			files.route('/files/statement%20march.pdf', { body: bytes, chunked: 16 * 1024, headers: { 'Content-Type': 'application/pdf' } });
			files.route('/utf8', {
				body: bytes,
				headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': "attachment; filename=\"x.pdf\"; filename*=UTF-8''factura%20n%C2%BA7.pdf" },
			});
			await withSim(async (sim) => {
				const result = await runAnyformat(sim, runUrl('={{ $json.link }}', { waitForResults: false }), {
					items: [{ json: { link: `${files.url}/files/statement%20march.pdf` } }, { json: { link: `${files.url}/utf8` } }],
				});
				expect(result.error).toBeUndefined();
				expect(sim.ledger.uploads.map((u) => [u.filename, u.bytes, u.sha256, u.contentLength === null])).toEqual([
					['statement march.pdf', bytes.length, sha256(bytes), true],
					['factura nº7.pdf', bytes.length, sha256(bytes), false],
				]);
				expect(result.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
			});
		});
	});

	test.concurrent('File Name and MIME Type options override what the link gives', async () => {
		await withFiles(async (files) => {
			const bytes = pdfLike('Invoice INV-URL-3 Total: $1.00');
			files.route('/blob', { body: bytes, headers: { 'Content-Type': 'application/octet-stream' } });
			await withSim(async (sim) => {
				const result = await runAnyformat(
					sim,
					runUrl(`${files.url}/blob`, { waitForResults: false, options: { fileName: 'renamed.pdf', mimeType: 'application/pdf' } }),
				);
				expect(result.error).toBeUndefined();
				expect(sim.ledger.uploads[0]).toMatchObject({ filename: 'renamed.pdf', mimeType: 'application/pdf', sha256: sha256(bytes) });
			});
		});
	});
});

describe('extraction → run (URL): retries', () => {
	test.concurrent('a 429 on the submission: the body is downloaded again for the second sending; one run, bytes intact', async () => {
		await withFiles(async (files) => {
			const bytes = pdfLike('Invoice INV-URL-4 Total: $4.00', 512 * 1024);
			files.route('/doc.pdf', { body: bytes, headers: { 'Content-Type': 'application/pdf' } });
			await withSim(async (sim) => {
				sim.faults.once('429', { route: 'run' });
				const result = await runAnyformat(sim, runUrl(`${files.url}/doc.pdf`, { waitForResults: false }));
				expect(result.error).toBeUndefined();
				expect(sim.faults.injected['429']).toBe(1);
				expect(sim.ledger.count({ method: 'POST', route: 'run', status: 429 })).toBe(1);
				expect(sim.ledger.runs).toHaveLength(1);
				expect(sim.ledger.uploads.filter((u) => u.accepted).map((u) => u.sha256)).toEqual([sha256(bytes)]);
				// probe + first sending + second sending
				expect(files.hits['/doc.pdf']).toBe(3);
			});
		});
	});

	test.concurrent('a source answering 503 and then the file: the download is tried again, like a read', async () => {
		await withFiles(async (files) => {
			const bytes = pdfLike('Invoice INV-URL-5 Total: $5.00');
			files.route('/flaky.pdf', { body: bytes, statusOn: { 1: 503, 3: 502 }, headers: { 'Content-Type': 'application/pdf' } });
			await withSim(async (sim) => {
				const result = await runAnyformat(sim, runUrl(`${files.url}/flaky.pdf`, { waitForResults: false }));
				expect(result.error).toBeUndefined();
				expect(sim.ledger.uploads.map((u) => [u.sha256, u.accepted])).toEqual([[sha256(bytes), true]]);
				// 503, the probe's file; 502, the sending's file
				expect(files.hits['/flaky.pdf']).toBe(4);
			});
		});
	});

	test.concurrent('a download cut while it is uploaded: an error naming the item, no run, not "fate unknown"', async () => {
		await withFiles(async (files) => {
			const bytes = pdfLike('Invoice INV-URL-6 Total: $6.00', 1024 * 1024);
			files.route('/cut.pdf', { body: bytes, cutAfter: { requests: [2], bytes: 300 * 1024 }, headers: { 'Content-Type': 'application/pdf' } });
			await withSim(async (sim) => {
				const result = await runAnyformat(sim, runUrl(`${files.url}/cut.pdf`, { waitForResults: false }));
				const e = nodeError(result);
				expect(e.name).toBe('NodeOperationError');
				expect(e.itemIndex).toBe(0);
				expect(e.message).toMatch(/^The document at http:\/\/127\.0\.0\.1:\d+\/cut\.pdf (broke off after [\d,]+ bytes|was cut after [\d,]+ of 1,048,576 bytes) \(item 0\)$/);
				expect(e.description).toMatch(/Nothing was submitted to Anyformat: run the item again\./);
				expect(e.message + e.description).not.toMatch(/fate|may have created/i);
				expect(sim.ledger.runs).toHaveLength(0);
				// nothing was looked for in the files list: the node knew no run could exist
				expect(sim.ledger.count({ route: 'files' })).toBe(0);
			});
		});
	});
});
