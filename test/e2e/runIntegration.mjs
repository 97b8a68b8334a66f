#!/usr/bin/env node
// Runs the mocha integration suite (out/test/integration/index.js, `run(): Promise<void>`) inside
// the Node extension host of a real VS Code 1.100.3 (code-server). Chromium is only a thin client:
// the workbench reads `extensionTestsPath` from the URL payload, forwards the extension host's
// console to `codeAutomationLog` and reports the result through `codeAutomationExit`.
//
// Env: COSTLENS_MOCHA_GREP and COSTLENS_BENCH_OUT pass through to the suite.
// COSTLENS_INTEGRATION_TESTS / COSTLENS_INTEGRATION_WORKSPACE override the suite / workspace (harness self-test);
// COSTLENS_INTEGRATION_TIMEOUT_S bounds the whole run (default 240); COSTLENS_E2E_VERBOSE=1 keeps the workbench's own log lines.
// Output ends with one plain `N passed, N failed` line; exit 0 only when the suite passed.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { launchChromium, repoRoot, startCodeServer, tail, workbenchUrl } from './codeServer.mjs';

const timeoutSeconds = Number(process.env.COSTLENS_INTEGRATION_TIMEOUT_S || 240);
const testsPath = path.resolve(process.env.COSTLENS_INTEGRATION_TESTS || path.join(repoRoot, 'out', 'test', 'integration', 'index.js'));
const workspace = path.resolve(process.env.COSTLENS_INTEGRATION_WORKSPACE || path.join(repoRoot, 'test', 'fixtures', 'workspace'));
const started = Date.now();

/** Last `N passed, N failed` the suite printed. */
let reported;
let server;
let browser;
/** The loopback fake provider (out/test/support/fakeProvider.js) the playground suite runs against. */
let fake;
/** A unique API key that must reach the fake provider and appear in no file (the playground suite sets it). */
const canary = `sk-ant-canary-${randomBytes(12).toString('hex')}`;
/** Result of the after-suite canary check: undefined when it did not run (a grep that skips the playground suite). */
let canaryOutcome;
/** Chromium's throw-away profile: the web workbench keeps its storage (webview state, secrets) there. */
let browserProfileDirs = [];
function browserProfiles() {
	return readdirSync(os.tmpdir()).filter((n) => n.startsWith('playwright_chromiumdev_profile-')).map((n) => path.join(os.tmpdir(), n));
}

function finish(status, reason) {
	if (reason) console.log(`integration: ${reason}`);
	if (reported) {
		if (canaryOutcome === true) reported.passed += 1;
		if (canaryOutcome === false) reported.failed += 1;
		console.log(`${reported.passed} passed, ${reported.failed} failed`);
		process.exitCode = status === 0 && reported.failed === 0 ? 0 : 1;
	} else {
		console.log('0 passed, 1 failed');
		process.exitCode = 1;
	}
}

/** The workbench's own start-up chatter, forwarded through the same channel as the suite's output. */
const workbenchNoise = /^(Resolving connection token|Resolved connection token|Creating a socket|Creation of workbench contribution|Updating additional builtin extensions cache|\[Service Worker\]|ChatSessionStore:|getaddrinfo ENOTFOUND open-vsx\.org)|^\s+at .*\/static\/out\/vs\//;
const verbose = process.env.COSTLENS_E2E_VERBOSE === '1';

function onSuiteLine(line) {
	if (!verbose && workbenchNoise.test(line)) return;
	console.log(line);
	const match = /(\d+) passed, (\d+) failed/.exec(line);
	if (match) reported = { passed: Number(match[1]), failed: Number(match[2]) };
}

async function main() {
	for (const [what, file] of [['integration suite', testsPath], ['extension bundle', path.join(repoRoot, 'dist', 'extension.js')], ['workspace', workspace]]) {
		if (!existsSync(file)) {
			finish(1, `${what} missing: ${file} (run \`npm run build && npm run compile-tests\`)`);
			return;
		}
	}
	const fakeModule = path.join(repoRoot, 'out', 'test', 'support', 'fakeProvider.js');
	if (!existsSync(fakeModule)) {
		finish(1, `fake provider missing: ${fakeModule} (run \`npm run compile-tests\`)`);
		return;
	}
	fake = await createRequire(import.meta.url)(fakeModule).startFakeProvider();
	const env = { COSTLENS_TESTING: 'true', COSTLENS_FAKE_PROVIDER: '1', COSTLENS_CANARY_KEY: canary };
	for (const key of ['COSTLENS_MOCHA_GREP', 'COSTLENS_BENCH_OUT']) {
		if (process.env[key]) env[key] = process.env[key];
	}
	// Machine-scoped: in code-server's remote window they apply only from the remote machine's settings.
	const machineSettings = { 'costlens.providers.anthropicBaseURL': fake.anthropicBaseURL, 'costlens.providers.openaiBaseURL': fake.openaiBaseURL };
	server = await startCodeServer({ workspace, env, machineSettings, timeoutSeconds: timeoutSeconds + 30 });
	const profilesBefore = new Set(browserProfiles());
	browser = await launchChromium();
	browserProfileDirs = browserProfiles().filter((p) => !profilesBefore.has(p));
	const page = await browser.newPage();

	let resolveExit;
	const exitCode = new Promise((resolve) => (resolveExit = resolve));
	await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
	await page.exposeFunction('codeAutomationLog', (_type, args) => {
		const text = util.format(...(Array.isArray(args) ? args : [args]));
		for (const line of text.split('\n')) onSuiteLine(line);
	});
	const payload = [
		['extensionDevelopmentPath', server.remoteUri(repoRoot)],
		['extensionTestsPath', server.remoteUri(testsPath)],
	];
	await page.goto(workbenchUrl(server, { folder: workspace, payload }), { timeout: 60_000, waitUntil: 'domcontentloaded' });

	const remaining = Math.max(1, timeoutSeconds * 1000 - (Date.now() - started));
	const outcome = await Promise.race([
		exitCode.then((code) => ({ code })),
		server.exited.then((code) => ({ crashed: code })),
		new Promise((resolve) => setTimeout(() => resolve({ timedOut: true }), remaining).unref()),
	]);
	const grep = process.env.COSTLENS_MOCHA_GREP;
	if ('code' in outcome && (!grep || /playground|canary/i.test(grep))) canaryOutcome = checkCanary(page);
	if ('code' in outcome) {
		finish(outcome.code, outcome.code === 0 ? `suite finished in ${((Date.now() - started) / 1000).toFixed(1)} s` : `suite exited with code ${outcome.code}`);
	} else if ('crashed' in outcome) {
		console.log(tail(server.logFile));
		finish(1, `code-server exited (${outcome.crashed}) before the suite finished`);
	} else {
		console.log(tail(server.logFile));
		finish(1, `timed out after ${timeoutSeconds} s`);
	}
}

/** Every regular file under `dir` (symlinks not followed). */
function walk(dir, out = []) {
	let entries;
	try {
		entries = readdirSync(dir, { withFileTypes: true });
	} catch {
		return out;
	}
	for (const entry of entries) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) walk(full, out);
		else if (entry.isFile()) out.push(full);
	}
	return out;
}

/**
 * The canary key set by the playground suite: it must have reached the fake provider (else the
 * check would be vacuous) and must appear in no file code-server, the extension or the sidecar
 * wrote (user data incl. logs, globalStorage with the SQLite database and its -wal, settings.json,
 * the XDG dirs), nor in the opened workspace. The secret store is the one allowed place.
 */
function checkCanary() {
	const name = 'canary API key reached the provider and is in no artifact';
	const sent = fake.requests.filter((r) => r.headers['x-api-key'] === canary || r.headers['authorization'] === `Bearer ${canary}`);
	if (sent.length === 0) {
		console.log(`  ✘ ${name}\n    the canary never reached the fake provider (${fake.requests.length} request(s) recorded)`);
		return false;
	}
	const needle = Buffer.from(canary);
	const files = [...walk(server.runDir), ...walk(workspace), ...browserProfileDirs.flatMap((d) => walk(d))];
	const hits = [];
	let bytes = 0;
	for (const file of files) {
		let data;
		try {
			data = readFileSync(file);
		} catch {
			continue;
		}
		bytes += data.length;
		// Also UTF-16LE, as some stores write strings.
		if (data.includes(needle) || data.includes(Buffer.from(canary, 'utf16le'))) hits.push(file);
	}
	// SQLite removes its -shm/-wal files when the sidecar closes the database, possibly after the walk above.
	const sizeOf = (f) => {
		try {
			return `${statSync(f).size} B`;
		} catch {
			return 'gone';
		}
	};
	const dbFiles = files.filter((f) => /\.(db|sqlite|sqlite3)(-wal|-shm)?$/.test(f)).map((f) => `${path.relative(server.runDir, f)} (${sizeOf(f)})`);
	console.log(`    canary reached the fake provider in ${sent.length} request(s); scanned ${files.length} files (${(bytes / 1e6).toFixed(1)} MB) under ${server.runDir} and the workspace`);
	console.log(`    database files scanned: ${dbFiles.join(', ') || 'none'}`);
	console.log(`    log files scanned: ${files.filter((f) => f.endsWith('.log')).length} (${files.filter((f) => /CostLens|costlens/.test(f) && f.endsWith('.log')).map((f) => path.basename(path.dirname(f)) + '/' + path.basename(f)).join(', ')}); browser profile: ${browserProfileDirs.join(', ') || 'not found'}`);
	if (hits.length > 0) {
		console.log(`  ✘ ${name}\n    found in: ${hits.join(', ')}`);
		return false;
	}
	console.log(`  ✔ ${name}`);
	return true;
}

try {
	await main();
} catch (error) {
	if (server) console.log(tail(server.logFile));
	finish(1, `harness error: ${error instanceof Error ? error.stack : error}`);
} finally {
	await browser?.close().catch(() => {});
	await server?.stop();
	await fake?.close();
}
