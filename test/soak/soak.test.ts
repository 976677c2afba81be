/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * The fault-injection soak at a small size (`npm run soak` runs it with 480 documents and over 1,000
 * faults). Seeded, one stream per route: the n-th submission (or results read) draws the same fault
 * whatever the other routes did meanwhile, so the order concurrency gives the requests changes which
 * document a fault hits, not how many are hit (a loaded CI machine drew 145 from one shared stream).
 * SOAK_DOCS, SOAK_RATE and SOAK_SEED override the size; SOAK_TRACE=1 prints every request.
 */
import { formatReport, runSoak } from './soak';

const { LOST_SUBMISSION_KINDS } = require('../simulator/faults') as { LOST_SUBMISSION_KINDS: string[] };

const docs = Number(process.env.SOAK_DOCS ?? 64);

test(`${docs} documents through Run and wait under ~200 injected faults of every kind: none run twice, none lost`, async () => {
	const report = await runSoak({
		docs,
		minFaults: 0,
		seed: Number(process.env.SOAK_SEED ?? 11),
		rate: Number(process.env.SOAK_RATE ?? 0.85),
		submissionRate: Number(process.env.SOAK_SUBMISSION_RATE ?? 0.25),
		slowFaults: 0,
		lostSubmissionFaults: 2,
		armEveryKind: true,
		log: (line) => process.stdout.write(`${line}\n`),
	});
	process.stdout.write(`\n${formatReport(report)}\n`);

	expect(report.duplicates).toBe(0);
	expect(report.lost).toEqual([]);
	expect(report.zeros).toEqual({ runTwice: 0, adoptedFromAnotherSubmitter: 0, succeededWithoutRunId: 0, lostSilently: 0 });
	const accounted = Object.entries(report.outcomes).filter(([k]) => k !== 'LOST').reduce((sum, [, n]) => sum + n, 0);
	expect(accounted).toBe(docs);
	expect(report.faultsTotal).toBeGreaterThanOrEqual(150);
	// every kind but `slow` (30 s each; `npm run soak` arms a few) was injected
	for (const kind of ['429', '429-no-retry-after', '500', '502', '503', '504', '502-html', '503-html', 'reset-before-read', 'reset-after-accept', 'reset-mid-upload', 'truncated-json', 'non-json', 'missing-keys', 'unknown-enum', 'flip-412', ...LOST_SUBMISSION_KINDS]) {
		expect(report.faults[kind] ?? 0).toBeGreaterThan(0);
	}
}, 120_000);
