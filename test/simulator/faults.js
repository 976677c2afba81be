'use strict';
// Seeded, reproducible fault injection.
//
// A fault is picked when a request has passed auth and the rate limiter. "Early" kinds replace the
// response before the handler runs (nothing is created). "Late" kinds are applied by the handler or the
// response writer only when they make sense (e.g. flip-412 needs a processed run); a `once` fault stays
// armed until it has actually been applied, and `injected` counts only applied faults.
const { SUBMISSION_ROUTES } = require('./router');
const { apiError } = require('./errors');
const { requestId } = require('./ids');

const STATUS_KINDS = [
	'429',
	'429-no-retry-after',
	'500',
	'502',
	'503',
	'504',
	'502-html',
	'503-html',
];
// ---- lost submissions (issue 9: adoption only on proof) ----------------------------------------
// Each applies to a run submission (route `run`) after its upload was read:
//   504-html-after-create  the run is created, then a gateway's 504 HTML page is the answer
//   accepted-no-answer     no answer: the connection is held `hangMs`, then dropped; the run is
//                          created `lateRunMs` after the upload was read (after the client gave up)
//   reset-before-accept    the connection is reset after the upload was read; no run is created
//   other-submitter        another submitter's run (same file name, other content) is created in the
//                          same workflow, then this request is reset before acceptance (no run of its own)
//   202-no-id              the run is created; the 202 answer carries no `id`
const LOST_SUBMISSION_KINDS = [
	'504-html-after-create',
	'accepted-no-answer',
	'reset-before-accept',
	'other-submitter',
	'202-no-id',
];
// ---- end of lost submissions ---------------------------------------------------------------------

const KINDS = [
	...STATUS_KINDS,
	...LOST_SUBMISSION_KINDS,
	'reset-before-read',
	'reset-after-accept',
	'reset-mid-upload',
	'slow',
	'truncated-json',
	'non-json',
	'missing-keys',
	'unknown-enum',
	'flip-412',
];
const EARLY_KINDS = new Set([...STATUS_KINDS, 'reset-before-read', 'non-json']);
const NO_BODY_ROUTES = new Set(['delete', 'webhooks.delete']);
const UPLOAD_ROUTES = new Set(['run', 'upload', 'files.create']);

/** Can `kind` apply to a request on `route` at all? */
function eligible(kind, route) {
	if (LOST_SUBMISSION_KINDS.includes(kind)) return route === 'run';
	switch (kind) {
		case 'reset-after-accept':
			return SUBMISSION_ROUTES.has(route);
		case 'reset-mid-upload':
			return UPLOAD_ROUTES.has(route);
		case 'truncated-json':
			return !NO_BODY_ROUTES.has(route);
		case 'missing-keys':
		case 'flip-412':
			return route === 'results';
		case 'unknown-enum':
			return route === 'results' || route === 'runs' || route === 'files';
		default:
			if (TRANSPORT_FAULT_ROUTES[kind]) return TRANSPORT_FAULT_ROUTES[kind].has(route);
			return KINDS.includes(kind);
	}
}

function routeHash(route) {
	let h = 2166136261;
	for (const c of String(route)) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
	return h >>> 0;
}

function mulberry32(seed) {
	let a = seed >>> 0;
	return function next() {
		a = (a + 0x6d2b79f5) | 0;
		let t = Math.imul(a ^ (a >>> 15), 1 | a);
		t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

function checkKind(kind) {
	if (!KINDS.includes(kind))
		throw new Error(`unknown fault kind ${kind}; known: ${KINDS.join(', ')}`);
}

class Faults {
	constructor() {
		this.injected = {};
		this.slowMs = 35000;
		this.retryAfterSeconds = 1;
		// injected 5xx JSON answers carry `Retry-After: <this>` when it is set (null: none, as by default)
		this.retryAfter5xxSeconds = null;
		this.hangMs = 1000;
		this.lateRunMs = 8000;
		this.clear();
	}

	/** Random faults: {seed, rate (0..1 per eligible request), kinds, routes, slowMs, retryAfterSeconds, retryAfter5xxSeconds}. */
	configure({ seed, rate, kinds, routes, slowMs, retryAfterSeconds, retryAfter5xxSeconds, hangMs, lateRunMs, routeRates } = {}) {
		if (retryAfter5xxSeconds !== undefined) this.retryAfter5xxSeconds = retryAfter5xxSeconds;
		// {route: rate}: a route's own share of faulted requests, instead of `rate`
		if (routeRates !== undefined) this.routeRates = routeRates === null ? null : { ...routeRates };
		if (hangMs !== undefined) this.hangMs = hangMs;
		if (lateRunMs !== undefined) this.lateRunMs = lateRunMs;
		if (kinds !== undefined) {
			kinds.forEach(checkKind);
			this.kinds = [...kinds];
		}
		if (routes !== undefined) this.routes = routes === null ? null : [...routes];
		if (rate !== undefined) {
			if (!(rate >= 0 && rate <= 1)) throw new Error('fault rate must be within 0..1');
			this.rate = rate;
		}
		if (seed !== undefined || !this.streams) {
			this.seed = seed !== undefined ? seed >>> 0 : this.seed;
			this.streams = new Map();
		}
		if (slowMs !== undefined) this.slowMs = slowMs;
		if (retryAfterSeconds !== undefined) this.retryAfterSeconds = retryAfterSeconds;
		return this.state();
	}

	/** Arm `kind` for the next request it can apply to (optionally only on `route`). */
	once(kind, { route } = {}) {
		checkKind(kind);
		if (route && !eligible(kind, route))
			throw new Error(`fault ${kind} cannot apply to route ${route}`);
		this.queue.push({ kind, route: route || null, reserved: false });
		return this;
	}

	/** Disarm everything (random config and pending once-faults). `injected` counts are kept. */
	clear() {
		this.queue = [];
		this.rate = 0;
		this.kinds = [...KINDS];
		this.routes = null;
		this.routeRates = null;
		this.seed = 1;
		this.streams = new Map();
	}

	/** Full reset (sim.reset()): also forget counts and restore slowMs. */
	reset() {
		this.clear();
		this.injected = {};
		this.slowMs = 35000;
		this.retryAfterSeconds = 1;
		this.retryAfter5xxSeconds = null;
		this.hangMs = 1000;
		this.lateRunMs = 8000;
	}

	get pending() {
		return this.queue.map((q) => ({ kind: q.kind, route: q.route }));
	}

	state() {
		return {
			seed: this.seed,
			rate: this.rate,
			kinds: this.kinds,
			routes: this.routes,
			routeRates: this.routeRates,
			slowMs: this.slowMs,
			pending: this.pending,
			injected: { ...this.injected },
		};
	}

	/** Pick a fault for a request on `route` (or null). Caller must later call applied() or release(). */
	pick(route) {
		const entry = this.queue.find(
			// /health/ only when named explicitly
			(q) =>
				!q.reserved &&
				(q.route ? q.route === route : route !== 'health' && eligible(q.kind, route)),
		);
		if (entry) {
			entry.reserved = true;
			return { kind: entry.kind, early: EARLY_KINDS.has(entry.kind), entry };
		}
		const rate = this.routeRates && route in this.routeRates ? this.routeRates[route] : this.rate;
		if (rate > 0) {
			// health is only eligible when named explicitly in `routes`
			const inRoutes = this.routes ? this.routes.includes(route) : route !== 'health';
			if (!inRoutes) return null;
			const random = this.stream(route);
			const r = random();
			if (r >= rate) return null;
			const candidates = this.kinds.filter((k) => eligible(k, route));
			const k = random();
			if (!candidates.length) return null;
			const kind = candidates[Math.floor(k * candidates.length)];
			return { kind, early: EARLY_KINDS.has(kind), entry: null };
		}
		return null;
	}

	/**
	 * One seeded stream per route: the n-th request of a route draws the same fault whatever the
	 * other routes did meanwhile, so concurrency changes which document a fault hits but not how many
	 * submissions (or reads) are faulted.
	 */
	stream(route) {
		let random = this.streams.get(route);
		if (!random) {
			random = mulberry32((this.seed ^ routeHash(route)) >>> 0);
			this.streams.set(route, random);
		}
		return random;
	}

	applied(pick) {
		if (!pick || pick.done) return;
		pick.done = true;
		this.injected[pick.kind] = (this.injected[pick.kind] || 0) + 1;
		if (pick.entry) {
			const i = this.queue.indexOf(pick.entry);
			if (i >= 0) this.queue.splice(i, 1);
		}
	}

	release(pick) {
		if (!pick || pick.done) return;
		pick.done = true;
		if (pick.entry) pick.entry.reserved = false;
	}
}

// ---- transport faults (issues 9 and 13): answers of the wrong shape, a cut DELETE, 408/409 on reads ----
// Late faults, applied by `transportBefore` / `transportAfter` around the handler (server.js):
//   results-200-error   GET results/ answers 200 with an API error envelope instead of the results
//   list-ignores-page   a list answers its first page whatever `page` asks (and echoes the page asked)
//   list-no-count       a list page without `count`
//   reset-after-delete  DELETE /v2/files/{id}/ deletes the collection, then the connection is cut
//   read-408, read-409  a read answered 408 (a load balancer's text page) or 409 (an envelope
//                       without `retryable`) before the handler runs: nothing is done
//   proto-subfield      a row of a list field in the results gains a sub-field named "__proto__"
const LIST_ROUTES = new Set(['workflows', 'runs', 'files']);
const READ_ROUTES = new Set([
	'workflows',
	'workflow',
	'results',
	'runs',
	'files',
	'delete',
	'webhooks.list',
	'webhooks.delete',
]);
const TRANSPORT_FAULT_ROUTES = {
	'results-200-error': new Set(['results']),
	'list-ignores-page': LIST_ROUTES,
	'list-no-count': LIST_ROUTES,
	'reset-after-delete': new Set(['delete']),
	'read-408': READ_ROUTES,
	'read-409': READ_ROUTES,
	'proto-subfield': new Set(['results']),
};
KINDS.push(...Object.keys(TRANSPORT_FAULT_ROUTES));

function transportFault(ctx) {
	const f = ctx.fault;
	return f && !f.done && TRANSPORT_FAULT_ROUTES[f.kind] ? f : null;
}

function applyTransportFault(sim, ctx) {
	ctx.entry.fault = ctx.fault.kind;
	sim.faults.applied(ctx.fault);
}

/** Before the handler: answers in its place (read-408/409), or hides `page` from it. */
function transportBefore(sim, ctx) {
	const f = transportFault(ctx);
	if (!f) return null;
	if (f.kind === 'read-408') {
		applyTransportFault(sim, ctx);
		return { status: 408, raw: { contentType: 'text/plain', text: '408 Request Time-out\n' } };
	}
	if (f.kind === 'read-409') {
		applyTransportFault(sim, ctx);
		const body = { error: 'Conflict', detail: 'Injected 409 from the simulator.', error_code: 'CONFLICT', request_id: requestId() };
		return { status: 409, body };
	}
	if (f.kind === 'list-ignores-page') {
		ctx.askedPage = ctx.query.page;
		ctx.query = { ...ctx.query }; // the ledger keeps the query as it was asked
		delete ctx.query.page;
	}
	return null;
}

/** After the handler: the result to send, or null when the connection was cut. */
function transportAfter(sim, ctx, result) {
	const f = transportFault(ctx);
	if (!f || result.status < 200 || result.status >= 300) return result;
	if (f.kind === 'reset-after-delete') {
		applyTransportFault(sim, ctx);
		ctx.req.socket.destroy();
		return null;
	}
	if (f.kind === 'results-200-error') {
		applyTransportFault(sim, ctx);
		return { ...result, body: apiError(500, 'INTERNAL_ERROR', 'Injected error body with 200.').body };
	}
	if (f.kind === 'list-no-count') {
		delete result.body.count;
		applyTransportFault(sim, ctx);
	} else if (f.kind === 'list-ignores-page') {
		result.body.page = Number(ctx.askedPage) || 1;
		applyTransportFault(sim, ctx);
	} else if (f.kind === 'proto-subfield' && addProtoSubfield(result.body)) {
		applyTransportFault(sim, ctx);
	}
	return result;
}

function addProtoSubfield(envelope) {
	for (const entry of envelope.extractions || []) {
		for (const value of Object.values(entry.fields || {})) {
			if (!Array.isArray(value) || !value[0]) continue;
			const sub = { value: 'proto row', value_override: null, verification_status: null, confidence: 88, evidence: [] };
			for (const row of value) {
				Object.defineProperty(row, '__proto__', { value: sub, enumerable: true, writable: true, configurable: true });
			}
			return true;
		}
	}
	return false;
}
// ---- end of transport faults ----

module.exports = {
	Faults,
	KINDS,
	EARLY_KINDS,
	STATUS_KINDS,
	LOST_SUBMISSION_KINDS,
	eligible,
	mulberry32,
	transportBefore,
	transportAfter,
};
