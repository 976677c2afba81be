'use strict';
/**
 * The editor in a real browser (Debian chromium via playwright-core) on the newest pinned n8n:
 * sign in, new workflow, nodes panel, search "Set". Screenshot in .cache/e2e-screenshots/.
 * N8N_E2E_BROWSER_VERSIONS=2.41.1,1.101.1 to try more versions.
 */
const fs = require('node:fs');
const { N8n, VERSIONS } = require('./lib/n8n');
const { runBrowserSmoke, CHROMIUM } = require('./browser-smoke');

const versions = (process.env.N8N_E2E_BROWSER_VERSIONS || VERSIONS.latest).split(',').filter(Boolean);

describe.each(versions)('editor in chromium, n8n %s', (version) => {
	let n8n;
	beforeAll(async () => {
		if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing: bash scripts/e2e/ensure-chromium.sh`);
		n8n = await N8n.start({ version });
	});
	afterAll(async () => n8n && (await n8n.dispose()));

	test('sign in, open the nodes panel, find the Set node', async () => {
		const { screenshot, found } = await runBrowserSmoke({ n8n });
		expect(found).toBe(true);
		expect(fs.statSync(screenshot).size).toBeGreaterThan(10000);
	});
});
