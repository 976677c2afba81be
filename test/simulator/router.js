'use strict';
// The API route table: name, method, path pattern and rate-limit tier of every endpoint.

const SEG = '([^/]+)';

/**
 * Route names are what the ledger records and what faults/tests filter on.
 * tier: 'submission' | 'general' | null (public, not rate limited).
 */
const ROUTES = [
	{ name: 'health', method: 'GET', pattern: '/health/', tier: null, public: true },
	{ name: 'workflows', method: 'GET', pattern: '/v2/workflows/', tier: 'general' },
	{
		name: 'workflow',
		method: 'GET',
		pattern: `/v2/workflows/${SEG}/`,
		params: ['workflowId'],
		tier: 'general',
	},
	{
		name: 'run',
		method: 'POST',
		pattern: `/v2/workflows/${SEG}/run/`,
		params: ['workflowId'],
		tier: 'submission',
	},
	{
		name: 'upload',
		method: 'POST',
		pattern: `/v2/workflows/${SEG}/upload/`,
		params: ['workflowId'],
		tier: 'submission',
	},
	// The results doc names `POST /v2/workflows/{wid}/files/` as an upload endpoint: same behaviour as upload/.
	{
		name: 'files.create',
		method: 'POST',
		pattern: `/v2/workflows/${SEG}/files/`,
		params: ['workflowId'],
		tier: 'submission',
	},
	{
		name: 'files',
		method: 'GET',
		pattern: `/v2/workflows/${SEG}/files/`,
		params: ['workflowId'],
		tier: 'general',
	},
	{
		name: 'files.run',
		method: 'POST',
		pattern: `/v2/workflows/${SEG}/files/${SEG}/run/`,
		params: ['workflowId', 'fileId'],
		tier: 'submission',
	},
	{
		name: 'results',
		method: 'GET',
		pattern: `/v2/workflows/${SEG}/files/${SEG}/results/`,
		params: ['workflowId', 'collectionId'],
		tier: 'general',
	},
	{
		name: 'runs',
		method: 'GET',
		pattern: `/v2/workflows/${SEG}/runs/`,
		params: ['workflowId'],
		tier: 'general',
	},
	{
		name: 'delete',
		method: 'DELETE',
		pattern: `/v2/files/${SEG}/`,
		params: ['collectionId'],
		tier: 'general',
	},
	{ name: 'webhooks.create', method: 'POST', pattern: '/v2/webhooks/', tier: 'general' },
	{ name: 'webhooks.list', method: 'GET', pattern: '/v2/webhooks/', tier: 'general' },
	{
		name: 'webhooks.delete',
		method: 'DELETE',
		pattern: `/v2/webhooks/${SEG}/`,
		params: ['webhookId'],
		tier: 'general',
	},
].map((r) => ({ params: [], public: false, ...r, regex: new RegExp(`^${r.pattern}$`) }));

const SUBMISSION_ROUTES = new Set(ROUTES.filter((r) => r.tier === 'submission').map((r) => r.name));
const ROUTE_NAMES = ROUTES.map((r) => r.name);

/**
 * Match a path (already known to end with '/').
 * Returns {route, params} | {methodNotAllowed: true, allow: [...], tier} | null.
 */
function matchRoute(method, path) {
	const allow = [];
	let tier = null;
	for (const route of ROUTES) {
		const m = route.regex.exec(path);
		if (!m) continue;
		if (route.method !== method) {
			allow.push(route.method);
			tier = tier || route.tier;
			continue;
		}
		const params = {};
		try {
			route.params.forEach((p, i) => (params[p] = decodeURIComponent(m[i + 1])));
		} catch {
			return null;
		}
		return { route, params };
	}
	return allow.length ? { methodNotAllowed: true, allow, tier: tier || 'general' } : null;
}

/** Tier of whatever route a path names, whatever the method (for 301s and 404s). */
function tierForPath(method, path) {
	const m = matchRoute(method, path);
	if (!m) return { tier: 'general', name: null };
	if (m.methodNotAllowed) return { tier: m.tier, name: null };
	return { tier: m.route.tier || 'general', name: m.route.name };
}

module.exports = { ROUTES, ROUTE_NAMES, SUBMISSION_ROUTES, matchRoute, tierForPath };
