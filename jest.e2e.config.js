/** The end-to-end suite: a real n8n with the packed package installed (`npm run test:e2e`). */
/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/e2e'],
	testMatch: ['**/*.e2e.test.js'],
	testTimeout: 900000,
	maxWorkers: 1,
	reporters: ['default', '<rootDir>/test/reporters/summary.js'],
};
