/** The simulator with the controls the polling-trigger suites use, and a trigger wired to it. */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { recordForAudit } from '../harness';
import type { Sim } from '../trigger/sim';
import { API_KEYS, rl, startSim, WF } from '../trigger/sim';
import { PollHarness } from './harness';

export { API_KEYS, rl, WF };

/** the simulator's handle (test/simulator/handle.ts) has every control the poll suites use */
export type PollSim = Sim;

export const FAIL_TEXT = 'Invoice INV-9 FAIL_EXTRACTION';

export async function withPoll<T>(
	parameters: INodeParameters,
	body: (sim: PollSim, trigger: PollHarness) => Promise<T>,
	simOptions: Record<string, unknown> = {},
): Promise<T> {
	const sim = (await startSim({ rateLimit: { general: 100000, submission: 100000 }, ...simOptions })) as PollSim;
	const trigger = new PollHarness(sim.url, API_KEYS.main, parameters);
	try {
		return await body(sim, trigger);
	} finally {
		recordForAudit('poll trigger executions', trigger.executions.length);
		await sim.close();
	}
}

/** The parameters of a trigger on one workflow (Fetch Results off unless given). */
export const params = (workflowId: string, extra: INodeParameters = {}): INodeParameters => ({
	workflowId: rl(workflowId),
	events: ['extraction.completed', 'extraction.failed'],
	fetchResults: false,
	...extra,
});

/** The event keys of one execution's items, once each, in order (a run may give several items). */
export function keysOf(items: IDataObject[]): string[] {
	const keys: string[] = [];
	for (const item of items) {
		const key = String(((item.anyformat ?? {}) as IDataObject).event_key ?? '');
		if (!keys.includes(key)) keys.push(key);
	}
	return keys;
}

/** Every run the trigger emitted, execution after execution (a run emitted twice shows twice). */
export function emittedKeys(trigger: PollHarness): string[] {
	return trigger.executions.flatMap((execution) => keysOf(execution.items));
}

export const completed = (id: string) => `extraction.completed:${id}`;
export const failed = (id: string) => `extraction.failed:${id}`;

export function listRequests(sim: PollSim, since = 0) {
	return sim.ledger.requests.slice(since).filter((r) => r.route === 'runs');
}

export function resultRequests(sim: PollSim, since = 0) {
	return sim.ledger.requests.slice(since).filter((r) => r.route === 'results');
}
