'use strict';
// What the simulator "reads" from an uploaded document: markers scanned while streaming, and the text
// that results are derived from (only for documents small enough to be kept in memory).

const FAIL = Buffer.from('FAIL_EXTRACTION');
const PMS = Buffer.from('[[processing_ms:');
const OVERLAP = 64;

/** Finds FAIL_EXTRACTION and [[processing_ms:NNN]] in a byte stream of any size, chunk by chunk. */
class MarkerScanner {
	constructor() {
		this.fail = false;
		this.processingMs = null;
		this.tail = Buffer.alloc(0);
	}

	_search(buf) {
		if (!this.fail && buf.indexOf(FAIL) >= 0) this.fail = true;
		if (this.processingMs === null) {
			let i = buf.indexOf(PMS);
			while (i >= 0 && this.processingMs === null) {
				const m = /^\[\[processing_ms:(\d{1,9})\]\]/.exec(buf.toString('latin1', i, i + 32));
				if (m) this.processingMs = Number(m[1]);
				i = buf.indexOf(PMS, i + 1);
			}
		}
	}

	push(chunk) {
		if (this.fail && this.processingMs !== null) return;
		this._search(chunk);
		if (this.tail.length) this._search(Buffer.concat([this.tail, chunk.subarray(0, OVERLAP)]));
		const joinedTail =
			chunk.length >= OVERLAP
				? chunk.subarray(chunk.length - OVERLAP)
				: Buffer.concat([this.tail, chunk]);
		this.tail = Buffer.from(joinedTail.subarray(Math.max(0, joinedTail.length - OVERLAP))); // copy: never retain a big chunk
	}

	result() {
		return { fail: this.fail, processingMs: this.processingMs };
	}
}

function looksLikeText(buf) {
	if (buf.subarray(0, 8192).includes(0)) return false;
	try {
		new TextDecoder('utf-8', { fatal: true }).decode(buf);
		return true;
	} catch {
		return false;
	}
}

/**
 * View of a collection's document for result derivation:
 * {text: string|null (human-readable text), haystack: string|null (text or latin1 bytes to search), body: markdown body}
 */
function documentView(c) {
	let text = null;
	let haystack = null;
	if (c.kind === 'text') {
		text = c.text;
		haystack = c.text;
	} else if (c.content) {
		if (looksLikeText(c.content)) {
			text = c.content.toString('utf8');
			haystack = text;
		} else {
			haystack = c.content.toString('latin1');
		}
	}
	const body =
		text !== null
			? text
			: c.kind === 'text'
				? `[Text document (${c.bytes} bytes), too large to render in the simulator]`
				: `[Binary document "${c.name}" (${c.bytes} bytes, ${c.mimeType || 'application/octet-stream'})]`;
	return { text, haystack, body };
}

/** The line around a match, trimmed to a readable snippet. */
function snippet(haystack, index, length) {
	const start = Math.max(haystack.lastIndexOf('\n', index) + 1, index - 60);
	let end = haystack.indexOf('\n', index + length);
	if (end < 0 || end > index + length + 60) end = Math.min(haystack.length, index + length + 60);
	return haystack
		.slice(start, end)
		.replace(/[^\x20-\x7e\u00a0-\uffff]/g, ' ')
		.trim();
}

function findPattern(haystack, re) {
	if (!haystack) return null;
	const m = re.exec(haystack);
	if (!m) return null;
	return { match: m, evidence: snippet(haystack, m.index, m[0].length) };
}

module.exports = { MarkerScanner, documentView, findPattern, looksLikeText };
