/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * A loopback file server for the URL input: each path is a scripted answer, and every request is
 * counted, so a test can see how often the node downloaded (probe + one per sending).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FileRoute {
	status?: number;
	headers?: Record<string, string>;
	/** the body; a function gets the request's number on this path (1-based) */
	body?: Buffer | string | ((n: number) => Buffer | string);
	/** send without Content-Length (chunked), in pieces of this many bytes */
	chunked?: number;
	/** on these request numbers, destroy the socket after this many body bytes */
	cutAfter?: { requests: number[]; bytes: number };
	/** answer on request n (1-based) with this status instead (e.g. 503 first, then the file) */
	statusOn?: Record<number, number>;
}

export interface FileServer {
	url: string;
	hits: Record<string, number>;
	route(path: string, route: FileRoute): void;
	close(): Promise<void>;
}

export async function startFileServer(routes: Record<string, FileRoute> = {}): Promise<FileServer> {
	const table = new Map(Object.entries(routes));
	const hits: Record<string, number> = {};
	const server = createServer((req: IncomingMessage, res: ServerResponse) => {
		const path = (req.url ?? '/').split('?')[0];
		const n = (hits[path] = (hits[path] ?? 0) + 1);
		const route = table.get(path);
		if (!route) {
			res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
			return;
		}
		const status = route.statusOn?.[n] ?? route.status ?? 200;
		const raw = typeof route.body === 'function' ? route.body(n) : (route.body ?? '');
		const body = Buffer.isBuffer(raw) ? raw : Buffer.from(raw);
		const headers: Record<string, string | number> = { ...(route.headers ?? {}) };
		if (!route.chunked) headers['Content-Length'] = body.length;
		res.writeHead(status, headers);
		if (status !== 200) {
			res.end(status >= 400 ? '' : body);
			return;
		}
		const cut = route.cutAfter?.requests.includes(n) ? route.cutAfter.bytes : undefined;
		const piece = route.chunked ?? 64 * 1024;
		let offset = 0;
		const pump = () => {
			while (offset < body.length) {
				if (cut !== undefined && offset >= cut) {
					res.socket?.destroy();
					return;
				}
				const end = Math.min(body.length, offset + piece, cut ?? Infinity);
				const more = res.write(body.subarray(offset, end));
				offset = end;
				if (!more) {
					res.once('drain', pump);
					return;
				}
			}
			if (cut !== undefined && offset >= cut) {
				res.socket?.destroy();
				return;
			}
			res.end();
		};
		pump();
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		hits,
		route: (path, route) => table.set(path, route),
		close: () =>
			new Promise<void>((resolve) => {
				server.closeAllConnections();
				server.close(() => resolve());
			}),
	};
}
