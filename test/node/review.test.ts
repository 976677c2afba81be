/**
 * Route For Review through n8n's engine against the simulator: the second output Needs Review (Get
 * Results, Wait, Run with waiting), pairing on both outputs, the flagged names and verification_url,
 * a reviewer's correction (value_override, verified) bringing the run back on Results, one output
 * when the option is off or the operation gives no results. The simulator's invoice scenario scores
 * vendor_name 61 and the other fields 88 to 97.
 */
import { WF, finishedRun, getResults, runAnyformat, runText, waitFor, withSim } from './support';

const review = (extra: Record<string, unknown> = {}) => ({ routeForReview: true, minimumConfidence: 70, ...extra });

describe('Route For Review', () => {
	test.concurrent('Get Results: a field under Minimum Confidence sends the item to Needs Review, with names and verification_url; pairing kept on both', async () => {
		await withSim(async (sim) => {
			const a = await finishedRun(sim, WF.invoice, 'Invoice INV-R1 Total: $1.00');
			const b = await finishedRun(sim, WF.invoice, 'Invoice INV-R2 Total: $2.00');
			const result = await runAnyformat(
				sim,
				getResults(WF.invoice, '={{ $json.id }}', { options: { routeForReview: true, minimumConfidence: '={{ $json.min }}' } }),
				{ items: [{ json: { id: a, min: 50 } }, { json: { id: b, min: 70 } }] },
			);
			expect(result.error).toBeUndefined();
			expect(result.outputs).toHaveLength(2);
			const [done, needsReview] = result.outputs;
			expect(done.map((i) => [i.json.invoice_number, i.pairedItem])).toEqual([['INV-R1', { item: 0 }]]);
			expect(done[0].json.anyformat).toMatchObject({ review_fields: [], low_confidence_fields: [] });
			expect(needsReview.map((i) => [i.json.invoice_number, i.pairedItem])).toEqual([['INV-R2', { item: 1 }]]);
			expect(needsReview[0].json.anyformat).toMatchObject({
				collection_id: b,
				review_fields: ['vendor_name'],
				low_confidence_fields: ['vendor_name'],
				verification_url: `https://app.anyformat.ai/workflows/${WF.invoice}/files/${b}/`,
			});
		});
	});

	test.concurrent('a reviewer corrects the field in the app: the next Get Results returns the override on Results', async () => {
		await withSim(async (sim) => {
			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-R3 Total: $3.00');
			const parameters = getResults(WF.invoice, id, { options: review() });
			const before = await runAnyformat(sim, parameters);
			expect(before.outputs.map((o) => o.length)).toEqual([0, 1]);
			expect(sim.reviewField(id, 'vendor_name', { value_override: 'Acme Corporation', verification_status: 'verified' })).toBe(true);
			const after = await runAnyformat(sim, parameters);
			expect(after.outputs.map((o) => o.length)).toEqual([1, 0]);
			expect(after.outputs[0][0].json).toMatchObject({
				invoice_number: 'INV-R3',
				vendor_name: 'Acme Corporation',
				anyformat: { review_fields: [], low_confidence_fields: ['vendor_name'] },
			});
		});
	});

	test.concurrent('Review Unverified Fields: every not-yet-verified field is flagged until a person verifies it', async () => {
		await withSim(async (sim) => {
			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-R4 Total: $4.00');
			const parameters = getResults(WF.invoice, id, { options: { routeForReview: true, reviewUnverified: true } });
			const before = await runAnyformat(sim, parameters);
			expect(before.outputs[1][0].json.anyformat).toMatchObject({
				review_fields: ['invoice_number', 'total_amount', 'vendor_name', 'invoice_date'],
			});
			for (const field of ['invoice_number', 'total_amount', 'vendor_name', 'invoice_date']) {
				sim.reviewField(id, field, { verification_status: 'verified' });
			}
			const after = await runAnyformat(sim, parameters);
			expect(after.outputs.map((o) => o.length)).toEqual([1, 0]);
		});
	});

	test.concurrent('Run with waiting and Wait route the same way; Run without waiting keeps one output', async () => {
		await withSim(async (sim) => {
			const run = await runAnyformat(sim, runText(WF.invoice, 'Invoice INV-R5 Total: $5.00', { options: review() }));
			expect(run.error).toBeUndefined();
			expect(run.outputs.map((o) => o.length)).toEqual([0, 1]);
			expect(run.outputs[1][0].json).toMatchObject({ invoice_number: 'INV-R5', anyformat: { review_fields: ['vendor_name'] } });

			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-R6 Total: $6.00');
			const wait = await runAnyformat(sim, waitFor(WF.invoice, id, { options: review() }));
			expect(wait.outputs.map((o) => o.length)).toEqual([0, 1]);

			const receipt = await runAnyformat(
				sim,
				runText(WF.invoice, 'Invoice INV-R7 Total: $7.00', { waitForResults: false, options: review() }),
			);
			expect(receipt.outputs).toHaveLength(1);
			expect(receipt.items[0].json).toHaveProperty('collection_id');
		});
	});

	test.concurrent('Raw output: the envelope is routed as it came, unchanged', async () => {
		await withSim(async (sim) => {
			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-R8 Total: $8.00');
			const result = await runAnyformat(sim, getResults(WF.invoice, id, { output: 'raw', options: review() }));
			expect(result.outputs.map((o) => o.length)).toEqual([0, 1]);
			expect(result.outputs[1][0].json).not.toHaveProperty('anyformat');
			expect(result.outputs[1][0].json).toHaveProperty('extractions');
		});
	});

	test.concurrent('with Continue On Fail an error item stays on Results, paired with its input', async () => {
		await withSim(async (sim) => {
			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-R9 Total: $9.00');
			const result = await runAnyformat(sim, getResults(WF.invoice, '={{ $json.id }}', { options: review() }), {
				items: [{ json: { id: 'not a valid id/..' } }, { json: { id } }],
				continueOnFail: true,
			});
			expect(result.outputs[0].map((i) => [Boolean(i.json.error), i.pairedItem])).toEqual([[true, { item: 0 }]]);
			expect(result.outputs[1].map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
		});
	});

	test.concurrent('as an AI agent tool (node type …Tool): one output, the flagged fields still named', async () => {
		await withSim(async (sim) => {
			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-R11 Total: $11.00');
			const result = await runAnyformat(sim, getResults(WF.invoice, id, { options: review() }), {
				typeName: 'n8n-nodes-anyformat.anyformatTool',
			});
			expect(result.error).toBeUndefined();
			expect(result.outputs).toHaveLength(1);
			expect(result.items[0].json).toMatchObject({ invoice_number: 'INV-R11', anyformat: { review_fields: ['vendor_name'] } });
		});
	});

	test.concurrent('option off: one output, as before', async () => {
		await withSim(async (sim) => {
			const id = await finishedRun(sim, WF.invoice, 'Invoice INV-R10 Total: $10.00');
			const result = await runAnyformat(sim, getResults(WF.invoice, id, { options: { minimumConfidence: 70 } }));
			expect(result.outputs).toHaveLength(1);
			expect(result.items[0].json.anyformat).not.toHaveProperty('review_fields');
		});
	});
});
