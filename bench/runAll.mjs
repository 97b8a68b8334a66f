#!/usr/bin/env node
// `npm run bench`: runs every compiled `out/bench/*.bench.js` and every `bench/*.mjs` (except this
// file), one after another in child processes so each starts cold and none skews another. Output
// streams as it comes; at the end every JSON figure line (`{"bench"…`) is printed again together.
// Expects `npm run build && npm run compile-tests` to have run (the npm script does both).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const self = path.basename(fileURLToPath(import.meta.url));
const only = process.argv.slice(2); // e.g. `node bench/runAll.mjs perEdit`

function list(dir, accept) {
	const full = path.join(root, dir);
	if (!fs.existsSync(full)) return [];
	return fs.readdirSync(full).filter(accept).sort().map((name) => path.join(dir, name));
}

const benches = [
	...list('out/bench', (n) => n.endsWith('.bench.js')),
	...list('bench', (n) => n.endsWith('.mjs') && n !== self),
].filter((file) => only.length === 0 || only.some((o) => file.includes(o)));

if (benches.length === 0) {
	console.error('runAll: no benchmarks found (did `npm run compile-tests` run? compiled benches live in out/bench/)');
	process.exit(1);
}

/** Runs one bench, echoing its output live and keeping its JSON lines. */
function run(file) {
	return new Promise((resolve) => {
		console.log(`\n▶ ${file}`);
		const started = Date.now();
		const child = spawn(process.execPath, ['--expose-gc', file], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
		const json = [];
		let pending = '';
		child.stdout.setEncoding('utf8');
		child.stdout.on('data', (chunk) => {
			process.stdout.write(chunk);
			pending += chunk;
			const lines = pending.split('\n');
			pending = lines.pop() ?? '';
			for (const line of lines) if (line.startsWith('{"bench"')) json.push(line.trim());
		});
		child.on('error', (error) => {
			console.error(`runAll: ${file} could not start: ${error.message}`);
			resolve({ file, status: 1, json, seconds: 0 });
		});
		child.on('close', (status, signal) => {
			if (pending.startsWith('{"bench"')) json.push(pending.trim());
			const seconds = (Date.now() - started) / 1000;
			console.log(`◀ ${file}: ${status === 0 ? 'ok' : `FAILED (${signal ?? `exit ${status}`})`} in ${seconds.toFixed(1)} s`);
			resolve({ file, status: status ?? 1, json, seconds });
		});
	});
}

const results = [];
for (const file of benches) results.push(await run(file));

console.log('\n══ All figures ══');
for (const result of results) for (const line of result.json) console.log(line);
const failed = results.filter((r) => r.status !== 0);
if (failed.length > 0) {
	console.log(`\n${failed.length} of ${results.length} benchmarks failed: ${failed.map((r) => r.file).join(', ')}`);
	process.exit(1);
}
console.log(`\n${results.length} benchmarks ran`);
