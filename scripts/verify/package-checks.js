'use strict';
/** Checks on package.json and the eslint config: each returns a list of problems (empty = pass). */
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

/** The list of @n8n/eslint-plugin-community-nodes' rule no-forbidden-lifecycle-scripts (0.29–0.32). */
const FORBIDDEN_LIFECYCLE_SCRIPTS = [
	'prepare',
	'preinstall',
	'install',
	'postinstall',
	'prepublish',
	'preprepare',
	'postprepare',
];

/** What `n8n-node release` and `prerelease` need, and what n8n's starter declares. */
const REQUIRED_SCRIPTS = { release: 'n8n-node release', prepublishOnly: 'n8n-node prerelease' };

/** The one eslint config `n8n-node cloud-support` accepts, compared as it compares (whitespace folded). */
const DEFAULT_ESLINT_CONFIG = "import { config } from '@n8n/node-cli/eslint'; export default config;";

function readPackageJson(root) {
	return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
}

function lifecycleScriptProblems(pkg) {
	return Object.keys(pkg.scripts ?? {})
		.filter((name) => FORBIDDEN_LIFECYCLE_SCRIPTS.includes(name))
		.map((name) => `scripts.${name} is a forbidden lifecycle script (it would run on install)`);
}

function releaseScriptProblems(pkg) {
	return Object.entries(REQUIRED_SCRIPTS)
		.filter(([name, command]) => pkg.scripts?.[name] !== command)
		.map(([name, command]) => `scripts.${name} must be "${command}"`);
}

/** The test `n8n-node cloud-support` makes (commands/cloud-support.js, showCloudSupportStatus). */
function cloudSupportProblems(root, pkg) {
	const problems = [];
	if (pkg.n8n?.strict !== true) problems.push('package.json n8n.strict is not true');
	let config = '';
	try {
		config = readFileSync(join(root, 'eslint.config.mjs'), 'utf8');
	} catch {
		problems.push('eslint.config.mjs is missing');
		return problems;
	}
	if (config.replace(/\s+/g, ' ').trim() !== DEFAULT_ESLINT_CONFIG) {
		problems.push('eslint.config.mjs is not the default config of @n8n/node-cli');
	}
	return problems;
}

/** repository, bugs and homepage must name the same GitHub repository; the author needs an address. */
function metadataProblems(pkg) {
	const problems = [];
	const repoUrl = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
	const match = /github\.com\/([\w.-]+\/[\w.-]+?)(?:\.git)?$/.exec(repoUrl ?? '');
	if (!match) return ['repository.url is not a GitHub repository URL'];
	const repo = `github.com/${match[1]}`;
	const bugs = typeof pkg.bugs === 'string' ? pkg.bugs : pkg.bugs?.url;
	if (bugs !== `https://${repo}/issues`) problems.push(`bugs.url should be https://${repo}/issues`);
	if (!String(pkg.homepage ?? '').startsWith(`https://${repo}`)) {
		problems.push(`homepage should be the repository's page (https://${repo}#readme)`);
	}
	const email = typeof pkg.author === 'string' ? /<([^>]+)>/.exec(pkg.author)?.[1] : pkg.author?.email;
	if (!/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(email ?? '')) problems.push('author has no e-mail address');
	return problems;
}

/** The version being released has its own section in CHANGELOG.md (Keep a Changelog: `## [x.y.z] - date`). */
function changelogProblems(root, pkg) {
	let text;
	try {
		text = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
	} catch {
		return ['CHANGELOG.md is missing'];
	}
	const heading = new RegExp(`^## \\[${pkg.version.replace(/\./g, '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm');
	return heading.test(text) ? [] : [`CHANGELOG.md has no "## [${pkg.version}] - YYYY-MM-DD" section for package.json's version`];
}

module.exports = {
	changelogProblems,
	FORBIDDEN_LIFECYCLE_SCRIPTS,
	readPackageJson,
	lifecycleScriptProblems,
	releaseScriptProblems,
	cloudSupportProblems,
	metadataProblems,
};
