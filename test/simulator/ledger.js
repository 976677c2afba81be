'use strict';
// What happened, for tests to assert on. Never holds an API key (only whether the right one was sent).

class Ledger {
	constructor({ getPeak } = {}) {
		this._getPeak = getPeak || (() => ({ submission: 0, general: 0 }));
		this.clear();
	}

	clear() {
		/** every API request: {method, path, query, route, targetRoute?, status, tier, time, authorized, keyIndex, fault, durationMs} */
		this.requests = [];
		/** every multipart body parsed: {workflowId, collectionId, fileId, kind, filename, mimeType, bytes, sha256, contentLength, time, route, accepted} */
		this.uploads = [];
		/** every run started (run/ and files/{id}/run/): {collectionId, workflowId, sha256, route, time} */
		this.runs = [];
		/** runs another submitter created (fault `other-submitter`): {collectionId, workflowId, sha256, time} */
		this.foreignRuns = [];
		/** 429s served, per tier (limiter and injected faults alike) */
		this.rateLimited = { submission: 0, general: 0 };
		this.maxConcurrentUploads = 0;
		this._activeUploads = 0;
	}

	/** Highest number of requests (allowed or not) one API key made in one window, per tier. */
	get peakRequestsPerWindow() {
		return { ...this._getPeak() };
	}

	get activeUploads() {
		return this._activeUploads;
	}

	uploadStarted() {
		this._activeUploads += 1;
		if (this._activeUploads > this.maxConcurrentUploads)
			this.maxConcurrentUploads = this._activeUploads;
	}

	uploadEnded() {
		this._activeUploads = Math.max(0, this._activeUploads - 1);
	}

	/**
	 * Count requests matching a filter: a route name string, or {method, route, status, tier, authorized}
	 * (any subset). Redirects are recorded with route 'redirect' (targetRoute names the endpoint).
	 */
	count(filter = {}) {
		const f = typeof filter === 'string' ? { route: filter } : filter;
		return this.requests.filter((r) =>
			Object.entries(f).every(([k, v]) => v === undefined || r[k] === v),
		).length;
	}

	/** Map sha256 -> number of runs started on a document with that content. */
	runsPerSha256() {
		const m = new Map();
		for (const r of this.runs) m.set(r.sha256, (m.get(r.sha256) || 0) + 1);
		return m;
	}

	/** [{sha256, count, collectionIds}] for every document run more than once. */
	duplicates() {
		const out = [];
		for (const [sha256, count] of this.runsPerSha256()) {
			if (count > 1)
				out.push({
					sha256,
					count,
					collectionIds: this.runs.filter((r) => r.sha256 === sha256).map((r) => r.collectionId),
				});
		}
		return out;
	}

	/** JSON summary (GET /_sim/ledger/). */
	summary({ full = false } = {}) {
		const byRoute = {};
		const byStatus = {};
		for (const r of this.requests) {
			const k = `${r.method} ${r.route || 'unknown'}`;
			byRoute[k] = (byRoute[k] || 0) + 1;
			const s = r.status === null ? 'none' : String(r.status);
			byStatus[s] = (byStatus[s] || 0) + 1;
		}
		const out = {
			requests: this.requests.length,
			byRoute,
			byStatus,
			uploads: this.uploads,
			runs: this.runs.length,
			runsPerSha256: Object.fromEntries(this.runsPerSha256()),
			duplicates: this.duplicates(),
			rateLimited: { ...this.rateLimited },
			maxConcurrentUploads: this.maxConcurrentUploads,
			peakRequestsPerWindow: this.peakRequestsPerWindow,
		};
		if (full) {
			out.requestLog = this.requests;
			out.runLog = this.runs;
		}
		return out;
	}
}

module.exports = { Ledger };
