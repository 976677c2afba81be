/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * The example workflows (examples/workflows/*.json) are the saved workflows a future version must not
 * break. Each one is loaded into n8n's Workflow against the package's current nodes (every saved
 * parameter and option must still exist, with no parameter issue), then run whole through n8n-core's
 * engine against the simulator, over real HTTP, and must produce its expected items
 * (expectations.ts). A new example file is picked up by itself and fails until its expectation is
 * written. Nodes of n8n itself are stand-ins (standins.ts); the document the file reader "reads" is
 * examples/documents/, streamed into n8n's binary store.
 */
import type { INodeType } from 'n8n-workflow';

import { recordForAudit } from '../harness';
import { loadWorkflow, runWorkflow } from '../harness/workflow';
import { API_KEYS } from '../setup/secrets';
import { TriggerHarness } from '../trigger/context';
import { credentialTypes, ex, exampleNodeTypes, savedNodeProblems } from './examples';
import { EXPECTATIONS, type Expectation, type ExampleContext, type Sim } from './expectations';

const simulator = require('../simulator') as { createSimulator(options: Record<string, unknown>): Promise<Sim> };

const NAMES = ex.exampleNames();
const nodeTypes = exampleNodeTypes();

const foreignTypesOf = (e: Expectation | undefined) => (e && typeof e !== 'function' ? e.foreignTypes : []);

/** A node type that only lets n8n's Workflow load a node of a package that is not installed here. */
const placeholder = (type: string): [string, INodeType] => [
	type,
	{ description: { displayName: type, name: type, group: [], version: 1, description: '', defaults: {}, inputs: [], outputs: [], properties: [] } as any },
];

async function withExample(name: string, body: (ctx: ExampleContext) => Promise<void>) {
	const sim = await simulator.createSimulator({
		apiKey: [API_KEYS.main, API_KEYS.other],
		allowHttpWebhooks: true,
		processingMs: 50,
	});
	const triggers: TriggerHarness[] = [];
	const saved = ex.exampleWorkflow(name);
	const ctx: ExampleContext = {
		sim,
		saved,
		run: (other = name) =>
			runWorkflow({
				workflow: other === name ? saved : ex.exampleWorkflow(other),
				nodeTypes,
				credentialTypes,
				credentials: { anyformatApi: { apiKey: API_KEYS.main, baseUrl: sim.url } },
			}),
		trigger: async () => {
			const node = saved.nodes.find((n) => n.type === `${ex.PACKAGE_NAME}.anyformatTrigger`);
			if (!node) throw new Error(`${name} has no Anyformat Trigger`);
			const harness = await new TriggerHarness({ baseUrl: sim.url, apiKey: API_KEYS.main, parameters: node.parameters }).start();
			triggers.push(harness);
			return harness;
		},
	};
	try {
		await body(ctx);
	} finally {
		await sim.webhooks.idle();
		recordForAudit(`example ${name}: simulator ledger`, sim.ledger.summary({ full: true }));
		for (const t of triggers) await t.stop();
		await sim.close();
		for (const t of triggers) if (t.errors.length) throw t.errors[0];
	}
}

describe('example workflows', () => {
	test('there are examples, and every expectation has its example', () => {
		expect(NAMES.length).toBeGreaterThan(0);
		const stale = Object.keys(EXPECTATIONS).filter((name) => !NAMES.includes(name));
		expect(stale).toEqual([]);
	});

	describe.each(NAMES)('%s', (name) => {
		test('still fits the nodes: every node type known, every saved parameter and option exists, no issues', () => {
			const saved = ex.exampleWorkflow(name);
			const foreign = foreignTypesOf(EXPECTATIONS[name]);
			const unknown = saved.nodes
				.filter((n) => !nodeTypes.has(n.type) && !foreign.includes(n.type))
				.map((n) => `${n.name} (${n.type})`);
			expect(unknown).toEqual([]);
			// n8n's Workflow takes it: connections name existing nodes, parameters resolve
			const loaded = loadWorkflow(saved, new Map([...nodeTypes, ...foreign.map((t) => placeholder(t))]));
			expect(Object.keys(loaded.nodes).sort()).toEqual(saved.nodes.map((n) => n.name).sort());
			const names = new Set(saved.nodes.map((n) => n.name));
			const targets = Object.entries(saved.connections).flatMap(([from, byType]) => [
				from,
				...Object.values(byType).flatMap((outputs) => (outputs ?? []).flatMap((c) => (c ?? []).map((x) => x.node))),
			]);
			expect(targets.filter((t) => !names.has(t))).toEqual([]);
			const problems = saved.nodes
				.filter((n) => n.type.startsWith(`${ex.PACKAGE_NAME}.`))
				.flatMap((n) => savedNodeProblems(n, nodeTypes.get(n.type) as INodeType));
			expect(problems).toEqual([]);
		});

		test('produces its expected items through n8n\'s engine', async () => {
			const expectation = EXPECTATIONS[name];
			if (!expectation) {
				throw new Error(`examples/workflows/${name}.json has no expectation: add one to test/examples/expectations.ts`);
			}
			if (typeof expectation !== 'function') {
				// load-only: checked above; say why it is not run, so the test report shows it
				expect(expectation.loadOnly).toMatch(/\S/);
				return;
			}
			await withExample(name, expectation);
		});
	});
});
