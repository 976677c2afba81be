'use strict';
// File collections and their run lifecycle: pending (first 10% of the processing time) -> queued
// (until 30%) -> in_progress (until 100%) -> processed | error; cancelled by cancel()/delete().
const { uuidv7 } = require('./ids');

const IN_FLIGHT = new Set(['pending', 'queued', 'in_progress']);
const TERMINAL = new Set(['processed', 'error', 'cancelled']);

/** A UUID in any case, with or without hyphens, as its lowercase hyphenated form (else as given). */
function canonicalUuid(id) {
	const hex = String(id).replace(/-/g, '').toLowerCase();
	if (!/^[0-9a-f]{32}$/.test(hex)) return id;
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

class RunStore {
	/** @param {{onTerminal: (c) => void, lenientIds?: () => boolean}} hooks */
	constructor({ onTerminal, lenientIds = () => false }) {
		this.onTerminal = onTerminal;
		this.lenientIds = lenientIds;
		this.collections = new Map();
		this.seq = 0;
	}

	clear() {
		for (const c of this.collections.values()) clearTimeout(c.timer);
		this.collections = new Map();
	}

	/** A new (not yet running) collection from a parsed upload. */
	create({ workflowId, upload, org = 0, now = Date.now() }) {
		const c = {
			id: uuidv7(now),
			org,
			fileId: uuidv7(now),
			workflowId,
			kind: upload.kind,
			name: upload.kind === 'text' ? 'text.txt' : upload.filename,
			mimeType: upload.mimeType,
			bytes: upload.bytes,
			sha256: upload.sha256,
			content: upload.content || null,
			text: upload.text === undefined ? null : upload.text,
			markers: upload.markers,
			createdAt: now,
			startedAt: null,
			processingMs: null,
			terminal: null,
			terminalAt: null,
			timer: null,
			deleted: false,
			isRun: false,
			seq: ++this.seq,
		};
		this.collections.set(c.id, c);
		return c;
	}

	/** Start (or restart) processing; the run ends after the document's [[processing_ms:N]] or `defaultMs`. */
	start(c, defaultMs, now = Date.now()) {
		clearTimeout(c.timer);
		c.isRun = true;
		c.startedAt = now;
		c.terminal = null;
		c.terminalAt = null;
		c.processingMs =
			c.markers && c.markers.processingMs !== null ? c.markers.processingMs : defaultMs;
		c.timer = setTimeout(() => this._finalize(c), c.processingMs);
		c.timer.unref?.();
	}

	/** A live collection; with `org` given, only that organization's. */
	get(id, org) {
		const c =
			this.collections.get(id) ||
			(this.lenientIds() ? this.collections.get(canonicalUuid(id)) : undefined);
		return c && !c.deleted && (org === undefined || c.org === org) ? c : null;
	}

	/** A staged upload by file_id or file_collection_id. */
	findStaged(id, org) {
		const direct = this.get(id, org);
		if (direct) return direct;
		for (const c of this.collections.values())
			if (!c.deleted && c.fileId === id && (org === undefined || c.org === org)) return c;
		return null;
	}

	_finalize(c, now = Date.now()) {
		if (c.terminal || c.deleted) return;
		clearTimeout(c.timer);
		c.timer = null;
		c.terminal = c.markers && c.markers.fail ? 'error' : 'processed';
		c.terminalAt = now;
		this.onTerminal(c);
	}

	/** Current status (finalizes a run whose time is up, even if its timer has not fired yet). */
	status(c, now = Date.now()) {
		if (c.terminal) return c.terminal;
		if (c.startedAt === null) return 'pending';
		const elapsed = now - c.startedAt;
		if (elapsed >= c.processingMs) {
			this._finalize(c, now);
			return c.terminal;
		}
		if (elapsed < 0.1 * c.processingMs) return 'pending';
		if (elapsed < 0.3 * c.processingMs) return 'queued';
		return 'in_progress';
	}

	updatedAt(c, now = Date.now()) {
		const s = this.status(c, now);
		if (TERMINAL.has(s)) return c.terminalAt;
		if (c.startedAt === null) return c.createdAt;
		const frac = s === 'pending' ? 0 : s === 'queued' ? 0.1 : 0.3;
		return c.startedAt + Math.floor(frac * c.processingMs);
	}

	/** Finish now (processed, or error for FAIL_EXTRACTION documents). */
	finish(id) {
		const c = this.get(id);
		if (!c) return false;
		if (c.terminal) return true;
		if (!c.isRun) {
			c.isRun = true;
			c.startedAt = Date.now();
			c.processingMs = 0;
		}
		this._finalize(c);
		return true;
	}

	cancel(id) {
		const c = this.get(id);
		if (!c) return false;
		clearTimeout(c.timer);
		c.timer = null;
		if (!c.terminal) {
			c.terminal = 'cancelled';
			c.terminalAt = Date.now();
		}
		return true;
	}

	/** Delete: gone from lists and results; a running job is cancelled and never delivers a webhook. */
	delete(id, org) {
		const c = this.get(id, org);
		if (!c) return false;
		clearTimeout(c.timer);
		c.timer = null;
		c.deleted = true;
		c.content = null;
		c.text = null;
		return true;
	}

	/** Collections of a workflow (runs only when `runsOnly`), ordered 'desc' (newest first) or 'asc'. */
	list(workflowId, { runsOnly = false, order = 'desc', org } = {}) {
		const items = [...this.collections.values()].filter(
			(c) =>
				!c.deleted &&
				c.workflowId === workflowId &&
				(!runsOnly || c.isRun) &&
				(org === undefined || c.org === org),
		);
		items.sort((a, b) => a.seq - b.seq);
		if (order === 'desc') items.reverse();
		return items;
	}

	all() {
		return [...this.collections.values()];
	}
}

module.exports = { RunStore, IN_FLIGHT, TERMINAL, canonicalUuid };
