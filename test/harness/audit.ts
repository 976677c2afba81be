/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Secrets-audit sink. Everything recorded here is appended as text to a per-worker file in
 * AUDIT_DIR; a global teardown (written separately) scans those files for leaked secrets.
 *
 * Record format (one per call):
 *   ===== <ISO time> | <test file> | <current test name> | <label> =====
 *   <text>
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

import { toAuditText } from './serialize';

export const AUDIT_DIR = join(tmpdir(), 'anyformat-audit');

const workerId = process.env.JEST_WORKER_ID ?? '0';
export const AUDIT_FILE = join(AUDIT_DIR, `worker-${workerId}-pid${process.pid}.log`);

let dirReady = false;

function currentTestInfo(): { file: string; test: string } {
	try {
		const state = (globalThis as { expect?: { getState?: () => Record<string, unknown> } }).expect?.getState?.();
		const testPath = typeof state?.testPath === 'string' ? relative(process.cwd(), state.testPath) : '';
		const testName = typeof state?.currentTestName === 'string' ? state.currentTestName : '';
		return { file: testPath, test: testName };
	} catch {
		return { file: '', test: '' };
	}
}

/** Append `value` (any value; errors/items are expanded) under `label` to this worker's audit file. */
export function recordForAudit(label: string, value: unknown): void {
	if (!dirReady) {
		mkdirSync(AUDIT_DIR, { recursive: true });
		dirReady = true;
	}
	const { file, test } = currentTestInfo();
	const header = `===== ${new Date().toISOString()} | ${file} | ${test} | ${label} =====`;
	appendFileSync(AUDIT_FILE, `${header}\n${toAuditText(value)}\n`);
}
