/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Review (adversarial): RateLimiter instances (as separate processes) spending one organization budget
 * in fixed windows, answered by a small model of the server's limiter, on jest's fake clock. Uneven
 * demand, a client that appears mid-window, headers missing on some answers. The promise: at most one
 * 429 per window for the clients together (not counting a process's very first request, which knows
 * nothing of the budget yet), and they get their work done.
 *
 * 'a client appears mid-window' failed before rateLimiter.ts `noteOthers` read the first answer a
 * process gets: the newcomer's first request met the spent budget (one 429, fine), but it took
 * nobody else to be spending (it had no budget of its own to compare with), so in the next window
 * it sent its four workers at once while the first process, alone as far as it knew, had spent the
 * window at its start: four 429s in that window.
 */
import { RateLimiter } from '../../nodes/shared/transport/rateLimiter';

const NOW = 1_767_225_600_000;
const WINDOW_MS = 10_000;
const LIMIT = 20;
const LATENCY_MS = 40;

beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'], now: NOW }));
afterEach(() => jest.useRealTimers());

function server() {
	const spent = new Map<number, number>();
	const rejected = new Map<number, number>();
	return {
		rejected,
		/** serves one request at the current time: status and headers (some answers without them) */
		serve(
			bare: boolean,
			firstContact: boolean,
		): { status: number; headers: Record<string, string> } {
			const w = Math.floor((Date.now() - NOW) / WINDOW_MS);
			const end = NOW + (w + 1) * WINDOW_MS;
			const used = spent.get(w) ?? 0;
			const reset = ((end - Date.now()) / 1000).toFixed(3);
			if (used >= LIMIT) {
				// a process's very first request knows nothing of the budget: no pacer can keep it from a 429
				if (!firstContact) rejected.set(w, (rejected.get(w) ?? 0) + 1);
				return {
					status: 429,
					headers: {
						'retry-after': String(Math.ceil((end - Date.now()) / 1000)),
						'x-ratelimit-limit': String(LIMIT),
						'x-ratelimit-remaining': '0',
						'x-ratelimit-reset': reset,
					},
				};
			}
			spent.set(w, used + 1);
			if (bare) return { status: 200, headers: {} };
			return {
				status: 200,
				headers: {
					'x-ratelimit-limit': String(LIMIT),
					'x-ratelimit-remaining': String(LIMIT - used - 1),
					'x-ratelimit-reset': reset,
				},
			};
		},
	};
}

/** one process: `requests` done by `workers` at a time, each retried after a 429 */
async function client(
	limiter: RateLimiter,
	sim: ReturnType<typeof server>,
	requests: number,
	workers: number,
	bareEvery = 0,
) {
	let next = 0;
	let done = 0;
	const worker = async () => {
		while (next < requests) {
			const i = next++;
			for (;;) {
				const grant = await limiter.acquire(undefined, Date.now() + 120_000);
				// the server counts the request when it arrives, the answer comes back later
				const answer = sim.serve(bareEvery > 0 && i % bareEvery === 0, grant.seq === 0);
				await new Promise((resolve) => setTimeout(resolve, LATENCY_MS));
				limiter.release(grant, answer.status, answer.headers);
				if (answer.status !== 429) break;
			}
			done++;
		}
	};
	await Promise.all(Array.from({ length: workers }, worker));
	return done;
}

async function run(
	plan: Array<{ requests: number; workers: number; startMs: number; bareEvery?: number }>,
) {
	const sim = server();
	const clients = plan.map(async (p) => {
		await new Promise((resolve) => setTimeout(resolve, p.startMs));
		return await client(new RateLimiter(LIMIT, p.workers), sim, p.requests, p.workers, p.bareEvery);
	});
	let settled = false;
	const all = Promise.all(clients).finally(() => (settled = true));
	for (let t = 0; !settled && t < 200_000; t += 5) await jest.advanceTimersByTimeAsync(5);
	expect(settled).toBe(true);
	return { done: await all, rejected: sim.rejected };
}

const perWindow = (rejected: Map<number, number>) => Math.max(0, ...rejected.values());

test.each([
	[
		'two processes, even demand',
		[
			{ requests: 60, workers: 4, startMs: 0 },
			{ requests: 60, workers: 4, startMs: 0 },
		],
	],
	[
		'three processes, uneven demand',
		[
			{ requests: 90, workers: 4, startMs: 0 },
			{ requests: 20, workers: 2, startMs: 0 },
			{ requests: 5, workers: 1, startMs: 0 },
		],
	],
	[
		'a client appears mid-window',
		[
			{ requests: 80, workers: 4, startMs: 0 },
			{ requests: 40, workers: 4, startMs: 5_000 },
		],
	],
	[
		'three processes, two appearing mid-window',
		[
			{ requests: 80, workers: 4, startMs: 0 },
			{ requests: 30, workers: 3, startMs: 3_000 },
			{ requests: 30, workers: 2, startMs: 14_000 },
		],
	],
	[
		'headers missing on every third answer',
		[
			{ requests: 60, workers: 4, startMs: 0, bareEvery: 3 },
			{ requests: 60, workers: 4, startMs: 0, bareEvery: 3 },
		],
	],
])(
	'%s: every request done, at most one 429 a window',
	async (_name, plan) => {
		const { done, rejected } = await run(plan);
		expect(done).toEqual(plan.map((p) => p.requests));
		expect(perWindow(rejected)).toBeLessThanOrEqual(1);
	},
	120_000,
);
