import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { costlensDiagnostics, lensTitles, quickFixes, ruleOf, testingApi, until, workspaceRoot } from './helpers';

/**
 * A temporary copy of test/fixtures/diagnostics/uncapped.ts: the web workbench auto-saves edits, and
 * the repository's fixture must never change. Outside the workspace folder, so the Cost Overview test
 * sees the workspace it expects; the extension analyses any file-scheme document.
 */
const FILE = 'uncapped.ts';
let tempDir: string | undefined;
function fileUri(): vscode.Uri {
	if (!tempDir) {
		tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-diagnostics-'));
		fs.copyFileSync(path.join(workspaceRoot().fsPath, '..', 'diagnostics', FILE), path.join(tempDir, FILE));
	}
	return vscode.Uri.file(path.join(tempDir, FILE));
}

async function openAnalyzed(): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor; api: Awaited<ReturnType<typeof testingApi>> }> {
	const api = await testingApi();
	const doc = await vscode.workspace.openTextDocument(fileUri());
	const editor = await vscode.window.showTextDocument(doc, { preview: false });
	await api.whenAnalyzed(doc.uri);
	return { doc, editor, api };
}
const RULE = 'missing-max-tokens';

async function setGlobal(key: string, value: unknown): Promise<void> {
	await vscode.workspace.getConfiguration('costlens').update(key, value, vscode.ConfigurationTarget.Global);
}

/** Puts the fixture's original text back (the buffer only: the file on disk is never written). */
async function restore(doc: vscode.TextDocument, original: string): Promise<void> {
	if (doc.getText() === original) return;
	const edit = new vscode.WorkspaceEdit();
	edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), original);
	assert.equal(await vscode.workspace.applyEdit(edit), true);
}

suite('Diagnostics and quick fixes', () => {
	suiteTeardown(async () => {
		await vscode.commands.executeCommand('workbench.action.closeAllEditors');
		if (tempDir) fs.rmSync(tempDir, { recursive: true, force: true });
	});

	test('missing-max-tokens: squiggle on the call with a README link, warning severity', async () => {
		const { doc } = await openAnalyzed();
		await until('CostLens diagnostics', () => costlensDiagnostics(doc.uri).length > 0);
		const diagnostics = costlensDiagnostics(doc.uri).filter((d) => ruleOf(d) === RULE);
		assert.equal(diagnostics.length, 1, JSON.stringify(costlensDiagnostics(doc.uri).map((d) => [ruleOf(d), d.message])));
		const diagnostic = diagnostics[0]!;
		console.log(`    ${FILE}:${diagnostic.range.start.line + 1}:${diagnostic.range.start.character + 1} ${diagnostic.message}`);
		assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
		assert.equal(doc.getText(diagnostic.range).startsWith('openai.chat.completions.create'), true, doc.getText(diagnostic.range));
		const code = diagnostic.code as { value: string; target: vscode.Uri };
		assert.equal(code.value, RULE);
		assert.ok(code.target instanceof vscode.Uri);
		assert.equal(code.target.fragment, `rule-${RULE}`);
		assert.match(code.target.path, /README\.md$/);
		assert.match(diagnostic.message, /No output cap/);
	});

	test('the quick fix inserts the cap from settings; diagnostics and the CodeLens cost update', async () => {
		const { doc, api } = await openAnalyzed();
		const original = doc.getText();
		// Below the assumed 512 output tokens, so the fix visibly lowers the estimate.
		await setGlobal('rules.defaultMaxTokens', 256);
		try {
			await api.whenAnalyzed(doc.uri);
			await until('the diagnostic for the new settings', () => costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE));
			const diagnostic = costlensDiagnostics(doc.uri).find((d) => ruleOf(d) === RULE)!;
			const actions = await quickFixes(doc.uri, diagnostic.range);
			console.log(`    actions: ${actions.map((a) => `${a.title}${a.isPreferred ? ' (preferred)' : ''}`).join(' | ')}`);
			const fix = actions.find((a) => a.title === 'Add max_tokens: 256');
			assert.ok(fix, 'the quick fix with the value from settings');
			assert.equal(fix.isPreferred, true);
			assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
			assert.ok(fix.edit);
			const lensBefore = await lensTitles(doc.uri);

			assert.equal(await vscode.workspace.applyEdit(fix.edit), true);
			assert.match(doc.getText(), /\t\tmax_tokens: 256,\n/);
			await api.whenAnalyzed(doc.uri);
			await until('the missing-max-tokens diagnostic to go away', () => !costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE));
			const lensAfter = await lensTitles(doc.uri);
			console.log(`    lens: ${lensBefore.join(' | ')} → ${lensAfter.join(' | ')}`);
			assert.equal(lensAfter.length, 1);
			assert.notEqual(lensAfter[0], lensBefore[0], 'the estimate reflects the new output cap');
		} finally {
			await setGlobal('rules.defaultMaxTokens', undefined);
			await restore(doc, original);
		}
		await api.whenAnalyzed(doc.uri);
		await until('the diagnostic to come back after the revert', () => costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE));
	});

	test('costlens.rules.disabled and costlens.diagnostics.enabled remove the diagnostics', async () => {
		const { doc, api } = await openAnalyzed();
		await until('the diagnostic', () => costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE));
		await setGlobal('rules.disabled', [RULE]);
		try {
			await api.whenAnalyzed(doc.uri);
			await until('the disabled rule to disappear', () => !costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE));
		} finally {
			await setGlobal('rules.disabled', undefined);
		}
		await api.whenAnalyzed(doc.uri);
		await until('the rule to come back', () => costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE));
		await setGlobal('diagnostics.enabled', false);
		try {
			await until('all CostLens diagnostics to disappear', () => costlensDiagnostics(doc.uri).length === 0);
			assert.equal((await lensTitles(doc.uri)).length, 1, 'CodeLens stays on');
		} finally {
			await setGlobal('diagnostics.enabled', undefined);
		}
		await api.whenAnalyzed(doc.uri);
		await until('diagnostics to come back', () => costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE));
	});

	test('the ignore action adds costlens-ignore-next-line and the finding goes; severity follows settings', async () => {
		const { doc, api } = await openAnalyzed();
		const original = doc.getText();
		await setGlobal('rules.severity', { [RULE]: 'error' });
		try {
			await api.whenAnalyzed(doc.uri);
			await until('the severity override', () => costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE && d.severity === vscode.DiagnosticSeverity.Error));
			const diagnostic = costlensDiagnostics(doc.uri).find((d) => ruleOf(d) === RULE)!;
			const ignore = (await quickFixes(doc.uri, diagnostic.range)).find((a) => a.title.startsWith(`Ignore ${RULE} on this line`));
			assert.ok(ignore?.edit, 'the ignore action');
			assert.notEqual(ignore.isPreferred, true, 'never the preferred fix');
			assert.equal(await vscode.workspace.applyEdit(ignore.edit), true);
			assert.match(doc.getText(), new RegExp(`\\n\\t// costlens-ignore-next-line ${RULE}\\n\\tconst completion`));
			await api.whenAnalyzed(doc.uri);
			await until('the ignored finding to go away', () => !costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE));
		} finally {
			await setGlobal('rules.severity', undefined);
			await restore(doc, original);
		}
		await api.whenAnalyzed(doc.uri);
		await until('the finding to come back without the comment', () => costlensDiagnostics(doc.uri).some((d) => ruleOf(d) === RULE && d.severity === vscode.DiagnosticSeverity.Warning));
	});
});
