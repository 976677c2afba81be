/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * The secrets scan behind the global teardown: finds a secret, in any of the forms it can leak in,
 * in every file under some directories, and says where (file and line), never what.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface SecretForm {
	/** e.g. `raw`, `base64 (offset 1)`: how the secret was encoded where it was found */
	form: string;
	text: string;
}

export interface AuditHit {
	file: string;
	line: number;
	/** which secret: its position in the list and a masked preview (`af_l…wZ1`) */
	secret: string;
	form: string;
}

/** shorter encoded fragments could match by chance */
const MIN_FRAGMENT = 12;
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The forms a secret can leak in: as is, URL- and JSON-escaped, hex, and base64/base64url — also in
 * the middle of a longer base64 text (e.g. `Basic ` + base64("user:" + key)), where only the part of
 * the encoding that depends on the key alone is stable, for each of the three byte alignments.
 */
export function secretForms(secret: string): SecretForm[] {
	const bytes = Buffer.from(secret, 'utf8');
	const forms: SecretForm[] = [
		{ form: 'raw', text: secret },
		{ form: 'url-encoded', text: encodeURIComponent(secret) },
		{ form: 'json-escaped', text: JSON.stringify(secret).slice(1, -1) },
		{ form: 'hex', text: bytes.toString('hex') },
		{ form: 'base64', text: bytes.toString('base64').replace(/=+$/, '') },
		{ form: 'base64url', text: bytes.toString('base64url') },
	];
	for (let offset = 0; offset < 3; offset++) {
		const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
		const firstGroup = Math.ceil(offset / 3);
		const lastGroup = Math.floor((offset + bytes.length) / 3) - 1;
		const core = encoded.slice(firstGroup * 4, (lastGroup + 1) * 4);
		forms.push({ form: `base64 (offset ${offset})`, text: core });
		forms.push({ form: `base64url (offset ${offset})`, text: core.replace(/\+/g, '-').replace(/\//g, '_') });
	}
	const seen = new Set<string>();
	return forms.filter((f) => f.text.length >= MIN_FRAGMENT && !seen.has(f.text) && seen.add(f.text));
}

export function maskSecret(secret: string): string {
	return secret.length <= 8 ? '***' : `${secret.slice(0, 4)}…${secret.slice(-3)}`;
}

/** Every hit of every secret in one text. */
export function scanText(text: string, secrets: string[], file: string): AuditHit[] {
	const hits: AuditHit[] = [];
	secrets.forEach((secret, index) => {
		for (const { form, text: needle } of secretForms(secret)) {
			for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
				const line = text.slice(0, at).split('\n').length;
				hits.push({ file, line, secret: `#${index} ${maskSecret(secret)}`, form });
			}
		}
	});
	return hits;
}

export function listFiles(dir: string): string[] {
	let entries: string[];
	try {
		entries = readdirSync(dir);
	} catch {
		return [];
	}
	const files: string[] = [];
	for (const name of entries) {
		const path = join(dir, name);
		let stat;
		try {
			stat = statSync(path);
		} catch {
			continue; // removed while we looked
		}
		if (stat.isDirectory()) files.push(...listFiles(path));
		else if (stat.isFile()) files.push(path);
	}
	return files;
}

export interface AuditReport {
	files: number;
	bytes: number;
	hits: AuditHit[];
}

/** Scans every file under `dirs` (recursively; missing dirs are skipped) for every secret. */
export function scanDirs(dirs: string[], secrets: string[]): AuditReport {
	const report: AuditReport = { files: 0, bytes: 0, hits: [] };
	for (const file of [...new Set(dirs.flatMap(listFiles))]) {
		let content: Buffer;
		try {
			if (statSync(file).size > MAX_FILE_BYTES) continue;
			content = readFileSync(file);
		} catch {
			continue;
		}
		report.files++;
		report.bytes += content.length;
		// latin1 keeps every byte as one character: line numbers and ASCII secrets survive any content
		report.hits.push(...scanText(content.toString('latin1'), secrets, file));
	}
	return report;
}

export function describeHits(hits: AuditHit[]): string {
	return hits.map((h) => `  ${h.file}:${h.line}  secret ${h.secret} (${h.form})`).join('\n');
}
