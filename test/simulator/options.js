'use strict';
// Simulator options: defaults, validation and partial updates (sim.configure).

const DEFAULTS = Object.freeze({
	apiKey: 'af_sim_test_key',
	port: 0,
	host: '127.0.0.1',
	processingMs: 200,
	rateLimit: Object.freeze({ submission: 60, general: 600, windowMs: 60000 }),
	allowHttpWebhooks: false,
	legacyAuthErrors: false,
	legacyStatusWords: false, // true: the runs and files lists say processing/completed/failed (the SDKs' older words)
	legacyFailureBodies: false, // true: a failed or cancelled run's results 422 is a bare {"detail": "..."} without error_code
	echoCredentials: false, // true: a refused webhook subscription's error repeats the Authorization header it got (a careless API)
	lenientIds: false, // true: a run id in any case, with or without hyphens, names the same run (a UUID-parsing API)
	validationErrorStyle: 'envelope',
	runsOrder: 'desc',
	omitVersionId: false,
	runStatusWord: 'success',
	extraWorkflows: 0,
	frontendUrl: 'https://app.anyformat.ai',
	sharedOrganization: false, // false: every API key is its own organization (runs/webhooks of one key are 404 to another)
	rateLimitPer: 'key', // 'organization': every key of one organization (see sharedOrganization) spends one budget
	rateLimitTimes: 'delta', // 'unix-seconds' | 'unix-ms': Retry-After and x-ratelimit-reset as points in time
	credits: null, // null = unlimited; a number = runs left before 402 INSUFFICIENT_CREDITS
	maxWebhooks: 50,
	keepBytes: 1024 * 1024, // uploads up to this size are kept in memory (results derive from content)
	maxTextBytes: 16 * 1024 * 1024,
	webhookTimeoutMs: 10000,
	log: false, // true: log one line per request to stderr (never the API key)
	filesListNames: false, // false: the files list shows `name: null`, as in the API's own example
	legacyStatusWords: false, // true: the runs and files lists use the older words processing/completed/failed
});

const ENUMS = {
	validationErrorStyle: ['envelope', 'fastapi'],
	runsOrder: ['desc', 'asc'],
	runStatusWord: ['success', 'accepted', 'pending'],
	rateLimitPer: ['key', 'organization'],
	rateLimitTimes: ['delta', 'unix-seconds', 'unix-ms'],
};

function fail(msg) {
	const e = new Error(`simulator options: ${msg}`);
	e.code = 'SIM_BAD_OPTIONS';
	throw e;
}

function nonNegInt(name, v) {
	if (!Number.isFinite(v) || v < 0) fail(`${name} must be a non-negative number`);
	return v;
}

/** Merge `partial` over `base` (both option objects), validating every key that is given. */
function mergeOptions(base, partial = {}) {
	const out = { ...base, rateLimit: { ...base.rateLimit } };
	for (const [k, v] of Object.entries(partial || {})) {
		if (v === undefined) continue;
		switch (k) {
			case 'apiKey': {
				const keys = Array.isArray(v) ? v : [v];
				if (!keys.length || keys.some((x) => typeof x !== 'string' || !x))
					fail('apiKey must be a non-empty string or array of strings');
				out.apiKey = Array.isArray(v) ? [...v] : v;
				break;
			}
			case 'rateLimit':
				for (const [rk, rv] of Object.entries(v || {})) {
					if (!['submission', 'general', 'windowMs'].includes(rk))
						fail(`unknown rateLimit key ${rk}`);
					nonNegInt(`rateLimit.${rk}`, rv);
					if (rk === 'windowMs' && rv <= 0) fail('rateLimit.windowMs must be > 0');
					out.rateLimit[rk] = rv;
				}
				break;
			case 'port':
			case 'processingMs':
			case 'extraWorkflows':
			case 'maxWebhooks':
			case 'keepBytes':
			case 'maxTextBytes':
			case 'webhookTimeoutMs':
				out[k] = nonNegInt(k, v);
				break;
			case 'credits':
				out.credits = v === null ? null : nonNegInt('credits', v);
				break;
			case 'host':
				out.host = String(v);
				break;
			case 'frontendUrl':
				out.frontendUrl = v === null ? null : String(v).replace(/\/+$/, '');
				break;
			case 'allowHttpWebhooks':
			case 'legacyAuthErrors':
			case 'legacyStatusWords':
			case 'legacyFailureBodies':
			case 'lenientIds':
			case 'echoCredentials':
			case 'omitVersionId':
			case 'sharedOrganization':
			case 'log':
			case 'filesListNames':
			case 'legacyStatusWords':
				out[k] = !!v;
				break;
			case 'validationErrorStyle':
			case 'runsOrder':
			case 'runStatusWord':
			case 'rateLimitPer':
			case 'rateLimitTimes':
				if (!ENUMS[k].includes(v)) fail(`${k} must be one of ${ENUMS[k].join(', ')}`);
				out[k] = v;
				break;
			default:
				fail(`unknown option ${k}`);
		}
	}
	return out;
}

function normalizeOptions(partial) {
	return mergeOptions(DEFAULTS, partial);
}

module.exports = { DEFAULTS, normalizeOptions, mergeOptions };
