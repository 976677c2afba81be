/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * The Anyformat Polling Trigger through n8n-core's PollContext against the simulator: first activation,
 * ordering, volume, pages, failed polls, restarts, the failed event, bounded state, manual mode.
 */
import { MAX_RUNS_PER_POLL } from '../../nodes/AnyformatPollingTrigger/poll';
import {
	completed,
	emittedKeys,
	failed,
	FAIL_TEXT,
	listRequests,
	params,
	resultRequests,
	WF,
	withPoll,
} from './sim';

const ORDERS = ['desc', 'asc'] as const;

/** Each expected key exactly once, nothing else (runs finished in the same millisecond come in id order). */
function expectOnce(keys: string[], expected: string[]) {
	expect([...keys].sort()).toEqual([...expected].sort());
	expect(new Set(keys).size).toBe(keys.length);
}

describe('first activation', () => {
	test.concurrent.each(ORDERS)('starts from now (%s list): runs already finished are not emitted, runs under way are, once', async (runsOrder) => {
		await withPoll(params(WF.invoice), async (sim, trigger) => {
			sim.seedRuns(WF.invoice, { count: 5, finished: true });
			const [a, b] = sim.seedRuns(WF.invoice, { count: 2 });
			await trigger.activate();
			expect(trigger.executions).toHaveLength(0);
			sim.finishRun(b);
			sim.finishRun(a);
			await trigger.poll();
			expectOnce(emittedKeys(trigger), [completed(b), completed(a)]);
			await trigger.poll();
			await trigger.poll();
			expectOnce(emittedKeys(trigger), [completed(b), completed(a)]);
		}, { runsOrder });
	});

	test.concurrent('Include Runs Finished In The Last: a backlog on purpose, at activation', async () => {
		await withPoll(params(WF.invoice, { options: { includeFinishedWithin: 1 } }), async (sim, trigger) => {
			const ids = sim.seedRuns(WF.invoice, { count: 3, finished: true });
			await trigger.activate();
			expect(trigger.executions).toHaveLength(1);
			expectOnce(emittedKeys(trigger), ids.map(completed));
			await trigger.poll();
			expect(trigger.executions).toHaveLength(1);
		});
	});
});

describe('exactly once, whatever the order and the volume', () => {
	test.concurrent.each(ORDERS)('%s list: 750 runs finishing between two polls, over 8 pages, a late finisher created first', async (runsOrder) => {
		await withPoll(params(WF.invoice), async (sim, trigger) => {
			const [late] = sim.seedRuns(WF.invoice, { count: 1 });
			sim.seedRuns(WF.invoice, { count: 20, finished: true });
			await trigger.activate();
			const many = sim.seedRuns(WF.invoice, { count: 750 });
			for (const id of many) sim.finishRun(id);
			// the poll reads back to the late finisher (created before all of them), 100 emitted a poll
			const perPoll: number[] = [];
			for (let i = 0; i < 10; i++) {
				const mark = sim.ledger.requests.length;
				await trigger.poll();
				perPoll.push(listRequests(sim, mark).length);
			}
			console.log(`[poll cost ${runsOrder}] 750 runs finished between two polls: runs-list requests per poll ${JSON.stringify(perPoll)}`);
			expect(trigger.executions.every((e) => e.items.length <= MAX_RUNS_PER_POLL)).toBe(true);
			expectOnce(emittedKeys(trigger), many.map(completed));
			sim.finishRun(late);
			await trigger.poll();
			await trigger.poll();
			const keys = emittedKeys(trigger);
			expectOnce(keys, [...many.map(completed), completed(late)]);
			expect(keys[keys.length - 1]).toBe(completed(late));
		}, { runsOrder });
	});

	test.concurrent.each(ORDERS)('%s list: runs finishing while polls go on, each emitted once', async (runsOrder) => {
		await withPoll(params(WF.invoice), async (sim, trigger) => {
			await trigger.activate();
			const all: string[] = [];
			for (let round = 0; round < 6; round++) {
				const ids = sim.seedRuns(WF.invoice, { count: 30 });
				all.push(...ids);
				// half finish now, in reverse order of creation; the other half at the next round
				for (const id of all.filter((id) => sim.getRun(id)!.status !== 'processed').slice(0, 45).reverse()) sim.finishRun(id);
				await trigger.poll();
			}
			for (const id of all) sim.finishRun(id);
			await trigger.poll();
			await trigger.poll();
			expectOnce(emittedKeys(trigger), all.map(completed));
		}, { runsOrder });
	});

	test.concurrent('Extraction Failed only: failed and cancelled runs are emitted, completed ones never', async () => {
		await withPoll(params(WF.invoice, { events: ['extraction.failed'] }), async (sim, trigger) => {
			await trigger.activate();
			const ok = sim.seedRuns(WF.invoice, { count: 3, finished: true });
			const bad = sim.seedRuns(WF.invoice, { count: 2, text: FAIL_TEXT, finished: true });
			const [cancelled] = sim.seedRuns(WF.invoice, { count: 1 });
			sim.cancelRun(cancelled);
			await trigger.poll();
			await trigger.poll();
			expectOnce(emittedKeys(trigger), [...bad, cancelled].map(failed));
			expect(ok).toHaveLength(3);
		});
	});
});

describe('cost', () => {
	test.concurrent.each(ORDERS)('%s list: one runs-list request per idle poll; with Fetch Results, one results request per emitted run', async (runsOrder) => {
		await withPoll(params(WF.invoice, { fetchResults: true }), async (sim, trigger) => {
			sim.seedRuns(WF.invoice, { count: 250, finished: true });
			await trigger.activate();
			await trigger.poll(); // the order and count are known from here on
			const idle = sim.ledger.requests.length;
			await trigger.poll();
			await trigger.poll();
			expect(listRequests(sim, idle)).toHaveLength(2);
			expect(resultRequests(sim, idle)).toHaveLength(0);
			const ids = sim.seedRuns(WF.invoice, { count: 7, finished: true });
			const busy = sim.ledger.requests.length;
			await trigger.poll();
			expect(resultRequests(sim, busy)).toHaveLength(7);
			const lists = listRequests(sim, busy).length;
			expectOnce(emittedKeys(trigger), ids.map(completed));
			console.log(`[poll cost ${runsOrder}] idle: 1 runs-list request a poll; 7 runs: ${lists} runs-list + 7 results requests`);
		}, { runsOrder });
	});
});

describe('a poll that cannot finish emits nothing and loses nothing', () => {
	test.concurrent.each([
		['the runs list answers 503', 'runs'],
		['the results endpoint answers 503', 'results'],
	])('%s: the poll fails (n8n records it), the cursor does not move; the next poll emits every run once', async (_name, route) => {
		await withPoll(params(WF.invoice, { fetchResults: true }), async (sim, trigger) => {
			await trigger.activate();
			const ids = sim.seedRuns(WF.invoice, { count: 3, finished: true });
			const before = JSON.stringify(trigger.liveMemory);
			sim.faults.configure({ rate: 1, kinds: ['503'], routes: [route] });
			expect(await trigger.poll()).toBe(false);
			expect(trigger.errors).toHaveLength(1);
			expect(trigger.executions).toHaveLength(0);
			expect(JSON.stringify(trigger.liveMemory)).toBe(before);
			sim.faults.clear();
			expect(await trigger.poll()).toBe(true);
			expectOnce(emittedKeys(trigger), ids.map(completed));
		});
	});
});

describe('restarts: n8n keeps the cursor in the static data it saves after an emitting poll', () => {
	test.concurrent('runs that finish while n8n is down are emitted at the first poll after the start, each once', async () => {
		await withPoll(params(WF.invoice), async (sim, trigger) => {
			await trigger.activate();
			const first = sim.seedRuns(WF.invoice, { count: 5, finished: true });
			await trigger.poll();
			const pending = sim.seedRuns(WF.invoice, { count: 3 });
			await trigger.poll(); // nothing to emit: nothing saved, nothing lost
			trigger.deactivate(); // n8n stops
			for (const id of pending) sim.finishRun(id);
			await trigger.restart();
			await trigger.poll();
			expectOnce(emittedKeys(trigger), [...first, ...pending].map(completed));
		});
	});

	test.concurrent('where the guarantee ends: a crash after the emit but before n8n saved the static data emits the run again, with the same event key', async () => {
		await withPoll(params(WF.invoice), async (sim, trigger) => {
			await trigger.activate();
			const saved = structuredClone(trigger.persisted);
			const [id] = sim.seedRuns(WF.invoice, { count: 1, finished: true });
			await trigger.poll();
			trigger.persisted = saved; // the save after the emit never reached the database
			await trigger.restart();
			expect(emittedKeys(trigger)).toEqual([completed(id), completed(id)]);
		});
	});
});

describe('bounded state', () => {
	test('after 10,000 runs the static data is a few hundred bytes', async () => {
		await withPoll(params(WF.invoice), async (sim, trigger) => {
			await trigger.activate();
			const sizes: number[] = [];
			let total = 0;
			for (let round = 0; round < 100; round++) {
				total += sim.seedRuns(WF.invoice, { count: 100, finished: true }).length;
				await trigger.poll();
				sizes.push(JSON.stringify(trigger.persisted).length);
			}
			const keys = emittedKeys(trigger);
			expect(total).toBe(10_000);
			expect(keys).toHaveLength(10_000);
			expect(new Set(keys).size).toBe(10_000);
			console.log(`[poll state] after 10,000 runs: ${sizes[sizes.length - 1]} bytes of static data (max ${Math.max(...sizes)})`);
			expect(Math.max(...sizes)).toBeLessThan(5_000);
		});
	}, 120_000);
});

describe('Fetch Test Event (manual mode)', () => {
	test.concurrent('the most recent finished run, without touching the cursor', async () => {
		await withPoll(params(WF.invoice, { fetchResults: true }), async (sim, trigger) => {
			await trigger.activate();
			const before = structuredClone(trigger.persisted);
			const [, newest] = sim.seedRuns(WF.invoice, { count: 2, finished: true });
			sim.seedRuns(WF.invoice, { count: 1 });
			const items = await trigger.fetchTestEvent();
			expect(items).toHaveLength(1);
			expect((items[0].anyformat as any).collection_id).toBe(newest);
			expect(trigger.persisted).toEqual(before);
		});
	});

	test.concurrent('no finished run yet: a clear error', async () => {
		await withPoll(params(WF.invoice), async (sim, trigger) => {
			sim.seedRuns(WF.invoice, { count: 2 });
			await expect(trigger.fetchTestEvent()).rejects.toThrow(/No finished run of workflow .* yet/);
		});
	});
});
