#!/usr/bin/env node
'use strict';
/**
 * `npm run bench`: the Anyformat node against the local simulator, side by side with the hand-built
 * baseline (bench/bench.ts). Prints the table (Markdown, as in README → Benchmark) and takes a few
 * minutes. Options: --docs 200 --seed 1 --upload-mb 1024 --partitions 1000; --only url (just the
 * Input Type URL download rows).
 * Scale rows (bench/scale.ts): --executions 100 --tenk-docs 10000 --live-heap-docs 2000 (0: skip a row);
 * --only scale runs only them.
 */
require('../bench/ts-register');

const args = process.argv.slice(2);
const option = (name, fallback) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};

async function main() {
	const { runBench } = require('../bench/bench');
	const { runScaleBench } = require('../bench/scale');
	const { cleanupHarnessTempDir, AUDIT_FILE } = require('../test/harness');
	const log = (line) => process.stderr.write(`${line}\n`);
	const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
	try {
		const result =
			only === 'scale'
				? { table: '| figure | this node | baseline | target | met |\n|---|---|---|---|---|', notes: '' }
				: await runBench({
						docs: option('docs', 200),
						seed: option('seed', 1),
						uploadBytes: option('upload-mb', 1024) * 1024 * 1024,
						partitions: option('partitions', 1000),
						only,
						log,
					});
		const scale = only === 'url' ? { rows: [], notes: [] } : await runScaleBench({
			executions: option('executions', 100),
			tenkDocs: option('tenk-docs', 10000),
			liveHeapDocs: option('live-heap-docs', 2000),
			seed: option('seed', 1),
			log,
		});
		const rows = scale.rows.map(([a, b, c, d, ok]) => `| ${a} | ${b} | ${c} | ${d} | ${ok === null ? '' : ok ? 'yes' : 'NO'} |`);
		const notes = [result.notes, ...scale.notes].filter(Boolean).join('\n');
		process.stdout.write(`\n${[result.table, ...rows].join('\n')}\n\n${notes}\n`);
	} finally {
		cleanupHarnessTempDir();
		require('node:fs').rmSync(AUDIT_FILE, { force: true });
	}
}

main().catch((error) => {
	process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
	process.exitCode = 1;
});
