import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { costlensDiagnostics, fixture, hoverText, lensTitles, openAnalyzed, quickFixes, ruleOf, testingApi, until } from './helpers';

/** test/fixtures/workspace/src/assistant.py: an Anthropic call with max_tokens, an OpenAI call without. */
const FILE = 'src/assistant.py';
const PRICED_TITLE = /^≈ <?\$\d[\d.,]*[kM]?\/call · /;
const RULE = 'missing-max-tokens';

/**
 * Edits happen on a temporary copy outside the workspace: the web workbench auto-saves, and the
 * fixture (and the Cost Overview test's view of the workspace) must not change.
 */
let tempDir: string | undefined;
function tempCopy(): vscode.Uri {
	tempDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-python-'));
	const target = path.join(tempDir, `assistant${fs.readdirSync(tempDir).length}.py`);
	fs.copyFileSync(fixture(FILE).fsPath, target);
	return vscode.Uri.file(target);
}

async function openCopy(): Promise<{ doc: vscode.TextDocument; api: Awaited<ReturnType<typeof testingApi>> }> {
	const api = await testingApi();
	const doc = await vscode.workspace.openTextDocument(tempCopy());
	await vscode.window.showTextDocument(doc, { preview: false });
	assert.equal(doc.languageId, 'python');
	await api.whenAnalyzed(doc.uri);
	return { doc, api };
}

/** Polls the CodeLens provider until `accept` holds (a re-analysis lands after the debounce); fails after `timeoutMs`. */
async function lensesUntil(uri: vscode.Uri, what: string, accept: (titles: string[]) => boolean, timeoutMs = 20_000): Promise<string[]> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const titles = await lensTitles(uri);
		if (accept(titles)) return titles;
		if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; lenses: ${titles.join(' | ')}`);
		await new Promise((resolve) => setTimeout(resolve, 50));
	}
}

async function replaceAll(doc: vscode.TextDocument, text: string): Promise<void> {
	const edit = new vscode.WorkspaceEdit();
	edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
	assert.equal(await vscode.workspace.applyEdit(edit), true);
}

suite('Python', () => {
	suiteTeardown(async () => {
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
	});

	test('a .py file gets a priced CodeLens above each SDK call', async () => {
		const { doc } = await openAnalyzed(FILE);
		assert.equal(doc.languageId, 'python');
		const titles = await lensTitles(doc.uri);
		console.log(`    assistant.py: ${titles.join(' | ')}`);
		assert.equal(titles.length, 2, titles.join(' | '));
		for (const title of titles) {
			assert.match(title, PRICED_TITLE);
			assert.match(title, /\$\d[\d.,]*[kM]?\/mo @ 1k\/day/);
		}
		const lenses = ((await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100)) ?? []).filter((l) => l.command?.command === 'costlens.showCostBreakdown');
		const lines = lenses.map((l) => doc.lineAt(l.range.start.line).text.trim()).sort();
		assert.deepEqual(lines, ['completion = gpt.chat.completions.create(', 'message = claude.messages.create(']);
	});

	test('hovering a Python call shows the price row and the tokens by role', async () => {
		const { doc } = await openAnalyzed(FILE);
		const offset = doc.getText().indexOf('messages.create');
		assert.ok(offset > 0);
		const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(offset + 2))) ?? [];
		const text = hoverText(hovers);
		console.log(`    hover: ${text.replace(/\s+/g, ' ').slice(0, 160)}…`);
		assert.match(text, /\*\*CostLens\*\*/);
		assert.match(text, /\*\*Price\*\* \(claude-haiku-4-5/);
		assert.match(text, /\| tokens by role \|/);
		assert.match(text, /\| system \|/);
	});

	test('the status bar shows the Python file\'s monthly cost', async () => {
		const { api } = await openAnalyzed(FILE);
		await until('status bar to show assistant.py cost', () => /^CostLens: \$\d[\d.,]*[kM]?\/mo$/.test(api.statusBarText() ?? ''));
	});

	test('missing-max-tokens on the OpenAI call; its quick fix inserts max_tokens= and the squiggle goes', async () => {
		await vscode.workspace.getConfiguration('costlens').update('rules.defaultMaxTokens', 256, vscode.ConfigurationTarget.Global);
		try {
			const { doc, api } = await openCopy();
			await until('the missing-max-tokens diagnostic', () => costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE), 20_000);
			const diagnostics = costlensDiagnostics(doc.uri).filter((d) => ruleOf(d) === RULE);
			assert.equal(diagnostics.length, 1, JSON.stringify(costlensDiagnostics(doc.uri).map((d) => [ruleOf(d), d.message])));
			const diagnostic = diagnostics[0]!;
			console.log(`    ${path.basename(doc.uri.fsPath)}:${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1} ${diagnostic.message}`);
			assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
			assert.ok(doc.getText(diagnostic.range).startsWith('gpt.chat.completions.create'), doc.getText(diagnostic.range));
			assert.equal((diagnostic.code as { target: vscode.Uri }).target.fragment, `rule-${RULE}`);

			const actions = await quickFixes(doc.uri, diagnostic.range);
			console.log(`    actions: ${actions.map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`).join(' | ')}`);
			const fix = actions.find((a) => a.isPreferred === true && /max_tokens/.test(a.title));
			assert.ok(fix?.edit, 'a preferred quick fix that adds max_tokens');
			const lensBefore = await lensTitles(doc.uri);

			assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
			// Python keyword syntax, the file's 4-space indentation, inside the OpenAI call.
			assert.match(doc.getText(), /\n {8}max_tokens=256,?\n/);
			const call = doc.getText().slice(doc.getText().indexOf('gpt.chat.completions.create'));
			assert.ok(call.indexOf('max_tokens=256') < call.indexOf('\n    return'), 'inserted into the OpenAI call');
			await api.whenAnalyzed(doc.uri);
			await until('the missing-max-tokens diagnostic to go away', () => !costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE), 20_000);
			const lensAfter = await lensTitles(doc.uri);
			console.log(`    lens: ${lensBefore.join(' | ')} → ${lensAfter.join(' | ')}`);
			assert.equal(lensAfter.length, 2);
			assert.notDeepEqual(lensAfter, lensBefore, 'the OpenAI estimate reflects the new output cap');
		} finally {
			await vscode.workspace.getConfiguration('costlens').update('rules.defaultMaxTokens', undefined, vscode.ConfigurationTarget.Global);
		}
	});

	test('the ignore quick fix writes a # comment above the call and the finding goes', async () => {
		const { doc, api } = await openCopy();
		await until('the missing-max-tokens diagnostic', () => costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE), 20_000);
		const diagnostic = costlensDiagnostics(doc.uri).find((d) => ruleOf(d) === RULE)!;
		const ignore = (await quickFixes(doc.uri, diagnostic.range)).find((a) => a.title.startsWith(`Ignore ${RULE}`));
		assert.ok(ignore?.edit, 'the ignore action');
		assert.notEqual(ignore.isPreferred, true);
		assert.equal(await vscode.workspace.applyEdit(ignore.edit), true);
		assert.match(doc.getText(), /\n {4}# costlens-ignore-next-line missing-max-tokens\n {4}completion = gpt\.chat\.completions\.create\(/);
		assert.doesNotMatch(doc.getText(), /\/\/ costlens-ignore/);
		await api.whenAnalyzed(doc.uri);
		await until('the suppressed diagnostic to go away', () => !costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE), 20_000);
	});

	test('edits re-analyse the buffer: a model change reprices, a new call gets its own lens', async () => {
		const { doc, api } = await openCopy();
		const before = await lensTitles(doc.uri);
		assert.equal(before.length, 2);
		// One small edit, as typing does (the worker reparses incrementally from the previous tree).
		const at = doc.getText().indexOf('"claude-haiku-4-5"');
		const edit = new vscode.WorkspaceEdit();
		edit.replace(doc.uri, new vscode.Range(doc.positionAt(at + 1), doc.positionAt(at + 'claude-haiku-4-5'.length + 1)), 'claude-opus-4-1');
		assert.equal(await vscode.workspace.applyEdit(edit), true);
		await api.whenAnalyzed(doc.uri);
		const after = await lensesUntil(doc.uri, 'the lens to reprice', (t) => t.length === 2 && t.join() !== before.join());
		console.log(`    lens: ${before.join(' | ')} → ${after.join(' | ')}`);
		assert.notDeepEqual(after, before);

		await replaceAll(doc, `${doc.getText()}

def embed(texts: list[str]):
    return gpt.embeddings.create(model="text-embedding-3-small", input=texts)
`);
		await api.whenAnalyzed(doc.uri);
		const three = await lensesUntil(doc.uri, 'a third lens', (t) => t.length === 3);
		assert.ok(three.every((t) => PRICED_TITLE.test(t)), three.join(' | '));
	});

	test('an unsaved Python buffer (no file name) is analysed as Python, not TypeScript', async () => {
		const api = await testingApi();
		const doc = await vscode.workspace.openTextDocument({
			language: 'python',
			content: 'from openai import OpenAI\n\nclient = OpenAI()\n\ndef ask(q: str):\n    return client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": f"Answer: {q}"}])\n',
		});
		await vscode.window.showTextDocument(doc, { preview: false });
		assert.equal(doc.uri.scheme, 'untitled');
		await api.whenAnalyzed(doc.uri);
		const titles = await lensesUntil(doc.uri, 'a lens on the unsaved buffer', (t) => t.length === 1);
		assert.match(titles[0] ?? '', PRICED_TITLE);
		// Read as TypeScript, `model="gpt-4o-mini"` is an assignment, not a request object: the call would
		// be unresolved and get no missing-max-tokens finding. The finding proves the Python path.
		await until('missing-max-tokens on the unsaved buffer', () => costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE), 20_000);
		await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
	});
});
