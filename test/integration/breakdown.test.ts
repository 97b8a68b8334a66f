import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { openAnalyzed, until } from './helpers';

function breakdownTabs(): vscode.Tab[] {
	return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.label === 'Cost Breakdown');
}

async function closeBreakdownTabs(): Promise<void> {
	const tabs = breakdownTabs();
	if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}

suite('Cost Breakdown', () => {
	teardown(closeBreakdownTabs);

	test('Show Cost Breakdown with the cursor on a call opens the webview panel', async () => {
		await closeBreakdownTabs();
		const { doc, editor } = await openAnalyzed('src/chat.ts');
		const position = doc.positionAt(doc.getText().indexOf('anthropic.messages.create') + 3);
		editor.selection = new vscode.Selection(position, position);
		const shown = await vscode.commands.executeCommand<boolean>('costlens.showCostBreakdown');
		assert.equal(shown, true);
		// The tab model reaches the extension host asynchronously after the panel is created.
		await until('a "Cost Breakdown" tab', () => breakdownTabs().length > 0);
		const tabs = breakdownTabs();
		assert.equal(tabs.length, 1);
		assert.ok(tabs[0]!.input instanceof vscode.TabInputWebview, 'the tab is a webview');
		assert.match((tabs[0]!.input as vscode.TabInputWebview).viewType, /costlens\.breakdown$/);
	});

	test('the lens command argument opens the same panel for that call', async () => {
		await closeBreakdownTabs();
		const { doc } = await openAnalyzed('src/classify.ts');
		const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri, 100)) ?? [];
		const lens = lenses.find((l) => l.command?.command === 'costlens.showCostBreakdown');
		assert.ok(lens?.command);
		const shown = await vscode.commands.executeCommand<boolean>(lens.command.command, ...(lens.command.arguments ?? []));
		assert.equal(shown, true);
		await until('a "Cost Breakdown" tab', () => breakdownTabs().length > 0);
		assert.equal(breakdownTabs().length, 1);
	});

	test('with the cursor away from any call it opens nothing', async () => {
		await closeBreakdownTabs();
		const { editor } = await openAnalyzed('src/classify.ts');
		editor.selection = new vscode.Selection(0, 0, 0, 0);
		const shown = await vscode.commands.executeCommand<boolean>('costlens.showCostBreakdown');
		assert.equal(shown, false);
		assert.equal(breakdownTabs().length, 0);
	});
});
