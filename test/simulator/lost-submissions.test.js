'use strict';
// The lost-submission fault kinds (issue 9), the files list's `name: null` and the older status words.
const { createSimulator, SCENARIOS } = require('./index');

const WID = SCENARIOS.invoice.id;
let sim;

afterEach(async () => {
	await sim?.close();
});

async function submit(text) {
	const form = new FormData();
	form.append('text', text);
	try {
		const r = await fetch(`${sim.url}/v2/workflows/${WID}/run/`, {
			method: 'POST',
			headers: { authorization: `Bearer ${sim.apiKey}` },
			body: form,
		});
		return { status: r.status, text: await r.text() };
	} catch (error) {
		return { error };
	}
}

test('504-html-after-create: the run exists, the answer is a gateway page', async () => {
	sim = await createSimulator();
	sim.faults.once('504-html-after-create');
	const r = await submit('a');
	expect(r.status).toBe(504);
	expect(r.text).toMatch(/<html/i);
	expect(sim.ledger.runs).toHaveLength(1);
	expect(sim.faults.injected['504-html-after-create']).toBe(1);
});

test('202-no-id: the run exists, the answer names no run', async () => {
	sim = await createSimulator();
	sim.faults.once('202-no-id');
	const r = await submit('a');
	expect(r.status).toBe(202);
	expect(JSON.parse(r.text).id).toBeUndefined();
	expect(sim.ledger.runs).toHaveLength(1);
});

test('reset-before-accept: the upload is read, no run, the connection reset', async () => {
	sim = await createSimulator();
	sim.faults.once('reset-before-accept');
	const r = await submit('a');
	expect(r.error).toBeDefined();
	expect(sim.ledger.uploads).toHaveLength(1);
	expect(sim.ledger.runs).toHaveLength(0);
});

test("other-submitter: another submitter's run in the same workflow, none of this request's", async () => {
	sim = await createSimulator();
	sim.faults.once('other-submitter');
	const r = await submit('mine');
	expect(r.error).toBeDefined();
	expect(sim.ledger.runs).toHaveLength(0);
	expect(sim.ledger.foreignRuns).toHaveLength(1);
	const foreign = sim.getRun(sim.ledger.foreignRuns[0].collectionId);
	expect(foreign).toMatchObject({ foreign: true, workflowId: WID, name: 'text.txt' });
});

test('accepted-no-answer: no answer, the run created later', async () => {
	sim = await createSimulator();
	sim.faults.configure({ hangMs: 100, lateRunMs: 400 });
	sim.faults.once('accepted-no-answer');
	const r = await submit('a');
	expect(r.error).toBeDefined();
	expect(sim.ledger.runs).toHaveLength(0);
	await sim.settled();
	expect(sim.ledger.runs).toHaveLength(1);
	expect(sim.ledger.runs[0].late).toBe(true);
});

test('legacyStatusWords: the lists use processing / completed / failed', async () => {
	sim = await createSimulator({ processingMs: 10, legacyStatusWords: true });
	await submit('a');
	await new Promise((resolve) => setTimeout(resolve, 50));
	const runs = await (
		await fetch(`${sim.url}/v2/workflows/${WID}/runs/`, {
			headers: { authorization: `Bearer ${sim.apiKey}` },
		})
	).json();
	expect(runs.results.map((r) => r.status)).toEqual(['completed']);
});

test('routeRates: a route gets its own fault rate', async () => {
	sim = await createSimulator();
	sim.faults.configure({ rate: 0, routeRates: { run: 1 }, kinds: ['500'] });
	expect((await submit('a')).status).toBe(500);
	const list = await fetch(`${sim.url}/v2/workflows/${WID}/runs/`, {
		headers: { authorization: `Bearer ${sim.apiKey}` },
	});
	expect(list.status).toBe(200);
});
