'use strict';
// Identifier helpers: hyphenated UUIDv7 strings, request ids, webhook ids and secrets.
const crypto = require('crypto');

function uuidv7(now = Date.now()) {
	const b = crypto.randomBytes(16);
	b.writeUIntBE(now, 0, 6); // 48-bit unix milliseconds
	b[6] = (b[6] & 0x0f) | 0x70; // version 7
	b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
	const h = b.toString('hex');
	return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** 32 lowercase hex characters, fresh for every error envelope. */
function requestId() {
	return crypto.randomBytes(16).toString('hex');
}

function webhookId() {
	return `wh_${crypto.randomBytes(12).toString('hex')}`;
}

function webhookSecret() {
	return `whsec_${crypto.randomBytes(24).toString('base64')}`;
}

function messageId() {
	return `msg_${crypto.randomBytes(12).toString('hex')}`;
}

/** A short opaque bucket id for an API key: the key itself is never stored. */
function keyFingerprint(key) {
	return crypto.createHash('sha256').update(String(key)).digest('hex').slice(0, 16);
}

module.exports = { uuidv7, requestId, webhookId, webhookSecret, messageId, keyFingerprint };
