// One bundler, named builds. `node esbuild.mjs [--production] [--watch] [name…]`.
import * as esbuild from 'esbuild';

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
};

/** @type {Record<string, import('esbuild').BuildOptions>} */
const builds = {
	/** Extension host: `vscode` is provided at runtime. Parser and tokenizer are NOT bundled here (they load in the worker). */
	extension: { ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
	/** Analysis worker: parser + tokenizer live here, off the extension host's main thread. */
	analysisWorker: { ...common, entryPoints: ['src/analysisWorker/main.ts'], outfile: 'dist/analysisWorker.js' },
	/** CLI: the same core, with a shebang so `npx costlens` runs it. */
	cli: { ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
};

const selected = Object.entries(builds).filter(([name]) => only.length === 0 || only.includes(name));
if (watch) {
	const contexts = await Promise.all(selected.map(([, options]) => esbuild.context(options)));
	await Promise.all(contexts.map((context) => context.watch()));
} else {
	await Promise.all(selected.map(([, options]) => esbuild.build(options)));
	console.log(`built ${selected.map(([name]) => name).join(', ')} → dist/`);
}
