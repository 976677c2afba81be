'use strict';
/** The packed tarball: made with `npm pack` into a temp dir and extracted as the scanner extracts it. */
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync } = require('node:fs');
const { dirname, join, relative, resolve, sep } = require('node:path');

/** A published community package holds dist/, package.json, the README and the licence, nothing else. */
const ALLOWED_FILE = /^(dist\/.+|package\.json|README(\.md)?|LICEN[CS]E(\.md|\.txt)?)$/i;

/** `npm pack` into `tmp`, then `tar -xzf --strip-components=1`, like the scanner's downloadAndExtractPackage. */
function packAndExtract(root, tmp) {
	const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', tmp], {
		cwd: root,
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const [info] = JSON.parse(out);
	const dir = join(tmp, 'package');
	mkdirSync(dir, { recursive: true });
	execFileSync('tar', ['-xzf', join(tmp, info.filename), '-C', dir, '--strip-components=1']);
	return { dir, tarball: join(tmp, info.filename), files: info.files.map((f) => f.path), size: info.size };
}

function strayFileProblems(files) {
	return files.filter((f) => !ALLOWED_FILE.test(f)).map((f) => `${f} is not dist/, package.json, README or licence`);
}

function isInside(dir, path) {
	const rel = relative(dir, path);
	return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/** Problems of one .map: unreadable, or a source outside the package or not in it. */
function mapProblems(dir, mapFile) {
	let map;
	try {
		map = JSON.parse(readFileSync(join(dir, mapFile), 'utf8'));
	} catch {
		return [`${mapFile} is not a readable source map`];
	}
	const base = resolve(dir, dirname(mapFile), map.sourceRoot ?? '');
	return (map.sources ?? [])
		.map((source) => resolve(base, source))
		.filter((source) => !isInside(dir, source) || !existsSync(source))
		.map((source) => `${mapFile} points at ${relative(dir, source)}, which is not in the package`);
}

/** Source maps must not point outside the tarball: neither a .map's sources nor a .js's sourceMappingURL. */
function sourceMapProblems(dir, files) {
	const problems = [];
	for (const file of files.filter((f) => f.endsWith('.map'))) problems.push(...mapProblems(dir, file));
	for (const file of files.filter((f) => f.endsWith('.js'))) {
		const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(readFileSync(join(dir, file), 'utf8'))?.[1];
		if (!url || url.startsWith('data:')) continue;
		const target = resolve(dir, dirname(file), url);
		if (!isInside(dir, target) || !existsSync(target)) {
			problems.push(`${file} names source map ${url}, which is not in the package`);
		}
	}
	return problems;
}

module.exports = { packAndExtract, strayFileProblems, sourceMapProblems };
