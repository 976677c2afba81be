/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * The polling trigger's items are the Anyformat node's Get Results items and the webhook trigger's
 * items for the same run, plus `anyformat.event_key`: one mapper for all three.
 */
import type { IDataObject } from 'n8n-workflow';

import { getResults, runAnyformat } from '../node/support';
import { API_KEYS, deliveredRun, withTrigger } from '../trigger/sim';
import { PollHarness } from './harness';
import { completed, params, rl, WF } from './sim';

const withoutKey = (items: IDataObject[]) =>
	items.map((item) => {
		const meta = item.anyformat as IDataObject | undefined;
		if (!meta || typeof meta !== 'object') return item;
		const { event_key: _key, ...rest } = meta;
		return { ...item, anyformat: rest };
	});

const CASES = [
	['invoice', 'simplified'],
	['invoice', 'detailed'],
	['invoice', 'raw'],
	['split', 'simplified'],
	['lineItems', 'detailed'],
	['parseOnly', 'simplified'],
	['falsyOverrides', 'simplified'],
] as const;

describe('items identical to Get Results and the webhook trigger', () => {
	test.concurrent.each(CASES)('%s workflow, %s output', async (scenario, output) => {
		const workflowId = WF[scenario];
		const options = { includeMarkdown: true, minimumConfidence: 90 };
		await withTrigger(
			{ events: ['extraction.completed'], workflowId: rl(workflowId), fetchResults: true, output, options },
			async (sim, webhook) => {
				const poll = new PollHarness(sim.url, API_KEYS.main, params(workflowId, { fetchResults: true, output, options }));
				await poll.activate();
				await webhook.activate();
				const id = await deliveredRun(sim, workflowId);
				await poll.poll();
				expect(poll.executions).toHaveLength(1);
				const polled = poll.executions[0].items;
				if (output !== 'raw') {
					expect(polled.every((item) => (item.anyformat as IDataObject).event_key === completed(id))).toBe(true);
				}
				const viaGetResults = await runAnyformat(sim, getResults(workflowId, id, { output, options }));
				expect(viaGetResults.error).toBeUndefined();
				expect(withoutKey(polled)).toEqual(viaGetResults.items.map((item) => item.json));
				expect(webhook.executions).toHaveLength(1);
				expect(withoutKey(polled)).toEqual(withoutKey(webhook.executions[0].items));
			},
		);
	});
});
