/** The queue-mode suite: n8n main, workers and webhook processes with Redis and Postgres (`npm run test:queue`). */
/** @type {import('jest').Config} */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test/queue'],
	testMatch: ['**/*.test.js'],
	testTimeout: 900000,
	maxWorkers: 1,
	reporters: ['default', '<rootDir>/test/reporters/summary.js'],
};
