/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Proves the secrets audit would catch a leak: the scan on planted strings (never a real leak of the
 * suite), in every form a key can leak in, and the global teardown failing on one with file and line.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { maskSecret, scanDirs, scanText, secretForms } from './auditScan';
import globalTeardown from './globalTeardown';
import { RUN_ROOT_ENV } from './runDirs';
import { AUDITED_SECRETS } from './secrets';

// a key made up for this test only: it is not in AUDITED_SECRETS, so planting it leaks nothing real
const PLANTED = 'af_live_PLANTED_for_audit_selftest_9x';

describe('secretForms / scanText', () => {
	test.each([
		['raw', `error: key ${PLANTED} refused`],
		['url-encoded', `GET /?key=${encodeURIComponent(PLANTED + ' ')}`],
		['hex', `dump ${Buffer.from(PLANTED).toString('hex')}`],
		['base64', `token ${Buffer.from(PLANTED).toString('base64')}`],
		['a Basic header (base64 of "user:key", offset 2)', `Authorization: Basic ${Buffer.from(`u:${PLANTED}`).toString('base64')}`],
		['base64 of "Bearer key" (offset 1)', Buffer.from(`Bearer ${PLANTED}`).toString('base64')],
		['base64 with a 3-byte prefix (offset 0)', Buffer.from(`abc${PLANTED}xyz`).toString('base64')],
		['base64url', Buffer.from(`??>${PLANTED}`).toString('base64url')],
	])('finds the key as %s', (_form, text) => {
		const hits = scanText(`line one\nline two\n${text}\nline four`, [PLANTED], 'planted.log');
		expect(hits.length).toBeGreaterThan(0);
		expect(hits[0]).toMatchObject({ file: 'planted.log', line: 3, secret: `#0 ${maskSecret(PLANTED)}` });
	});

	test('no false alarm on near misses or other keys', () => {
		const text = [PLANTED.slice(0, -1), PLANTED.toUpperCase(), Buffer.from(PLANTED.slice(1)).toString('base64').slice(8), ...AUDITED_SECRETS].join('\n');
		expect(scanText(text, [PLANTED], 'x')).toEqual([]);
	});

	test('every form is long enough not to match by chance, and none is the masked preview', () => {
		for (const secret of [PLANTED, ...AUDITED_SECRETS]) {
			const forms = secretForms(secret);
			expect(forms.map((f) => f.form)).toEqual(
				expect.arrayContaining(['raw', 'hex', 'base64 (offset 1)', 'base64 (offset 2)']),
			);
			// offset 0 is the plain base64 unless the length leaves a partial last group
			expect(forms.some((f) => f.form === 'base64' || f.form === 'base64 (offset 0)')).toBe(true);
			expect(forms.every((f) => f.text.length >= 12)).toBe(true);
			expect(forms.map((f) => f.text)).not.toContain(maskSecret(secret));
		}
	});
});

describe('scanDirs and the global teardown', () => {
	let dir: string;
	beforeEach(() => {
		dir = mkdtempSync(join(tmpdir(), 'audit-selftest-'));
	});
	afterEach(() => rmSync(dir, { recursive: true, force: true }));

	test('reports the file and line of each hit, in nested folders and binary files', () => {
		mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
		writeFileSync(join(dir, 'clean.log'), 'nothing to see\n');
		writeFileSync(join(dir, 'nested', 'deeper', 'items.json'), `{\n "a": 1,\n "auth": "Bearer ${PLANTED}"\n}\n`);
		writeFileSync(join(dir, 'nested', 'blob.bin'), Buffer.concat([Buffer.from([0, 255, 10, 10]), Buffer.from(PLANTED)]));
		const report = scanDirs([dir, join(dir, 'missing')], [PLANTED]);
		expect(report.files).toBe(3);
		expect(report.hits.map((h) => [h.file.slice(dir.length), h.line, h.form])).toEqual([
			['/nested/blob.bin', 3, 'raw'],
			['/nested/deeper/items.json', 3, 'raw'],
		]);
	});

	test('the teardown fails the run on a planted leak of an audited key, naming file and line but not the key', async () => {
		const previous = process.env[RUN_ROOT_ENV];
		const audited = AUDITED_SECRETS[0];
		writeFileSync(join(dir, 'leak.log'), `ok\nAuthorization: Basic ${Buffer.from(`x:${audited}`).toString('base64')}\n`);
		process.env[RUN_ROOT_ENV] = dir;
		try {
			const failure = await globalTeardown().then(
				() => undefined,
				(error: Error) => error,
			);
			expect(failure).toBeInstanceOf(Error);
			expect(failure!.message).toMatch(/^\[secrets audit\] an API key leaked/);
			expect(failure!.message).toContain(`${join(dir, 'leak.log')}:2  secret #0 ${maskSecret(audited)} (base64 (offset 2))`);
			for (const secret of AUDITED_SECRETS) expect(failure!.message).not.toContain(secret);
			expect(existsSync(join(dir, 'leak.log'))).toBe(true); // kept for inspection
		} finally {
			if (previous === undefined) delete process.env[RUN_ROOT_ENV];
			else process.env[RUN_ROOT_ENV] = previous;
		}
	});
});
