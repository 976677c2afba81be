'use strict';
/**
 * The Anyformat Polling Trigger in a real n8n (`n8n start` on loopback), with the example workflow
 * examples/workflows/poll-on-finished.json on a short poll schedule:
 *   1. activate (the first poll runs at once: two runs that finished before are not emitted);
 *   2. the simulator finishes 5 runs: exactly 5 runs reach executions, each once;
 *   3. n8n stops; 4. 3 more runs finish; 5. n8n starts: exactly those 3, each once;
 *   6. deactivate: a run finishing afterwards starts nothing.
 * Poll schedule: n8n 1.x refuses a cron whose seconds field contains "*", but takes a list of seconds,
 * so 1.101.1 polls every 5 s ("0,5,...,55 * * * * *") and gets one run per poll (5 executions). n8n 2.x
 * refuses any six-field cron whose seconds field is not a single number (`isSubMinuteCron`), so 2.41.1
 * polls every minute and the 5 runs, finished together, come in the executions of the polls that see
 * them (one, usually). Both versions run concurrently.
 * Versions: N8N_E2E_POLL_VERSIONS, else N8N_E2E_VERSIONS, else newest 2.x and oldest 1.x.
 */
const { VERSIONS } = require('./lib/n8n');
const ex = require('./lib/examples');
const { createSimulator } = require('../simulator');

const versions = ex.versionsFromEnv(
	'N8N_E2E_POLL_VERSIONS',
	process.env.N8N_E2E_VERSIONS || `${VERSIONS.latest},${VERSIONS.oldest}`,
);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const POLL_TYPE = `${ex.PACKAGE_NAME}.anyformatPollingTrigger`;
const EVERY_5_SECONDS = '0,5,10,15,20,25,30,35,40,45,50,55 * * * * *';

let tgz;
beforeAll(() => {
	tgz = ex.packPackage({ log: (m) => console.log(`[pollTrigger.e2e] ${m}`) });
	expect(ex.declaredInTarball(tgz).nodes).toContain(
		'dist/nodes/AnyformatPollingTrigger/AnyformatPollingTrigger.node.js',
	);
});

const subMinute = (version) => Number(version.split('.')[0]) < 2;

async function scenario(version) {
	const timings = {};
	const log = (m) => console.log(`[pollTrigger.e2e ${version}] ${m}`);
	const sim = await createSimulator({ processingMs: 1500 });
	const workflow = ex.exampleWorkflow('poll-on-finished');
	const node = workflow.nodes.find((n) => n.type === POLL_TYPE);
	const fast = subMinute(version);
	node.parameters.pollTimes = {
		item: [fast ? { mode: 'custom', cronExpression: EVERY_5_SECONDS } : { mode: 'everyMinute' }],
	};
	const intervalMs = fast ? 5000 : 60000;
	let n8n;
	try {
		let t = Date.now();
		({ n8n } = await ex.n8nWithExamples({ version, sim, tgz, workflows: { poll: workflow } }));
		await n8n.start();
		timings.setupAndStart = Date.now() - t;

		const executions = () => n8n.listExecutions({ workflowId: workflow.id });
		const keysOf = async (execution) => {
			const full = await n8n.getExecution(execution.id);
			const items = full.data.resultData.runData[node.name][0].data.main[0].map((i) => i.json);
			const handled = full.data.resultData.runData['Handle Results'][0].data.main[0];
			expect(handled).toHaveLength(items.length);
			return [...new Set(items.map((i) => i.anyformat.event_key))];
		};
		const allKeys = async () => {
			const list = (await executions()).sort((a, b) => Number(a.id) - Number(b.id));
			const keys = [];
			for (const e of list) {
				expect(e.status).toBe('success');
				keys.push(...(await keysOf(e)));
			}
			return keys;
		};
		const waitForKeys = async (count, timeoutMs) => {
			const until = Date.now() + timeoutMs;
			for (;;) {
				const done = (await executions()).filter((e) => !['running', 'new', 'waiting'].includes(e.status));
				if (done.length > 0) {
					const keys = await allKeys();
					if (keys.length >= count) return keys;
				}
				if (Date.now() > until) throw new Error(`timed out waiting for ${count} emitted runs`);
				await sleep(500);
			}
		};
		const polls = () => sim.ledger.count({ method: 'GET', route: 'runs' });
		const waitForPolls = async (n, timeoutMs = intervalMs * 2 + 15000) => {
			const target = polls() + n;
			const until = Date.now() + timeoutMs;
			while (polls() < target) {
				if (Date.now() > until) throw new Error(`no poll within ${timeoutMs} ms`);
				await sleep(200);
			}
		};

		const before = sim.seedRuns(ex.SCENARIO.invoice, { count: 2, finished: true });
		const five = sim.seedRuns(ex.SCENARIO.invoice, { count: 5 });
		const three = sim.seedRuns(ex.SCENARIO.invoice, { count: 3 });
		const late = sim.seedRuns(ex.SCENARIO.invoice, { count: 1 });

		// 1. activate: the first poll runs at once and emits nothing
		t = Date.now();
		await n8n.activate(workflow.id);
		timings.activate = Date.now() - t;
		for (let i = 0; i < 100 && polls() === 0; i++) await sleep(200);
		expect(polls()).toBeGreaterThan(0);
		expect(await executions()).toHaveLength(0);

		// 2. five runs finish
		t = Date.now();
		if (fast) {
			for (let i = 0; i < five.length; i++) {
				sim.finishRun(five[i]);
				await waitForKeys(i + 1, 30000);
			}
		} else {
			for (const id of five) sim.finishRun(id);
			await waitForKeys(5, intervalMs * 2 + 30000);
		}
		timings.fiveRuns = Date.now() - t;
		await waitForPolls(1); // a later poll emits none of them again
		let keys = await allKeys();
		// runs finished in the same millisecond come in id order, so compare as sets (and count)
		expect([...keys].sort()).toEqual(five.map((id) => `extraction.completed:${id}`).sort());
		if (fast) expect(keys).toEqual(five.map((id) => `extraction.completed:${id}`));
		const afterFive = (await executions()).length;
		if (fast) expect(afterFive).toBe(5);
		log(`5 runs in ${afterFive} execution(s)`);

		// 3.-5. stop, three runs finish while n8n is down, start again
		t = Date.now();
		await n8n.stop();
		for (const id of three) sim.finishRun(id);
		await n8n.start();
		keys = await waitForKeys(8, 60000);
		timings.restartToThree = Date.now() - t;
		await waitForPolls(1);
		keys = await allKeys();
		expect([...keys.slice(0, 5)].sort()).toEqual(five.map((id) => `extraction.completed:${id}`).sort());
		expect([...keys.slice(5)].sort()).toEqual(three.map((id) => `extraction.completed:${id}`).sort());
		expect(new Set(keys).size).toBe(8);
		for (const id of before) expect(keys).not.toContain(`extraction.completed:${id}`);

		// 6. deactivate: nothing more
		t = Date.now();
		await n8n.deactivate(workflow.id);
		timings.deactivate = Date.now() - t;
		const pollsAfter = polls();
		sim.finishRun(late[0]);
		await sleep(fast ? intervalMs * 2 : 5000);
		expect(polls()).toBe(pollsAfter);
		expect(await allKeys()).toHaveLength(8);
		timings.pollsTotal = polls();
		timings.executions = (await executions()).length;
		return timings;
	} finally {
		if (n8n) await n8n.dispose();
		await sim.close();
		console.log(`n8n ${version} polling trigger, ms: ${JSON.stringify(timings)}`);
	}
}

describe('Anyformat Polling Trigger in a real n8n', () => {
	test.concurrent.each(versions)('n8n %s: exactly once across a restart', async (version) => {
		const t = Date.now();
		const timings = await scenario(version);
		console.log(`n8n ${version} polling trigger total: ${Date.now() - t} ms ${JSON.stringify(timings)}`);
	});
});
