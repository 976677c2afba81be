'use strict';
// Webhook subscriptions and signed deliveries (Standard Webhooks headers: webhook-id, webhook-timestamp,
// webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">). Anyformat does not document how its
// secret keys the HMAC, so the key follows one of three readings (mode `reading`):
//   'standard-webhooks'   base64-decode(secret sans whsec_)  (the Standard Webhooks convention, default)
//   'whole-secret'        the whole secret string, prefix included, as UTF-8 bytes
//   'secret-after-prefix' the part after whsec_ as raw UTF-8 bytes, not decoded
// Signing 'unreadable' sends a signature in another format (`sha256=<hex>`), which a receiver cannot read.
const crypto = require('crypto');
const http = require('http');
const https = require('https');
const { webhookId, webhookSecret, messageId } = require('./ids');

const EVENTS = ['extraction.completed', 'extraction.failed'];
const MAX_URL = 2083;

const READINGS = ['standard-webhooks', 'whole-secret', 'secret-after-prefix'];
const SIGNINGS = ['valid', 'invalid', 'none', 'unreadable'];

function secretKey(secret, reading = 'standard-webhooks') {
	const text = String(secret);
	const afterPrefix = text.replace(/^whsec_/, '');
	if (reading === 'whole-secret') return Buffer.from(text, 'utf8');
	if (reading === 'secret-after-prefix') return Buffer.from(afterPrefix, 'utf8');
	if (reading !== 'standard-webhooks')
		throw new Error(`reading must be one of ${READINGS.join(', ')}`);
	return Buffer.from(afterPrefix, 'base64');
}

/** `v1,<base64 signature>` for a delivery. `body` is the raw string (or Buffer) sent. */
function sign(secret, id, timestamp, body, reading = 'standard-webhooks') {
	const mac = crypto.createHmac('sha256', secretKey(secret, reading));
	mac.update(`${id}.${timestamp}.`);
	mac.update(body);
	return `v1,${mac.digest('base64')}`;
}

/** A signature in a format other than Standard Webhooks v1: `sha256=<hex HMAC of the body>`. */
function signUnreadable(secret, body) {
	return `sha256=${crypto.createHmac('sha256', String(secret)).update(body).digest('hex')}`;
}

/** `payload` with `extra` merged in (its `data` into the payload's `data`). */
function withExtraBody(payload, extra) {
	if (!extra) return payload;
	const { data, ...top } = extra;
	return { ...payload, ...top, data: { ...payload.data, ...(data || {}) } };
}

function post(url, rawBody, headers, timeoutMs) {
	return new Promise((resolve) => {
		let u;
		try {
			u = new URL(url);
		} catch (e) {
			resolve({ status: null, body: null, error: `bad url: ${e.message}` });
			return;
		}
		const lib = u.protocol === 'https:' ? https : http;
		const req = lib.request(
			u,
			{
				method: 'POST',
				headers: { ...headers, 'content-length': Buffer.byteLength(rawBody) },
				timeout: timeoutMs,
				agent: false, // one connection per delivery, nothing left open
				rejectUnauthorized: false, // local test receivers use self-signed certificates
			},
			(res) => {
				const chunks = [];
				let size = 0;
				res.on('data', (d) => {
					if (size < 65536) chunks.push(d);
					size += d.length;
				});
				res.on('end', () =>
					resolve({
						status: res.statusCode,
						body: Buffer.concat(chunks).toString('utf8'),
						error: null,
					}),
				);
				res.on('error', (e) => resolve({ status: res.statusCode, body: null, error: e.message }));
			},
		);
		req.on('timeout', () => req.destroy(new Error('timeout')));
		req.on('error', (e) => resolve({ status: null, body: null, error: e.message }));
		req.end(rawBody);
	});
}

class WebhookHub {
	/** @param {() => object} getOptions current simulator options */
	constructor(getOptions) {
		this.getOptions = getOptions;
		this._pending = 0;
		this._waiters = [];
		this._timers = new Map(); // delay timer -> wake function
		this.reset();
	}

	reset() {
		this.subscriptions = new Map();
		/** {subscriptionId, url, event, webhookId, timestamp, copy, signing, headers, body, status, error, time, durationMs} */
		this.deliveries = [];
		this.mode = {
			redeliver: 0,
			delayMs: 0,
			signing: 'valid',
			reading: 'standard-webhooks',
			extraBody: null,
		};
		// cancel scheduled deliveries: their promises settle (so idle() never hangs) and deliver nothing
		this._generation = (this._generation || 0) + 1;
		for (const [t, wake] of this._timers) {
			clearTimeout(t);
			wake();
		}
		this._timers.clear();
	}

	/**
	 * {redeliver: extra copies of each message, delayMs: wait before delivering,
	 *  signing: 'valid'|'invalid'|'none'|'unreadable', reading: how the secret keys the HMAC (see top),
	 *  extraBody: fields added to every delivery's body (its `data` merged into `data`), or null}
	 */
	setMode(mode = {}) {
		if (mode.signing !== undefined && !SIGNINGS.includes(mode.signing)) {
			throw new Error(`signing must be one of ${SIGNINGS.join(', ')}`);
		}
		if (mode.reading !== undefined && !READINGS.includes(mode.reading)) {
			throw new Error(`reading must be one of ${READINGS.join(', ')}`);
		}
		if (
			mode.extraBody !== undefined &&
			mode.extraBody !== null &&
			(typeof mode.extraBody !== 'object' || Array.isArray(mode.extraBody))
		) {
			throw new Error('extraBody must be an object or null');
		}
		for (const k of Object.keys(mode))
			if (!['redeliver', 'delayMs', 'signing', 'reading', 'extraBody'].includes(k))
				throw new Error(`unknown webhook mode ${k}`);
		this.mode = { ...this.mode, ...mode };
		return this.mode;
	}

	/** Validate and add a subscription for organization `org`. Returns {ok:true, subscription} | {ok:false, detail}. */
	create(body, org = 0) {
		const opts = this.getOptions();
		if (!body || typeof body !== 'object' || Array.isArray(body))
			return { ok: false, detail: 'Request body must be a JSON object with a "url".' };
		const { url, events } = body;
		if (typeof url !== 'string' || !url)
			return { ok: false, detail: 'url: this field is required.' };
		if (url.length > MAX_URL)
			return {
				ok: false,
				detail: `url: must be at most ${MAX_URL} characters (got ${url.length}).`,
			};
		let parsed;
		try {
			parsed = new URL(url);
		} catch {
			return { ok: false, detail: 'url: not a valid URL.' };
		}
		const okProto =
			parsed.protocol === 'https:' || (opts.allowHttpWebhooks && parsed.protocol === 'http:');
		if (!okProto) return { ok: false, detail: 'url: webhook URLs must use HTTPS.' };
		let evs = [...EVENTS];
		if (events !== undefined && events !== null) {
			if (!Array.isArray(events) || events.some((e) => typeof e !== 'string'))
				return { ok: false, detail: 'events: must be a list of event names.' };
			const unknown = events.filter((e) => !EVENTS.includes(e));
			if (unknown.length)
				return {
					ok: false,
					detail: `events: unknown event(s) ${unknown.join(', ')}; valid events are ${EVENTS.join(', ')}.`,
				};
			evs = [...new Set(events)];
		}
		const active = [...this.subscriptions.values()].filter(
			(s) => s.is_active && s.org === org,
		).length;
		if (active >= opts.maxWebhooks)
			return {
				ok: false,
				detail: `Maximum of ${opts.maxWebhooks} active webhook subscriptions reached.`,
			};
		const sub = {
			id: webhookId(),
			url,
			events: evs,
			is_active: true,
			secret: webhookSecret(),
			created_at: new Date().toISOString(),
		};
		this.subscriptions.set(sub.id, { ...sub, org });
		return { ok: true, subscription: { ...sub, events: [...sub.events] } };
	}

	/** Subscriptions including their secrets (tests only); `org` = index of the API key that created it. */
	list() {
		return [...this.subscriptions.values()].map((s) => ({ ...s, events: [...s.events] }));
	}

	/** What GET /v2/webhooks/ answers for organization `org`: no secrets. */
	listPublic(org = 0) {
		return this.list()
			.filter((s) => s.org === org)
			.map(({ secret, org: _org, ...rest }) => rest);
	}

	remove(id, org) {
		const s = this.subscriptions.get(id);
		if (!s || (org !== undefined && s.org !== org)) return false;
		return this.subscriptions.delete(id);
	}

	/** Drop a subscription silently, as if removed on the Anyformat side. */
	forget(id) {
		return this.subscriptions.delete(id);
	}

	_track(promise) {
		this._pending += 1;
		return promise.finally(() => {
			this._pending -= 1;
			if (this._pending === 0) {
				const w = this._waiters;
				this._waiters = [];
				w.forEach((fn) => fn());
			}
		});
	}

	/** `v1,<base64 HMAC-SHA256>` of `${id}.${timestamp}.${body}` keyed with the secret under `reading`. */
	sign(secret, id, timestamp, body, reading) {
		return sign(secret, id, timestamp, body, reading);
	}

	/** Resolves when every scheduled or in-flight delivery is done. */
	idle() {
		if (this._pending === 0) return Promise.resolve();
		return new Promise((resolve) => this._waiters.push(resolve));
	}

	_headers(secret, id, timestamp, rawBody, signing, reading) {
		const h = {
			'content-type': 'application/json',
			'user-agent': 'Anyformat-Webhooks/2.0 (simulator)',
			'webhook-id': id,
			'webhook-timestamp': String(timestamp),
		};
		if (signing === 'valid') h['webhook-signature'] = sign(secret, id, timestamp, rawBody, reading);
		else if (signing === 'invalid')
			h['webhook-signature'] = sign(webhookSecret(), id, timestamp, rawBody, reading);
		else if (signing === 'unreadable') h['webhook-signature'] = signUnreadable(secret, rawBody);
		return h;
	}

	/** Deliver `event` for a terminal run to every matching active subscription of organization `org`. */
	dispatch(event, data, org = 0) {
		const subs = [...this.subscriptions.values()].filter(
			(s) => s.is_active && s.org === org && (!s.events.length || s.events.includes(event)),
		);
		if (!subs.length) return;
		const { redeliver, delayMs, signing, reading, extraBody } = this.mode;
		const payload = withExtraBody({ event, timestamp: new Date().toISOString(), data }, extraBody);
		const rawBody = JSON.stringify(payload);
		for (const sub of subs) {
			const id = messageId();
			const generation = this._generation;
			const run = async () => {
				if (delayMs > 0) {
					await new Promise((r) => {
						const t = setTimeout(() => {
							this._timers.delete(t);
							r();
						}, delayMs);
						this._timers.set(t, r);
					});
				}
				for (let copy = 0; copy <= redeliver; copy++) {
					if (generation !== this._generation) return; // simulator reset meanwhile
					if (!this.subscriptions.has(sub.id)) return; // forgotten or deleted meanwhile
					const timestamp = Math.floor(Date.now() / 1000);
					const headers = this._headers(sub.secret, id, timestamp, rawBody, signing, reading);
					const started = Date.now();
					const res = await post(sub.url, rawBody, headers, this.getOptions().webhookTimeoutMs);
					if (generation !== this._generation) return;
					this.deliveries.push({
						subscriptionId: sub.id,
						url: sub.url,
						event,
						webhookId: id,
						timestamp,
						copy,
						signing,
						reading,
						headers,
						body: rawBody,
						payload,
						status: res.status,
						error: res.error,
						time: started,
						durationMs: Date.now() - started,
					});
				}
			};
			this._track(run());
		}
	}

	/**
	 * Send one crafted delivery (for forged/replayed deliveries in tests). Returns {status, body, error, headers}.
	 * opts: {secret, signing ('valid' default when a secret is given, else 'none'; or 'invalid',
	 * 'unreadable'), reading ('standard-webhooks' default), extraBody (merged into `payload`),
	 * timestamp, webhookId, rawBody, headers}
	 */
	async send(url, payload, opts = {}) {
		const body = opts.extraBody ? withExtraBody(payload, opts.extraBody) : payload;
		const rawBody = opts.rawBody !== undefined ? String(opts.rawBody) : JSON.stringify(body);
		const id = opts.webhookId || messageId();
		const timestamp = opts.timestamp !== undefined ? opts.timestamp : Math.floor(Date.now() / 1000);
		const signing = opts.signing || (opts.secret ? 'valid' : 'none');
		if (!SIGNINGS.includes(signing))
			throw new Error(`signing must be one of ${SIGNINGS.join(', ')}`);
		const secret = opts.secret || webhookSecret();
		const headers = {
			...this._headers(
				secret,
				id,
				timestamp,
				rawBody,
				signing,
				opts.reading || 'standard-webhooks',
			),
			...(opts.headers || {}),
		};
		const res = await this._track(post(url, rawBody, headers, this.getOptions().webhookTimeoutMs));
		return { ...res, headers };
	}
}

module.exports = { WebhookHub, sign, signUnreadable, EVENTS, READINGS, SIGNINGS };
