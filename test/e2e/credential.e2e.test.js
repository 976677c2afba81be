'use strict';
/**
 * Issue 9, rule 6: "Test" on the Anyformat API credential, in a real n8n (`POST /rest/credentials/test`,
 * which runs the credential's `test.request` through n8n-core's RoutingNode and request helper). A Base
 * URL that answers 301 to another origin must not hand that origin the API key. Both loopback servers
 * record every request and its Authorization header. n8n copies the Authorization header onto every
 * redirect, cross-origin included, in 1.x and (by default, `sendCredentialsOnCrossOriginRedirect`) in
 * 2.x; the credential's `disableFollowRedirect: true` stops n8n following at all.
 * Versions: N8N_E2E_CREDENTIAL_VERSIONS, else N8N_E2E_VERSIONS, else newest 2.x and oldest 1.x.
 */
const http = require('node:http');
const { VERSIONS } = require('./lib/n8n');
const ex = require('./lib/examples');
const { createSimulator } = require('../simulator');

const versions = ex.versionsFromEnv(
	'N8N_E2E_CREDENTIAL_VERSIONS',
	process.env.N8N_E2E_VERSIONS || `${VERSIONS.latest},${VERSIONS.oldest}`,
);
const API_KEY = 'af_e2e_redirect_secret_key_0123456789';

/** A loopback server recording {method, url, authorization}; `answer(req, res)` replies. */
async function recorder(answer) {
	const seen = [];
	const server = http.createServer((req, res) => {
		seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization });
		req.resume();
		answer(req, res);
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${server.address().port}`;
	const close = () =>
		new Promise((resolve) => {
			server.closeAllConnections();
			server.close(() => resolve());
		});
	return { seen, url, close };
}

let tgz;
beforeAll(() => {
	tgz = ex.packPackage({ log: (m) => console.log(`[credential.e2e] ${m}`) });
});

describe.each(versions)('n8n %s: the credential test and redirects', (version) => {
	let n8n;
	let sim;
	let elsewhere; // another origin: whatever the redirect points at
	let base; // the Base URL the user typed: answers 301 to `elsewhere`
	const ids = {};

	beforeAll(async () => {
		sim = await createSimulator({ apiKey: API_KEY });
		elsewhere = await recorder((req, res) => {
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ count: 0, page: 1, page_size: 1, results: [] }));
		});
		base = await recorder((req, res) => {
			res.writeHead(301, { location: `${elsewhere.url}${req.url}` });
			res.end();
		});
		const { N8n } = require('./lib/n8n');
		n8n = await N8n.create({ version });
		await n8n.installPackageTarball(tgz);
		[ids.redirect, ids.good] = await n8n.importCredentials([
			{ name: 'Redirecting', type: 'anyformatApi', data: { apiKey: API_KEY, baseUrl: base.url } },
			{ name: 'Simulator', type: 'anyformatApi', data: { apiKey: API_KEY, baseUrl: sim.url } },
		]);
		await n8n.start();
	});
	afterAll(async () => {
		if (n8n) await n8n.dispose();
		for (const server of [sim, elsewhere, base]) if (server) await server.close();
	});

	const testCredential = (id, baseUrl) =>
		n8n.request('POST', 'rest/credentials/test', {
			credentials: { id, name: 'x', type: 'anyformatApi', data: { apiKey: API_KEY, baseUrl } },
		});

	test('a Base URL answering 301 to another origin: the test fails and that origin never gets the key', async () => {
		const result = await testCredential(ids.redirect, base.url);
		// the Base URL itself was asked, with the key (it is the origin the user chose)
		expect(base.seen).toEqual([
			expect.objectContaining({ url: '/v2/workflows/?page_size=1', authorization: `Bearer ${API_KEY}` }),
		]);
		// nothing at the other origin received the key (today: nothing there was asked at all)
		expect(elsewhere.seen.filter((r) => r.authorization !== undefined)).toEqual([]);
		expect(elsewhere.seen).toEqual([]);
		expect(result).toMatchObject({ status: 'Error' });
		expect(result.message).toMatch(/redirect \(HTTP 301\)/);
		expect(JSON.stringify(result)).not.toContain(API_KEY);
	});

	test('the Base URL of the API itself: the test passes', async () => {
		const result = await testCredential(ids.good, sim.url);
		expect(result).toMatchObject({ status: 'OK' });
		expect(sim.ledger.requests.filter((r) => r.route === 'workflows')).toHaveLength(1);
	});
});
