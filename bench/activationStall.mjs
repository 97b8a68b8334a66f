#!/usr/bin/env node
// Longest main-thread (extension host event loop) stall from activation to the first analysis, measured
// inside a real VS Code 1.100.3 extension host (code-server) by the integration suite's `stall` test,
// against the peer design: loading the parser + tokenizer on the main thread (the suite measures that
// too, after everything else). Needs `npm run build && npm run compile-tests` and test/e2e/setup.sh.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'costlens-stall-'));
const out = path.join(dir, 'stall.json');

const status = await new Promise((resolve) => {
	const child = spawn(process.execPath, [path.join(root, 'test', 'e2e', 'runIntegration.mjs')], {
		cwd: root,
		stdio: ['ignore', 'pipe', 'inherit'],
		env: { ...process.env, COSTLENS_MOCHA_GREP: 'stall', COSTLENS_BENCH_OUT: out },
	});
	// The suite's own lines, indented, so that only this script's JSON line starts with `{"bench"`.
	child.stdout.setEncoding('utf8');
	let pending = '';
	child.stdout.on('data', (chunk) => {
		const lines = (pending + chunk).split('\n');
		pending = lines.pop() ?? '';
		for (const line of lines) console.log(`  │ ${line}`);
	});
	child.on('close', (code) => {
		if (pending) console.log(`  │ ${pending}`);
		resolve(code ?? 1);
	});
	child.on('error', () => resolve(1));
});

let figures;
try {
	figures = JSON.parse(readFileSync(out, 'utf8'));
} catch {
	figures = undefined;
} finally {
	rmSync(dir, { recursive: true, force: true });
}
const valid = figures && ['ownLongestMs', 'ownTotalMs', 'stallMaxMs', 'stallP99Ms', 'naiveLoadMs'].every((k) => Number.isFinite(figures[k]));
if (!valid) {
	console.error(`activationStall: no figures written (runIntegration exited ${status})`);
	process.exit(1);
}

const rows = [
	['CostLens code: longest main-thread run (CPU profile)', figures.ownLongestMs],
	['CostLens code: all main-thread time in the window', figures.ownTotalMs],
	['whole host: max event-loop stall (all extensions)', figures.stallMaxMs],
	['whole host: p99 event-loop stall', figures.stallP99Ms],
	['CostLens activate() itself (synchronous)', figures.activateMs ?? NaN],
	['peer: parser + tokenizer loaded on the main thread', figures.naiveLoadMs],
];
const width = Math.max(...rows.map(([label]) => label.length));
console.log('\nExtension host main thread (VS Code 1.100.3 via code-server, this machine)');
console.log(`  window: open one file → CostLens activates → first analysis; host quiet before the window: ${figures.hostQuietBefore}`);
for (const [label, ms] of rows) console.log(`  ${label.padEnd(width)}  ${ms.toFixed(1).padStart(8)} ms`);
console.log(JSON.stringify({
	bench: 'activation-stall',
	metric: 'longest_main_thread_block_by_costlens_ms',
	value: Number(figures.ownLongestMs.toFixed(1)),
	unit: 'ms',
	peer: 'parser+tokenizer loaded on the main thread',
	peerValue: Number(figures.naiveLoadMs.toFixed(1)),
}));
if (status !== 0) {
	console.error(`activationStall: the stall test failed (exit ${status}); figures above are from that run`);
	process.exit(1);
}
