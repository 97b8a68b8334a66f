#!/usr/bin/env node
// The packaged extension, as a user installs it: `vsce package` a staging copy of the built files
// (only what package.json's `files` ships), install the .vsix into a fresh code-server, open an
// example and wait for the CodeLens. Catches what the extensionDevelopmentPath suites cannot: a file
// left out of the package, a bundle that needs node_modules at run time, a wrong `main`.
// Output ends with `N passed, N failed`.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchChromium, repoRoot, startCodeServer, tail, workbenchUrl } from './codeServer.mjs';

const SLOW = 120_000;
let passed = 0;
let failed = 0;
let server;
let browser;
const stage = mkdtempSync(path.join(os.tmpdir(), 'costlens-vsix-'));

try {
	// Staging copy: packaging must not depend on anything else in the working tree.
	for (const entry of ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'media', 'dist']) {
		if (!existsSync(path.join(repoRoot, entry))) throw new Error(`${entry} is missing: run \`npm run build\` first`);
		cpSync(path.join(repoRoot, entry), path.join(stage, entry), { recursive: true, filter: (src) => !src.endsWith('.map') });
	}
	const vsix = path.join(stage, 'costlens.vsix');
	const vsce = path.join(repoRoot, 'node_modules', '.bin', 'vsce');
	const packaged = spawnSync(vsce, ['package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '-o', vsix], { cwd: stage, encoding: 'utf8' });
	if (packaged.status !== 0) throw new Error(`vsce package failed:\n${packaged.stdout}${packaged.stderr}`);
	console.log(`  ${packaged.stdout.trim().split('\n').at(-1)}`);
	// The Python parser's wasm must ship beside the bundles that load it (src/node/pythonParser.ts).
	const listed = spawnSync(vsce, ['ls', '--no-dependencies'], { cwd: stage, encoding: 'utf8' });
	const shipped = new Set(listed.stdout.split('\n').map((l) => l.trim()));
	const missingWasm = ['dist/web-tree-sitter.wasm', 'dist/tree-sitter-python.wasm'].filter((f) => !shipped.has(f));
	if (listed.status !== 0 || missingWasm.length > 0) throw new Error(`the VSIX lacks ${missingWasm.join(', ') || 'a file list'}:\n${listed.stdout}${listed.stderr}`);

	const examples = path.join(repoRoot, 'examples');
	const file = path.join(examples, 'src', 'ragSummarizer.ts');
	server = await startCodeServer({ workspace: examples, vsix, timeoutSeconds: 240 });
	browser = await launchChromium();
	const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
	await page.goto(workbenchUrl(server, { folder: examples, payload: [['openFile', server.remoteUri(file)]] }), { timeout: 60_000, waitUntil: 'domcontentloaded' });
	await page.locator('.monaco-workbench').waitFor({ timeout: SLOW });

	const started = Date.now();
	try {
		const lens = page.locator('.codelens-decoration', { hasText: '/call' }).filter({ hasText: '/mo' }).first();
		await lens.waitFor({ state: 'visible', timeout: SLOW });
		const text = (await lens.innerText()).replace(/\s+/g, ' ').trim();
		if (!/^≈ \$[\d.,k]+\/call · in [\d.,k]+.* · \$[\d.,k]+\/mo @ 1k\/day$/.test(text)) throw new Error(`unexpected lens text: ${text}`);
		console.log(`✔ the installed VSIX shows the CodeLens (${((Date.now() - started) / 1000).toFixed(1)} s): ${text}`);
		passed += 1;
	} catch (e) {
		console.log(`✘ the installed VSIX shows the CodeLens: ${e instanceof Error ? e.message : String(e)}`);
		console.log(tail(server.logFile));
		failed += 1;
	}
	// A Python file: the packaged worker loads web-tree-sitter's wasm from the installed extension's dist/.
	const pyStarted = Date.now();
	try {
		await page.keyboard.press('Control+P');
		const input = page.locator('.quick-input-widget input');
		await input.waitFor({ state: 'visible', timeout: 30_000 });
		await input.fill('support_bot.py');
		await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'support_bot.py' }).first().waitFor({ timeout: 30_000 });
		await page.keyboard.press('Enter');
		await page.locator('.tab.active', { hasText: 'support_bot.py' }).waitFor({ state: 'visible', timeout: 30_000 });
		const lens = page.locator('.editor-instance .monaco-editor .codelens-decoration', { hasText: '/call' }).filter({ hasText: '/mo' }).first();
		await lens.waitFor({ state: 'visible', timeout: SLOW });
		const text = (await lens.innerText()).replace(/\s+/g, ' ').trim();
		if (!/^≈ \$[\d.,k]+\/call · /.test(text)) throw new Error(`unexpected lens text: ${text}`);
		console.log(`✔ the installed VSIX shows the CodeLens in a Python file (${((Date.now() - pyStarted) / 1000).toFixed(1)} s): ${text}`);
		passed += 1;
	} catch (e) {
		console.log(`✘ the installed VSIX shows the CodeLens in a Python file: ${e instanceof Error ? e.message : String(e)}`);
		console.log(tail(server.logFile));
		failed += 1;
	}
} catch (e) {
	console.log(`✘ package and install the VSIX: ${e instanceof Error ? e.message : String(e)}`);
	failed += 1;
} finally {
	await browser?.close().catch(() => {});
	await server?.stop();
	rmSync(stage, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
