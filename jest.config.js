/**
 * Jest configuration for n8n-nodes-anyformat.
 *
 * TypeScript is compiled by ts-jest in transpile-only mode (`isolatedModules: true` in
 * test/tsconfig.json), so test runs do not type-check; run `npx tsc -p test/tsconfig.json`
 * for that. Tests live under test/ and drive the nodes through n8n's real execution engine
 * (see test/harness).
 */
/** @type {import('jest').Config} */
module.exports = {
	preset: 'ts-jest',
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts', '**/*.test.js'],
	transform: {
		'^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
	},
	moduleFileExtensions: ['ts', 'js', 'json', 'node'],
	testTimeout: 60000,
	modulePathIgnorePatterns: ['<rootDir>/dist/'],
	// the real-n8n suites have their own configs (jest.e2e.config.js, jest.queue.config.js)
	testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/e2e/', '<rootDir>/test/queue/'],
	reporters: ['default', '<rootDir>/test/reporters/summary.js'],
	// a temp dir per run, an empty audit dir at the start, and the secrets audit at the end
	globalSetup: '<rootDir>/test/setup/globalSetup.ts',
	globalTeardown: '<rootDir>/test/setup/globalTeardown.ts',
};
