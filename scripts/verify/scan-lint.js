'use strict';
/**
 * The lint stage of @n8n/scan-community-package (read from its 0.32.0 release, scanner/scanner.mjs:
 * `buildScanConfig`, `analyzePackage`, `SOURCE_FILE_PATTERNS`), rebuilt from this project's
 * devDependencies. The same rule sets and overrides, `no-console`, and `allowInlineConfig: false`, so
 * `eslint-disable` comments are ignored exactly as the scanner ignores them. The scanner pins
 * @n8n/eslint-plugin-community-nodes 0.29.0; we use 0.32.0 (the one @n8n/node-cli lints with), whose
 * recommended set is 0.29.0's plus `no-unsafe-connection-type-cast`.
 */
const glob = require('fast-glob');

/** What the scanner lints in the source checkout, and in the tarball. */
const SOURCE_FILE_PATTERNS = ['package.json', '{nodes,credentials}/**/*.{js,ts,json}'];
const TARBALL_FILE_PATTERNS = ['**/*.js', 'package.json'];

async function buildScanConfig() {
	const { defineConfig } = await import('eslint/config');
	const { n8nCommunityNodesPlugin } = await import('@n8n/eslint-plugin-community-nodes');
	const tsParser = await import('@typescript-eslint/parser');
	const n8nNodesPlugin = (await import('eslint-plugin-n8n-nodes-base')).default;
	const parser = tsParser.default ?? tsParser;
	return defineConfig(
		n8nCommunityNodesPlugin.configs.recommended,
		{ rules: { 'no-console': 'error' } },
		{ plugins: { 'n8n-nodes-base': n8nNodesPlugin } },
		{ files: ['package.json'], rules: { ...n8nNodesPlugin.configs.community.rules } },
		{
			files: ['**/credentials/**/*.ts'],
			rules: {
				...n8nNodesPlugin.configs.credentials.rules,
				'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
				'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
			},
		},
		{
			files: ['**/nodes/**/*.ts'],
			rules: {
				...n8nNodesPlugin.configs.nodes.rules,
				'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
				'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
				'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
			},
		},
		{ files: ['**/*.json'], languageOptions: { parser } },
		{ files: ['**/*.ts'], languageOptions: { parser } },
	);
}

/**
 * Lints `patterns` under `dir` the way the scanner's analyzePackage does.
 * @returns {Promise<{ files: number, errors: number, report: string }>}
 */
async function scanLint(dir, patterns) {
	const { ESLint } = await import('eslint');
	const eslint = new ESLint({
		cwd: dir,
		allowInlineConfig: false,
		overrideConfigFile: true,
		overrideConfig: await buildScanConfig(),
	});
	const files = glob.sync(patterns, {
		cwd: dir,
		absolute: true,
		ignore: ['node_modules/**', '**/package-lock.json'],
	});
	if (files.length === 0) return { files: 0, errors: 0, report: '' };
	const results = await eslint.lintFiles(files);
	const errors = results.reduce((sum, r) => sum + r.errorCount, 0);
	const report = errors ? await (await eslint.loadFormatter('stylish')).format(results) : '';
	return { files: files.length, errors, report };
}

module.exports = { scanLint, buildScanConfig, SOURCE_FILE_PATTERNS, TARBALL_FILE_PATTERNS };
