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
import { existsSync } from 'node:fs';
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

function finish(status, reason) {
	if (reason) console.log(`integration: ${reason}`);
	if (reported) {
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
	const env = { COSTLENS_TESTING: 'true' };
	for (const key of ['COSTLENS_MOCHA_GREP', 'COSTLENS_BENCH_OUT']) {
		if (process.env[key]) env[key] = process.env[key];
	}
	server = await startCodeServer({ workspace, env, timeoutSeconds: timeoutSeconds + 30 });
	browser = await launchChromium();
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

try {
	await main();
} catch (error) {
	if (server) console.log(tail(server.logFile));
	finish(1, `harness error: ${error instanceof Error ? error.stack : error}`);
} finally {
	await browser?.close().catch(() => {});
	await server?.stop();
}
