/* eslint-disable -- test code: n8n's lint rules govern the shipped node; test/ never ships ("files": ["dist"]) */
/**
 * `npm run verify` must fail on every violation n8n's community-package scanner would refuse. The
 * real script runs on temp copies of the package (built once): the untouched copy passes; one copy
 * with a single violation fails on it alone and exits 1; one copy holds every other violation, each
 * of which must be reported by its own check with its own message. (Three runs, not one per
 * violation: each run lints the whole source, about 6 s of CPU.)
 */
import { spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const VERIFY = join(ROOT, 'scripts', 'verify', 'index.js');
const PACKAGE_FILES = ['nodes', 'credentials', 'icons', '.github', 'package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'eslint.config.mjs', 'tsconfig.json'];
const env = { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}${delimiter}${process.env.PATH}` };

let work: string;
let base: string;

function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		child.stdout.on('data', (d) => (output += d));
		child.stderr.on('data', (d) => (output += d));
		child.on('error', reject);
		child.on('close', (code) => resolve({ code, output }));
	});
}

/** A copy of the built base package, changed by `plant`, then verified without rebuilding. */
async function verifyPlanted(name: string, plant: (dir: string) => void) {
	const dir = join(work, name);
	cpSync(base, dir, { recursive: true, verbatimSymlinks: true });
	plant(dir);
	return await run(process.execPath, [VERIFY, '--dir', dir, '--no-build'], ROOT);
}

const line = (output: string, check: string) => output.split('\n').find((l) => l.slice(6).startsWith(check)) ?? '';
const failed = (output: string) => output.split('\n').filter((l) => l.startsWith('FAIL  ')).map((l) => l.slice(6));

function editJson(file: string, edit: (json: any) => void) {
	const json = JSON.parse(readFileSync(file, 'utf8'));
	edit(json);
	writeFileSync(file, JSON.stringify(json, null, 2));
}

beforeAll(async () => {
	work = mkdtempSync(join(tmpdir(), 'anyformat-verify-test-'));
	base = join(work, 'base');
	for (const f of PACKAGE_FILES) cpSync(join(ROOT, f), join(base, f), { recursive: true });
	symlinkSync(join(ROOT, 'node_modules'), join(base, 'node_modules'));
	const build = await run('n8n-node', ['build'], base);
	if (build.code !== 0) throw new Error(`build of the temp copy failed:\n${build.output}`);
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

const PLANTS: Record<string, (dir: string) => void> = {
	'console.log in the built JavaScript only (tarball leg)': (dir) => {
		appendFileSync(join(dir, 'dist/nodes/Anyformat/Anyformat.node.js'), '\n/* eslint-disable */\nconsole.log("planted");\n');
	},
	'a postinstall script': (dir) => {
		editJson(join(dir, 'package.json'), (pkg) => (pkg.scripts.postinstall = 'node -e 1'));
	},
	'a stray file in the tarball': (dir) => {
		writeFileSync(join(dir, 'notes.txt'), 'not for the package\n');
		editJson(join(dir, 'package.json'), (pkg) => pkg.files.push('notes.txt'));
	},
	'a source map that points outside the package': (dir) => {
		const map = { version: 3, file: 'Router.js', sources: ['../../../../nodes/Anyformat/actions/router.ts'], mappings: '' };
		writeFileSync(join(dir, 'dist/nodes/Anyformat/actions/router.js.map'), JSON.stringify(map));
		appendFileSync(join(dir, 'dist/nodes/Anyformat/actions/router.js'), '\n//# sourceMappingURL=router.js.map\n');
	},
	'a version bumped without its CHANGELOG section': (dir) => {
		editJson(join(dir, 'package.json'), (pkg) => (pkg.version = '9.9.9'));
	},
	'strict mode off (no cloud support)': (dir) => {
		editJson(join(dir, 'package.json'), (pkg) => (pkg.n8n.strict = false));
	},
	'a publish workflow without the OIDC permission and with an actionlint error': (dir) => {
		const file = join(dir, '.github/workflows/publish.yml');
		const text = readFileSync(file, 'utf8')
			.replace(/^\s*id-token: write\n/m, '')
			.replace(/^(\s+)npm run release$/m, '$1echo "${{ github.evnt.name }}"\n$1npm run release');
		writeFileSync(file, text);
	},
};

let clean: Awaited<ReturnType<typeof run>>;
let single: Awaited<ReturnType<typeof run>>;
let many: Awaited<ReturnType<typeof run>>;

beforeAll(async () => {
	[clean, single, many] = await Promise.all([
		verifyPlanted('clean', () => {}),
		verifyPlanted('console-source', (dir) => {
			appendFileSync(
				join(dir, 'nodes/Anyformat/Anyformat.node.ts'),
				'\n// eslint-disable-next-line no-console\nconsole.log("planted");\n',
			);
		}),
		verifyPlanted('many', (dir) => Object.values(PLANTS).forEach((plant) => plant(dir))),
	]);
}, 180_000);

describe('npm run verify', () => {
	test('passes on the package as it is', () => {
		expect(failed(clean.output)).toEqual([]);
		expect(clean.output).toMatch(/verify: all \d+ checks passed/);
		expect(clean.code).toBe(0);
	});

	test('fails on console.log in a node behind an eslint-disable comment (source leg), and exits 1', () => {
		expect(failed(single.output)).toEqual(['scanner lint: source (package.json, nodes/, credentials/)']);
		expect(single.output).toMatch(/Anyformat\.node\.ts\n\s+\d+:\d+\s+error\s+Unexpected console statement\s+no-console/);
		expect(single.code).toBe(1);
	});

	describe('reports each planted violation with its own check', () => {
		test('exits 1', () => expect(many.code).toBe(1));

		test('console.log in the built JavaScript only (tarball leg)', () => {
			expect(line(many.output, 'scanner lint: packed tarball')).toMatch(/^FAIL/);
			expect(many.output).toMatch(/package\/dist\/nodes\/Anyformat\/Anyformat\.node\.js\n\s+\d+:\d+\s+error\s+Unexpected console statement\s+no-console/);
		});

		test('a postinstall script', () => {
			expect(line(many.output, 'no forbidden lifecycle scripts')).toMatch(/^FAIL/);
			expect(many.output).toContain('scripts.postinstall is a forbidden lifecycle script');
			// the scanner's own rule sees it too, in the source's and in the packed package.json
			expect(line(many.output, 'scanner lint: source')).toMatch(/^FAIL/);
			expect(many.output.match(/Lifecycle script "postinstall" is not allowed/g)).toHaveLength(2);
		});

		test('a stray file in the tarball', () => {
			expect(line(many.output, 'tarball holds only')).toMatch(/^FAIL/);
			expect(many.output).toContain('notes.txt is not dist/, package.json, README or licence');
		});

		test('a source map that points outside the package', () => {
			expect(line(many.output, 'no source maps pointing outside')).toMatch(/^FAIL/);
			expect(many.output).toContain('router.js.map points at nodes/Anyformat/actions/router.ts, which is not in the package');
		});

		test('a version bumped without its CHANGELOG section', () => {
			expect(line(many.output, 'CHANGELOG.md has a section for version 9.9.9')).toMatch(/^FAIL/);
			expect(many.output).toContain('CHANGELOG.md has no "## [9.9.9] - YYYY-MM-DD" section');
		});

		test('strict mode off (no cloud support)', () => {
			expect(line(many.output, 'cloud support')).toMatch(/^FAIL/);
			expect(many.output).toContain('n8n.strict is not true');
		});

		test('a publish workflow without the OIDC permission and with an actionlint error', () => {
			expect(line(many.output, 'GitHub workflows')).toMatch(/^FAIL/);
			expect(many.output).toContain('publish.yml needs permissions id-token: write');
			expect(many.output).toMatch(/publish\.yml:\d+:\d+: actionlint \[expression\] property "evnt" is not defined/);
		});

		test('and nothing that was not planted', () => {
			expect(failed(many.output).sort()).toEqual(
				[
					'cloud support (n8n-node cloud-support: strict mode, default eslint config)',
					'no forbidden lifecycle scripts',
					'CHANGELOG.md has a section for version 9.9.9',
					'GitHub workflows (YAML parses, actionlint, provenance publishing)',
					'scanner lint: source (package.json, nodes/, credentials/)',
					'tarball holds only dist/, package.json, README, licence',
					'no source maps pointing outside the tarball',
					'scanner lint: packed tarball (**/*.js, package.json)',
				].sort(),
			);
		});
	});
});
