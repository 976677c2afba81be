#!/usr/bin/env node
'use strict';
/**
 * The Anyformat nodes in n8n's editor, in Debian's chromium driven by playwright-core:
 *  1. new workflow -> "Add first step" -> search "Anyformat": the trigger, its icon and its triggers;
 *     add it and read its parameters;
 *  2. the credential dialog from the trigger: its fields, icon, and a saved credential whose test passes
 *     against the simulator;
 *  3. "+" after the trigger -> search "Anyformat": the node's actions (the operations); add Run and read
 *     its parameters; the workflow picker lists the simulator's workflows;
 *  4. the example workflow extract-invoice-from-file: canvas, executed from the editor, Run's parameters and
 *     its output items. These are the README's screenshots.
 * Returns what it saw (texts, icon sizes, screenshot paths); the test (editor.e2e.test.js) asserts on it.
 *
 * Screenshots go to .cache/e2e-screenshots/<version>/ (ignored by git and by n8n-node build). The README's three (canvas.png,
 * run-parameters.png, output-items.png) are also written to docs/screenshots/ when asked:
 *   node test/e2e/editor.js --update-screenshots [--version 2.41.1]   (Node 24: source scripts/node24.sh)
 * or N8N_E2E_UPDATE_SCREENSHOTS=1 for the test. Standalone, it starts its own simulator and n8n.
 */
const fs = require('node:fs');
const path = require('node:path');
const { openLoggedIn, SHOTS_DIR: SMOKE_SHOTS_DIR } = require('./browser-smoke');
const ex = require('./lib/examples');

const SHOTS_DIR = SMOKE_SHOTS_DIR;
const DOCS_SHOTS_DIR = path.join(ex.REPO_ROOT, 'docs/screenshots');
/** The screenshots the README shows. */
const README_SHOTS = ['canvas.png', 'run-parameters.png', 'output-items.png'];
const VIEWPORT = { width: 1440, height: 900 };

const tid = (id) => `[data-test-id="${id}"]`;

async function runEditorChecks({
	n8n,
	sim,
	shotsDir = SHOTS_DIR,
	updateDocs = false,
	log = () => {},
}) {
	fs.mkdirSync(shotsDir, { recursive: true });
	const seen = { shots: {} };
	const { browser, page } = await openLoggedIn(n8n, { viewport: VIEWPORT });
	const shot = async (name, opts = {}) => {
		const file = path.join(shotsDir, name);
		await (opts.locator
			? opts.locator.screenshot({ path: file })
			: page.screenshot({ path: file, ...opts }));
		seen.shots[name] = file;
		return file;
	};
	const ndv = page.locator(tid('ndv'));
	const creator = page.locator(tid('node-creator'));
	const closeNdv = async () => {
		await page.keyboard.press('Escape');
		await ndv.waitFor({ state: 'hidden' });
	};
	/** The package's icon as shown inside `scope`: {src, width} of each <img>, once they have loaded. */
	const iconOf = async (scope) => {
		const imgs = scope.locator('img[src*="n8n-nodes-anyformat"]').filter({ visible: true });
		await imgs.first().waitFor();
		const read = () =>
			imgs.evaluateAll((all) =>
				all.map((img) => ({
					src: img.getAttribute('src'),
					width: img.complete ? img.naturalWidth : 0,
				})),
			);
		let icons = await read();
		for (let i = 0; i < 25 && icons.some((x) => x.width === 0); i++) {
			await page.waitForTimeout(200);
			icons = await read();
		}
		return icons;
	};
	const parameterLabels = async () =>
		(
			await ndv
				.locator(
					`${tid('node-parameters')} ${tid('parameter-item')} label, ${tid('node-parameters')} ${tid('credentials-label')}`,
				)
				.allInnerTexts()
		)
			.map((t) => t.replace(/\s*\*$/, '').trim())
			.filter(Boolean);
	try {
		// ---- 1. the trigger from the nodes panel of an empty workflow
		log('new workflow, nodes panel, search "Anyformat" (triggers)');
		await page.goto(new URL('workflow/new', n8n.baseUrl).href);
		await page.locator(tid('canvas-add-button')).click();
		await page.locator(tid('node-creator-search-bar')).fill('Anyformat');
		const triggerItem = creator
			.locator(tid('node-creator-item-name'), { hasText: /^Anyformat$/ })
			.first();
		await triggerItem.waitFor();
		seen.triggerSearch = {
			names: await creator.locator(tid('node-creator-item-name')).allInnerTexts(),
			icon: await iconOf(creator),
			text: await creator.innerText(),
		};
		await shot('editor-trigger-search.png');
		await triggerItem.click();
		await creator.getByText('On extraction completed', { exact: true }).waitFor();
		seen.triggerPanel = { text: await creator.innerText(), icon: await iconOf(creator) };
		await creator.getByText('On extraction completed', { exact: true }).click();
		await ndv.waitFor();
		await ndv.locator(tid('node-parameters')).getByText('Fetch Results', { exact: true }).waitFor();
		seen.triggerNdv = {
			title: (await ndv.innerText()).slice(0, 200),
			labels: await parameterLabels(),
			text: await ndv.locator(tid('node-parameters')).innerText(),
			icon: await iconOf(ndv),
		};
		await shot('editor-trigger-parameters.png');

		// ---- 2. the credential dialog
		log('credential dialog');
		await ndv.locator(tid('node-credentials-select')).click();
		await page.getByText('Create new credential').first().click();
		const dialog = page.locator(tid('credential-edit-dialog'));
		await dialog.waitFor();
		await dialog.getByText('Base URL').first().waitFor();
		const modal = page.locator('.el-dialog, [role="dialog"]').filter({ has: dialog }).last();
		seen.credentialDialog = { text: await modal.innerText(), icon: await iconOf(modal) };
		await shot('editor-credential.png');
		// save it with a wrong key: n8n runs the credential's test (GET /v2/workflows/) and shows its message
		const field = (name) => dialog.locator(`${tid(`parameter-input-${name}`)} input`).first();
		await field('apiKey').fill('af_wrong_key_for_the_e2e_test');
		await field('baseUrl').fill(sim.url);
		const save = page.locator(tid('credential-save-button'));
		await save.click();
		const refused = dialog
			.getByText('Couldn’t connect with these settings')
			.or(dialog.getByText("Couldn't connect with these settings"));
		await refused.first().waitFor({ timeout: 30000 });
		await dialog
			.getByText('More details')
			.first()
			.click()
			.catch(() => {});
		await page.waitForTimeout(300);
		seen.credentialRefused = {
			text: `${await dialog.innerText()}\n${await page
				.locator('.el-popper:visible, [role="tooltip"]:visible')
				.allInnerTexts()
				.catch(() => [])}`,
		};
		await shot('editor-credential-refused.png');
		// the right key: the test passes, n8n closes the dialog and selects the new credential
		await field('apiKey').fill(sim.apiKey);
		await save.click();
		// n8n 2.x closes the dialog when the test passes; 1.x shows "Connection tested successfully"
		const passed = page
			.locator(tid('credentials-config-container-test-success'))
			.filter({ visible: true });
		await Promise.any([
			dialog.waitFor({ state: 'hidden', timeout: 30000 }),
			passed.first().waitFor({ timeout: 30000 }),
		]);
		if (await dialog.isVisible()) {
			await shot('editor-credential-tested.png');
			await page.keyboard.press('Escape');
			await dialog.waitFor({ state: 'hidden' });
		}
		const tests = sim.ledger.requests
			.filter((r) => r.route === 'workflows')
			.map((r) => r.authorized);
		seen.credentialTest = {
			authorized: tests,
			selected: await ndv
				.locator(tid('node-credentials-select'))
				.innerText()
				.catch(() => ''),
		};
		if (!seen.credentialTest.selected)
			seen.credentialTest.selected = await ndv
				.locator(`${tid('node-credentials-select')} input`)
				.first()
				.inputValue()
				.catch(() => '');
		await closeNdv();

		// ---- 3. the node, after the trigger
		log('"+" after the trigger, search "Anyformat" (actions)');
		await page.locator(tid('canvas-handle-plus')).first().click();
		await page.locator(tid('node-creator-search-bar')).fill('Anyformat');
		await creator
			.locator(tid('node-creator-item-name'), { hasText: /^Anyformat$/ })
			.first()
			.click();
		const runAction = creator.getByText('Run a document through a workflow', { exact: true });
		await runAction.waitFor();
		seen.actions = { text: await creator.innerText(), icon: await iconOf(creator) };
		await shot('editor-actions.png');
		await runAction.click();
		await ndv.waitFor();
		await ndv
			.locator(tid('node-parameters'))
			.getByText('Wait for Results', { exact: true })
			.waitFor();
		seen.runNdv = {
			labels: await parameterLabels(),
			text: await ndv.locator(tid('node-parameters')).innerText(),
			icon: await iconOf(ndv),
		};
		// the workflow picker (listSearch through the credential, against the simulator)
		await ndv.locator(tid('resource-locator-workflowId')).locator(tid('rlc-input')).click();
		const dropdown = ndv.locator(tid('resource-locator-workflowId'));
		await dropdown.locator(tid('rlc-item')).first().waitFor();
		seen.workflowPicker = await dropdown.locator(tid('rlc-item')).allInnerTexts();
		await shot('editor-workflow-picker.png');
		await dropdown.locator(tid('rlc-item'), { hasText: 'Invoices' }).first().click();
		const rlc = ndv.locator(tid('resource-locator-workflowId'));
		seen.runNdv.picked = [
			await rlc.innerText(),
			...(await rlc.locator('input').evaluateAll((is) => is.map((i) => i.value))),
		].join(' | ');
		await shot('editor-run-parameters.png');
		await closeNdv();

		// ---- 4. the README's pictures, from the example workflow
		log('example workflow: canvas, execute, Run parameters, output items');
		const wf = ex.exampleWorkflow('extract-invoice-from-file');
		await page.goto(new URL(`workflow/${wf.id}`, n8n.baseUrl).href);
		const runNode = page.locator(`${tid('canvas-node')}[data-node-name="Extract Invoice"]`);
		await runNode.waitFor();
		seen.canvas = {
			nodes: await page
				.locator(tid('canvas-node'))
				.evaluateAll((ns) =>
					ns.map((n) => [n.getAttribute('data-node-name'), n.getAttribute('data-node-type')]),
				),
			icon: await iconOf(runNode),
		};
		await page.locator(tid('execute-workflow-button')).first().click();
		const success = page.getByText('Workflow executed successfully');
		await success.waitFor({ timeout: 60000 });
		await runNode.locator(tid('canvas-node-status-success')).waitFor();
		// let the toast go, then picture the nodes and the note
		await page
			.locator('.el-notification__closeBtn, [class*="notification"] [class*="close"]')
			.first()
			.click({ timeout: 3000 })
			.catch(() => {});
		await success.waitFor({ state: 'hidden', timeout: 15000 }).catch(() => {});
		await page
			.locator(tid('canvas-wrapper'))
			.or(page.locator(tid('canvas')))
			.first()
			.hover({ position: { x: 5, y: 5 } })
			.catch(() => {});
		await shot('canvas.png', {
			clip: await clipAround(page, [tid('canvas-node'), tid('sticky')], 40),
		});

		await runNode.dblclick();
		await ndv.waitFor();
		const output = ndv
			.locator(tid('output-panel'))
			.or(ndv.locator(tid('ndv-output-panel')))
			.first();
		await output.getByText('INV-2024-0847').first().waitFor();
		// the example sets Options → Minimum Confidence; the collection renders a moment after the panel
		await ndv.locator(tid('node-parameters')).getByText('Minimum Confidence').first().waitFor();
		seen.executedNdv = {
			labels: await parameterLabels(),
			text: await ndv.locator(tid('node-parameters')).innerText(),
		};
		// drag the parameters panel to the left: the input panel (this machine's folder names) shrinks away
		// and the output gets the room
		const nb = await ndv.boundingBox();
		const handle = ndv.locator(tid('panel-drag-button')).first();
		const hb = await handle.boundingBox().catch(() => null);
		if (hb) {
			await page.mouse.move(hb.x + hb.width / 2, hb.y + hb.height / 2);
			await page.mouse.down();
			await page.mouse.move(nb.x + 40, hb.y + hb.height / 2, { steps: 12 });
			await page.mouse.up();
			await page.mouse.move(nb.x + nb.width - 200, nb.y + nb.height - 100); // away from the title
			await page.waitForTimeout(400);
		}
		await shot('run-parameters.png', { locator: ndv });
		// the output items as JSON
		await output
			.locator(tid('ndv-run-data-display-mode'))
			.getByText('JSON', { exact: true })
			.click();
		await output.getByText('low_confidence_fields').first().waitFor();
		const ob = await output.boundingBox();
		seen.output = { text: await output.innerText() };
		await shot('output-items.png', {
			clip: { x: ob.x, y: ob.y, width: ob.width, height: Math.min(ob.height, 560) },
		});
		await closeNdv();

		if (updateDocs) {
			fs.mkdirSync(DOCS_SHOTS_DIR, { recursive: true });
			for (const name of README_SHOTS)
				fs.copyFileSync(seen.shots[name], path.join(DOCS_SHOTS_DIR, name));
			seen.docs = README_SHOTS.map((n) => path.join(DOCS_SHOTS_DIR, n));
			log(`README screenshots updated in ${path.relative(ex.REPO_ROOT, DOCS_SHOTS_DIR)}/`);
		}
		return seen;
	} catch (e) {
		await page.screenshot({ path: path.join(shotsDir, 'editor-failed.png') }).catch(() => {});
		e.message += ` (seen so far: ${Object.keys(seen).join(', ')}; page: ${path.join(shotsDir, 'editor-failed.png')})`;
		throw e;
	} finally {
		await browser.close();
	}
}

/** A clip rectangle around every element matching the selectors, with padding, inside the viewport. */
async function clipAround(page, selectors, pad) {
	const boxes = [];
	for (const sel of selectors) {
		for (const el of await page.locator(sel).all()) {
			const b = await el.boundingBox();
			if (b) boxes.push(b);
		}
	}
	if (!boxes.length) return undefined;
	const vp = page.viewportSize();
	const x = Math.max(0, Math.min(...boxes.map((b) => b.x)) - pad);
	const y = Math.max(0, Math.min(...boxes.map((b) => b.y)) - pad);
	const right = Math.min(vp.width, Math.max(...boxes.map((b) => b.x + b.width)) + pad);
	const bottom = Math.min(vp.height, Math.max(...boxes.map((b) => b.y + b.height)) + pad);
	return { x, y, width: right - x, height: bottom - y };
}

async function main() {
	const args = process.argv.slice(2);
	const opt = (name, dflt) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 ? args[i + 1] : dflt;
	};
	const { VERSIONS } = require('./lib/n8n');
	const { createSimulator } = require('../simulator');
	const version = opt('version', VERSIONS.latest);
	const t0 = Date.now();
	const sim = await createSimulator({ processingMs: 500 });
	const tgz = ex.packPackage({ log: (m) => console.log(m) });
	const { n8n } = await ex.n8nWithExamples({ version, sim, tgz });
	try {
		await n8n.start();
		console.log(`n8n ${version} on ${n8n.baseUrl}`);
		const shotsDir = path.join(SHOTS_DIR, version);
		const seen = await runEditorChecks({
			n8n,
			sim,
			shotsDir,
			updateDocs: args.includes('--update-screenshots'),
			log: (m) => console.log(`- ${m}`),
		});
		fs.writeFileSync(path.join(shotsDir, 'seen.json'), JSON.stringify(seen, null, 2));
		for (const [name, file] of Object.entries(seen.shots))
			console.log(
				`screenshot ${name}: ${path.relative(process.cwd(), file)} (${fs.statSync(file).size} bytes)`,
			);
		console.log(`done in ${Date.now() - t0} ms`);
	} finally {
		await n8n.dispose();
		await sim.close();
	}
}

if (require.main === module) {
	main().catch((e) => {
		console.error(e);
		process.exit(1);
	});
}

module.exports = { runEditorChecks, README_SHOTS, SHOTS_DIR, DOCS_SHOTS_DIR };
