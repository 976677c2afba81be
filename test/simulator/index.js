'use strict';
// Local Anyformat API simulator (see README-style notes at the top of server.js and in the report).
//   const { createSimulator, SCENARIOS } = require('./test/simulator');
//   const sim = await createSimulator({ processingMs: 100 });  // sim.url, sim.apiKey, sim.ledger, ...
//   ... await sim.close();
const { Simulator, API_VERSION } = require('./server');
const { SCENARIOS } = require('./scenarios');
const { KINDS: FAULT_KINDS } = require('./faults');
const { EVENTS: WEBHOOK_EVENTS, READINGS: WEBHOOK_READINGS, sign } = require('./webhooks');
const { DEFAULTS } = require('./options');

/** Start a simulator listening on options.host:options.port (default 127.0.0.1, random port). */
async function createSimulator(options = {}) {
	const sim = new Simulator(options);
	await sim.listen();
	return sim;
}

module.exports = {
	createSimulator,
	SCENARIOS,
	FAULT_KINDS,
	WEBHOOK_EVENTS,
	API_VERSION,
	DEFAULTS,
	signWebhook: sign,
	WEBHOOK_READINGS,
	Simulator,
};
