/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Adversarial review: a submission answered 5xx with the API's own envelope `retryable: true` is sent
 * again (retryDecision.ts afterAnswer: "the API's own word that nothing was done"). But the envelope's
 * `retryable` is set by error code (the simulator's own errors.js: INTERNAL_ERROR, BAD_GATEWAY,
 * SERVICE_UNAVAILABLE, GATEWAY_TIMEOUT are all retryable) and says "trying again may work", not "no run
 * was created"; the contract lists a 5xx to a POST as ambiguous. Here a proxy in front of the simulator
 * lets the first submission through (the run IS created) and answers it with the simulator's own
 * 500 INTERNAL_ERROR envelope: the node sends the document again and Anyformat runs it twice.
 * Fixed: a 5xx is never taken as "not taken" for a submission or a subscription.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { makeDocs, runBatch, startSimulator, type Sim } from '../batch/helpers';

let sim: Sim;
let proxy: http.Server;
let proxyUrl = '';
let faked = 0;

beforeEach(async () => {
	sim = await startSimulator({ processingMs: 20 });
	faked = 0;
	const target = new URL(sim.url);
	proxy = http.createServer((req, res) => {
		const upstream = http.request(
			{ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
			(answer) => {
				if (req.method === 'POST' && /\/run\/$/.test(req.url ?? '') && faked === 0) {
					faked++;
					answer.resume();
					answer.on('end', () => {
						res.writeHead(500, { 'content-type': 'application/json' });
						res.end(JSON.stringify({ error: 'Internal server error', detail: 'Unexpected error.', error_code: 'INTERNAL_ERROR', retryable: true, request_id: 'req_review' }));
					});
					return;
				}
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterEach(async () => {
	await new Promise((resolve) => proxy.close(resolve));
	await sim.close();
});

test('review: a submission answered 500 INTERNAL_ERROR (retryable: true) after the run was created is not sent again', async () => {
	const docs = makeDocs(1, () => 20, 'r500');
	const viaProxy = new Proxy(sim, { get: (t, p) => (p === 'url' ? proxyUrl : Reflect.get(t, p)) });
	await runBatch({ sim: viaProxy, docs, continueOnFail: true });
	expect(faked).toBe(1);
	expect(sim.ledger.duplicates()).toEqual([]);
	expect(sim.ledger.runs).toHaveLength(1);
});

import { decideRetry } from '../../nodes/shared/transport/retryDecision';

describe('review: the decision itself (retryDecision.ts afterAnswer, the `info.retryable === true` branch)', () => {
	const envelope = (code: string) => ({ error: 'x', detail: 'y', error_code: code, retryable: true, request_id: 'r' });
	test.each([
		['submission', 500, 'INTERNAL_ERROR'],
		['submission', 502, 'BAD_GATEWAY'],
		['submission', 504, 'GATEWAY_TIMEOUT'],
		// a webhook subscription: a second one is created and the first one's secret is lost
		['single', 500, 'INTERNAL_ERROR'],
	] as const)('a %s answered HTTP %i %s (retryable: true) is not sent again', (kind, status, code) => {
		const decision = decideRetry({ kind, result: { status, body: envelope(code) }, failures: 0, rateLimited: 0, now: 0, jitter: 1 });
		expect(decision.action).not.toBe('retry');
	});
});
