import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { hoverText, openAnalyzed } from './helpers';

suite('Hover', () => {
	test('hovering the callee shows the price row with its asOf date and the role table', async () => {
		const { doc } = await openAnalyzed('src/chat.ts');
		const offset = doc.getText().indexOf('messages.create');
		assert.ok(offset > 0);
		const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(offset + 2))) ?? [];
		const text = hoverText(hovers);
		assert.match(text, /\*\*CostLens\*\*/);
		assert.match(text, /\*\*Price\*\* \(claude-sonnet-4-5/);
		assert.match(text, /as of \d{4}-\d{2}-\d{2}/);
		assert.match(text, /\| tokens by role \|/);
		assert.match(text, /\| system \|/);
	});

	test('hovering outside any call adds no CostLens hover', async () => {
		const { doc } = await openAnalyzed('src/classify.ts');
		const offset = doc.getText().indexOf('LABELS');
		const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, doc.positionAt(offset + 1))) ?? [];
		assert.doesNotMatch(hoverText(hovers), /\*\*CostLens\*\*/);
	});
});
