#!/usr/bin/env node
// End to end: what a person sees. A real VS Code 1.100.3 (code-server) with the extension loaded
// from the repository (extensionDevelopmentPath, no test hooks), driven by headless chromium.
// One code-server and one page for all scenarios (startup dominates the cost); each scenario is
// one test. Screenshots go to test/e2e/screenshots/. Output ends with `N passed, N failed`.
//
// The folder opened is a temporary COPY of the chosen workspace (the quick-fix scenario edits a file
// and the web workbench auto-saves), with test/fixtures/diagnostics/uncapped.ts added to its src/.
// Env: COSTLENS_E2E_WORKSPACE overrides the folder (default examples/, else the fixture workspace);
// COSTLENS_E2E_TIMEOUT_S bounds the whole run (default 300).
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { e2eDir, launchChromium, repoRoot, startCodeServer, tail, workbenchUrl } from './codeServer.mjs';

const timeoutSeconds = Number(process.env.COSTLENS_E2E_TIMEOUT_S || 300);
const screenshots = path.join(e2eDir, 'screenshots');
/** Generous: CodeLens appear 10-18 s after start on 2 idle cores, far later under load. */
const SLOW = 120_000;
const MEDIUM = 30_000;

/** The folder to open and an Anthropic-calling file in it (the callee text is where we hover). */
function pickWorkspace() {
	const candidates = [
		process.env.COSTLENS_E2E_WORKSPACE,
		path.join(repoRoot, 'examples'),
		path.join(repoRoot, 'test', 'fixtures', 'workspace'),
	].filter(Boolean).map((p) => path.resolve(p));
	for (const folder of candidates) {
		const src = path.join(folder, 'src');
		if (!existsSync(src)) continue;
		for (const name of readdirSync(src).sort()) {
			if (!/\.(ts|js)$/.test(name) || name.endsWith('.min.js')) continue;
			const text = readFileSync(path.join(src, name), 'utf8');
			// A non-streaming Anthropic call: `….messages.create(`.
			if (/@anthropic-ai\/sdk/.test(text) && /\.messages\.create\(/.test(text)) return { folder, file: path.join(src, name) };
		}
	}
	throw new Error(`no workspace with an Anthropic messages.create call among: ${candidates.join(', ')}`);
}

/** The file the quick-fix scenario fixes: an OpenAI call without an output cap (missing-max-tokens). */
const UNCAPPED = 'uncapped.ts';
/** Below the assumed 512 output tokens, so the fix visibly lowers the CodeLens estimate. */
const FIX_MAX_TOKENS = 256;
let tempRoot;

/** Copies the picked workspace (without node_modules) to a temporary folder and adds the quick-fix fixture. */
function copyWorkspace(picked) {
	tempRoot = mkdtempSync(path.join(os.tmpdir(), 'costlens-e2e-ws-'));
	const folder = path.join(tempRoot, path.basename(picked.folder));
	cpSync(picked.folder, folder, { recursive: true, filter: (src) => path.basename(src) !== 'node_modules' });
	copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'diagnostics', UNCAPPED), path.join(folder, 'src', UNCAPPED));
	return { folder, file: path.join(folder, path.relative(picked.folder, picked.file)), uncapped: path.join(folder, 'src', UNCAPPED) };
}

async function until(what, predicate, timeoutMs) {
	const deadline = Date.now() + timeoutMs;
	while (!(await predicate())) {
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 100));
	}
}

const tests = [];
function test(name, fn) {
	tests.push({ name, fn });
}

let passed = 0;
let failed = 0;
let server;
let browser;
/** @type {import('playwright-core').Page} */
let page;
let target;

async function shot(name) {
	const file = path.join(screenshots, name);
	await page.screenshot({ path: file });
	console.log(`    screenshot ${path.relative(repoRoot, file)}`);
}

/** F1, type the command's title, wait for its row and run it. */
async function runCommand(title) {
	await page.keyboard.press('F1');
	const input = page.locator('.quick-input-widget input');
	await input.waitFor({ state: 'visible', timeout: MEDIUM });
	await input.fill(`>${title}`);
	await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: MEDIUM });
	await page.keyboard.press('Enter');
	await input.waitFor({ state: 'hidden', timeout: MEDIUM });
}

/** The editor line holding the call and, inside it, the token `create` (the callee). */
function calleeToken() {
	const line = page.locator('.editor-instance .monaco-editor .view-line', { hasText: '.messages.create(' }).first();
	return line.locator('span > span', { hasText: /^create$/ }).first();
}

test('CodeLens shows the cost above an Anthropic call', async () => {
	const lens = page.locator('.codelens-decoration', { hasText: '/call' }).filter({ hasText: '/mo' }).first();
	await lens.waitFor({ state: 'visible', timeout: SLOW });
	const text = (await lens.innerText()).replace(/\s+/g, ' ').trim();
	console.log(`    lens: ${text}`);
	// e.g. "≈ $0.0061/call · in 1.2k … · $183/mo @ 1k/day"
	const shape = /^≈ \$\d[\d.,]*(?:[kKM])?\/call · .+ · \$\d[\d.,]*(?:[kKM])?\/mo @ [\d.,]+[kKM]?\/day/;
	if (!shape.test(text)) throw new Error(`unexpected lens text: ${JSON.stringify(text)}`);
	await shot('codelens.png');
});

test('hover and Show Cost Breakdown explain the estimate', async () => {
	const token = calleeToken();
	await token.waitFor({ state: 'visible', timeout: SLOW });
	await token.hover();
	// The hover also holds the TypeScript extension's signature; ours is the part with a dollar figure.
	const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content', { hasText: '$' }).first();
	await hover.waitFor({ state: 'visible', timeout: MEDIUM });
	console.log(`    hover: ${(await hover.innerText()).replace(/\s+/g, ' ').slice(0, 160)}…`);
	await shot('hover.png');
	await page.keyboard.press('Escape');

	// Caret onto the call, then the command a person would use from the palette.
	await token.click();
	await runCommand('CostLens: Show Cost Breakdown');
	await page.locator('.tab', { hasText: 'Cost Breakdown' }).first().waitFor({ state: 'visible', timeout: MEDIUM });
	const body = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame').locator('body');
	await body.getByText('$', { exact: false }).first().waitFor({ state: 'visible', timeout: MEDIUM });
	const text = (await body.innerText()).replace(/\s+/g, ' ').trim();
	console.log(`    breakdown: ${text.slice(0, 160)}…`);
	if (!/\$\d/.test(text)) throw new Error(`breakdown shows no dollar amount: ${JSON.stringify(text.slice(0, 300))}`);
	await shot('breakdown.png');
});

test('Cost Overview lists the workspace\'s calls with their cost', async () => {
	await page.locator('.activitybar .action-item a[aria-label^="CostLens"]').first().click({ timeout: MEDIUM });
	const view = page.locator('.sidebar .pane', { has: page.locator('.pane-header', { hasText: /Cost Overview/i }) }).first();
	await view.waitFor({ state: 'visible', timeout: MEDIUM });
	await runCommand('CostLens: Scan Workspace');
	const row = view.locator('.monaco-list-row', { hasText: '$' }).first();
	await row.waitFor({ state: 'visible', timeout: SLOW });
	const rows = await view.locator('.monaco-list-row').allInnerTexts();
	console.log(`    ${rows.length} rows, first: ${rows.slice(0, 3).map((r) => r.replace(/\s+/g, ' ')).join(' | ')}`);
	// Off the activity bar, so its tooltip does not cover the tree in the picture.
	await page.mouse.move(page.viewportSize().width / 2, 12);
	await page.locator('.workbench-hover-container .workbench-hover', { hasText: /^CostLens$/ }).waitFor({ state: 'hidden', timeout: MEDIUM });
	await shot('overview.png');
});

test('squiggle, Problems row, Ctrl+. → Enter applies the preferred fix; file, squiggle and CodeLens update', async () => {
	const before = readFileSync(target.uncapped, 'utf8');
	// Room for the editor in the picture: no side bar, no breakdown panel beside it.
	await runCommand('View: Close All Editor Groups');
	await runCommand('View: Close Primary Side Bar');
	// Quick Open the fixture.
	await page.keyboard.press('Control+P');
	const input = page.locator('.quick-input-widget input');
	await input.waitFor({ state: 'visible', timeout: MEDIUM });
	await input.fill(UNCAPPED);
	await page.locator('.quick-input-widget .monaco-list-row', { hasText: UNCAPPED }).first().waitFor({ timeout: MEDIUM });
	await page.keyboard.press('Enter');
	await page.locator('.tab.active', { hasText: UNCAPPED }).waitFor({ state: 'visible', timeout: MEDIUM });
	const editor = page.locator('.editor-instance .monaco-editor').first();

	const lens = editor.locator('.codelens-decoration', { hasText: '/call' }).first();
	await lens.waitFor({ state: 'visible', timeout: SLOW });
	const lensBefore = (await lens.innerText()).replace(/\s+/g, ' ').trim();
	const squiggle = editor.locator('.squiggly-warning');
	await squiggle.first().waitFor({ state: 'visible', timeout: SLOW });
	console.log(`    ${await squiggle.count()} warning squiggle(s); lens: ${lensBefore}`);

	await page.keyboard.press('Control+Shift+M');
	const problem = page.locator('.markers-panel .monaco-list-row', { hasText: 'missing-max-tokens' }).first();
	await problem.waitFor({ state: 'visible', timeout: MEDIUM });
	console.log(`    problem: ${(await problem.innerText()).replace(/\s+/g, ' ').slice(0, 140)}…`);

	// Caret into the squiggled call, then Ctrl+. like a person would.
	const callee = editor.locator('.view-line', { hasText: '.chat.completions.create(' }).first().locator('span > span', { hasText: /^create$/ }).first();
	await callee.click();
	await page.keyboard.press('Control+.');
	const title = `Add max_tokens: ${FIX_MAX_TOKENS}`;
	const row = page.locator('.action-widget .monaco-list-row.focused', { hasText: title });
	await row.waitFor({ state: 'visible', timeout: MEDIUM });
	await shot('quickfix.png');
	await page.keyboard.press('Enter');
	await row.waitFor({ state: 'hidden', timeout: MEDIUM });

	await editor.locator('.view-line', { hasText: `max_tokens: ${FIX_MAX_TOKENS},` }).first().waitFor({ state: 'visible', timeout: MEDIUM });
	// The web workbench auto-saves after a delay; Ctrl+S makes it immediate either way.
	await page.keyboard.press('Control+S');
	const expected = before.replace('\t\t],\n\t});', `\t\t],\n\t\tmax_tokens: ${FIX_MAX_TOKENS},\n\t});`);
	// Waits for the whole expected text: a read during the save can see the file truncated (empty).
	await until('the fix on disk', () => readFileSync(target.uncapped, 'utf8') === expected, MEDIUM).catch(() => {
		throw new Error(`unexpected file after the fix:\n${readFileSync(target.uncapped, 'utf8')}`);
	});
	await until('the warning squiggle to go', async () => (await squiggle.count()) === 0, SLOW);
	await until('the CodeLens cost to change', async () => {
		const text = (await lens.innerText().catch(() => '')).replace(/\s+/g, ' ').trim();
		return text !== '' && text !== lensBefore && /\/call/.test(text);
	}, SLOW);
	console.log(`    lens after: ${(await lens.innerText()).replace(/\s+/g, ' ').trim()}`);
	await until('the Problems row to go', async () => (await page.locator('.markers-panel .monaco-list-row', { hasText: 'missing-max-tokens' }).count()) === 0, MEDIUM);
	await shot('quickfix-applied.png');
});

/** Python: examples/python/support_bot.py in the copy (two calls, the OpenAI one uncapped), else the fixture workspace's assistant.py. */
function pythonTarget() {
	const example = path.join(target.folder, 'python', 'support_bot.py');
	if (existsSync(example)) return { file: example, name: 'support_bot.py' };
	const copied = path.join(target.folder, 'src', 'assistant.py');
	if (!existsSync(copied)) copyFileSync(path.join(repoRoot, 'test', 'fixtures', 'workspace', 'src', 'assistant.py'), copied);
	return { file: copied, name: 'assistant.py' };
}

test('Python: CodeLens above each call, Ctrl+. on the missing-max-tokens squiggle inserts max_tokens=', async () => {
	const py = pythonTarget();
	const before = readFileSync(py.file, 'utf8');
	await runCommand('View: Close All Editor Groups');
	await page.keyboard.press('Control+P');
	const input = page.locator('.quick-input-widget input');
	await input.waitFor({ state: 'visible', timeout: MEDIUM });
	await input.fill(py.name);
	await page.locator('.quick-input-widget .monaco-list-row', { hasText: py.name }).first().waitFor({ timeout: MEDIUM });
	await page.keyboard.press('Enter');
	await page.locator('.tab.active', { hasText: py.name }).waitFor({ state: 'visible', timeout: MEDIUM });
	// The editor alone in the picture: the Problems panel of the previous scenario closed.
	await runCommand('View: Hide Panel').catch(() => page.keyboard.press('Escape'));
	const editor = page.locator('.editor-instance .monaco-editor').first();

	const lenses = editor.locator('.codelens-decoration', { hasText: '/call' });
	await until('a CodeLens above both calls', async () => (await lenses.count()) >= 2, SLOW);
	const texts = (await lenses.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
	console.log(`    lenses: ${texts.join(' | ')}`);
	for (const text of texts) if (!/^≈ \$\d[\d.,]*(?:[kKM])?\/call · /.test(text)) throw new Error(`unexpected lens text: ${JSON.stringify(text)}`);
	const squiggle = editor.locator('.squiggly-warning');
	await squiggle.first().waitFor({ state: 'visible', timeout: SLOW });
	const warningsBefore = await squiggle.count();
	await shot('python-codelens.png');

	// Python's grammar colours the whole dotted callee as one token: click on it (inside the squiggle).
	const callee = editor.locator('.view-line', { hasText: '.chat.completions.create(' }).first().locator('span > span', { hasText: 'completions' }).first();
	await callee.click();
	await page.keyboard.press('Control+.');
	const row = page.locator('.action-widget .monaco-list-row.focused', { hasText: /max_tokens/ });
	await row.waitFor({ state: 'visible', timeout: MEDIUM });
	console.log(`    quick fix: ${(await row.innerText()).replace(/\s+/g, ' ').trim()}`);
	await shot('python-quickfix.png');
	await page.keyboard.press('Enter');
	await row.waitFor({ state: 'hidden', timeout: MEDIUM });

	await editor.locator('.view-line', { hasText: `max_tokens=${FIX_MAX_TOKENS},` }).first().waitFor({ state: 'visible', timeout: MEDIUM });
	await page.keyboard.press('Control+S');
	// Keyword syntax, the file's own indentation (4 spaces, 8 inside the call), nothing else changed.
	const inserted = new RegExp(`\\n {8}max_tokens=${FIX_MAX_TOKENS},\\n`);
	const fixedOnDisk = (text) => inserted.test(text) && text.replace(inserted, '\n') === before;
	// Waits for the whole expected text: a read during the save can see the file truncated (empty).
	await until('the fix on disk', () => fixedOnDisk(readFileSync(py.file, 'utf8')), MEDIUM).catch(() => {
		throw new Error(`unexpected file after the fix:\n${readFileSync(py.file, 'utf8')}`);
	});
	await until('the missing-max-tokens squiggle to go', async () => (await squiggle.count()) < warningsBefore, SLOW);
	// The OpenAI call's lens is repriced with the new cap (it said `out ~512 (assumed)`).
	await until('the OpenAI CodeLens to show the cap', async () => (await lenses.allInnerTexts()).some((t) => t.includes(`out ≤${FIX_MAX_TOKENS}`)), SLOW);
	console.log(`    lenses after: ${(await lenses.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()).join(' | ')}`);
	// Caret off the call, so no lightbulb or hover sits in the picture.
	await page.keyboard.press('Control+Home');
	await shot('python-quickfix-applied.png');
});

/** The loopback fake provider (Anthropic wire format) the playground scenarios run against. */
let fake;
/** A prompt with this word makes the fake's cheap model hedge, so the cascade's gate fails. */
const HEDGE_WORD = 'escalate-me';
const CHEAP = 'claude-haiku-4-5';
const STRONG = 'claude-sonnet-4-5';
const FAKE_SENTENCE = 'deterministic answer from the CostLens fake provider';

/** The playground webview's frame: the one whose document has the Run button. */
async function playgroundFrame() {
	let found;
	await until('the playground webview', async () => {
		for (const frame of page.frames()) {
			if (await frame.getByRole('button', { name: 'Run', exact: true }).count().catch(() => 0)) {
				found = frame;
				return true;
			}
		}
		return false;
	}, SLOW);
	return found;
}

/** Runs the form and waits for the run to finish (the Run button is enabled and the totals line says how it ended). */
async function runAndWait(frame) {
	const totals = frame.locator('.totals');
	const before = (await totals.innerText().catch(() => '')).trim();
	await frame.getByRole('button', { name: 'Run', exact: true }).click();
	await until('the run to finish', async () => {
		const text = (await totals.innerText().catch(() => '')).trim();
		return text !== before && /^Total /.test(text);
	}, SLOW);
	return (await totals.innerText()).replace(/\s+/g, ' ').trim();
}

test('Playground: Set API Key, then Run streams the answer and shows the Pipeline', async () => {
	// The real "CostLens: Set API Key" path: quick pick, then a password input box.
	await runCommand('CostLens: Set API Key');
	const input = page.locator('.quick-input-widget input');
	await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Anthropic' }).first().waitFor({ timeout: MEDIUM });
	await input.fill('Anthropic');
	await page.keyboard.press('Enter');
	await page.locator('.quick-input-widget input[type="password"]').waitFor({ state: 'visible', timeout: MEDIUM });
	await page.keyboard.type('sk-ant-e2e-0123456789abcdef0123456789abcdef');
	await page.keyboard.press('Enter');
	await page.locator('.notifications-toasts .notification-toast', { hasText: 'API key' }).first().waitFor({ state: 'visible', timeout: MEDIUM });

	// Room for the playground in the pictures: no toasts, no bottom panel, the Cost Overview collapsed.
	for (const title of ['Notifications: Clear All Notifications', 'View: Hide Panel']) await runCommand(title).catch(() => page.keyboard.press('Escape'));
	await runCommand('CostLens: Open Playground');
	const overviewHeader = page.locator('.pane-header', { hasText: /Cost Overview/i }).first();
	if ((await overviewHeader.getAttribute('aria-expanded').catch(() => null)) === 'true') await overviewHeader.click();
	const frame = await playgroundFrame();
	// With the key the provider list offers Anthropic; the sidecar restarted with it.
	const providerSelect = frame.getByRole('combobox', { name: 'Provider', exact: true });
	await until('Anthropic to be offered', async () => (await providerSelect.locator('option').allInnerTexts()).some((t) => /Anthropic/.test(t)), SLOW);
	await providerSelect.selectOption({ label: 'Anthropic' }).catch(async () => providerSelect.selectOption('anthropic'));
	await frame.getByRole('combobox', { name: 'Model', exact: true }).fill(CHEAP);
	await frame.getByRole('textbox', { name: 'Prompt', exact: true }).fill('Name three primary colours, e2e.');
	const totals = await runAndWait(frame);
	const answer = (await frame.getByRole('status', { name: 'Answer' }).innerText()).trim();
	console.log(`    answer: ${answer.slice(0, 100)}`);
	console.log(`    totals: ${totals}`);
	if (!answer.includes(FAKE_SENTENCE)) throw new Error(`answer is not the fake provider's: ${JSON.stringify(answer)}`);
	const stages = (await frame.getByRole('list', { name: 'Pipeline' }).innerText()).replace(/\s+/g, ' ');
	console.log(`    pipeline: ${stages.slice(0, 200)}`);
	if (!/Exact cache/.test(stages) || !new RegExp(`Model ${CHEAP}`).test(stages)) throw new Error(`unexpected stage list: ${stages}`);
	if (!/no cache hit/.test(totals)) throw new Error(`first run should miss: ${totals}`);
	const sent = fake.requests.filter((r) => r.route === 'anthropic');
	if (sent.length !== 1 || sent[0].body?.stream !== true) throw new Error(`expected one streamed request at the fake provider, saw ${sent.length}`);
	await frame.locator('.stages').scrollIntoViewIfNeeded();
	await shot('playground-run.png');
});

test('Playground: Run again is an exact cache hit at $0', async () => {
	const frame = await playgroundFrame();
	const totals = await runAndWait(frame);
	console.log(`    totals: ${totals}`);
	if (!/^Total \$0 /.test(totals) || !/exact hit/.test(totals)) throw new Error(`expected an exact hit at $0: ${totals}`);
	if (fake.requests.filter((r) => r.route === 'anthropic').length !== 1) throw new Error('the hit reached the provider');
	await frame.locator('.stages').scrollIntoViewIfNeeded();
	await shot('playground-exact-hit.png');
});

test('Playground: cascade with a failing hedging gate escalates to the strong model', async () => {
	const frame = await playgroundFrame();
	await frame.getByRole('checkbox', { name: /^Cascade/ }).check();
	await frame.getByRole('combobox', { name: 'Cheap model', exact: true }).fill(CHEAP);
	await frame.getByRole('combobox', { name: 'Strong model', exact: true }).fill(STRONG);
	await frame.getByRole('textbox', { name: 'Prompt', exact: true }).fill(`Is 7919 prime? (${HEDGE_WORD})`);
	const totals = await runAndWait(frame);
	const stages = (await frame.getByRole('list', { name: 'Pipeline' }).innerText()).replace(/\s+/g, ' ');
	console.log(`    pipeline: ${stages.slice(0, 300)}`);
	console.log(`    totals: ${totals}`);
	if (!/Cheap model/.test(stages) || !/Strong model/.test(stages) || !/→ escalate/.test(stages) || !/escalated/.test(totals)) throw new Error(`no escalation shown: ${stages} | ${totals}`);
	const models = fake.requests.filter((r) => r.route === 'anthropic').slice(1).map((r) => r.body?.model);
	if (models.join(',') !== `${CHEAP},${STRONG}`) throw new Error(`provider saw models ${models.join(',')}`);
	await frame.locator('.stages').scrollIntoViewIfNeeded();
	await shot('playground-cascade.png');
});

async function main() {
	for (const [what, file] of [['extension bundle', path.join(repoRoot, 'dist', 'extension.js')]]) {
		if (!existsSync(file)) throw new Error(`${what} missing: ${file} (run \`npm run build\`)`);
	}
	mkdirSync(screenshots, { recursive: true });
	const picked = pickWorkspace();
	console.log(`e2e: ${path.relative(repoRoot, picked.file)} in ${path.relative(repoRoot, picked.folder) || '.'} (a temporary copy)`);
	target = copyWorkspace(picked);
	fake = await createRequire(import.meta.url)(path.join(repoRoot, 'out', 'test', 'support', 'fakeProvider.js')).startFakeProvider();
	fake.setResponder((r) => (r.model === CHEAP && r.lastUserText.includes(HEDGE_WORD) ? "I'm not sure; it depends on context." : undefined));
	[server, browser] = await Promise.all([
		startCodeServer({ workspace: target.folder, timeoutSeconds: timeoutSeconds + 30, machineSettings: {
			// Machine scope: applies from the remote machine's settings only (code-server's window is remote).
			'costlens.providers.anthropicBaseURL': fake.anthropicBaseURL,
		}, settings: {
			'costlens.rules.defaultMaxTokens': FIX_MAX_TOKENS,
			// The scenarios open copies outside any node_modules: TypeScript's "cannot find module
			// 'openai'" would crowd the screenshots and the Problems panel with noise that is not ours.
			'typescript.validate.enable': false,
			'javascript.validate.enable': false,
		} }),
		launchChromium(),
	]);
	const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
	page = await context.newPage();
	const payload = [
		['extensionDevelopmentPath', server.remoteUri(repoRoot)],
		['openFile', server.remoteUri(target.file)],
	];
	await page.goto(workbenchUrl(server, { folder: target.folder, payload }), { timeout: 60_000, waitUntil: 'domcontentloaded' });
	await page.locator('.monaco-workbench').waitFor({ timeout: SLOW });
	for (const { name, fn } of tests) {
		const started = Date.now();
		try {
			await fn();
			passed += 1;
			console.log(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
		} catch (error) {
			failed += 1;
			console.log(`✘ ${name}`);
			console.log(`    ${String(error instanceof Error ? error.message : error).split('\n').join('\n    ')}`);
			await page.screenshot({ path: path.join(screenshots, `failed-${tests.findIndex((t) => t.name === name) + 1}.png`) }).catch(() => {});
		}
	}
}

const watchdog = setTimeout(() => {
	console.log(`✘ e2e timed out after ${timeoutSeconds} s`);
	console.log(`${passed} passed, ${Math.max(1, tests.length - passed)} failed`);
	process.exit(1); // exit handlers in codeServer.mjs kill code-server
}, timeoutSeconds * 1000);
watchdog.unref();

try {
	await main();
} catch (error) {
	console.log(`✘ e2e harness: ${error instanceof Error ? error.message : error}`);
	if (server) console.log(tail(server.logFile));
	failed = Math.max(1, tests.length - passed);
} finally {
	await browser?.close().catch(() => {});
	await server?.stop();
	await fake?.close();
	if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
	clearTimeout(watchdog);
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
