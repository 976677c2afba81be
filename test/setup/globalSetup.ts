/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Jest global setup: gives this run its own temp directory (see runDirs.ts) and starts it with an
 * empty audit dir, so that the teardown's secrets scan sees only what this run recorded.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { relative } from 'node:path';

import { harnessAuditDir, RUN_ROOT_ENV, runRootFor } from './runDirs';

export default async function globalSetup(): Promise<void> {
	const root = runRootFor(tmpdir(), process.pid);
	rmSync(root, { recursive: true, force: true });
	mkdirSync(root, { recursive: true });
	// set before anything computes a temp path: Jest's workers start after this and inherit it
	process.env.TMPDIR = root;
	process.env[RUN_ROOT_ENV] = root;

	const auditDir = harnessAuditDir();
	if (relative(root, auditDir).startsWith('..')) {
		throw new Error(`[secrets audit] the harness's AUDIT_DIR ${auditDir} is not under this run's ${root}`);
	}
	rmSync(auditDir, { recursive: true, force: true });
	mkdirSync(auditDir, { recursive: true });
}
