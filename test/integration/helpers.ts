import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CostlensApi } from '../../src/extension/extension';
import type { TestingApi } from '../../src/extension/testing';

export const EXTENSION_ID = 'costlens.costlens';

/** Activates CostLens and returns its testing API (the host must run with COSTLENS_TESTING=true). */
export async function testingApi(): Promise<TestingApi> {
	const extension = vscode.extensions.getExtension<CostlensApi>(EXTENSION_ID);
	assert.ok(extension, `extension ${EXTENSION_ID} is not installed in this host`);
	const api = await extension.activate();
	assert.ok(api.testing, 'COSTLENS_TESTING=true must be set in the extension host environment');
	return api.testing;
}

/** The fixture workspace: the opened folder, or test/fixtures/workspace next to the compiled tests. */
export function workspaceRoot(): vscode.Uri {
	const folder = vscode.workspace.workspaceFolders?.[0];
	if (folder) return folder.uri;
	return vscode.Uri.file(path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'workspace'));
}

export function fixture(relative: string): vscode.Uri {
	return vscode.Uri.joinPath(workspaceRoot(), ...relative.split('/'));
}

/** Opens a fixture in an editor and waits until CostLens has analysed its current version. */
export async function openAnalyzed(relative: string): Promise<{ doc: vscode.TextDocument; editor: vscode.TextEditor; api: TestingApi }> {
	const api = await testingApi();
	const doc = await vscode.workspace.openTextDocument(fixture(relative));
	const editor = await vscode.window.showTextDocument(doc, { preview: false });
	await api.whenAnalyzed(doc.uri);
	return { doc, editor, api };
}

export async function lensTitles(uri: vscode.Uri): Promise<string[]> {
	const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri, 100)) ?? [];
	// Other extensions (e.g. TypeScript's reference lenses) may add lenses too: keep ours only.
	return lenses.filter((l) => l.command?.command === 'costlens.showCostBreakdown').map((l) => l.command!.title);
}

/**
 * Waits for a condition driven by an event we cannot await directly (a status-bar refresh after an
 * editor switch). Polls; fails with `what` after `timeoutMs`. Not a sleep: it returns as soon as true.
 */
export async function until(what: string, predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (!predicate()) {
		if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 25));
	}
}

/** CostLens's own diagnostics on a document (other extensions may add theirs). */
export function costlensDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
	return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'costlens');
}

/** The rule id a diagnostic carries in `code` (a plain value, or `{ value, target }` with the README link). */
export function ruleOf(diagnostic: vscode.Diagnostic): string | undefined {
	const code = diagnostic.code;
	return typeof code === 'object' && code !== null ? String(code.value) : code === undefined ? undefined : String(code);
}

/** All hover contents as one string. */
export function hoverText(hovers: readonly vscode.Hover[]): string {
	return hovers
		.flatMap((h) => h.contents)
		.map((c) => (typeof c === 'string' ? c : c.value))
		.join('\n');
}

/** The quick fixes every provider offers on `range`. */
export async function quickFixes(uri: vscode.Uri, range: vscode.Range): Promise<vscode.CodeAction[]> {
	let actions: Array<vscode.CodeAction | vscode.Command> = [];
	for (let attempt = 1; ; attempt++) {
		try {
			actions = (await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value)) ?? [];
			break;
		} catch (e: unknown) {
			// The workbench cancels a code-action request when the set of providers changes (other
			// extensions re-register on a settings change); asking again is what the lightbulb does.
			if (attempt >= 5 || !(e instanceof Error) || e.name !== 'Canceled') throw e;
		}
	}
	// The command does not return `diagnostics` on the actions: other providers' fixes are told apart by title.
	return actions.filter((a): a is vscode.CodeAction => 'kind' in a && a.kind !== undefined && vscode.CodeActionKind.QuickFix.contains(a.kind));
}
