#!/usr/bin/env node
// `npm test`: build, type-check, then every suite (unit → extension host → end to end → packaged VSIX).
// Each suite prints its own summary; this script adds them up and closes with one
// `N passed, N failed` line, which is what CI reads.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2); // e.g. `npm test -- unit`

function run(label, command, args, { capture = false } = {}) {
	console.log(`\n▶ ${label}: ${command} ${args.join(' ')}`);
	const result = spawnSync(command, args, { cwd: root, stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8', env: process.env });
	if (capture) process.stdout.write(result.stdout ?? '');
	if (result.error) console.error(`${label}: ${result.error.message}`);
	return { status: result.status ?? 1, stdout: result.stdout ?? '' };
}

/** Reads the counts a suite printed: node's `ℹ pass N` / `ℹ fail N`, or a plain `N passed, N failed`. */
function counts(stdout) {
	const node = { pass: /^ℹ pass (\d+)$/m.exec(stdout), fail: /^ℹ fail (\d+)$/m.exec(stdout) };
	if (node.pass && node.fail) return { passed: Number(node.pass[1]), failed: Number(node.fail[1]) };
	const lines = [...stdout.matchAll(/^(?:\w+: )?(\d+) passed, (\d+) failed/gm)];
	const last = lines.at(-1);
	return last ? { passed: Number(last[1]), failed: Number(last[2]) } : undefined;
}

for (const [label, script] of [['build', 'build'], ['types', 'check-types'], ['compile tests', 'compile-tests']]) {
	if (run(label, 'npm', ['run', '--silent', script]).status !== 0) {
		console.log(`\n0 passed, 1 failed (${label} failed)`);
		process.exit(1);
	}
}

const suites = [
	['unit', process.execPath, ['--test', '--test-reporter=spec', 'out/test/unit/']],
	['integration', process.execPath, ['test/e2e/runIntegration.mjs']],
	['e2e', process.execPath, ['test/e2e/runE2e.mjs']],
	['vsix', process.execPath, ['test/e2e/runVsix.mjs']],
].filter(([name]) => only.length === 0 || only.includes(name));

let passed = 0;
let failed = 0;
const summary = [];
for (const [name, command, args] of suites) {
	const { status, stdout } = run(name, command, args, { capture: true });
	const c = counts(stdout);
	if (!c) {
		// A suite that crashed before reporting counts as one failure, never as silence.
		failed += 1;
		summary.push(`${name}: no result (exit ${status})`);
		continue;
	}
	passed += c.passed;
	failed += c.failed + (status !== 0 && c.failed === 0 ? 1 : 0);
	summary.push(`${name}: ${c.passed} passed, ${c.failed} failed${status !== 0 && c.failed === 0 ? ` (exit ${status})` : ''}`);
}
console.log('\n' + summary.join('\n'));
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
