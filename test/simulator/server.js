'use strict';
// The Simulator: state (workflows, runs, ledger, webhooks, faults, rate windows) and the HTTP plumbing
// every API request goes through: trailing-slash redirect -> route -> auth -> rate limit -> fault -> handler.
const crypto = require('node:crypto');
const http = require('http');
const { normalizeOptions, mergeOptions } = require('./options');
const { matchRoute, tierForPath, SUBMISSION_ROUTES } = require('./router');
const { RateLimiter, rateHeaders, retryAfterValue } = require('./rate-limit');
const { Ledger } = require('./ledger');
const { Faults, STATUS_KINDS, transportBefore, transportAfter } = require('./faults');
const { WebhookHub } = require('./webhooks');
const { RunStore } = require('./runs');
const { MarkerScanner } = require('./document');
const { SCENARIOS, buildWorkflows } = require('./scenarios');
const { apiError, STATUS_FAULT_CODES, proxyHtml } = require('./errors');
const { keyFingerprint } = require('./ids');
const { HANDLERS } = require('./api');
const { handleControl } = require('./control');

const API_VERSION = '2.0.0';

class Simulator {
	constructor(options = {}) {
		this._options = normalizeOptions(options);
		this.SCENARIOS = SCENARIOS;
		this.limiter = new RateLimiter(() => this._options.rateLimit);
		this.ledger = new Ledger({ getPeak: () => this.limiter.peak });
		this.faults = new Faults();
		this.webhooks = new WebhookHub(() => this._options);
		this.runs = new RunStore({
			onTerminal: (c) => this._onTerminal(c),
			lenientIds: () => this._options.lenientIds,
		});
		this._timers = new Set();
		this._buildWorkflows();
		this.server = http.createServer(
			{ requestTimeout: 0, headersTimeout: 60000, keepAliveTimeout: 5000 },
			(req, res) => {
				this._dispatch(req, res).catch((err) => this._crash(req, res, err));
			},
		);
	}

	/** Current options (a copy). */
	get options() {
		return structuredClone(this._options);
	}

	get url() {
		const a = this.server.address();
		return a
			? `http://${this._options.host.includes(':') ? `[${this._options.host}]` : this._options.host}:${a.port}`
			: null;
	}

	get port() {
		const a = this.server.address();
		return a ? a.port : null;
	}

	/** First configured API key (convenience for tests). */
	get apiKey() {
		const k = this._options.apiKey;
		return Array.isArray(k) ? k[0] : k;
	}

	listen() {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this._options.port, this._options.host, () => {
				this.server.off('error', reject);
				resolve(this);
			});
		});
	}

	async close() {
		for (const t of this._timers) clearTimeout(t);
		this._timers.clear();
		this.runs.clear();
		this.webhooks.reset();
		await new Promise((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
		});
	}

	/** Change options at run time (processingMs, rateLimit, credits, runsOrder, ...). host/port are ignored. */
	configure(partial = {}) {
		const { port, host, ...rest } = partial;
		const before = this._options.extraWorkflows;
		this._options = mergeOptions(this._options, rest);
		if (this._options.extraWorkflows !== before) this._buildWorkflows();
		return this.options;
	}

	/** Runs `fn` after `ms` (cleared on close); `pendingLater` counts those not run yet. */
	later(ms, fn) {
		this.pendingLater = (this.pendingLater || 0) + 1;
		const t = setTimeout(() => {
			this._timers.delete(t);
			this.pendingLater -= 1;
			fn();
		}, ms);
		this._timers.add(t);
	}

	/** Resolves once every delayed effect of a fault (a run created late) has happened. */
	async settled() {
		while (this.pendingLater > 0) await new Promise((resolve) => setTimeout(resolve, 50));
	}

	/** Forget runs, ledger, webhook subscriptions/deliveries/mode, faults and rate windows (options stay). */
	reset() {
		this.runs.clear();
		this.ledger.clear();
		this.webhooks.reset();
		this.faults.reset();
		this.limiter.reset();
	}

	findWorkflow(id) {
		return this.workflows.find((w) => w.id === id) || null;
	}

	finishRun(collectionId) {
		return this.runs.finish(collectionId);
	}

	/**
	 * Creates `count` runs of a workflow at once, without the API (for tests of list readers): each from
	 * `text` (markers apply: FAIL_EXTRACTION ends it in error), in flight until finished (`finishRun`),
	 * or finished right away with `finished: true`. Returns their ids, oldest first.
	 */
	seedRuns(workflowId, { count = 1, text = 'Invoice INV-7781 Total: $1,250.00', finished = false, org = 0 } = {}) {
		const buf = Buffer.from(text, 'utf8');
		const scanner = new MarkerScanner();
		scanner.push(buf);
		const upload = {
			kind: 'text',
			filename: 'text.txt',
			mimeType: 'text/plain',
			bytes: buf.length,
			sha256: crypto.createHash('sha256').update(buf).digest('hex'),
			text,
			markers: scanner.result(),
		};
		const ids = [];
		for (let i = 0; i < count; i++) {
			const c = this.runs.create({ workflowId, upload, org });
			this.runs.start(c, 24 * 3600 * 1000);
			if (finished) this.runs.finish(c.id);
			ids.push(c.id);
		}
		return ids;
	}

	/**
	 * Makes the results endpoint answer 412 (not ready) for one run while `held`, whatever its status:
	 * a run the runs list shows finished whose results do not arrive (`flip-412`, for one run, for long).
	 */
	holdResults(collectionId, held = true) {
		const c = this.runs.get(collectionId);
		if (!c) return false;
		c.resultsHeld = held;
		return true;
	}

	/** Moves a run's times (created, started, finished) `ms` into the past: a run that finished long ago. */
	ageRun(collectionId, ms) {
		const c = this.runs.get(collectionId);
		if (!c) return false;
		c.createdAt -= ms;
		if (c.startedAt !== null) c.startedAt -= ms;
		if (c.terminalAt !== null) c.terminalAt -= ms;
		return true;
	}

	cancelRun(collectionId) {
		return this.runs.cancel(collectionId);
	}

	/**
	 * A reviewer's work in the app on one field of a run's results: `{value_override, verification_status}`
	 * (either or both), applied to that field in every extraction entry (and the deprecated `extraction`)
	 * the results endpoint answers from now on. False when there is no such run.
	 */
	reviewField(collectionId, fieldName, patch) {
		const c = this.runs.get(collectionId);
		if (!c) return false;
		const review = {};
		if ('value_override' in patch) review.value_override = patch.value_override;
		if ('verification_status' in patch) review.verification_status = patch.verification_status;
		c.reviews = { ...(c.reviews || {}), [fieldName]: { ...(c.reviews?.[fieldName] || {}), ...review } };
		return true;
	}

	/** A run's public state: {id, fileId, workflowId, status, name, kind, bytes, sha256, createdAt, ...} or null. */
	getRun(collectionId) {
		const c = this.runs.get(collectionId);
		return c ? this._runView(c) : null;
	}

	listRuns() {
		return this.runs.all().map((c) => this._runView(c));
	}

	_runView(c) {
		return {
			id: c.id,
			fileId: c.fileId,
			workflowId: c.workflowId,
			status: c.deleted ? 'deleted' : this.runs.status(c),
			name: c.name,
			kind: c.kind,
			mimeType: c.mimeType,
			bytes: c.bytes,
			sha256: c.sha256,
			isRun: c.isRun,
			foreign: !!c.foreign,
			org: c.org,
			processingMs: c.processingMs,
			createdAt: new Date(c.createdAt).toISOString(),
		};
	}

	_buildWorkflows() {
		this.workflows = buildWorkflows(this._options.extraWorkflows);
	}

	_keys() {
		const k = this._options.apiKey;
		return Array.isArray(k) ? k : [k];
	}

	_onTerminal(c) {
		if (c.deleted) return;
		const processed = c.terminal === 'processed';
		this.webhooks.dispatch(
			processed ? 'extraction.completed' : 'extraction.failed',
			{
				extraction_id: c.id,
				status: c.terminal,
				workflow_id: c.workflowId,
				processed_at: processed ? new Date(c.terminalAt).toISOString() : null,
			},
			c.org,
		);
	}

	_log(msg) {
		if (this._options.log) process.stderr.write(`[anyformat-sim] ${msg}\n`);
	}

	/** Classify the Authorization header without enforcing anything. */
	_auth(req) {
		const h = req.headers.authorization;
		if (!h) return { state: 'missing', keyId: 'anonymous', keyIndex: null };
		const m = /^\s*Bearer(?:\s+(.*))?$/i.exec(h);
		const token = m && m[1] ? m[1].trim() : '';
		if (!token) return { state: 'missing', keyId: 'anonymous', keyIndex: null };
		const idx = this._keys().indexOf(token);
		if (idx < 0) return { state: 'invalid', keyId: keyFingerprint(token), keyIndex: null };
		return { state: 'ok', keyId: keyFingerprint(token), keyIndex: idx };
	}

	async _dispatch(req, res) {
		const start = Date.now();
		let url;
		try {
			url = new URL(req.url, 'http://simulator.invalid');
		} catch {
			res.writeHead(400, { 'content-type': 'text/plain', 'x-api-version': API_VERSION });
			res.end('bad request target');
			return;
		}
		const path = url.pathname;
		if (path === '/_sim' || path.startsWith('/_sim/')) return handleControl(this, req, res, url);

		const query = Object.fromEntries(url.searchParams);
		const entry = {
			method: req.method,
			path,
			query,
			route: null,
			tier: null,
			status: null,
			time: start,
			authorized: false,
			keyIndex: null,
			fault: null,
			durationMs: null,
		};
		this.ledger.requests.push(entry);
		const auth = this._auth(req);
		const ctx = {
			req,
			res,
			url,
			path,
			query,
			entry,
			method: req.method,
			route: null,
			params: {},
			rate: null,
			fault: null,
			start,
		};

		// 1. every path ends with a slash
		if (!path.endsWith('/')) {
			const { tier, name } = tierForPath(req.method, `${path}/`);
			Object.assign(entry, { route: 'redirect', targetRoute: name, tier });
			ctx.rate = this.limiter.peek(auth.keyId, tier);
			return this._send(ctx, { status: 301, headers: { location: `${path}/${url.search}` } });
		}
		// 2. route
		const m = matchRoute(req.method, path);
		if (!m) {
			entry.tier = 'general';
			ctx.rate = this.limiter.peek(auth.keyId, 'general');
			return this._send(ctx, apiError(404, 'NOT_FOUND', `No endpoint ${req.method} ${path}.`));
		}
		if (m.methodNotAllowed) {
			entry.tier = m.tier;
			ctx.rate = this.limiter.peek(auth.keyId, m.tier);
			return this._send(
				ctx,
				apiError(405, 'METHOD_NOT_ALLOWED', `Method ${req.method} not allowed on ${path}.`, {
					headers: { allow: m.allow.join(', ') },
				}),
			);
		}
		ctx.route = m.route;
		ctx.params = m.params;
		entry.route = m.route.name;
		entry.tier = m.route.tier;
		const tier = m.route.tier || 'general';
		entry.authorized = auth.state === 'ok';
		entry.keyIndex = auth.keyIndex;
		// the organization owning runs and webhook subscriptions: one per API key unless sharedOrganization
		ctx.org = this._options.sharedOrganization ? 0 : auth.keyIndex || 0;

		// 3. auth (not for /health/)
		if (!m.route.public) {
			if (auth.state !== 'ok') {
				ctx.rate = this.limiter.peek(auth.keyId, tier);
				if (auth.state === 'missing')
					return this._send(
						ctx,
						apiError(
							403,
							'ACCESS_DENIED',
							'Authentication credentials were not provided. Send Authorization: Bearer <api key>.',
						),
					);
				if (this._options.legacyAuthErrors)
					return this._send(ctx, { status: 401, body: { detail: 'Invalid token.' } });
				return this._send(ctx, apiError(401, 'AUTH_FAILED', 'Invalid API key.'));
			}
			// 4. rate limit (per key and tier); counted before anything else can happen
			// per key, or (rateLimitPer 'organization') one budget for all keys of the organization
			const budgetOf = this._options.rateLimitPer === 'organization' ? `org:${ctx.org}` : auth.keyId;
			const rate = this.limiter.consume(budgetOf, tier);
			ctx.rate = rate;
			if (!rate.allowed) {
				this.ledger.rateLimited[tier] += 1;
				const retry = retryAfterValue(rate.windowEnd - Date.now(), this._options.rateLimitTimes);
				return this._send(
					ctx,
					apiError(
						429,
						'RATE_LIMITED',
						`Rate limit of ${rate.limit} ${tier} requests per window exceeded. Retry after ${retry} s.`,
						{ headers: { 'retry-after': String(retry) } },
					),
				);
			}
		} else {
			ctx.rate = this.limiter.peek(auth.keyId, tier);
		}

		// 5. faults
		ctx.fault = this.faults.pick(m.route.name);
		try {
			if (ctx.fault && ctx.fault.early) return this._earlyFault(ctx);
			const instead = transportBefore(this, ctx);
			if (instead) return this._send(ctx, instead);
			// 6. handler
			let result;
			try {
				result = await HANDLERS[m.route.name](this, ctx);
			} catch (err) {
				if (err && err.code === 'ABORTED') {
					entry.aborted = true;
					return undefined;
				}
				throw err;
			}
			if (result === null) return undefined;
			result = transportAfter(this, ctx, result);
			if (result === null) return undefined;
			return this._send(ctx, result);
		} finally {
			if (ctx.fault && !ctx.fault.done && !ctx.fault.delayed) this.faults.release(ctx.fault);
		}
	}

	_earlyFault(ctx) {
		const { kind } = ctx.fault;
		ctx.entry.fault = kind;
		this.faults.applied(ctx.fault);
		if (kind === 'reset-before-read') {
			ctx.req.socket.destroy();
			return undefined;
		}
		if (kind === 'non-json') {
			return this._send(ctx, {
				status: 200,
				raw: {
					contentType: 'text/plain; charset=utf-8',
					text: 'OK - request received by upstream (not JSON)\n',
				},
			});
		}
		if (STATUS_KINDS.includes(kind)) {
			if (kind === '429' || kind === '429-no-retry-after') {
				this.ledger.rateLimited[ctx.route.tier || 'general'] += 1;
				const headers =
					kind === '429'
						? {
								'retry-after': retryAfterValue(
									this.faults.retryAfterSeconds * 1000,
									this._options.rateLimitTimes,
								),
							}
						: {};
				return this._send(
					ctx,
					apiError(429, 'RATE_LIMITED', 'Rate limit exceeded (injected).', { headers }),
				);
			}
			if (kind.endsWith('-html')) {
				const status = Number(kind.slice(0, 3));
				return this._send(ctx, {
					status,
					raw: { contentType: 'text/html', text: proxyHtml(status) },
				});
			}
			const status = Number(kind);
			const after = this.faults.retryAfter5xxSeconds;
			const headers = after === null ? {} : { 'retry-after': String(after) };
			return this._send(
				ctx,
				apiError(status, STATUS_FAULT_CODES[status], `Injected ${status} from the simulator.`, {
					headers,
				}),
			);
		}
		throw new Error(`unhandled early fault ${kind}`);
	}

	/** Write a handler result, applying the late faults (reset-after-accept, truncated-json, slow). */
	_send(ctx, result) {
		const { req, res, entry } = ctx;
		if (res.headersSent || res.destroyed || req.socket.destroyed) return;
		const f = ctx.fault && !ctx.fault.done ? ctx.fault : null;
		const status = result.status;

		if (
			f &&
			f.kind === 'reset-after-accept' &&
			status >= 200 &&
			status < 300 &&
			ctx.route &&
			SUBMISSION_ROUTES.has(ctx.route.name)
		) {
			entry.fault = f.kind;
			this.faults.applied(f);
			req.socket.destroy();
			return;
		}

		let payload = null;
		let contentType = null;
		if (result.raw) {
			payload = result.raw.text;
			contentType = result.raw.contentType;
		} else if (result.body !== undefined && status !== 204) {
			payload = JSON.stringify(result.body);
			contentType = 'application/json';
		}
		if (f && f.kind === 'truncated-json' && payload && contentType === 'application/json') {
			payload = payload.slice(0, Math.max(1, Math.floor(payload.length / 2)));
			entry.fault = f.kind;
			this.faults.applied(f);
		}
		let delay = 0;
		if (f && f.kind === 'slow') {
			delay = this.faults.slowMs;
			entry.fault = f.kind;
			this.faults.applied(f);
		}

		const write = () => {
			if (res.destroyed || req.socket.destroyed) return;
			const headers = { 'x-api-version': API_VERSION };
			if (ctx.rate)
				Object.assign(headers, rateHeaders(ctx.rate, Date.now(), this._options.rateLimitTimes));
			Object.assign(headers, result.headers || {});
			if (contentType) headers['content-type'] = contentType;
			if (payload !== null) headers['content-length'] = Buffer.byteLength(payload);
			else if (status !== 204 && status !== 304) headers['content-length'] = 0;
			entry.status = status;
			entry.durationMs = Date.now() - ctx.start;
			res.writeHead(status, headers);
			res.end(payload === null ? undefined : payload);
			if (!req.complete) req.resume(); // drain a body we did not need (early errors)
			this._log(
				`${req.method} ${ctx.path} -> ${status}${entry.fault ? ` [fault ${entry.fault}]` : ''}`,
			);
		};
		if (delay > 0) {
			entry.status = status;
			const t = setTimeout(() => {
				this._timers.delete(t);
				write();
			}, delay);
			this._timers.add(t);
		} else {
			write();
		}
	}

	_crash(req, res, err) {
		process.stderr.write(
			`[anyformat-sim] internal error on ${req.method} ${req.url}: ${err && err.stack}\n`,
		);
		if (res.headersSent || res.destroyed) return;
		const e = apiError(500, 'INTERNAL_ERROR', `Simulator bug: ${err && err.message}`);
		res.writeHead(500, { 'content-type': 'application/json', 'x-api-version': API_VERSION });
		res.end(JSON.stringify(e.body));
		if (!req.complete) req.resume();
	}
}

module.exports = { Simulator, API_VERSION };
