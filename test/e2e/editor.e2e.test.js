'use strict';
/**
 * The Anyformat nodes in n8n's editor (Debian chromium + playwright-core), on the newest pinned n8n and
 * the oldest supported one (N8N_E2E_EDITOR_VERSIONS to choose): the nodes panel, the trigger, the credential
 * dialog and its test, the node's operations and Run's parameters, the workflow picker, and the example
 * workflow executed from the editor. The driver is editor.js; it also takes the README's screenshots
 * (.cache/e2e-screenshots/<version>/; the newest version's are copied to docs/screenshots/ with
 * N8N_E2E_UPDATE_SCREENSHOTS=1).
 */
const fs = require('node:fs');
const path = require('node:path');
const { VERSIONS } = require('./lib/n8n');
const ex = require('./lib/examples');
const { CHROMIUM } = require('./browser-smoke');
const { runEditorChecks, README_SHOTS, SHOTS_DIR } = require('./editor');
const { createSimulator } = require('../simulator');

const versions = ex.versionsFromEnv(
	'N8N_E2E_EDITOR_VERSIONS',
	`${VERSIONS.latest},${VERSIONS.oldest}`,
);
const ICON = '/icons/n8n-nodes-anyformat/dist/icons/anyformat.svg';
/** First line of each label, without the "Fixed / Expression" switch. */
const labelNames = (labels) => [
	...new Set(
		labels.map((l) =>
			l
				.split('\n')[0]
				.trim()
				.replace(/^Credential to connect with$/, 'Credential'),
		),
	),
];
const compact = (text) => text.replace(/[\s\u00a0]+/g, '');
const expectIcons = (icons) => {
	expect(icons.length).toBeGreaterThan(0);
	for (const icon of icons) {
		expect(icon.src).toBe(ICON);
		expect(icon.width).toBeGreaterThan(0); // the SVG loaded and rendered
	}
};

describe.each(versions)('n8n %s: the nodes in the editor (chromium)', (version) => {
	let sim;
	let n8n;
	let seen;

	beforeAll(async () => {
		if (!fs.existsSync(CHROMIUM))
			throw new Error(`${CHROMIUM} missing: bash scripts/e2e/ensure-chromium.sh`);
		sim = await createSimulator({ processingMs: 500 });
		const tgz = ex.packPackage({ log: (m) => console.log(`[editor.e2e] ${m}`) });
		({ n8n } = await ex.n8nWithExamples({ version, sim, tgz }));
		await n8n.start();
		const t = Date.now();
		const shotsDir = path.join(SHOTS_DIR, version);
		// the README shows the newest n8n
		const updateDocs =
			process.env.N8N_E2E_UPDATE_SCREENSHOTS === '1' && version === VERSIONS.latest;
		seen = await runEditorChecks({ n8n, sim, shotsDir, updateDocs });
		fs.writeFileSync(path.join(shotsDir, 'seen.json'), JSON.stringify(seen, null, 2));
		console.log(
			`n8n ${version}: editor walk-through in ${Date.now() - t} ms; screenshots: ${Object.keys(seen.shots).join(', ')}`,
		);
	});
	afterAll(async () => {
		if (n8n) await n8n.dispose();
		if (sim) await sim.close();
	});

	test('searching "Anyformat" in the nodes panel finds both triggers, the webhook one with its icon and both events', () => {
		expect(seen.triggerSearch.names).toEqual(['Anyformat', 'Anyformat Polling']);
		expectIcons(seen.triggerSearch.icon);
		expect(seen.triggerPanel.text).toContain(
			'Starts the workflow when an Anyformat extraction completes or fails',
		);
		expect(seen.triggerPanel.text).toMatch(
			/Triggers \(2\)\s+On extraction completed\s+On extraction failed/,
		);
		expectIcons(seen.triggerPanel.icon);
	});

	test('the trigger opens with its parameters and icon', () => {
		expect(seen.triggerNdv.title).toContain('Anyformat Trigger');
		expect(labelNames(seen.triggerNdv.labels)).toEqual(
			expect.arrayContaining([
				'Credential',
				'Events',
				'Workflow',
				'Fetch Results',
				'Output',
				'Options',
			]),
		);
		expect(seen.triggerNdv.text).toContain('Webhook URLs');
		expect(seen.triggerNdv.text).toContain('Extraction Completed'); // the event picked in the panel
		expectIcons(seen.triggerNdv.icon);
	});

	test('the credential dialog shows its fields and icon, and its test tells a refused key from a good one', () => {
		const text = seen.credentialDialog.text;
		expect(text).toContain('Anyformat API');
		expect(text).toMatch(/API Key \*/);
		expect(text).toMatch(/Base URL \*/);
		expectIcons(seen.credentialDialog.icon);
		expect(seen.credentialRefused.text).toContain(
			'The API key was refused. Copy it again from app.anyformat.ai/settings.',
		);
		// n8n tested the credential against the simulator: refused with the wrong key, accepted with the right one
		expect(seen.credentialTest.authorized[0]).toBe(false);
		expect(seen.credentialTest.authorized[seen.credentialTest.authorized.length - 1]).toBe(true);
		expect(seen.credentialTest.selected).toContain('Anyformat account');
	});

	test('after a trigger, "Anyformat" lists the node\'s operations', () => {
		const text = seen.actions.text;
		expect(text).toMatch(/Actions \(7\)/);
		const extraction = text.slice(
			text.indexOf('EXTRACTION ACTIONS'),
			text.indexOf('WORKFLOW ACTIONS'),
		);
		expect(extraction.split('\n').slice(1).filter(Boolean)).toEqual([
			'Cancel a run',
			'Get many runs',
			'Get the results of a run',
			'Run a document through a workflow',
			'Wait for a run to finish',
		]);
		expect(text).toMatch(/WORKFLOW ACTIONS\s+Get a workflow\s+Get many workflows/);
		expectIcons(seen.actions.icon);
	});

	test("Run shows its parameters, and the workflow picker lists the account's workflows", () => {
		expect(labelNames(seen.runNdv.labels)).toEqual(
			expect.arrayContaining([
				'Credential',
				'Resource',
				'Operation',
				'Workflow',
				'Input Type',
				'Input Binary Field',
				'Wait for Results',
				'Output',
				'Options',
			]),
		);
		expect(seen.runNdv.text).toContain('The name of the binary property that holds the document');
		expectIcons(seen.runNdv.icon);
		expect(seen.workflowPicker).toEqual(
			expect.arrayContaining(['Invoices', 'Loan packet (split)', 'Parse only']),
		);
		expect(seen.runNdv.picked).toContain('Invoices');
	});

	test("the example workflow runs from the editor and Run shows the invoice's items", () => {
		expect(seen.canvas.nodes).toEqual([
			['Start', 'n8n-nodes-base.manualTrigger'],
			['Read Invoice PDF', 'n8n-nodes-base.readWriteFile'],
			['Extract Invoice', ex.NODE_TYPE],
		]);
		expectIcons(seen.canvas.icon);
		expect(labelNames(seen.executedNdv.labels)).toContain('Minimum Confidence');
		const out = compact(seen.output.text);
		expect(out).toContain('1item');
		expect(out).toContain('"invoice_number":"INV-2024-0847"');
		expect(out).toContain('"total_amount":4087.5');
		expect(out).toContain('"vendor_name":"AcmeCorp"');
		expect(out).toContain(`"workflow_id":"${ex.SCENARIO.invoice}"`);
		expect(out).toContain('"low_confidence_fields":["vendor_name"]');
	});

	test("the README's screenshots were taken", () => {
		for (const name of README_SHOTS) {
			const size = fs.statSync(seen.shots[name]).size;
			expect(size).toBeGreaterThan(10000);
			expect(size).toBeLessThan(400000);
		}
	});
});
