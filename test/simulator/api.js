'use strict';
// Handlers of the public API routes. Each returns a result {status, body?, headers?, raw?} for the
// response writer, or null when it has already dealt with the socket (faults).
const crypto = require('crypto');
const { apiError, validationError, proxyHtml } = require('./errors');
const { parseMultipart, readJson } = require('./multipart');
const { MarkerScanner } = require('./document');
const { buildResults } = require('./scenarios');
const { IN_FLIGHT } = require('./runs');

const iso = (ms) => new Date(ms).toISOString();

/** The older lifecycle words some SDK docstrings use (option legacyStatusWords). */
const LEGACY_WORDS = { in_progress: 'processing', processed: 'completed', error: 'failed' };

function listedStatus(sim, c, now) {
	const status = sim.runs.status(c, now);
	return sim._options.legacyStatusWords ? LEGACY_WORDS[status] || status : status;
}

/** A run failure's 422: the API envelope, or with `legacyFailureBodies` a bare {"detail"}. */
function runFailure(sim, errorCode, detail) {
	if (sim._options.legacyFailureBodies) return { status: 422, body: { detail }, headers: {} };
	return apiError(422, errorCode, detail);
}

function notFound(what) {
	return apiError(404, 'NOT_FOUND', `${what} not found.`);
}

/** page / page_size from the query: defaults 1 / 20, page_size silently capped at 100. */
function pageParams(sim, query) {
	const style = sim._options.validationErrorStyle;
	const out = {};
	for (const [name, def] of [
		['page', 1],
		['page_size', 20],
	]) {
		const raw = query[name];
		if (raw === undefined || raw === '') {
			out[name] = def;
			continue;
		}
		if (!/^\d+$/.test(raw) || Number(raw) < 1) {
			return {
				error: validationError(
					style,
					['query', name],
					'Input should be an integer greater than or equal to 1',
					{ input: raw },
				),
			};
		}
		out[name] = Number(raw);
	}
	out.page_size = Math.min(out.page_size, 100);
	return out;
}

function paginate(sim, query, items, map) {
	const p = pageParams(sim, query);
	if (p.error) return p.error;
	const start = (p.page - 1) * p.page_size;
	return {
		status: 200,
		body: {
			count: items.length,
			page: p.page,
			page_size: p.page_size,
			results: items.slice(start, start + p.page_size).map(map),
		},
	};
}

function applyUnknownEnum(sim, ctx, list, key) {
	if (ctx.fault && ctx.fault.kind === 'unknown-enum' && list.length) {
		list[0][key] = 'archived';
		sim.faults.applied(ctx.fault);
	}
}

// ---- workflows -----------------------------------------------------------------------------------

function listWorkflows(sim, ctx) {
	return paginate(sim, ctx.query, sim.workflows, (w) => {
		const { fields, ...rest } = w.public;
		return { ...rest };
	});
}

function getWorkflow(sim, ctx) {
	const wf = sim.findWorkflow(ctx.params.workflowId);
	if (!wf) return notFound('Workflow');
	return { status: 200, body: structuredClone(wf.public) };
}

// ---- submissions ---------------------------------------------------------------------------------

/** Turn the parsed multipart body into one upload, or a 422. */
function interpret(sim, parsed) {
	const style = sim._options.validationErrorStyle;
	const v = (field, msg) => ({ error: validationError(style, ['body', field], msg) });
	const nFile = parsed.files.length + parsed.fileAsField;
	const nText = parsed.texts.length;
	if (parsed.notMultipart)
		return v('file', 'Send multipart/form-data with either a `file` part or a `text` field.');
	if (nFile + nText === 0) return v('file', 'Either `file` or `text` is required.');
	if (nFile + nText > 1) {
		return v(
			nFile && nText ? 'file' : nFile ? 'file' : 'text',
			'Provide exactly one of `file` or `text`, not both (and only once).',
		);
	}
	if (parsed.fileAsField)
		return v('file', 'Expected an uploaded file (a multipart part with a filename).');
	if (nFile) {
		const f = parsed.files[0];
		if (f.bytes === 0) return v('file', 'The uploaded file is empty.');
		return {
			upload: {
				kind: 'file',
				filename: f.filename,
				mimeType: f.mimeType,
				bytes: f.bytes,
				sha256: f.sha256,
				content: f.content,
				markers: f.markers,
			},
		};
	}
	const t = parsed.texts[0];
	if (t.truncated) return v('text', `Text is too large (over ${sim._options.maxTextBytes} bytes).`);
	if (!t.value.trim()) return v('text', '`text` must not be empty.');
	const buf = Buffer.from(t.value, 'utf8');
	const scanner = new MarkerScanner();
	scanner.push(buf);
	return {
		upload: {
			kind: 'text',
			filename: 'text.txt',
			mimeType: 'text/plain',
			bytes: buf.length,
			sha256: crypto.createHash('sha256').update(buf).digest('hex'),
			text: buf.length <= sim._options.keepBytes ? t.value : null,
			markers: scanner.result(),
		},
	};
}

function recordUploads(sim, ctx, parsed, collection, accepted) {
	const contentLength =
		ctx.req.headers['content-length'] !== undefined
			? Number(ctx.req.headers['content-length'])
			: null;
	const base = {
		workflowId: ctx.params.workflowId,
		route: ctx.route.name,
		contentLength,
		time: Date.now(),
		accepted,
	};
	const parts = [
		...parsed.files.map((f) => ({
			kind: 'file',
			filename: f.filename,
			mimeType: f.mimeType,
			bytes: f.bytes,
			sha256: f.sha256,
		})),
		...parsed.texts.map((t) => {
			const buf = Buffer.from(t.value, 'utf8');
			return {
				kind: 'text',
				filename: 'text.txt',
				mimeType: 'text/plain',
				bytes: buf.length,
				sha256: crypto.createHash('sha256').update(buf).digest('hex'),
			};
		}),
	];
	for (const p of parts) {
		sim.ledger.uploads.push({
			...base,
			...p,
			collectionId: collection ? collection.id : null,
			fileId: collection ? collection.fileId : null,
		});
	}
}

function startRun(sim, ctx, c) {
	sim.runs.start(c, sim._options.processingMs);
	sim.ledger.runs.push({
		collectionId: c.id,
		workflowId: c.workflowId,
		sha256: c.sha256,
		route: ctx.route.name,
		time: Date.now(),
	});
	if (typeof sim._options.credits === 'number')
		sim._options.credits = Math.max(0, sim._options.credits - 1);
}

function runResponse(sim, wf, c, statusWord) {
	const body = { id: c.id, status: statusWord, workflow_id: wf.id };
	if (!sim._options.omitVersionId) body.version_id = wf.versionId;
	return { status: 202, body };
}

function noCredits() {
	return apiError(
		402,
		'INSUFFICIENT_CREDITS',
		'Your organization has no credits left. Top up to run more documents.',
		{ retryable: false },
	);
}

/** Resolve once the body starts arriving (or is empty), then cut the connection: no run is created. */
function resetMidUpload(sim, ctx) {
	return new Promise((resolve) => {
		const cut = () => {
			ctx.entry.fault = 'reset-mid-upload';
			sim.faults.applied(ctx.fault);
			ctx.req.socket.destroy();
			resolve(null);
		};
		ctx.req.once('data', cut);
		ctx.req.once('end', cut);
	});
}

/** POST run/ (stage=false) and upload/ + files/ (stage=true). */
async function submit(sim, ctx, { stage }) {
	const wf = sim.findWorkflow(ctx.params.workflowId);
	if (!wf) return notFound('Workflow');
	if (!stage && sim._options.credits === 0) return noCredits();
	if (ctx.fault && ctx.fault.kind === 'reset-mid-upload') return resetMidUpload(sim, ctx);

	sim.ledger.uploadStarted();
	let parsed;
	try {
		parsed = await parseMultipart(ctx.req, sim._options);
	} catch (err) {
		if (err.code !== 'MALFORMED') throw err;
		return validationError(
			sim._options.validationErrorStyle,
			['body', 'file'],
			`Malformed multipart body: ${err.message}.`,
		);
	} finally {
		sim.ledger.uploadEnded();
	}
	const { upload, error } = interpret(sim, parsed);
	if (error) {
		recordUploads(sim, ctx, parsed, null, false);
		return error;
	}
	if (!stage && ctx.fault && LOST_SUBMISSION_HANDLERS[ctx.fault.kind]) {
		sim.faults.applied(ctx.fault);
		ctx.entry.fault = ctx.fault.kind;
		return LOST_SUBMISSION_HANDLERS[ctx.fault.kind](sim, ctx, wf, parsed, upload);
	}
	const c = sim.runs.create({ workflowId: wf.id, upload, org: ctx.org });
	recordUploads(sim, ctx, parsed, c, true);
	if (stage)
		return {
			status: 200,
			body: { status: 'uploaded', filename: c.name, file_collection_id: c.id, file_id: c.fileId },
		};
	startRun(sim, ctx, c);
	return runResponse(sim, wf, c, sim._options.runStatusWord);
}

// ---- lost submissions (fault kinds of issue 9; see faults.js) -------------------------------------

function createRun(sim, ctx, wf, parsed, upload) {
	const c = sim.runs.create({ workflowId: wf.id, upload, org: ctx.org });
	recordUploads(sim, ctx, parsed, c, true);
	startRun(sim, ctx, c);
	return c;
}

let foreignSeq = 0;

/** A run of another submitter: same workflow, organization and file name, other content. */
function createForeignRun(sim, ctx, wf, upload) {
	const text = `Invoice #FOREIGN-${String(++foreignSeq).padStart(5, '0')}\nTotal: $1.00\n`;
	const buf = Buffer.from(text, 'utf8');
	const scanner = new MarkerScanner();
	scanner.push(buf);
	const foreign = {
		...upload,
		bytes: buf.length,
		sha256: crypto.createHash('sha256').update(buf).digest('hex'),
		content: upload.kind === 'file' ? buf : null,
		text: upload.kind === 'text' ? text : null,
		markers: scanner.result(),
	};
	const c = sim.runs.create({ workflowId: wf.id, upload: foreign, org: ctx.org });
	c.foreign = true;
	sim.runs.start(c, sim._options.processingMs);
	sim.ledger.foreignRuns.push({
		collectionId: c.id,
		workflowId: wf.id,
		sha256: c.sha256,
		time: Date.now(),
	});
}

function resetNow(ctx) {
	ctx.req.socket.destroy();
	return null;
}

const LOST_SUBMISSION_HANDLERS = {
	'504-html-after-create': (sim, ctx, wf, parsed, upload) => {
		createRun(sim, ctx, wf, parsed, upload);
		return { status: 504, raw: { contentType: 'text/html', text: proxyHtml(504) } };
	},
	'202-no-id': (sim, ctx, wf, parsed, upload) => {
		createRun(sim, ctx, wf, parsed, upload);
		const body = { status: sim._options.runStatusWord, workflow_id: wf.id };
		if (!sim._options.omitVersionId) body.version_id = wf.versionId;
		return { status: 202, body };
	},
	'reset-before-accept': (sim, ctx, wf, parsed) => {
		recordUploads(sim, ctx, parsed, null, false);
		return resetNow(ctx);
	},
	'other-submitter': (sim, ctx, wf, parsed, upload) => {
		createForeignRun(sim, ctx, wf, upload);
		recordUploads(sim, ctx, parsed, null, false);
		return resetNow(ctx);
	},
	'accepted-no-answer': (sim, ctx, wf, parsed, upload) => {
		sim.later(sim.faults.hangMs, () => ctx.req.socket.destroy());
		sim.later(sim.faults.lateRunMs, () => {
			const c = createRun(sim, ctx, wf, parsed, upload);
			sim.ledger.runs[sim.ledger.runs.length - 1].late = true;
			return c;
		});
		return null;
	},
};

/** POST files/{file_id | file_collection_id}/run/ */
function runStaged(sim, ctx) {
	const wf = sim.findWorkflow(ctx.params.workflowId);
	if (!wf) return notFound('Workflow');
	const c = sim.runs.findStaged(ctx.params.fileId, ctx.org);
	if (!c || c.workflowId !== wf.id) return notFound('File');
	if (sim._options.credits === 0) return noCredits();
	startRun(sim, ctx, c);
	return runResponse(sim, wf, c, 'pending');
}

// ---- results, runs, files --------------------------------------------------------------------------

function results(sim, ctx) {
	const wf = sim.findWorkflow(ctx.params.workflowId);
	const c = sim.runs.get(ctx.params.collectionId, ctx.org);
	if (!wf || !c || c.workflowId !== wf.id) return notFound('File collection');
	const status = sim.runs.status(c);
	if (IN_FLIGHT.has(status)) {
		return apiError(
			412,
			'PRECONDITION_FAILED',
			`Processing is not finished yet (status: ${status}). Retry with backoff.`,
		);
	}
	if (status === 'error') {
		return runFailure(
			sim,
			'EXTRACTION_FAILED',
			'The extraction did not complete successfully. Review the document, retry the upload, or open the collection in the Anyformat dashboard.',
		);
	}
	if (status === 'cancelled') {
		return runFailure(
			sim,
			'EXTRACTION_CANCELLED',
			'The extraction was cancelled. Review the document, retry the upload, or open the collection in the Anyformat dashboard.',
		);
	}
	if (c.resultsHeld) {
		return apiError(
			412,
			'PRECONDITION_FAILED',
			'Processing is not finished yet (status: in_progress). Retry with backoff.',
		);
	}
	const f = ctx.fault;
	if (f && f.kind === 'flip-412') {
		sim.faults.applied(f);
		return apiError(
			412,
			'PRECONDITION_FAILED',
			'Processing is not finished yet (status: in_progress). Retry with backoff.',
		);
	}
	const body = buildResults(wf, c, sim._options.frontendUrl);
	applyReviews(body, c.reviews);
	if (f && f.kind === 'missing-keys') {
		for (const k of ['parse', 'extraction', 'classifications', 'splits', 'verification_url'])
			delete body[k];
		sim.faults.applied(f);
	}
	if (f && f.kind === 'unknown-enum') {
		const first = body.extractions[0];
		const fieldObj = first && Object.values(first.fields).find((x) => x && !Array.isArray(x));
		if (fieldObj) fieldObj.verification_status = 'needs_second_review';
		if (body.classifications.length) body.classifications[0].category = 'unexpected_category';
		sim.faults.applied(f);
	}
	return { status: 200, body };
}

/** What a reviewer set in the app (see `Simulator.reviewField`) on the fields of a results body. */
function applyReviews(body, reviews) {
	if (!reviews) return;
	const groups = [...(body.extractions || []).map((e) => e.fields), body.extraction].filter(Boolean);
	for (const fields of groups) {
		for (const [name, review] of Object.entries(reviews)) {
			const target = fields[name];
			if (target && !Array.isArray(target)) Object.assign(target, review);
		}
	}
}

function listRuns(sim, ctx) {
	const wf = sim.findWorkflow(ctx.params.workflowId);
	if (!wf) return notFound('Workflow');
	const items = sim.runs.list(wf.id, {
		runsOnly: true,
		order: sim._options.runsOrder,
		org: ctx.org,
	});
	const now = Date.now();
	const res = paginate(sim, ctx.query, items, (c) => ({
		id: c.id,
		status: listedStatus(sim, c, now),
		created_at: iso(c.createdAt),
		updated_at: iso(sim.runs.updatedAt(c, now)),
	}));
	if (res.status === 200) applyUnknownEnum(sim, ctx, res.body.results, 'status');
	return res;
}

function listFiles(sim, ctx) {
	const wf = sim.findWorkflow(ctx.params.workflowId);
	if (!wf) return notFound('Workflow');
	const items = sim.runs.list(wf.id, { order: sim._options.runsOrder, org: ctx.org });
	const now = Date.now();
	const res = paginate(sim, ctx.query, items, (c) => ({
		id: c.id,
		name: sim._options.filesListNames ? c.name : null,
		status: listedStatus(sim, c, now),
		created_at: iso(c.createdAt),
		updated_at: iso(sim.runs.updatedAt(c, now)),
	}));
	if (res.status === 200) applyUnknownEnum(sim, ctx, res.body.results, 'status');
	return res;
}

function deleteCollection(sim, ctx) {
	if (!sim.runs.delete(ctx.params.collectionId, ctx.org)) return notFound('File collection');
	return { status: 204 };
}

// ---- webhooks ------------------------------------------------------------------------------------

async function createWebhook(sim, ctx) {
	const json = await readJson(ctx.req);
	if (!json.ok)
		return apiError(400, 'INVALID_JSON', `The request body is not valid JSON (${json.reason}).`);
	const r = sim.webhooks.create(json.value, ctx.org);
	if (!r.ok) {
		const echo = sim._options.echoCredentials
			? ` (request received with Authorization: ${ctx.req.headers.authorization})`
			: '';
		return apiError(400, 'VALIDATION_ERROR', `${r.detail}${echo}`);
	}
	return { status: 201, body: r.subscription };
}

function listWebhooks(sim, ctx) {
	return { status: 200, body: sim.webhooks.listPublic(ctx.org) };
}

function deleteWebhook(sim, ctx) {
	if (!sim.webhooks.remove(ctx.params.webhookId, ctx.org)) return notFound('Webhook subscription');
	return { status: 204 };
}

const HANDLERS = {
	health: () => ({ status: 200, body: { message: 'ok' } }),
	workflows: listWorkflows,
	workflow: getWorkflow,
	run: (sim, ctx) => submit(sim, ctx, { stage: false }),
	upload: (sim, ctx) => submit(sim, ctx, { stage: true }),
	'files.create': (sim, ctx) => submit(sim, ctx, { stage: true }),
	'files.run': runStaged,
	results,
	runs: listRuns,
	files: listFiles,
	delete: deleteCollection,
	'webhooks.create': createWebhook,
	'webhooks.list': listWebhooks,
	'webhooks.delete': deleteWebhook,
};

module.exports = { HANDLERS };
