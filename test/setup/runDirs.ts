/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Where one `jest` run writes. Several people (and CI) may run the suite at once on one machine, and
 * the harness's AUDIT_DIR lives under os.tmpdir(): the global setup points TMPDIR at a directory of
 * this run, so that the audit dir, n8n's temp folders and the tests' own temp files are this run's
 * alone, emptied at the start and scanned at the end without touching another run's files.
 */
import { join } from 'node:path';

export const RUN_ROOT_ENV = 'ANYFORMAT_TEST_RUN_DIR';

/** the harness's AUDIT_DIR, read after TMPDIR points at this run (audit.ts computes it on load) */
export function harnessAuditDir(): string {
	return (require('../harness/audit') as { AUDIT_DIR: string }).AUDIT_DIR;
}

export function runRoot(): string | undefined {
	return process.env[RUN_ROOT_ENV];
}

export const runRootFor = (base: string, pid: number) => join(base, `anyformat-jest-${pid}`);
