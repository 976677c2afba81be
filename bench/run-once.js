'use strict';
/**
 * One Run of the Anyformat node on one document, for the benchmark's child processes
 * (bench/upload-child.js, bench/url-trace-child.js): `binary` from a file streamed into n8n's binary
 * store, `url` from a link (Input Type URL), waiting for the results. Throws what the run failed with.
 */
require('./ts-register');

const { runNode } = require('../test/harness');
const { Anyformat } = require('../nodes/Anyformat/Anyformat.node');
const { AnyformatApi } = require('../credentials/AnyformatApi.credentials');

async function runOnce({ simUrl, apiKey, path, mode }) {
	const result = await runNode({
		nodeType: new Anyformat(),
		parameters: {
			resource: 'extraction',
			operation: 'run',
			workflowId: { __rl: true, mode: 'id', value: '0686bb97-8c30-70f0-8000-00000000a001' },
			...(mode === 'url' ? { inputType: 'url', url: path } : { inputType: 'binary' }),
			waitForResults: true,
			options: { maxDownloadSize: 10240 },
		},
		credentials: { anyformatApi: { apiKey, baseUrl: simUrl } },
		credentialTypes: [new AnyformatApi()],
		items: [mode === 'url' ? { json: {} } : { json: {}, binary: { data: { data: path, mimeType: 'application/pdf' } } }],
	});
	if (result.error) throw result.error;
	return result;
}

module.exports = { runOnce };
