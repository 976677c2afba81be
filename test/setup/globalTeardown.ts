/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Jest global teardown: the secrets audit. Scans every file the run left under its temp directory —
 * the harness's AUDIT_DIR (every runNode's items, errors and n8n log lines, the simulator ledgers, the
 * listSearch answers) and anything else the tests wrote there — for every API key the suites use, in
 * every form it could leak in (secretForms), and fails the run with file and line on a hit. A clean
 * run's directory is removed; a leaking one is kept for inspection.
 */
import { rmSync } from 'node:fs';

import { describeHits, scanDirs } from './auditScan';
import { harnessAuditDir, runRoot } from './runDirs';
import { AUDITED_SECRETS } from './secrets';

export default async function globalTeardown(): Promise<void> {
	const root = runRoot();
	const auditDir = harnessAuditDir();
	const report = scanDirs(root ? [auditDir, root] : [auditDir], AUDITED_SECRETS);
	if (report.hits.length > 0) {
		throw new Error(
			`[secrets audit] an API key leaked into what the tests recorded (${report.hits.length} hit(s)):\n${describeHits(report.hits)}`,
		);
	}
	process.stdout.write(
		`[secrets audit] clean: ${report.files} file(s), ${(report.bytes / 1024).toFixed(0)} KiB, ${AUDITED_SECRETS.length} key(s)\n`,
	);
	if (root) rmSync(root, { recursive: true, force: true });
}
