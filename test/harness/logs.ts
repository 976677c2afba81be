/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * In-memory capture of everything n8n-core, n8n-workflow's LoggerProxy, the ErrorReporter and
 * nodes write: log lines (with their metadata serialised), reported errors and console output.
 * A later test scans all of it for leaked secrets, so nothing is dropped or truncated. Metadata is
 * rendered the way n8n's real Logger (@n8n/backend-common) would print it.
 *
 * Scope: one list per Jest module registry, i.e. per test file.
 */
import { format } from 'node:util';

import { logMetadataText, serializeErrorLikeN8nLogger, toAuditText } from './serialize';

export type CapturedLogLevel =
	| 'error'
	| 'warn'
	| 'info'
	| 'debug'
	| 'errorReporter.error'
	| 'errorReporter.warn'
	| 'errorReporter.info'
	| 'console.log'
	| 'console.info'
	| 'console.warn'
	| 'console.error'
	| 'console.debug'
	| 'harness-gap';

export interface CapturedLog {
	level: CapturedLogLevel;
	/** message as passed to the logger, or the formatted console line */
	message: string;
	/** metadata / reported error / options, rendered like n8n's Logger does ('' when none) */
	meta: string;
	/** logger scopes, when the line came through `logger.scoped(...)` */
	scopes?: string[];
	time: number;
}

const captured: CapturedLog[] = [];

/** Set VERBOSE_N8N_LOGS=1 to also print n8n's log lines (they are always captured). */
const echo = process.env.VERBOSE_N8N_LOGS === '1';

function push(entry: Omit<CapturedLog, 'time'>) {
	captured.push({ ...entry, time: Date.now() });
	if (echo && !entry.level.startsWith('console.')) {
		process.stderr.write(`[n8n ${entry.level}] ${entry.message} ${entry.meta}\n`);
	}
}

export function getCapturedLogs(): CapturedLog[] {
	return captured.slice();
}

/** Index to pass to `getCapturedLogsSince` to get only lines produced after this point. */
export function capturedLogMark(): number {
	return captured.length;
}

export function getCapturedLogsSince(mark: number): CapturedLog[] {
	return captured.slice(mark);
}

export function clearCapturedLogs(): void {
	captured.length = 0;
}

export function capturedLogsAsText(logs: CapturedLog[] = captured): string {
	return logs
		.map((l) => `[${l.level}]${l.scopes?.length ? `[${l.scopes.join(',')}]` : ''} ${l.message}${l.meta ? ` ${l.meta}` : ''}`)
		.join('\n');
}

export function recordHarnessGap(message: string): void {
	push({ level: 'harness-gap', message, meta: '' });
	// make it visible even if n8n-core swallows the thrown error
	process.stderr.write(`${message}\n`);
}

type LogFn = (message: string, metadata?: unknown) => void;

/**
 * Quiet, capturing implementation of n8n's `Logger` (@n8n/backend-common) and of
 * n8n-workflow's `Logger` interface used by `LoggerProxy`.
 */
export class CapturingLogger {
	constructor(readonly scopes: string[] = []) {}

	private log(level: 'error' | 'warn' | 'info' | 'debug'): LogFn {
		return (message, metadata) =>
			push({
				level,
				message: typeof message === 'string' ? message : toAuditText(message),
				meta: logMetadataText(metadata),
				scopes: this.scopes.length ? this.scopes : undefined,
			});
	}

	error = this.log('error');
	warn = this.log('warn');
	info = this.log('info');
	debug = this.log('debug');

	scoped(scopes: string | string[]): CapturingLogger {
		return new CapturingLogger([...this.scopes, ...(Array.isArray(scopes) ? scopes : [scopes])]);
	}
}

/** Capturing stand-in for n8n-core's `ErrorReporter` (which would otherwise talk to Sentry). */
export class CapturingErrorReporter {
	error(e: unknown, options?: unknown): void {
		push({
			level: 'errorReporter.error',
			message: e instanceof Error ? e.message : String(e),
			meta: logMetadataText({ error: serializeErrorLikeN8nLogger(e), options }),
		});
	}

	warn(warning: unknown, options?: unknown): void {
		push({
			level: 'errorReporter.warn',
			message: warning instanceof Error ? warning.message : String(warning),
			meta: logMetadataText({ warning: serializeErrorLikeN8nLogger(warning), options }),
		});
	}

	info(msg: string, options?: unknown): void {
		push({ level: 'errorReporter.info', message: msg, meta: logMetadataText(options) });
	}

	async shutdown(): Promise<void> {}
}

let consoleCaptured = false;

/**
 * Tee console output into the capture list (it is still printed by Jest). Jest gives every test
 * file its own `console`, so this runs once per test file.
 */
export function captureConsole(): void {
	if (consoleCaptured) return;
	consoleCaptured = true;
	for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
		const original = console[method].bind(console);
		console[method] = (...args: unknown[]) => {
			push({ level: `console.${method}`, message: format(...args), meta: '' });
			original(...args);
		};
	}
}
