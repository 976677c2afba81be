/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * Every API key the suites hand to the node, in one place: the tests take their keys from here and
 * the global teardown (globalTeardown.ts) scans everything the suite recorded for each of them. A test
 * that needs another key adds it here, never inline.
 */
export const API_KEYS = {
	/** the key the simulator accepts */
	main: 'af_live_n8nSuite_Q7m2Xk9pR4tV8wZ1',
	/** a key the simulator refuses (401 tests) */
	wrong: 'af_live_n8nSuite_WrongKey_3hT6yU1o',
	/** a second accepted key (a run made with one organization's key, read with another) */
	other: 'af_live_n8nSuite_OtherOrg_5sD8fG2j',
} as const;

/** the simulator's default key, used by suites that take `sim.apiKey` */
const SIMULATOR_DEFAULT_KEY = (require('../simulator/options') as { DEFAULTS: { apiKey: string } }).DEFAULTS.apiKey;

export const AUDITED_SECRETS: string[] = [...Object.values(API_KEYS), SIMULATOR_DEFAULT_KEY];
