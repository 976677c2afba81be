'use strict';
// Streaming multipart parsing with busboy: each `file` part goes through a sha256 hash and the marker
// scanner chunk by chunk; its bytes are kept only while the part stays within `keepBytes`.
const crypto = require('crypto');
const Busboy = require('busboy');
const { MarkerScanner } = require('./document');

/**
 * Resolves {notMultipart} | {files:[{filename, mimeType, bytes, sha256, content, markers}], texts:[{value, truncated}],
 * fileAsField: number}; rejects when the client goes away mid-body.
 * `onData(chunk)` sees every raw body chunk (used by the reset-mid-upload fault).
 */
function parseMultipart(req, { keepBytes, maxTextBytes }) {
	return new Promise((resolve, reject) => {
		let bb;
		try {
			bb = Busboy({
				headers: req.headers,
				defParamCharset: 'utf8',
				limits: { fieldSize: maxTextBytes, fields: 100, files: 20, parts: 120 },
			});
		} catch {
			req.resume();
			req.once('end', () => resolve({ notMultipart: true, files: [], texts: [], fileAsField: 0 }));
			req.once('error', reject);
			return;
		}
		const out = { notMultipart: false, files: [], texts: [], fileAsField: 0 };
		const filePromises = [];
		let settled = false;
		const fail = (err) => {
			if (settled) return;
			settled = true;
			req.unpipe(bb);
			reject(err);
		};

		bb.on('file', (name, stream, info) => {
			if (name !== 'file') {
				stream.resume(); // unknown file fields are ignored, like FastAPI does
				return;
			}
			const hash = crypto.createHash('sha256');
			const scanner = new MarkerScanner();
			let kept = [];
			let size = 0;
			const entry = {
				filename: info.filename,
				mimeType: info.mimeType,
				bytes: 0,
				sha256: null,
				content: null,
				markers: null,
			};
			out.files.push(entry);
			filePromises.push(
				new Promise((res, rej) => {
					stream.on('data', (chunk) => {
						size += chunk.length;
						hash.update(chunk);
						scanner.push(chunk);
						if (kept) {
							if (size <= keepBytes) kept.push(chunk);
							else kept = null; // too big to keep: results fall back to hash-derived values
						}
					});
					stream.on('end', () => {
						entry.bytes = size;
						entry.sha256 = hash.digest('hex');
						entry.content = kept ? Buffer.concat(kept) : null;
						entry.markers = scanner.result();
						res();
					});
					stream.on('error', rej);
				}),
			);
		});
		bb.on('field', (name, value, info) => {
			if (name === 'text') out.texts.push({ value, truncated: info.valueTruncated });
			else if (name === 'file') out.fileAsField += 1; // a `file` part without a filename is not a file upload
		});
		bb.on('close', () => {
			Promise.all(filePromises).then(() => {
				if (settled) return;
				settled = true;
				resolve(out);
			}, fail);
		});
		bb.on('error', (err) => {
			req.resume(); // drain whatever is left of a body busboy gave up on
			fail(Object.assign(err, { code: 'MALFORMED' }));
		});
		req.on('error', fail);
		req.on('close', () => {
			if (!req.complete)
				fail(Object.assign(new Error('client aborted the upload'), { code: 'ABORTED' }));
		});
		req.pipe(bb);
	});
}

/** Read a small JSON body. Resolves {ok, value} | {ok:false, reason}. */
function readJson(req, limit = 1024 * 1024) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		let tooBig = false;
		req.on('data', (d) => {
			size += d.length;
			if (size > limit) tooBig = true;
			else chunks.push(d);
		});
		req.on('end', () => {
			if (tooBig) return resolve({ ok: false, reason: 'body too large' });
			const text = Buffer.concat(chunks).toString('utf8');
			if (!text.trim()) return resolve({ ok: false, reason: 'empty body' });
			try {
				resolve({ ok: true, value: JSON.parse(text) });
			} catch (e) {
				resolve({ ok: false, reason: e.message });
			}
		});
		req.on('error', reject);
		req.on('close', () => {
			if (!req.complete) reject(Object.assign(new Error('client aborted'), { code: 'ABORTED' }));
		});
	});
}

module.exports = { parseMultipart, readJson };
