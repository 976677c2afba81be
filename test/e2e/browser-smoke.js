#!/usr/bin/env node
'use strict';
/**
 * Browser smoke test of a real n8n, in Debian's chromium through playwright-core:
 * sign in as the owner, open a new workflow, open the nodes panel, search "Set", take a screenshot.
 *
 *   node test/e2e/browser-smoke.js [--version 2.41.1] [--out x.png]  (default: .cache/e2e-screenshots/)
 * starts its own n8n (test/e2e/lib/n8n.js) and stops it afterwards; exit code 0 when the search lists
 * the Set node ("Edit Fields (Set)"). From a test: require('./browser-smoke').runBrowserSmoke({ n8n }).
 * Needs /usr/bin/chromium: bash scripts/e2e/ensure-chromium.sh.
 */
const fs = require('node:fs');
const path = require('node:path');
const { N8n, DEFAULT_VERSION } = require('./lib/n8n');

const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/**
 * Where the tests put their screenshots: a dot-folder the repo ignores (.cache/). Not under test/: n8n-node
 * build copies every *.png outside dist/ and node_modules/ (but none in dot-folders) into dist/, which
 * npm pack then ships.
 */
const SHOTS_DIR = path.join(__dirname, '../../.cache/e2e-screenshots');
const CHROMIUM_ARGS = [
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
	'--disable-dev-shm-usage',
];

/** Opens a browser page logged in to `n8n` (a started N8n). Returns {browser, context, page}. */
async function openLoggedIn(n8n, { viewport = { width: 1440, height: 900 } } = {}) {
	const { chromium } = require('playwright-core');
	if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: run bash scripts/e2e/ensure-chromium.sh`);
	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
	const context = await browser.newContext({ viewport });
	const page = await context.newPage();
	page.setDefaultTimeout(30000);
	await page.goto(new URL('signin', n8n.baseUrl).href);
	const email = page.locator('input[name="emailOrLdapLoginId"], input[name="email"], input[type="email"]').first();
	await email.fill(n8n.owner.email);
	await page.locator('input[name="password"], input[type="password"]').first().fill(n8n.owner.password);
	await page.locator('[data-test-id="form-submit-button"], button[type="submit"]').first().click();
	await page.waitForURL((u) => !/\/signin/.test(u.pathname), { timeout: 30000 });
	return { browser, context, page };
}

/** The smoke itself on a started n8n; returns {screenshot, found}. */
async function runBrowserSmoke({ n8n, screenshot }) {
	screenshot = screenshot || path.join(SHOTS_DIR, `browser-smoke-${n8n.version}.png`);
	fs.mkdirSync(path.dirname(screenshot), { recursive: true });
	const { browser, page } = await openLoggedIn(n8n);
	try {
		await page.goto(new URL('workflow/new', n8n.baseUrl).href);
		// close a first-run modal/tour if one shows up
		await page.keyboard.press('Escape').catch(() => {});
		// the nodes panel: the canvas "+" (empty workflow: "Add first step"), else the Tab shortcut
		const plus = page
			.locator('[data-test-id="canvas-add-button"], [data-test-id="node-creator-plus-button"], [data-test-id="canvas-plus-button"]')
			.first();
		try {
			await plus.click({ timeout: 15000 });
		} catch {
			await page.locator('body').click({ position: { x: 700, y: 450 } });
			await page.keyboard.press('Tab');
		}
		const search = page.locator('[data-test-id="node-creator-search-bar"] input, [data-test-id="node-creator-search-bar"], input[placeholder*="Search"]').first();
		await search.waitFor({ state: 'visible' });
		await search.fill('Set');
		const item = page.locator('[data-test-id="node-creator-item-name"]', { hasText: 'Edit Fields (Set)' }).first();
		let found = true;
		try {
			await item.waitFor({ state: 'visible', timeout: 20000 });
		} catch {
			found = (await page.getByText('Edit Fields (Set)').count()) > 0;
		}
		await page.waitForTimeout(500); // let the list settle for the picture
		await page.screenshot({ path: screenshot });
		return { screenshot, found };
	} catch (e) {
		await page.screenshot({ path: screenshot.replace(/\.png$/, '-failed.png') }).catch(() => {});
		throw e;
	} finally {
		await browser.close();
	}
}

async function main() {
	const args = process.argv.slice(2);
	const opt = (name, dflt) => {
		const i = args.indexOf(`--${name}`);
		return i >= 0 ? args[i + 1] : dflt;
	};
	const version = opt('version', DEFAULT_VERSION);
	const t0 = Date.now();
	const n8n = await N8n.start({ version });
	console.log(`n8n ${version} started on ${n8n.baseUrl} in ${n8n.startupMs} ms`);
	try {
		const { screenshot, found } = await runBrowserSmoke({ n8n, screenshot: opt('out') });
		console.log(`screenshot: ${screenshot}`);
		console.log(`"Edit Fields (Set)" listed: ${found} (${Date.now() - t0} ms in all)`);
		process.exitCode = found ? 0 : 1;
	} finally {
		await n8n.dispose();
	}
}

if (require.main === module) {
	main().catch((e) => {
		console.error(e);
		process.exit(1);
	});
}

module.exports = { runBrowserSmoke, openLoggedIn, CHROMIUM, CHROMIUM_ARGS, SHOTS_DIR };
