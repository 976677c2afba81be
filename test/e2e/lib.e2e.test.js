'use strict';
// Fast checks of test/e2e/lib/n8n.js helpers that need no n8n.
const { parseRunOutput, unflatten, ExecutionResult } = require('./lib/n8n');

const run = {
	data: { resultData: { runData: { Set: [{ data: { main: [[{ json: { a: 1 }, pairedItem: { item: 0 } }]] } }] }, lastNodeExecuted: 'Set' } },
	mode: 'cli',
	status: 'success',
	finished: true,
};

describe('parseRunOutput', () => {
	test('finds the run JSON between log lines, even when the process crashed after printing', () => {
		const stdout = [
			'n8n Task Broker ready on 127.0.0.1, port 5711',
			'Some log line with { braces }',
			JSON.stringify(run, null, 2),
			'',
		].join('\n');
		const parsed = parseRunOutput(`${stdout}Segmentation fault (core dumped)\n`);
		expect(parsed).toEqual(run);
		expect(new ExecutionResult({ run: parsed }).items('Set')).toEqual([{ a: 1 }]);
	});
	test('reads the JSON n8n logs for a failed execution', () => {
		const failed = { ...run, data: { resultData: { runData: {}, error: { message: 'boom' } } }, finished: false, status: 'error' };
		const stdout = `Execution was NOT successful. See log message for details.\nExecution error:\n====================================\n${JSON.stringify(failed, null, 2)}\n`;
		const r = new ExecutionResult({ run: parseRunOutput(stdout) });
		expect(r.status).toBe('error');
		expect(r.error.message).toBe('boom');
	});
	test('null when there is no run data', () => {
		expect(parseRunOutput('nothing here\n{\n"a": 1\n}\n')).toBeNull();
	});
});

test('unflatten decodes the flatted format n8n stores execution data in', () => {
	// flatted.stringify({resultData: {runData: {}, lastNodeExecuted: 'Set'}, list: ['x', 'x']})
	const text = JSON.stringify([{ resultData: '1', list: '2' }, { runData: '3', lastNodeExecuted: '4' }, ['5', '5'], {}, 'Set', 'x']);
	expect(unflatten(text)).toEqual({ resultData: { runData: {}, lastNodeExecuted: 'Set' }, list: ['x', 'x'] });
});
