'use strict';
// Control plane under /_sim/ for out-of-process users (demo, real-n8n e2e tests, benchmarks).
// No auth, not rate limited, not recorded as API requests. Trailing slash optional.
const { readJson } = require('./multipart');

function send(res, status, body) {
	const payload = body === undefined ? '' : JSON.stringify(body);
	res.writeHead(status, {
		'content-type': 'application/json',
		'content-length': Buffer.byteLength(payload),
		'x-api-version': '2.0.0',
	});
	res.end(payload);
}

function publicOptions(sim) {
	const { apiKey, ...rest } = sim.options; // never echo API keys
	return { ...rest, apiKeys: (Array.isArray(apiKey) ? apiKey : [apiKey]).length };
}

async function body(req) {
	const r = await readJson(req);
	if (r.ok) return r.value;
	if (r.reason === 'empty body') return {};
	const e = new Error(`invalid JSON: ${r.reason}`);
	e.status = 400;
	throw e;
}

async function handleControl(sim, req, res, url) {
	const path = url.pathname.replace(/\/+$/, '');
	const method = req.method;
	try {
		let m;
		if (method === 'GET' && path === '/_sim/ledger') {
			const full = url.searchParams.get('full') === '1';
			return send(res, 200, {
				...sim.ledger.summary({ full }),
				deliveries: sim.webhooks.deliveries,
				faultsInjected: { ...sim.faults.injected },
				webhookSubscriptions: sim.webhooks.subscriptions.size,
			});
		}
		if (method === 'GET' && path === '/_sim/options') return send(res, 200, publicOptions(sim));
		if (method === 'POST' && path === '/_sim/configure') {
			sim.configure(await body(req));
			return send(res, 200, publicOptions(sim));
		}
		if (method === 'POST' && path === '/_sim/reset') {
			await body(req).catch(() => ({}));
			sim.reset();
			return send(res, 200, { ok: true });
		}
		if (method === 'GET' && path === '/_sim/scenarios') return send(res, 200, sim.SCENARIOS);
		if (method === 'GET' && path === '/_sim/webhooks') return send(res, 200, sim.webhooks.list());
		if (method === 'GET' && path === '/_sim/webhooks/deliveries')
			return send(res, 200, sim.webhooks.deliveries);
		if (method === 'POST' && path === '/_sim/webhooks/mode')
			return send(res, 200, sim.webhooks.setMode(await body(req)));
		if (method === 'POST' && path === '/_sim/webhooks/forget') {
			const b = await body(req);
			return send(res, 200, { forgotten: sim.webhooks.forget(b.id) });
		}
		if (method === 'POST' && path === '/_sim/webhooks/idle') {
			await sim.webhooks.idle();
			return send(res, 200, { ok: true });
		}
		if (method === 'GET' && path === '/_sim/runs') return send(res, 200, sim.listRuns());
		if (method === 'POST' && (m = /^\/_sim\/runs\/([^/]+)\/(finish|cancel)$/.exec(path))) {
			const id = decodeURIComponent(m[1]);
			const ok = m[2] === 'finish' ? sim.finishRun(id) : sim.cancelRun(id);
			return ok ? send(res, 200, sim.getRun(id)) : send(res, 404, { detail: 'unknown collection' });
		}
		if (method === 'POST' && path === '/_sim/runs/seed') {
			// {workflowId, count?, text?, finished?}: runs created at once (see Simulator.seedRuns)
			const b = await body(req);
			return send(res, 200, { ids: sim.seedRuns(String(b.workflowId), b) });
		}
		if (method === 'POST' && (m = /^\/_sim\/runs\/([^/]+)\/review$/.exec(path))) {
			// {field, value_override?, verification_status?}: a reviewer's correction in the app
			const b = await body(req);
			const { field, ...patch } = b;
			const id = decodeURIComponent(m[1]);
			return sim.reviewField(id, String(field), patch)
				? send(res, 200, { ok: true })
				: send(res, 404, { detail: 'unknown collection' });
		}
		if (method === 'GET' && path === '/_sim/faults') return send(res, 200, sim.faults.state());
		if (method === 'POST' && path === '/_sim/faults') {
			// {seed, rate, kinds, routes, slowMs} | {once: {kind, route}} | {clear: true}
			const b = await body(req);
			if (b.clear) sim.faults.clear();
			if (b.once) [].concat(b.once).forEach((o) => sim.faults.once(o.kind, { route: o.route }));
			const { clear, once, ...cfg } = b;
			if (Object.keys(cfg).length) sim.faults.configure(cfg);
			return send(res, 200, sim.faults.state());
		}
		return send(res, 404, { detail: `unknown control endpoint ${method} ${url.pathname}` });
	} catch (err) {
		if (!res.headersSent) send(res, err.status || 400, { detail: err.message });
		return undefined;
	}
}

module.exports = { handleControl };
