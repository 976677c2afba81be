'use strict';
// Tests of the local Anyformat API simulator itself (plain JS, jest, testEnvironment node).
const crypto = require('crypto');
const http = require('http');
const path = require('path');
const { spawn } = require('child_process');
const { Readable } = require('stream');
const FormData = require('form-data');
const { createSimulator, SCENARIOS, FAULT_KINDS, WEBHOOK_READINGS } = require('./index');

jest.setTimeout(20000);

const KEY = 'af_sim_test_key';
const WID = SCENARIOS.invoice.id;
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HEX32 = /^[0-9a-f]{32}$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sims = [];
async function start(options = {}) {
	const sim = await createSimulator(options);
	sims.push(sim);
	return sim;
}
afterEach(async () => {
	await Promise.all(sims.map((s) => s.close()));
	sims = [];
});

function api(sim, p, { method = 'GET', key = KEY, headers = {}, body } = {}) {
	const h = { ...headers };
	if (key !== null) h.authorization = `Bearer ${key}`;
	return fetch(sim.url + p, { method, headers: h, body, redirect: 'manual' });
}

function textForm(text) {
	const fd = new FormData();
	fd.append('text', text);
	return fd;
}

function fileForm(buf, filename = 'doc.pdf', type = 'application/pdf') {
	const fd = new globalThis.FormData();
	fd.append('file', new Blob([buf], { type }), filename);
	return fd;
}

/** POST multipart with the form-data package (returns {status, json}). */
function postForm(sim, p, form, key = KEY) {
	return new Promise((resolve, reject) => {
		const req = http.request(
			sim.url + p,
			{ method: 'POST', headers: { ...form.getHeaders(), authorization: `Bearer ${key}` } },
			(res) => {
				const chunks = [];
				res.on('data', (d) => chunks.push(d));
				res.on('end', () => {
					const text = Buffer.concat(chunks).toString('utf8');
					let json = null;
					try {
						json = JSON.parse(text);
					} catch {
						/* not JSON */
					}
					resolve({ status: res.statusCode, headers: res.headers, text, json });
				});
			},
		);
		req.on('error', reject);
		form.pipe(req);
	});
}

async function runText(sim, text, wid = WID) {
	const r = await postForm(sim, `/v2/workflows/${wid}/run/`, textForm(text));
	expect(r.status).toBe(202);
	return r.json;
}

async function waitFor(fn, { timeout = 5000, interval = 20 } = {}) {
	const end = Date.now() + timeout;
	for (;;) {
		const v = await fn();
		if (v) return v;
		if (Date.now() > end) throw new Error('waitFor timed out');
		await sleep(interval);
	}
}

async function results(sim, cid, wid = WID) {
	const r = await api(sim, `/v2/workflows/${wid}/files/${cid}/results/`);
	return { status: r.status, body: await r.json(), headers: r.headers };
}

function expectEnvelope(body, code, retryable) {
	expect(Object.keys(body).sort()).toEqual([
		'detail',
		'error',
		'error_code',
		'request_id',
		'retryable',
	]);
	expect(body.error_code).toBe(code);
	expect(body.retryable).toBe(retryable);
	expect(body.request_id).toMatch(HEX32);
}

/** global.gc without --expose-gc (the flag can be set at run time; the function comes from a new context). */
function exposeGc() {
	if (typeof global.gc === 'function') return global.gc;
	require('v8').setFlagsFromString('--expose-gc');
	return require('vm').runInNewContext('gc');
}

function trusted(field) {
	return field.value_override !== null ? field.value_override : field.value;
}

/** A local webhook receiver recording raw deliveries. */
async function receiver(status = 200) {
	const got = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (d) => chunks.push(d));
		req.on('end', () => {
			got.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
			res.writeHead(status);
			res.end('ok');
		});
	});
	await new Promise((r) => server.listen(0, '127.0.0.1', r));
	return {
		url: `http://127.0.0.1:${server.address().port}/hook`,
		got,
		close: () => new Promise((r) => server.close(r)),
	};
}

function verifySignature(secret, headers, raw) {
	const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
	const expected = crypto
		.createHmac('sha256', key)
		.update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${raw}`)
		.digest('base64');
	return (headers['webhook-signature'] || '').split(' ').some((s) => s === `v1,${expected}`);
}

// ---------------------------------------------------------------------------------------------------

describe('basics', () => {
	test('health is public and every response carries X-API-Version and rate-limit headers', async () => {
		const sim = await start();
		const r = await api(sim, '/health/', { key: null });
		expect(r.status).toBe(200);
		expect(await r.json()).toEqual({ message: 'ok' });
		expect(r.headers.get('x-api-version')).toBe('2.0.0');
		const w = await api(sim, '/v2/workflows/');
		expect(w.headers.get('x-api-version')).toBe('2.0.0');
		expect(w.headers.get('x-ratelimit-limit')).toBe('600');
		expect(w.headers.get('x-ratelimit-remaining')).toBe('599');
		expect(Number(w.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
		const fd = new FormData();
		const s = await postForm(sim, `/v2/workflows/${WID}/run/`, (fd.append('text', 'x'), fd));
		expect(s.headers['x-ratelimit-limit']).toBe('60');
		expect(s.headers['x-ratelimit-remaining']).toBe('59');
	});

	test('auth variants: missing/empty -> 403, unknown -> 401, legacy bare detail, several keys', async () => {
		const sim = await start({ apiKey: [KEY, 'af_second'] });
		let r = await api(sim, '/v2/workflows/', { key: null });
		expect(r.status).toBe(403);
		expectEnvelope(await r.json(), 'ACCESS_DENIED', false);
		r = await api(sim, '/v2/workflows/', { key: null, headers: { authorization: 'Bearer ' } });
		expect(r.status).toBe(403);
		r = await api(sim, '/v2/workflows/', { key: null, headers: { authorization: KEY } });
		expect(r.status).toBe(403);
		r = await api(sim, '/v2/workflows/', { key: 'af_wrong' });
		expect(r.status).toBe(401);
		const b1 = await r.json();
		expectEnvelope(b1, 'AUTH_FAILED', false);
		r = await api(sim, '/v2/workflows/', { key: 'af_wrong' });
		expect((await r.json()).request_id).not.toBe(b1.request_id);
		expect((await api(sim, '/v2/workflows/', { key: 'af_second' })).status).toBe(200);
		expect(sim.ledger.count({ route: 'workflows', authorized: true })).toBe(1);
		expect(sim.ledger.count({ route: 'workflows', authorized: false })).toBe(5);
		expect(JSON.stringify(sim.ledger.summary({ full: true }))).not.toContain('af_wrong');
		expect(JSON.stringify(sim.ledger.summary({ full: true }))).not.toContain(KEY);

		sim.configure({ legacyAuthErrors: true });
		r = await api(sim, '/v2/workflows/', { key: 'af_wrong' });
		expect(r.status).toBe(401);
		expect(await r.json()).toEqual({ detail: 'Invalid token.' });
	});

	test('each API key is its own organization (404 across keys) unless sharedOrganization', async () => {
		const sim = await start({ apiKey: [KEY, 'af_other_org'], processingMs: 10 });
		const { id } = await runText(sim, 'mine');
		sim.finishRun(id);
		const asOther = (p, method = 'GET') => api(sim, p, { key: 'af_other_org', method });
		expect((await asOther(`/v2/workflows/${WID}/files/${id}/results/`)).status).toBe(404);
		expect((await (await asOther(`/v2/workflows/${WID}/runs/`)).json()).count).toBe(0);
		expect((await asOther(`/v2/files/${id}/`, 'DELETE')).status).toBe(404);
		await api(sim, '/v2/webhooks/', {
			method: 'POST',
			body: JSON.stringify({ url: 'https://example.com/a' }),
			headers: { 'content-type': 'application/json' },
		});
		expect(await (await asOther('/v2/webhooks/')).json()).toEqual([]);
		expect(sim.getRun(id)).toMatchObject({ status: 'processed', org: 0 });
		expect((await results(sim, id)).status).toBe(200);
		sim.configure({ sharedOrganization: true });
		expect((await asOther(`/v2/workflows/${WID}/files/${id}/results/`)).status).toBe(200);
	});

	test('a path without trailing slash answers 301 to the same path with a slash', async () => {
		const sim = await start();
		let r = await api(sim, '/v2/workflows?page_size=1');
		expect(r.status).toBe(301);
		expect(r.headers.get('location')).toBe('/v2/workflows/?page_size=1');
		expect(r.headers.get('x-api-version')).toBe('2.0.0');
		expect(r.headers.get('x-ratelimit-limit')).toBe('600');
		r = await api(sim, `/v2/workflows/${WID}/run`, {
			method: 'POST',
			body: textForm('hi').getBuffer(),
		});
		expect(r.status).toBe(301);
		expect(r.headers.get('location')).toBe(`/v2/workflows/${WID}/run/`);
		expect(r.headers.get('x-ratelimit-limit')).toBe('60');
		expect(sim.ledger.count({ route: 'redirect' })).toBe(2);
		expect(sim.ledger.runs).toHaveLength(0);
		expect((await api(sim, '/v2/nope/')).status).toBe(404);
		expect((await api(sim, '/v2/workflows/', { method: 'PUT' })).status).toBe(405);
	});
});

describe('workflows', () => {
	test('pagination: count/page/page_size, default 20, silent cap at 100, bad params 422', async () => {
		const sim = await start({ extraWorkflows: 150 });
		let r = await (await api(sim, '/v2/workflows/')).json();
		expect(r).toMatchObject({ count: 156, page: 1, page_size: 20 });
		expect(r.results).toHaveLength(20);
		expect(r.results[0]).toEqual(expect.objectContaining({ id: WID, name: 'Invoices' }));
		r = await (await api(sim, '/v2/workflows/?page=1&page_size=500')).json();
		expect(r.page_size).toBe(100);
		expect(r.results).toHaveLength(100);
		r = await (await api(sim, '/v2/workflows/?page=2&page_size=100&search=ignored')).json();
		expect(r.results).toHaveLength(56);
		r = await (await api(sim, '/v2/workflows/?page=9&page_size=100')).json();
		expect(r.results).toEqual([]);
		const bad = await api(sim, '/v2/workflows/?page=0');
		expect(bad.status).toBe(422);
		expectEnvelope(await bad.json(), 'VALIDATION_ERROR', false);
		const ids = new Set();
		for (let page = 1; ; page++) {
			const p = await (await api(sim, `/v2/workflows/?page=${page}&page_size=40`)).json();
			p.results.forEach((w) => ids.add(w.id));
			if (page * p.page_size >= p.count) break;
		}
		expect(ids.size).toBe(156);
	});

	test('get one workflow, unknown -> 404', async () => {
		const sim = await start();
		const r = await (await api(sim, `/v2/workflows/${SCENARIOS.lineItems.id}/`)).json();
		expect(r).toMatchObject({ id: SCENARIOS.lineItems.id, name: 'Purchase orders (line items)' });
		expect(r.fields.map((f) => f.name)).toEqual(['po_number', 'line_items']);
		expect(Object.keys(r).sort()).toEqual([
			'created_at',
			'description',
			'fields',
			'id',
			'name',
			'updated_at',
		]);
		const nf = await api(sim, '/v2/workflows/0686bb97-8c30-70f0-8000-0000000000ff/');
		expect(nf.status).toBe(404);
		expectEnvelope(await nf.json(), 'NOT_FOUND', false);
	});
});

describe('run submission', () => {
	test('multipart file: 202 with a UUIDv7 id; the ledger records name, type, size, sha256', async () => {
		const sim = await start();
		const buf = Buffer.from('%PDF-1.4\nInvoice INV-77-A\nTotal: $1,250.00\n');
		const r = await api(sim, `/v2/workflows/${WID}/run/`, {
			method: 'POST',
			body: fileForm(buf, 'inv 1.pdf'),
		});
		expect(r.status).toBe(202);
		const j = await r.json();
		expect(j).toEqual({
			id: expect.stringMatching(UUID_V7),
			status: 'success',
			workflow_id: WID,
			version_id: 'FGaV4I2JAA',
		});
		expect(sim.ledger.uploads).toHaveLength(1);
		expect(sim.ledger.uploads[0]).toMatchObject({
			workflowId: WID,
			collectionId: j.id,
			kind: 'file',
			filename: 'inv 1.pdf',
			mimeType: 'application/pdf',
			bytes: buf.length,
			sha256: crypto.createHash('sha256').update(buf).digest('hex'),
			accepted: true,
		});
		expect(sim.ledger.uploads[0].contentLength).toBeGreaterThan(buf.length);
		expect(sim.ledger.count({ method: 'POST', route: 'run' })).toBe(1);
		sim.finishRun(j.id);
		const res = await results(sim, j.id);
		expect(res.status).toBe(200);
		expect(res.body.extractions[0].fields.invoice_number.value).toBe('INV-77-A');
		expect(res.body.extractions[0].fields.total_amount.value).toBe(1250);
	});

	test('text input, runStatusWord and omitVersionId', async () => {
		const sim = await start({ runStatusWord: 'accepted', omitVersionId: true });
		const j = await runText(sim, 'hello');
		expect(j).toEqual({ id: expect.stringMatching(UUID_V7), status: 'accepted', workflow_id: WID });
		expect(sim.ledger.uploads[0]).toMatchObject({ kind: 'text', filename: 'text.txt', bytes: 5 });
	});

	test('both, neither, empty file, empty text -> 422 (envelope and fastapi styles); unknown workflow 404', async () => {
		const sim = await start();
		const both = new FormData();
		both.append('text', 'abc');
		both.append('file', Buffer.from('abc'), { filename: 'a.txt', contentType: 'text/plain' });
		let r = await postForm(sim, `/v2/workflows/${WID}/run/`, both);
		expect(r.status).toBe(422);
		expectEnvelope(r.json, 'VALIDATION_ERROR', false);
		expect(r.json.detail).toMatch(/file/);
		const neither = new FormData();
		neither.append('other', 'x');
		r = await postForm(sim, `/v2/workflows/${WID}/run/`, neither);
		expect(r.status).toBe(422);
		expect(r.json.detail).toMatch(/file/);
		r = await api(sim, `/v2/workflows/${WID}/run/`, {
			method: 'POST',
			body: fileForm(Buffer.alloc(0), 'empty.pdf'),
		});
		expect(r.status).toBe(422);
		r = await postForm(sim, `/v2/workflows/${WID}/run/`, textForm(''));
		expect(r.status).toBe(422);
		expect(r.json.detail).toMatch(/text/);
		r = await api(sim, `/v2/workflows/${WID}/run/`, {
			method: 'POST',
			body: JSON.stringify({ text: 'x' }),
			headers: { 'content-type': 'application/json' },
		});
		expect(r.status).toBe(422);
		r = await postForm(
			sim,
			'/v2/workflows/0686bb97-8c30-70f0-8000-0000000000ff/run/',
			textForm('x'),
		);
		expect(r.status).toBe(404);
		expect(sim.ledger.runs).toHaveLength(0);

		sim.configure({ validationErrorStyle: 'fastapi' });
		const both2 = new FormData();
		both2.append('text', 'abc');
		both2.append('file', Buffer.from('abc'), { filename: 'a.txt' });
		r = await postForm(sim, `/v2/workflows/${WID}/run/`, both2);
		expect(r.status).toBe(422);
		expect(r.json).toEqual({
			detail: [{ loc: ['body', 'file'], msg: expect.any(String), type: 'value_error' }],
		});
	});

	test('402 INSUFFICIENT_CREDITS when credits run out', async () => {
		const sim = await start();
		sim.configure({ credits: 1 });
		await runText(sim, 'one');
		const r = await postForm(sim, `/v2/workflows/${WID}/run/`, textForm('two'));
		expect(r.status).toBe(402);
		expect(r.json.error_code).toBe('INSUFFICIENT_CREDITS');
		expect(sim.ledger.runs).toHaveLength(1);
	});

	test('upload then run the staged file by file_id or by file_collection_id', async () => {
		const sim = await start({ processingMs: 30 });
		const up = await postForm(
			sim,
			`/v2/workflows/${WID}/upload/`,
			textForm('Invoice INV-STAGED-1'),
		);
		expect(up.status).toBe(200);
		expect(up.json).toEqual({
			status: 'uploaded',
			filename: 'text.txt',
			file_collection_id: expect.stringMatching(UUID_V7),
			file_id: expect.stringMatching(UUID_V7),
		});
		expect(sim.ledger.runs).toHaveLength(0);
		expect((await results(sim, up.json.file_collection_id)).status).toBe(412);
		let r = await api(sim, `/v2/workflows/${WID}/files/${up.json.file_id}/run/`, {
			method: 'POST',
		});
		expect(r.status).toBe(202);
		expect(await r.json()).toEqual({
			id: up.json.file_collection_id,
			status: 'pending',
			workflow_id: WID,
			version_id: 'FGaV4I2JAA',
		});
		await waitFor(async () => (await results(sim, up.json.file_collection_id)).status === 200);
		expect(
			(await results(sim, up.json.file_collection_id)).body.extraction.invoice_number.value,
		).toBe('INV-STAGED-1');

		const up2 = await postForm(sim, `/v2/workflows/${WID}/upload/`, textForm('second'));
		r = await api(sim, `/v2/workflows/${WID}/files/${up2.json.file_collection_id}/run/`, {
			method: 'POST',
		});
		expect(r.status).toBe(202);
		r = await api(sim, `/v2/workflows/${SCENARIOS.split.id}/files/${up2.json.file_id}/run/`, {
			method: 'POST',
		});
		expect(r.status).toBe(404);
		expect(sim.ledger.runs).toHaveLength(2);
	});

	test('maxConcurrentUploads counts simultaneous upload bodies', async () => {
		const sim = await start();
		await Promise.all(
			[1, 2, 3].map((i) =>
				api(sim, `/v2/workflows/${WID}/run/`, {
					method: 'POST',
					body: fileForm(crypto.randomBytes(300000), `f${i}.bin`),
				}),
			),
		);
		expect(sim.ledger.maxConcurrentUploads).toBeGreaterThanOrEqual(2);
		expect(sim.ledger.runsPerSha256().size).toBe(3);
		expect(sim.ledger.duplicates()).toEqual([]);
		await runText(sim, 'dup');
		await runText(sim, 'dup');
		expect(sim.ledger.duplicates()).toEqual([
			{
				sha256: crypto.createHash('sha256').update('dup').digest('hex'),
				count: 2,
				collectionIds: expect.any(Array),
			},
		]);
	});
});

describe('results and lifecycle', () => {
	test('412 while processing, then 200; runs list statuses progress with time', async () => {
		const sim = await start({ processingMs: 3000 });
		const { id } = await runText(sim, 'Invoice INV-1');
		const statusNow = async () =>
			(await (await api(sim, `/v2/workflows/${WID}/runs/`)).json()).results.find((x) => x.id === id)
				.status;
		expect(await statusNow()).toBe('pending');
		const r412 = await results(sim, id);
		expect(r412.status).toBe(412);
		expectEnvelope(r412.body, 'PRECONDITION_FAILED', true);
		await sleep(600);
		expect(await statusNow()).toBe('queued');
		await sleep(900);
		expect(await statusNow()).toBe('in_progress');
		expect(sim.finishRun(id)).toBe(true);
		expect(await statusNow()).toBe('processed');
		const ok = await results(sim, id);
		expect(ok.status).toBe(200);
		const item = (await (await api(sim, `/v2/workflows/${WID}/runs/`)).json()).results[0];
		expect(Object.keys(item).sort()).toEqual(['created_at', 'id', 'status', 'updated_at']);
		expect(Date.parse(item.updated_at)).toBeGreaterThanOrEqual(Date.parse(item.created_at));
	});

	test('[[processing_ms:N]] overrides processingMs; FAIL_EXTRACTION -> 422 EXTRACTION_FAILED; cancel -> EXTRACTION_CANCELLED', async () => {
		const sim = await start({ processingMs: 60000 });
		const quick = await runText(sim, 'fast [[processing_ms:50]] doc');
		await waitFor(async () => (await results(sim, quick.id)).status === 200, { timeout: 2000 });
		const bad = await runText(sim, 'FAIL_EXTRACTION [[processing_ms:20]]');
		await waitFor(async () => (await results(sim, bad.id)).status === 422, { timeout: 2000 });
		expectEnvelope((await results(sim, bad.id)).body, 'EXTRACTION_FAILED', false);
		const c = await runText(sim, 'to cancel');
		expect(sim.cancelRun(c.id)).toBe(true);
		const rc = await results(sim, c.id);
		expect(rc.status).toBe(422);
		expectEnvelope(rc.body, 'EXTRACTION_CANCELLED', false);
		const statuses = (await (await api(sim, `/v2/workflows/${WID}/runs/`)).json()).results
			.map((x) => x.status)
			.sort();
		expect(statuses).toEqual(['cancelled', 'error', 'processed']);
	});

	test('results 404 for unknown collection or another workflow', async () => {
		const sim = await start();
		const { id } = await runText(sim, 'x');
		sim.finishRun(id);
		expect((await results(sim, id, SCENARIOS.split.id)).status).toBe(404);
		expect((await results(sim, '0686bb97-0000-7000-8000-000000000000')).status).toBe(404);
	});

	test('runs and files lists: order, names, pagination', async () => {
		const sim = await start({ processingMs: 10 });
		const a = await runText(sim, 'first');
		await sleep(5);
		const b = await api(sim, `/v2/workflows/${WID}/run/`, {
			method: 'POST',
			body: fileForm(Buffer.from('pdfdata'), 'scan.pdf'),
		}).then((r) => r.json());
		let runs = await (await api(sim, `/v2/workflows/${WID}/runs/`)).json();
		expect(runs).toMatchObject({ count: 2, page: 1, page_size: 20 });
		expect(runs.results.map((x) => x.id)).toEqual([b.id, a.id]);
		sim.configure({ runsOrder: 'asc' });
		runs = await (await api(sim, `/v2/workflows/${WID}/runs/?page_size=1`)).json();
		expect(runs).toMatchObject({ count: 2, page_size: 1 });
		expect(runs.results.map((x) => x.id)).toEqual([a.id]);
		let files = await (await api(sim, `/v2/workflows/${WID}/files/`)).json();
		// `name: null` by default, as in the API's own example; names only with filesListNames
		expect(files.results.map((f) => f.name)).toEqual([null, null]);
		sim.configure({ filesListNames: true });
		files = await (await api(sim, `/v2/workflows/${WID}/files/`)).json();
		expect(files.results.map((f) => f.name)).toEqual(['text.txt', 'scan.pdf']);
		expect(Object.keys(files.results[0]).sort()).toEqual([
			'created_at',
			'id',
			'name',
			'status',
			'updated_at',
		]);
	});

	test('delete: 204, then 404 and gone from lists; a running job never completes or notifies', async () => {
		const sim = await start({ processingMs: 100, allowHttpWebhooks: true });
		const rec = await receiver();
		await api(sim, '/v2/webhooks/', {
			method: 'POST',
			body: JSON.stringify({ url: rec.url }),
			headers: { 'content-type': 'application/json' },
		});
		const { id } = await runText(sim, 'x');
		const d = await api(sim, `/v2/files/${id}/`, { method: 'DELETE' });
		expect(d.status).toBe(204);
		expect(await d.text()).toBe('');
		expect((await results(sim, id)).status).toBe(404);
		expect((await (await api(sim, `/v2/workflows/${WID}/runs/`)).json()).count).toBe(0);
		expect((await (await api(sim, `/v2/workflows/${WID}/files/`)).json()).count).toBe(0);
		expect((await api(sim, `/v2/files/${id}/`, { method: 'DELETE' })).status).toBe(404);
		await sleep(250);
		await sim.webhooks.idle();
		expect(rec.got).toHaveLength(0);
		expect(sim.ledger.count({ method: 'DELETE', route: 'delete' })).toBe(2);
		await rec.close();
	});
});

describe('scenario envelopes', () => {
	async function envelope(sim, scenario, text = 'Invoice INV-2024-0847\nTotal: $4,087.50') {
		const { id } = await runText(sim, text, SCENARIOS[scenario].id);
		sim.finishRun(id);
		const r = await results(sim, SCENARIOS[scenario].id === WID ? id : id, SCENARIOS[scenario].id);
		expect(r.status).toBe(200);
		return { id, body: r.body };
	}

	test('every scenario has a fixed id and the full key set', async () => {
		const sim = await start();
		expect(Object.keys(SCENARIOS)).toEqual([
			'invoice',
			'split',
			'parseOnly',
			'lineItems',
			'falsyOverrides',
			'classification',
		]);
		expect(SCENARIOS.classification.id).toBe('0686bb97-8c30-70f0-8000-00000000a006');
		for (const key of Object.keys(SCENARIOS)) {
			const { id, body } = await envelope(sim, key);
			expect(Object.keys(body).sort()).toEqual([
				'classifications',
				'collection_id',
				'extraction',
				'extractions',
				'parse',
				'splits',
				'verification_url',
			]);
			expect(body.collection_id).toBe(id);
			expect(body.verification_url).toBe(
				`https://app.anyformat.ai/workflows/${SCENARIOS[key].id}/files/${id}/`,
			);
			expect(body.parse.markdown).toMatch(/^<DOCUMENT id="1" page="1">[\s\S]*<\/DOCUMENT>$/);
		}
	});

	test('invoice: content-derived fields, low-confidence vendor, deprecated extraction mirrors; binary fallback', async () => {
		const sim = await start();
		const { body } = await envelope(sim, 'invoice');
		const f = body.extractions[0].fields;
		expect(body.extractions).toHaveLength(1);
		expect(body.extractions[0]).toMatchObject({ split_name: null, partition: null });
		expect(f.invoice_number).toMatchObject({ value: 'INV-2024-0847', confidence: 97 });
		expect(f.total_amount).toMatchObject({ value: 4087.5, confidence: 96 });
		expect(f.vendor_name).toMatchObject({ value: 'Acme Corp', confidence: 61 });
		expect(f.invoice_date).toMatchObject({ value: '2024-03-01', confidence: 88 });
		expect(f.invoice_number.evidence[0]).toEqual({
			text: expect.stringContaining('INV-2024-0847'),
			page_number: 1,
		});
		expect(body.extraction).toEqual(f);
		expect(body.parse).toMatchObject({
			parse_confidence: expect.any(Number),
			layout_confidence: expect.any(Number),
		});
		expect(body.classifications).toEqual([]);
		expect(body.splits).toEqual([]);

		const bin = crypto.randomBytes(2048);
		bin[0] = 0;
		const run = await (
			await api(sim, `/v2/workflows/${WID}/run/`, {
				method: 'POST',
				body: fileForm(bin, 'photo.png', 'image/png'),
			})
		).json();
		sim.finishRun(run.id);
		const rb = (await results(sim, run.id)).body;
		expect(rb.extraction.invoice_number.value).toBe(
			`INV-${crypto.createHash('sha256').update(bin).digest('hex').slice(0, 8)}`,
		);
		expect(rb.extraction.total_amount.value).toBe(100);
		expect(rb.parse.markdown).toContain('photo.png');
		expect(rb.parse.markdown).toContain('2048 bytes');
	});

	test('split: splits with partitions joined to tagged extractions', async () => {
		const sim = await start();
		const { body } = await envelope(sim, 'split');
		expect(body.extraction).toBeNull();
		expect(body.splits.map((s) => s.name)).toEqual(['invoice', 'bank_statement']);
		const inv = body.splits[0];
		expect(inv.partitions.map((p) => [p.name, p.files[0].pages])).toEqual([
			['invoice_1', [1, 2]],
			['invoice_2', [3]],
		]);
		expect(body.splits[1].partitions[0]).toMatchObject({
			name: 'bank_statement_1',
			files: [{ file_name: 'text.txt', pages: [4, 5] }],
		});
		expect(body.extractions.map((e) => [e.split_name, e.partition])).toEqual([
			['invoice', 'invoice_1'],
			['invoice', 'invoice_2'],
			['bank_statement', 'bank_statement_1'],
		]);
		expect(body.extractions[0].fields.invoice_number.value).not.toBe(
			body.extractions[1].fields.invoice_number.value,
		);
	});

	test('parseOnly, lineItems, falsyOverrides, classification', async () => {
		const sim = await start();
		const p = (await envelope(sim, 'parseOnly')).body;
		expect(p.extractions).toEqual([]);
		expect(p.extraction).toBeNull();
		expect(p.parse.markdown).toContain('INV-2024-0847');

		const li = (await envelope(sim, 'lineItems', 'PO-555 order')).body.extractions[0].fields;
		expect(li.po_number.value).toBe('PO-555');
		expect(li.line_items).toHaveLength(3);
		for (const row of li.line_items)
			expect(Object.keys(row).sort()).toEqual(['description', 'quantity', 'unit_price']);
		expect(li.line_items.filter((row) => row.quantity.value_override !== null)).toHaveLength(1);

		const fo = (await envelope(sim, 'falsyOverrides')).body.extractions[0].fields;
		expect(trusted(fo.discount_amount)).toBe(0);
		expect(trusted(fo.is_paid)).toBe(false);
		expect(trusted(fo.internal_note)).toBe('');
		expect(fo.discount_amount.value).toBe(15.5);
		expect(fo.vendor_name.value_override).toBeNull();
		expect(fo.due_date.confidence).toBeNull();
		expect(new Set(Object.values(fo).map((x) => x.verification_status))).toEqual(
			new Set(['verified', 'not_verified', null]),
		);

		const cl = (await envelope(sim, 'classification')).body;
		expect(cl.classifications).toEqual([
			{ category: 'invoice', confidence: 91, evidence: expect.stringMatching(/^Invoice #/) },
			{ category: 'receipt', confidence: 7, evidence: null },
		]);
		expect(cl.extractions).toHaveLength(1);
	});
});

describe('webhooks', () => {
	const json = { 'content-type': 'application/json' };
	const create = (sim, body) =>
		api(sim, '/v2/webhooks/', { method: 'POST', body: JSON.stringify(body), headers: json });

	test('CRUD, https rule, url length, events, 50 active max', async () => {
		const sim = await start();
		let r = await create(sim, { url: 'https://example.com/hook' });
		expect(r.status).toBe(201);
		const sub = await r.json();
		expect(sub).toEqual({
			id: expect.stringMatching(/^wh_[0-9a-f]+$/),
			url: 'https://example.com/hook',
			events: ['extraction.completed', 'extraction.failed'],
			is_active: true,
			secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/),
			created_at: expect.any(String),
		});
		expect(Buffer.from(sub.secret.slice(6), 'base64')).toHaveLength(24);
		const list = await (await api(sim, '/v2/webhooks/')).json();
		expect(Array.isArray(list)).toBe(true);
		expect(list[0].secret).toBeUndefined();
		expect(list[0].id).toBe(sub.id);

		r = await create(sim, { url: 'http://example.com/hook' });
		expect(r.status).toBe(400);
		const body = await r.json();
		expectEnvelope(body, 'VALIDATION_ERROR', false);
		expect(body.detail).toMatch(/HTTPS/);
		r = await create(sim, { url: `https://example.com/${'a'.repeat(2100)}` });
		expect(r.status).toBe(400);
		expect((await r.json()).detail).toMatch(/2083/);
		r = await create(sim, { url: 'https://example.com/h', events: ['extraction.started'] });
		expect(r.status).toBe(400);
		expect((await r.json()).detail).toMatch(/extraction.started/);
		r = await api(sim, '/v2/webhooks/', { method: 'POST', body: '{nope', headers: json });
		expect(r.status).toBe(400);
		expect((await r.json()).error_code).toBe('INVALID_JSON');
		r = await create(sim, {
			url: 'https://example.com/only-failed',
			events: ['extraction.failed'],
		});
		expect((await r.json()).events).toEqual(['extraction.failed']);

		for (let i = 0; i < 48; i++)
			expect((await create(sim, { url: `https://example.com/${i}` })).status).toBe(201);
		r = await create(sim, { url: 'https://example.com/51st' });
		expect(r.status).toBe(400);
		expect((await r.json()).detail).toMatch(/50/);

		expect((await api(sim, `/v2/webhooks/${sub.id}/`, { method: 'DELETE' })).status).toBe(204);
		expect((await api(sim, `/v2/webhooks/${sub.id}/`, { method: 'DELETE' })).status).toBe(404);
		expect((await create(sim, { url: 'https://example.com/again' })).status).toBe(201);
		sim.configure({ allowHttpWebhooks: true });
		sim.webhooks.forget(sim.webhooks.list()[0].id);
		expect((await create(sim, { url: 'http://127.0.0.1/x' })).status).toBe(201);
	});

	test('signed deliveries verify with an HMAC computed here; failed event; modes; forget', async () => {
		const sim = await start({ processingMs: 20, allowHttpWebhooks: true });
		const rec = await receiver();
		const sub = await (await create(sim, { url: rec.url })).json();
		const onlyFailedRec = await receiver();
		await create(sim, { url: onlyFailedRec.url, events: ['extraction.failed'] });

		const ok = await runText(sim, 'fine');
		await waitFor(() => sim.webhooks.deliveries.length >= 1);
		await sim.webhooks.idle();
		expect(rec.got).toHaveLength(1);
		const d = rec.got[0];
		expect(d.headers['webhook-id']).toMatch(/^msg_/);
		expect(Math.abs(Number(d.headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(5);
		expect(verifySignature(sub.secret, d.headers, d.raw)).toBe(true);
		const payload = JSON.parse(d.raw);
		expect(payload).toEqual({
			event: 'extraction.completed',
			timestamp: expect.any(String),
			data: {
				extraction_id: ok.id,
				status: 'processed',
				workflow_id: WID,
				processed_at: expect.any(String),
			},
		});
		expect(onlyFailedRec.got).toHaveLength(0);
		expect(sim.webhooks.deliveries[0]).toMatchObject({
			url: rec.url,
			event: 'extraction.completed',
			status: 200,
		});

		const bad = await runText(sim, 'FAIL_EXTRACTION');
		await waitFor(() => sim.webhooks.deliveries.length >= 3);
		await sim.webhooks.idle();
		const failed = JSON.parse(rec.got[1].raw);
		expect(failed).toMatchObject({
			event: 'extraction.failed',
			data: { extraction_id: bad.id, status: 'error', processed_at: null },
		});
		expect(onlyFailedRec.got).toHaveLength(1);

		await sim.webhooks.forget(sim.webhooks.list().find((s) => s.url === onlyFailedRec.url).id);
		sim.webhooks.setMode({ redeliver: 2, signing: 'invalid' });
		await runText(sim, 'again');
		await waitFor(() => rec.got.length >= 5);
		await sim.webhooks.idle();
		const copies = rec.got.slice(2);
		expect(copies).toHaveLength(3);
		expect(new Set(copies.map((c) => c.headers['webhook-id'])).size).toBe(1);
		expect(copies.every((c) => !verifySignature(sub.secret, c.headers, c.raw))).toBe(true);
		expect(onlyFailedRec.got).toHaveLength(1);

		sim.webhooks.setMode({ redeliver: 0, signing: 'none', delayMs: 50 });
		await runText(sim, 'unsigned');
		await waitFor(() => rec.got.length >= 6);
		expect(rec.got[5].headers['webhook-signature']).toBeUndefined();

		// a crafted delivery with a chosen id/timestamp, and sign() agreeing with our HMAC
		const sent = await sim.webhooks.send(
			rec.url,
			{ event: 'extraction.completed', data: {} },
			{ secret: sub.secret, webhookId: 'msg_forged', timestamp: 1000 },
		);
		expect(sent.status).toBe(200);
		expect(rec.got[6].headers['webhook-timestamp']).toBe('1000');
		expect(verifySignature(sub.secret, rec.got[6].headers, rec.got[6].raw)).toBe(true);
		expect(sim.webhooks.sign(sub.secret, 'msg_forged', 1000, rec.got[6].raw)).toBe(
			rec.got[6].headers['webhook-signature'],
		);
		await rec.close();
		await onlyFailedRec.close();
	});

	test('readings: each keys the HMAC as documented at the top of webhooks.js; only that reading verifies', async () => {
		const sim = await start({ processingMs: 20, allowHttpWebhooks: true });
		const rec = await receiver();
		const sub = await (await create(sim, { url: rec.url })).json();
		const suffix = sub.secret.slice('whsec_'.length);
		const keys = {
			'standard-webhooks': Buffer.from(suffix, 'base64'),
			'whole-secret': Buffer.from(sub.secret, 'utf8'),
			'secret-after-prefix': Buffer.from(suffix, 'utf8'),
		};
		const hmac = (key, d) =>
			`v1,${crypto
				.createHmac('sha256', key)
				.update(`${d.headers['webhook-id']}.${d.headers['webhook-timestamp']}.${d.raw}`)
				.digest('base64')}`;
		expect(WEBHOOK_READINGS).toEqual(Object.keys(keys));
		for (const [i, reading] of WEBHOOK_READINGS.entries()) {
			sim.webhooks.setMode({ reading });
			await runText(sim, `reading ${reading}`);
			await waitFor(() => rec.got.length >= i + 1);
			await sim.webhooks.idle();
			const d = rec.got[i];
			for (const [other, key] of Object.entries(keys)) {
				expect([reading, other, d.headers['webhook-signature'] === hmac(key, d)]).toEqual([
					reading,
					other,
					other === reading,
				]);
			}
			expect(sim.webhooks.deliveries[i]).toMatchObject({ reading, signing: 'valid' });
			// send() signs the same way
			const sent = await sim.webhooks.send(
				rec.url,
				{ event: 'x', data: {} },
				{ secret: sub.secret, reading },
			);
			expect(sent.headers['webhook-signature']).toBe(
				sim.webhooks.sign(
					sub.secret,
					sent.headers['webhook-id'],
					Number(sent.headers['webhook-timestamp']),
					JSON.stringify({ event: 'x', data: {} }),
					reading,
				),
			);
			rec.got.pop();
		}
		expect(() => sim.webhooks.setMode({ reading: 'hex' })).toThrow(/reading must be one of/);
		await rec.close();
	});

	test('unreadable signatures and extra body fields (a forged "fields"/"results")', async () => {
		const sim = await start({ processingMs: 20, allowHttpWebhooks: true });
		const rec = await receiver();
		await create(sim, { url: rec.url });
		const extraBody = {
			results: { invoice_number: 'FORGED' },
			data: { fields: { total_amount: 1 }, status: 'processed' },
		};
		sim.webhooks.setMode({ signing: 'unreadable', extraBody });
		const run = await runText(sim, 'FAIL_EXTRACTION');
		await waitFor(() => rec.got.length >= 1);
		await sim.webhooks.idle();
		const d = rec.got[0];
		expect(d.headers['webhook-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
		expect(d.headers['webhook-signature']).not.toMatch(/v1,/);
		expect(JSON.parse(d.raw)).toEqual({
			event: 'extraction.failed',
			timestamp: expect.any(String),
			results: { invoice_number: 'FORGED' },
			data: {
				extraction_id: run.id,
				status: 'processed', // the forged word overrides the real one
				workflow_id: WID,
				processed_at: null,
				fields: { total_amount: 1 },
			},
		});
		expect(sim.webhooks.deliveries[0]).toMatchObject({ signing: 'unreadable' });
		// send() takes the same options
		const sent = await sim.webhooks.send(
			rec.url,
			{ event: 'extraction.completed', data: { extraction_id: 'x' } },
			{ signing: 'unreadable', extraBody: { data: { fields: {} } } },
		);
		expect(sent.headers['webhook-signature']).toMatch(/^sha256=/);
		expect(JSON.parse(rec.got[1].raw)).toEqual({
			event: 'extraction.completed',
			data: { extraction_id: 'x', fields: {} },
		});
		sim.webhooks.setMode({ signing: 'valid', extraBody: null });
		await runText(sim, 'plain again');
		await waitFor(() => rec.got.length >= 3);
		expect(Object.keys(JSON.parse(rec.got[2].raw).data).sort()).toEqual([
			'extraction_id',
			'processed_at',
			'status',
			'workflow_id',
		]);
		expect(() => sim.webhooks.setMode({ signing: 'hmac' })).toThrow(/signing must be one of/);
		expect(() => sim.webhooks.setMode({ extraBody: [1] })).toThrow(/extraBody/);
		await rec.close();
	});
});

describe('older deployments and id spellings', () => {
	test('legacyStatusWords: the runs and files lists say processing/completed/failed', async () => {
		const sim = await start({ processingMs: 60000, legacyStatusWords: true });
		const running = await runText(sim, 'still going [[processing_ms:600000]]');
		const done = await runText(sim, 'fine');
		const failed = await runText(sim, 'FAIL_EXTRACTION');
		sim.finishRun(done.id);
		sim.finishRun(failed.id);
		const words = async (path) => {
			const body = await (await api(sim, path)).json();
			return Object.fromEntries(body.results.map((r) => [r.id, r.status]));
		};
		for (const path of [`/v2/workflows/${WID}/runs/`, `/v2/workflows/${WID}/files/`]) {
			const got = await words(path);
			expect(got[done.id]).toBe('completed');
			expect(got[failed.id]).toBe('failed');
			expect(['pending', 'queued', 'processing']).toContain(got[running.id]);
		}
		sim.configure({ legacyStatusWords: false });
		const now = await words(`/v2/workflows/${WID}/runs/`);
		expect([now[done.id], now[failed.id]]).toEqual(['processed', 'error']);
	});

	test('legacyFailureBodies: a failed run\'s 422 is a bare {"detail"}', async () => {
		const sim = await start({ processingMs: 20, legacyFailureBodies: true });
		const failed = await runText(sim, 'FAIL_EXTRACTION');
		sim.finishRun(failed.id);
		const r = await api(sim, `/v2/workflows/${WID}/files/${failed.id}/results/`);
		expect(r.status).toBe(422);
		expect(await r.json()).toEqual({ detail: expect.stringContaining('did not complete') });
		sim.configure({ legacyFailureBodies: false });
		const again = await api(sim, `/v2/workflows/${WID}/files/${failed.id}/results/`);
		expect(await again.json()).toMatchObject({ error_code: 'EXTRACTION_FAILED' });
	});

	test('echoCredentials: a refused subscription repeats the Authorization header', async () => {
		const sim = await start({ echoCredentials: true });
		const create = (body) =>
			api(sim, '/v2/webhooks/', {
				method: 'POST',
				body: JSON.stringify(body),
				headers: { 'content-type': 'application/json' },
			});
		const r = await create({ url: 'http://127.0.0.1/x' });
		expect(r.status).toBe(400);
		expect((await r.json()).detail).toBe(
			`url: webhook URLs must use HTTPS. (request received with Authorization: Bearer ${KEY})`,
		);
		sim.configure({ echoCredentials: false });
		expect((await (await create({ url: 'http://127.0.0.1/x' })).json()).detail).toBe(
			'url: webhook URLs must use HTTPS.',
		);
	});

	test('lenientIds: a run id in upper case or without hyphens names the same run', async () => {
		const sim = await start({ processingMs: 20 });
		const run = await runText(sim, 'fine');
		sim.finishRun(run.id);
		const variants = [
			run.id.toUpperCase(),
			run.id.replace(/-/g, ''),
			run.id.replace(/-/g, '').toUpperCase(),
		];
		for (const id of variants) {
			expect((await api(sim, `/v2/workflows/${WID}/files/${id}/results/`)).status).toBe(404);
		}
		sim.configure({ lenientIds: true });
		for (const id of variants) {
			const r = await api(sim, `/v2/workflows/${WID}/files/${id}/results/`);
			expect(r.status).toBe(200);
			expect((await r.json()).collection_id).toBe(run.id);
		}
		expect((await api(sim, `/v2/workflows/${WID}/files/not-a-uuid/results/`)).status).toBe(404);
	});
});

describe('rate limits', () => {
	test('per-key fixed windows per tier; 429 with Retry-After >= the time left; counted in the ledger', async () => {
		// every request below until the wait must fall in the window the first one opened: 2.5 s leaves
		// room for a loaded machine (1.5 s had to hold four reads, two submissions and two 429s)
		const windowMs = 2500; // not a whole number of seconds: a fractional reset, as with 1.5 s
		const sim = await start({
			apiKey: [KEY, 'af_other'],
			rateLimit: { submission: 2, general: 3, windowMs },
		});
		for (let i = 0; i < 3; i++) {
			const r = await api(sim, '/v2/workflows/');
			expect(r.status).toBe(200);
			expect(r.headers.get('x-ratelimit-remaining')).toBe(String(2 - i));
			expect(r.headers.get('x-ratelimit-limit')).toBe('3');
			const reset = Number(r.headers.get('x-ratelimit-reset'));
			expect(reset).toBeGreaterThan(0);
			expect(reset).toBeLessThanOrEqual(windowMs / 1000);
		}
		const t0 = Date.now();
		const limited = await api(sim, '/v2/workflows/');
		expect(limited.status).toBe(429);
		expectEnvelope(await limited.json(), 'RATE_LIMITED', true);
		const retryAfter = limited.headers.get('retry-after');
		expect(retryAfter).toMatch(/^\d+$/);
		expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
		const resetLeft = Number(limited.headers.get('x-ratelimit-reset'));
		expect(Number(retryAfter)).toBeGreaterThanOrEqual(resetLeft);
		expect((await api(sim, '/health/', { key: null })).status).toBe(200);
		expect((await api(sim, '/v2/workflows/', { key: 'af_other' })).status).toBe(200);
		// submissions are a separate tier
		await runText(sim, 'a');
		await runText(sim, 'b');
		const sub3 = await postForm(sim, `/v2/workflows/${WID}/run/`, textForm('c'));
		expect(sub3.status).toBe(429);
		expect(sim.ledger.runs).toHaveLength(2);
		expect(sim.ledger.rateLimited).toEqual({ submission: 1, general: 1 });
		expect(sim.ledger.peakRequestsPerWindow).toEqual({ submission: 3, general: 4 });
		await sleep(Math.max(0, resetLeft * 1000 - (Date.now() - t0)) + 50);
		expect((await api(sim, '/v2/workflows/')).status).toBe(200);
		expect(sim.ledger.count({ status: 429 })).toBe(2);
	});
});

describe('faults', () => {
	test('every kind is known', () => {
		expect(FAULT_KINDS).toEqual(
			expect.arrayContaining([
				'429',
				'429-no-retry-after',
				'500',
				'502',
				'503',
				'504',
				'502-html',
				'503-html',
				'reset-before-read',
				'reset-after-accept',
				'reset-mid-upload',
				'slow',
				'truncated-json',
				'non-json',
				'missing-keys',
				'unknown-enum',
				'flip-412',
			]),
		);
	});

	test('status faults: 429 (with and without Retry-After), 5xx envelopes, proxy HTML, non-JSON', async () => {
		const sim = await start();
		sim.faults.once('429', { route: 'workflows' });
		let r = await api(sim, '/v2/workflows/');
		expect(r.status).toBe(429);
		expect(r.headers.get('retry-after')).toBe('1');
		expect(sim.ledger.rateLimited.general).toBe(1);
		sim.faults.once('429-no-retry-after');
		r = await api(sim, '/v2/workflows/');
		expect(r.status).toBe(429);
		expect(r.headers.get('retry-after')).toBeNull();
		for (const s of ['500', '502', '503', '504']) {
			sim.faults.once(s);
			r = await api(sim, '/v2/workflows/');
			expect(r.status).toBe(Number(s));
			expect((await r.json()).retryable).toBe(true);
		}
		for (const s of ['502-html', '503-html']) {
			sim.faults.once(s);
			r = await api(sim, '/v2/workflows/');
			expect(r.status).toBe(Number(s.slice(0, 3)));
			expect(r.headers.get('content-type')).toMatch(/text\/html/);
			expect(await r.text()).toMatch(/<html>/);
		}
		sim.faults.once('non-json');
		r = await api(sim, '/v2/workflows/');
		expect(r.status).toBe(200);
		expect(r.headers.get('content-type')).toMatch(/text\/plain/);
		await expect(r.clone().json()).rejects.toThrow();
		// a 5xx on a submission creates nothing
		sim.faults.once('503', { route: 'run' });
		expect((await postForm(sim, `/v2/workflows/${WID}/run/`, textForm('x'))).status).toBe(503);
		expect(sim.ledger.runs).toHaveLength(0);
		expect(sim.faults.injected).toMatchObject({
			429: 1,
			'429-no-retry-after': 1,
			500: 1,
			502: 1,
			503: 2,
			504: 1,
			'502-html': 1,
			'503-html': 1,
			'non-json': 1,
		});
	});

	test('resets: before read (nothing), after accept (one run), mid upload (no run)', async () => {
		const sim = await start();
		sim.faults.once('reset-before-read', { route: 'run' });
		await expect(
			api(sim, `/v2/workflows/${WID}/run/`, {
				method: 'POST',
				body: fileForm(Buffer.from('doc-a'), 'a.txt'),
			}),
		).rejects.toThrow();
		expect(sim.ledger.runs).toHaveLength(0);

		sim.faults.once('reset-after-accept', { route: 'run' });
		await expect(
			api(sim, `/v2/workflows/${WID}/run/`, {
				method: 'POST',
				body: fileForm(Buffer.from('doc-b'), 'b.txt'),
			}),
		).rejects.toThrow();
		expect(sim.ledger.runs).toHaveLength(1);
		expect(
			sim.ledger.runsPerSha256().get(crypto.createHash('sha256').update('doc-b').digest('hex')),
		).toBe(1);

		sim.faults.once('reset-mid-upload');
		await expect(
			api(sim, `/v2/workflows/${WID}/run/`, {
				method: 'POST',
				body: fileForm(crypto.randomBytes(2 * 1024 * 1024), 'c.bin'),
			}),
		).rejects.toThrow();
		expect(sim.ledger.runs).toHaveLength(1);
		expect(sim.ledger.requests.filter((x) => x.fault).map((x) => [x.fault, x.status])).toEqual([
			['reset-before-read', null],
			['reset-after-accept', null],
			['reset-mid-upload', null],
		]);
		// the simulator keeps serving
		expect((await api(sim, '/v2/workflows/')).status).toBe(200);
	});

	test('slow and truncated-json', async () => {
		const sim = await start();
		sim.faults.configure({ slowMs: 300 });
		sim.faults.once('slow', { route: 'workflows' });
		const t0 = Date.now();
		const r = await api(sim, '/v2/workflows/');
		expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
		expect(r.status).toBe(200);
		sim.faults.once('truncated-json', { route: 'run' });
		const t = await postForm(sim, `/v2/workflows/${WID}/run/`, textForm('trunc'));
		expect(t.status).toBe(202);
		expect(t.json).toBeNull();
		expect(t.text.startsWith('{"id":')).toBe(true);
		expect(sim.ledger.runs).toHaveLength(1);
	});

	test('missing-keys, unknown-enum, flip-412 wait for a processed run and apply once', async () => {
		const sim = await start({ processingMs: 60000 });
		const { id } = await runText(sim, 'x');
		sim.faults.once('flip-412');
		expect((await results(sim, id)).status).toBe(412); // genuinely pending: fault stays armed
		expect(sim.faults.injected['flip-412']).toBeUndefined();
		sim.finishRun(id);
		expect((await results(sim, id)).status).toBe(412);
		expect((await results(sim, id)).status).toBe(200);
		sim.faults.once('missing-keys');
		const mk = (await results(sim, id)).body;
		expect(mk.extraction).toBeUndefined();
		expect(mk.parse).toBeUndefined();
		expect(mk.collection_id).toBe(id);
		sim.faults.once('unknown-enum', { route: 'runs' });
		const runs = await (await api(sim, `/v2/workflows/${WID}/runs/`)).json();
		expect(runs.results[0].status).toBe('archived');
		sim.faults.once('unknown-enum', { route: 'results' });
		const ue = (await results(sim, id)).body;
		expect(ue.extractions[0].fields.invoice_number.verification_status).toBe('needs_second_review');
		expect(sim.faults.injected).toMatchObject({
			'flip-412': 1,
			'missing-keys': 1,
			'unknown-enum': 2,
		});
	});

	test('random faults are reproducible from the seed and never duplicate runs', async () => {
		async function sequence() {
			const sim = await start();
			sim.faults.configure({
				seed: 42,
				rate: 0.5,
				kinds: ['500', '503', 'reset-after-accept', 'truncated-json'],
			});
			const out = [];
			for (let i = 0; i < 30; i++) {
				try {
					const r = await postForm(sim, `/v2/workflows/${WID}/run/`, textForm(`doc ${i}`));
					out.push(r.json ? r.status : `${r.status}-truncated`);
				} catch {
					out.push('reset');
				}
			}
			const perSha = [...sim.ledger.runsPerSha256().values()];
			expect(perSha.every((n) => n === 1)).toBe(true);
			expect(sim.ledger.runs.length).toBe(
				out.filter((s) => s === 202 || s === 'reset' || s === '202-truncated').length,
			);
			return out;
		}
		const a = await sequence();
		const b = await sequence();
		expect(a).toEqual(b);
		expect(new Set(a).size).toBeGreaterThan(2);
	});
});

describe('control plane and CLI', () => {
	test('HTTP control plane: ledger, configure, faults, finish, webhooks, reset; not counted', async () => {
		const sim = await start({ processingMs: 60000, allowHttpWebhooks: true });
		const post = (p, body) =>
			fetch(sim.url + p, {
				method: 'POST',
				body: JSON.stringify(body || {}),
				headers: { 'content-type': 'application/json' },
			}).then((r) => r.json());
		const { id } = await runText(sim, 'ctrl');
		expect((await post(`/_sim/runs/${id}/finish/`)).status).toBe('processed');
		expect((await results(sim, id)).status).toBe(200);
		await post('/_sim/configure/', { runsOrder: 'asc', rateLimit: { general: 5 } });
		expect(sim.options.runsOrder).toBe('asc');
		expect(sim.options.rateLimit).toEqual({ submission: 60, general: 5, windowMs: 60000 });
		await post('/_sim/faults/', { once: { kind: '500', route: 'workflows' } });
		expect((await api(sim, '/v2/workflows/')).status).toBe(500);
		await api(sim, '/v2/webhooks/', {
			method: 'POST',
			body: JSON.stringify({ url: 'http://127.0.0.1:9/x' }),
			headers: { 'content-type': 'application/json' },
		});
		const subs = await (await fetch(`${sim.url}/_sim/webhooks/`)).json();
		expect(subs[0].secret).toMatch(/^whsec_/);
		expect(await post('/_sim/webhooks/mode/', { redeliver: 1 })).toMatchObject({ redeliver: 1 });
		expect(await post('/_sim/webhooks/forget/', { id: subs[0].id })).toEqual({ forgotten: true });
		const ledger = await (await fetch(`${sim.url}/_sim/ledger/`)).json();
		expect(ledger.byRoute).toMatchObject({ 'POST run': 1, 'GET results': 1, 'GET workflows': 1 });
		expect(ledger.runsPerSha256[crypto.createHash('sha256').update('ctrl').digest('hex')]).toBe(1);
		expect(ledger.faultsInjected).toEqual({ 500: 1 });
		expect(sim.ledger.requests.some((r) => r.path.startsWith('/_sim'))).toBe(false);
		expect(await post('/_sim/reset/')).toEqual({ ok: true });
		expect(sim.ledger.requests).toHaveLength(0);
		expect((await results(sim, id)).status).toBe(404);
		expect((await fetch(`${sim.url}/_sim/nope/`)).status).toBe(404);
	});

	test('cli prints exactly one SIMULATOR_URL line and exits on SIGTERM', async () => {
		const child = spawn(
			process.execPath,
			[
				path.join(__dirname, 'cli.js'),
				'--port',
				'0',
				'--processing-ms',
				'10',
				'--rate-window-ms',
				'1500',
				'--general-limit',
				'7',
			],
			{ stdio: ['ignore', 'pipe', 'pipe'] },
		);
		let out = '';
		child.stdout.on('data', (d) => (out += d));
		const url = await waitFor(() => (/SIMULATOR_URL=(\S+)\n/.exec(out) || [])[1]);
		expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		const r = await fetch(`${url}/v2/workflows/`, { headers: { authorization: `Bearer ${KEY}` } });
		expect(r.status).toBe(200);
		expect(r.headers.get('x-ratelimit-limit')).toBe('7');
		const reset = r.headers.get('x-ratelimit-reset');
		expect(Number(reset)).toBeGreaterThan(1); // fractional: windowMs 1500 is not a multiple of 1000
		expect(Number(reset)).toBeLessThanOrEqual(1.5);
		const code = await new Promise((resolve) => {
			child.on('exit', (c) => resolve(c));
			child.kill('SIGTERM');
		});
		expect(code).toBe(0);
		expect(out).toBe(`SIMULATOR_URL=${url}\n`);
	});
});

describe('large uploads', () => {
	test('a 200 MB streamed upload is hashed without buffering it', async () => {
		const sim = await start();
		const SIZE = 200 * 1024 * 1024;
		const CHUNK = 64 * 1024;
		const block = crypto.randomBytes(CHUNK);
		const hash = crypto.createHash('sha256');
		let sent = 0;
		// live memory (after a forced collection) when three quarters are sent: a server or client
		// holding the body would hold ~150 MB of it here; garbage not yet collected does not count
		let liveMidway;
		const source = new Readable({
			read() {
				if (sent >= SIZE) return this.push(null);
				if (liveMidway === undefined && sent >= (SIZE * 3) / 4) {
					gc();
					const now = process.memoryUsage();
					liveMidway = now.arrayBuffers + now.external - (base.arrayBuffers + base.external);
				}
				const n = Math.min(CHUNK, SIZE - sent);
				const chunk = Buffer.from(block.subarray(0, n));
				chunk.writeUInt32BE(sent / CHUNK, 0); // every chunk differs
				hash.update(chunk);
				sent += n;
				this.push(chunk);
			},
		});
		const form = new FormData();
		form.append('file', source, {
			filename: 'big.bin',
			contentType: 'application/octet-stream',
			knownLength: SIZE,
		});
		const gc = exposeGc();
		gc();
		const base = process.memoryUsage();
		const res = await new Promise((resolve, reject) => {
			const req = http.request(`${sim.url}/v2/workflows/${WID}/run/`, {
				method: 'POST',
				headers: {
					...form.getHeaders(),
					'content-length': form.getLengthSync(),
					authorization: `Bearer ${KEY}`,
				},
			});
			req.on('response', (r) => {
				const chunks = [];
				r.on('data', (d) => chunks.push(d));
				r.on('end', () =>
					resolve({ status: r.statusCode, json: JSON.parse(Buffer.concat(chunks).toString()) }),
				);
			});
			req.on('error', reject);
			form.pipe(req);
		});
		expect(res.status).toBe(202);
		const up = sim.ledger.uploads[0];
		expect(up).toMatchObject({ bytes: SIZE, filename: 'big.bin', collectionId: res.json.id });
		expect(up.sha256).toBe(hash.digest('hex'));
		expect(sim.ledger.runsPerSha256().get(up.sha256)).toBe(1);
		// neither the server nor the client held the 200 MB on the way, and nothing of it is retained
		expect(liveMidway).toBeLessThan(64 * 1024 * 1024);
		gc();
		const after = process.memoryUsage();
		// a retained copy would be 200 MB; the margin absorbs socket buffers the GC has not freed yet
		expect(after.arrayBuffers + after.external - (base.arrayBuffers + base.external)).toBeLessThan(
			64 * 1024 * 1024,
		);
		sim.finishRun(res.json.id);
		const body = (await results(sim, res.json.id)).body;
		expect(body.parse.markdown).toContain(`${SIZE} bytes`);
	}, 120000);
});

describe('rate-limit options for many clients (issue 11) and Unix-time headers (issue 9)', () => {
	test("rateLimitPer 'organization': two keys of one organization spend one budget", async () => {
		const sim = await start({
			apiKey: [KEY, 'af_second'],
			sharedOrganization: true,
			rateLimitPer: 'organization',
			rateLimit: { submission: 60, general: 3, windowMs: 60000 },
		});
		expect((await api(sim, '/v2/workflows/')).status).toBe(200);
		expect((await api(sim, '/v2/workflows/', { key: 'af_second' })).status).toBe(200);
		const third = await api(sim, '/v2/workflows/', { key: 'af_second' });
		expect(third.headers.get('x-ratelimit-remaining')).toBe('0');
		expect((await api(sim, '/v2/workflows/')).status).toBe(429);
		sim.configure({ rateLimitPer: 'key' });
		sim.limiter.reset();
		for (let i = 0; i < 3; i++) expect((await api(sim, '/v2/workflows/')).status).toBe(200);
		expect((await api(sim, '/v2/workflows/', { key: 'af_second' })).status).toBe(200);
	});

	test.each([
		['unix-seconds', 1e9, 1e10, 1000],
		['unix-ms', 1e12, 1e13, 1],
	])("rateLimitTimes '%s': x-ratelimit-reset and Retry-After are points in time", async (style, lo, hi, unit) => {
		const sim = await start({ rateLimitTimes: style, rateLimit: { submission: 60, general: 1, windowMs: 30000 } });
		const before = Date.now();
		const ok = await api(sim, '/v2/workflows/');
		const reset = Number(ok.headers.get('x-ratelimit-reset'));
		expect(reset).toBeGreaterThan(lo);
		expect(reset).toBeLessThan(hi);
		expect(reset * unit - before).toBeGreaterThan(25000);
		expect(reset * unit - before).toBeLessThan(32000);
		const limited = await api(sim, '/v2/workflows/');
		expect(limited.status).toBe(429);
		const retry = Number(limited.headers.get('retry-after'));
		expect(retry * unit - before).toBeGreaterThan(25000);
		expect(retry * unit - before).toBeLessThan(32000);
	});
});
