'use strict';
/**
 * How every benchmark child process runs its `main`: an error is printed and sets the exit code, and
 * the harness's temporary files are removed whatever happened. `then` runs after a successful main.
 */
const fs = require('node:fs');

function runChildMain(main, then = () => {}) {
	const { cleanupHarnessTempDir, AUDIT_FILE } = require('../test/harness');
	return main()
		.then(then)
		.catch((error) => {
			process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
			process.exitCode = 1;
		})
		.finally(() => {
			cleanupHarnessTempDir();
			fs.rmSync(AUDIT_FILE, { force: true });
		});
}

module.exports = { runChildMain };
