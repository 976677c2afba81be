/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Adversarial review, through n8n-core's PollContext against the simulator: runs finish while the
 * trigger walks the runs list. Run A (page 2) is read as still processing; right after that page is
 * served, A finishes, then B (page 1) finishes. The walk's closing re-read of page 1 shows B finished,
 * so the poll emits B and moves the cursor's `finishedAt` to B's updated_at. At the next poll A is
 * finished with an updated_at BEFORE finishedAt: `isHandled` takes it as handled and it is never
 * emitted. (cursor.ts isHandled/unhandledFinals; walk.ts re-reads only the newest page.)
 * Fixed: the cursor's finishedAt never passes the walk's start (cursor.ts walkStartBound/advanceFinished).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

import { PollHarness } from '../pollTrigger/harness';
import { API_KEYS, completed, emittedKeys, params, WF } from '../pollTrigger/sim';
import { startSim } from '../trigger/sim';

test('review: a run that finishes while the walk is past its page, before a newer run finishes, is emitted at a later poll', async () => {
	const sim: any = await startSim({ rateLimit: { general: 100000, submission: 100000 } });
	const target = new URL(sim.url);
	let armed = false;
	let page1: string[] = [];
	const finished: string[] = [];
	const proxy = http.createServer((req, res) => {
		const upstream = http.request(
			{ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
			(answer) => {
				const chunks: Buffer[] = [];
				answer.on('data', (c) => chunks.push(c));
				answer.on('end', async () => {
					const body = Buffer.concat(chunks);
					const send = () => {
						res.writeHead(answer.statusCode ?? 502, answer.headers);
						res.end(body);
					};
					const url = new URL(req.url ?? '/', 'http://x');
					if (!armed || !/\/runs\/$/.test(url.pathname)) return send();
					const page = Number(url.searchParams.get('page') ?? '1');
					const results = JSON.parse(body.toString()).results as Array<{ id: string; status: string }>;
					if (page === 1 && page1.length === 0) page1 = results.map((r) => r.id);
					if (page === 2 && finished.length === 0) {
						armed = false;
						const a = results[0].id;
						const b = page1[0];
						sim.finishRun(a);
						finished.push(a);
						await new Promise((r) => setTimeout(r, 20));
						sim.finishRun(b);
						finished.push(b);
					}
					// page 2 as it was read: A still processing
					send();
				});
			},
		);
		req.pipe(upstream);
	});
	await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
	const trigger = new PollHarness(`http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, API_KEYS.main, params(WF.invoice));
	try {
		sim.seedRuns(WF.invoice, { count: 150 }); // a batch under way: more than one page of 100
		await trigger.activate();
		armed = true;
		await trigger.poll();
		expect(finished).toHaveLength(2);
		await trigger.poll();
		await trigger.poll();
		// A is finished in Anyformat, and later than the polls' reading of it
		expect(sim.getRun(finished[0])?.status).toBe(sim.getRun(finished[1])?.status);
		const keys = emittedKeys(trigger);
		expect(keys).toContain(completed(finished[1]));
		expect(keys).toContain(completed(finished[0]));
	} finally {
		await new Promise((resolve) => proxy.close(resolve));
		await sim.close();
	}
});
