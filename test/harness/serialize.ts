/**
 * Turn arbitrary values (items, n8n errors with their `cause`/`context`/request options,
 * log metadata) into text for the secrets audit. Errors are expanded including their
 * non-enumerable `message`/`stack`/`name` and nested `cause`; circular references and very deep
 * nesting are cut; Buffers and streams are summarised (their bytes are file contents, not output).
 */
const MAX_DEPTH = 12;

function toPlain(value: unknown, seen: WeakSet<object>, depth: number): unknown {
	if (value === null || value === undefined) return value;
	switch (typeof value) {
		case 'string':
		case 'number':
		case 'boolean':
			return value;
		case 'bigint':
			return `${value.toString()}n`;
		case 'symbol':
			return value.toString();
		case 'function':
			return `[Function ${(value as { name?: string }).name || 'anonymous'}]`;
	}
	const obj = value as object;
	if (Buffer.isBuffer(obj)) return `[Buffer ${obj.length} bytes]`;
	if (obj instanceof Uint8Array || obj instanceof ArrayBuffer) return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
	if (obj instanceof Date) return obj.toISOString();
	if (obj instanceof URL) return obj.toString();
	if (obj instanceof RegExp) return obj.toString();
	if (typeof (obj as { pipe?: unknown }).pipe === 'function' && typeof (obj as { on?: unknown }).on === 'function') {
		return `[Stream ${obj.constructor?.name ?? ''}]`;
	}
	if (seen.has(obj)) return '[Circular]';
	if (depth >= MAX_DEPTH) return '[MaxDepth]';
	seen.add(obj);
	try {
		if (Array.isArray(obj)) return obj.map((v) => toPlain(v, seen, depth + 1));
		if (obj instanceof Map) {
			return { '[Map]': [...obj.entries()].map(([k, v]) => [toPlain(k, seen, depth + 1), toPlain(v, seen, depth + 1)]) };
		}
		if (obj instanceof Set) return { '[Set]': [...obj].map((v) => toPlain(v, seen, depth + 1)) };
		const out: Record<string, unknown> = {};
		if (obj instanceof Error) {
			out.name = obj.name;
			out.message = obj.message;
			out.stack = obj.stack;
			if ('cause' in obj) out.cause = toPlain((obj as { cause?: unknown }).cause, seen, depth + 1);
		}
		let keys: string[] = [];
		try {
			keys = Object.keys(obj);
		} catch {
			return '[Unreadable]';
		}
		for (const key of keys) {
			if (key in out) continue;
			let v: unknown;
			try {
				v = (obj as Record<string, unknown>)[key];
			} catch (e) {
				v = `[Getter threw: ${(e as Error)?.message}]`;
			}
			out[key] = toPlain(v, seen, depth + 1);
		}
		return out;
	} finally {
		seen.delete(obj);
	}
}

/** Like @n8n/backend-common Logger.serializeError: name, message, stack and the cause chain. */
export function serializeErrorLikeN8nLogger(error: unknown, seen = new Set<unknown>()): unknown {
	if (!(error instanceof Error)) return String(error);
	let cause: unknown;
	const errorCause = (error as { cause?: unknown }).cause;
	if (errorCause && !seen.has(errorCause)) {
		seen.add(errorCause);
		cause = serializeErrorLikeN8nLogger(errorCause, seen);
	}
	return { name: error.name, message: error.message, stack: error.stack, cause };
}

/**
 * Log metadata as n8n's real Logger would print it: top-level Error values go through
 * serializeError, then the whole object through JSON.stringify (honouring toJSON). Cycles are
 * cut instead of throwing.
 */
export function logMetadataText(metadata: unknown): string {
	if (metadata === undefined) return '';
	if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return toAuditText(metadata);
	const prepared: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(metadata as Record<string, unknown>)) {
		prepared[key] = value instanceof Error ? serializeErrorLikeN8nLogger(value) : value;
	}
	const ancestors: object[] = [];
	try {
		return JSON.stringify(prepared, function (this: unknown, _key, value: unknown) {
			if (typeof value === 'bigint') return `${value.toString()}n`;
			if (typeof value !== 'object' || value === null) return value;
			while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
			if (ancestors.includes(value)) return '[Circular]';
			ancestors.push(value);
			return value;
		});
	} catch (e) {
		return `[unserialisable log metadata: ${(e as Error)?.message}]`;
	}
}

/**
 * An error as n8n exposes it: the fields shown in the UI (name, message, description, context,
 * httpCode, stack) and the error's own toJSON() projection, which is what n8n persists for
 * ExecutionBaseError (it bounds `cause` to name+message, so a raw axios cause with request
 * headers is NOT included).
 */
export function errorForAudit(error: unknown): unknown {
	if (!(error instanceof Error) && (typeof error !== 'object' || error === null)) return error;
	const e = error as Error & Record<string, unknown>;
	const toJSON = typeof e.toJSON === 'function' ? (e.toJSON as () => unknown).call(e) : undefined;
	return {
		name: e.name,
		message: e.message,
		description: e.description,
		context: e.context,
		httpCode: e.httpCode,
		stack: e.stack,
		...(toJSON !== undefined ? { toJSON } : {}),
	};
}

export function toAuditText(value: unknown): string {
	if (typeof value === 'string') return value;
	try {
		return JSON.stringify(toPlain(value, new WeakSet(), 0), null, 1) ?? String(value);
	} catch (e) {
		return `[unserialisable: ${(e as Error)?.message}]`;
	}
}
