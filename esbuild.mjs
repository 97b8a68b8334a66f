// One bundler, named builds. `node esbuild.mjs [--production] [--watch] [name…]`.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));

/** Prints errors in the `$esbuild-watch` problem-matcher format used by .vscode/tasks.json. */
const problemMatcher = {
	name: 'problem-matcher',
	setup(build) {
		build.onStart(() => console.log('[watch] build started'));
		build.onEnd((result) => {
			for (const { text, location } of result.errors) {
				console.error(`✘ [ERROR] ${text}`);
				if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
			}
			console.log('[watch] build finished');
		});
	},
};

const common = {
	bundle: true,
	sourcemap: !production,
	sourcesContent: false,
	minify: production,
	logLevel: 'warning',
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	plugins: watch ? [problemMatcher] : [],
	// The package's ESM build (picked for `import` statements) locates itself with `import.meta.url`,
	// which is empty in a CommonJS bundle; its CommonJS build uses `__dirname` and loads the same wasm.
	alias: { 'web-tree-sitter': './node_modules/web-tree-sitter/web-tree-sitter.cjs' },
};

/** Native addons (and the loader that finds their binaries) cannot be bundled; they load from node_modules. */
const NATIVE = ['better-sqlite3', 'sqlite-vec'];

/** @type {Record<string, import('esbuild').BuildOptions>} */
const builds = {
	/** Extension host: `vscode` is provided at runtime. Parser and tokenizer are NOT bundled here (they load in the worker). */
	extension: { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
	/** Analysis worker: parser + tokenizer live here, off the extension host's main thread. */
	analysisWorker: { ...common, entryPoints: ['src/analysisWorker/main.ts'], outfile: 'dist/analysisWorker.js' },
	/** CLI: the same core, with a shebang so `npx costlens` runs it. Native modules load from node_modules. */
	cli: { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, external: ['./scanCommand', './pipelineCommands'] },
	/** `costlens scan`: the analysis core with the TypeScript compiler. */
	scanCommand: { ...common, entryPoints: ['src/cli/scanCommand.ts'], outfile: 'dist/scanCommand.js' },
	/** `costlens run | replay | usage | cache`: the pipeline, without the compiler. */
	pipelineCommands: { ...common, entryPoints: ['src/cli/pipelineCommands.ts'], outfile: 'dist/pipelineCommands.js', external: NATIVE },
	/** Sidecar: the pipeline behind JSON-RPC over stdio, started by the extension on first use. */
	sidecar: { ...common, entryPoints: ['src/sidecar/main.ts'], outfile: 'dist/sidecar.js', external: NATIVE },
	/** Playground webview: a browser bundle, loaded by the webview by nonce (no Node, no `vscode`). */
	webview: { ...common, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview/playground.js' },
};

/** The semantic cache's Hamming-scan kernel: readable .wat assembled to dist/hammingScan.wasm (src/sidecar/semantic/bitIndex.ts loads it, else scans in JS). */
async function buildWasm() {
	const source = 'src/sidecar/semantic/hammingScan.wat';
	const wabt = await (await import('wabt')).default();
	const wasm = wabt.parseWat(source, fs.readFileSync(source, 'utf8'));
	wasm.validate();
	fs.mkdirSync('dist', { recursive: true });
	fs.writeFileSync('dist/hammingScan.wasm', wasm.toBinary({}).buffer);
	wasm.destroy();
}
if (only.length === 0 || only.includes('hammingScan')) await buildWasm();

/** The Python parser's binaries (web-tree-sitter runtime + the grammar's own wasm), read by src/node/pythonParser.ts from beside the bundles. */
function copyPythonWasm() {
	fs.mkdirSync('dist', { recursive: true });
	fs.copyFileSync('node_modules/web-tree-sitter/web-tree-sitter.wasm', 'dist/web-tree-sitter.wasm');
	fs.copyFileSync('node_modules/tree-sitter-python/tree-sitter-python.wasm', 'dist/tree-sitter-python.wasm');
}
if (only.length === 0 || only.includes('analysisWorker') || only.includes('scanCommand')) copyPythonWasm();

const selected = Object.entries(builds).filter(([name]) => only.length === 0 || only.includes(name));
if (watch) {
	const contexts = await Promise.all(selected.map(([, options]) => esbuild.context(options)));
	await Promise.all(contexts.map((context) => context.watch()));
} else {
	await Promise.all(selected.map(([, options]) => esbuild.build(options)));
	console.log(`built ${selected.map(([name]) => name).join(', ')} → dist/`);
}
