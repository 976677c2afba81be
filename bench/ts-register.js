'use strict';
/**
 * Lets plain `node` run this repository's TypeScript (the node, the test harness, the soak and the
 * benchmark) without a build: every `.ts` file required is transpiled in memory with the project's
 * own TypeScript (no type check, like ts-jest with isolatedModules). Extensionless requires resolve to
 * `.ts` files because the extension is registered.
 */
const fs = require('node:fs');
const Module = require('node:module');
const ts = require('typescript');

const compilerOptions = {
	module: ts.ModuleKind.CommonJS,
	target: ts.ScriptTarget.ES2022,
	esModuleInterop: true,
	resolveJsonModule: true,
	sourceMap: false,
	inlineSourceMap: true,
	useUnknownInCatchVariables: false,
};

function compileTs(module, filename) {
	const source = fs.readFileSync(filename, 'utf8');
	const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
	module._compile(outputText, filename);
}

// `.ts` first, as in jest.config.js (moduleFileExtensions): `./Anyformat.node` must find
// Anyformat.node.ts, not the codex file Anyformat.node.json next to it
const extensions = Module._extensions;
const others = { ...extensions };
for (const key of Object.keys(extensions)) delete extensions[key];
extensions['.ts'] = compileTs;
Object.assign(extensions, others);
