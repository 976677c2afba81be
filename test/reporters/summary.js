'use strict';
/**
 * Prints one plain closing line, "Tests: N passed, N failed, N skipped", that CI tools read in any
 * language (jest's own summary says "N passed, N total").
 */
class SummaryReporter {
	onRunComplete(_contexts, results) {
		const skipped = results.numPendingTests + results.numTodoTests;
		const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
		process.stdout.write(
			`\nTests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`,
		);
	}
}
module.exports = SummaryReporter;
