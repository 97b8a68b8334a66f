import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { lensTitles, openAnalyzed, until } from './helpers';

const PRICED_TITLE = /^≈ <?\$\d[\d.,]*[kM]?\/call · /;
const MONTHLY = /· \$\d[\d.,]*[kM]?\/mo @ 1k\/day/;

suite('CodeLens', () => {
	test('Anthropic call with a cached system block shows $/call and $/mo @ 1k/day', async () => {
		const { doc } = await openAnalyzed('src/chat.ts');
		const titles = await lensTitles(doc.uri);
		console.log(`    chat.ts: ${titles.join(' | ')}`);
		assert.equal(titles.length, 1);
		assert.match(titles[0]!, PRICED_TITLE);
		assert.match(titles[0]!, MONTHLY);
		assert.match(titles[0]!, /cacheable/, 'the cache_control prefix is above the minimum and counted as cacheable');
	});

	test('OpenAI gpt-4o-mini call is priced', async () => {
		const { doc } = await openAnalyzed('src/classify.ts');
		const titles = await lensTitles(doc.uri);
		console.log(`    classify.ts: ${titles.join(' | ')}`);
		assert.equal(titles.length, 1);
		assert.match(titles[0]!, PRICED_TITLE);
		assert.match(titles[0]!, MONTHLY);
	});

	test('unknown model claude-foo-9 says unpriced, never $0', async () => {
		const { doc } = await openAnalyzed('src/unknownModel.ts');
		const titles = await lensTitles(doc.uri);
		console.log(`    unknownModel.ts: ${titles.join(' | ')}`);
		assert.equal(titles.length, 1);
		assert.match(titles[0]!, /unpriced/);
		assert.doesNotMatch(titles[0]!, /\$0(?![.\d])/);
		assert.doesNotMatch(titles[0]!, /\/mo/);
	});

	test('OpenAI SDK pointed at Together is not priced at OpenAI rates', async () => {
		const { doc } = await openAnalyzed('src/compatible.ts');
		const titles = await lensTitles(doc.uri);
		console.log(`    compatible.ts: ${titles.join(' | ')}`);
		assert.equal(titles.length, 1);
		assert.match(titles[0]!, /unpriced/);
	});

	test('a minified file gets no lens and a visible "skipped" status', async () => {
		const { doc, api } = await openAnalyzed('src/minified.min.js');
		assert.deepEqual(await lensTitles(doc.uri), []);
		await until('status bar to say skipped', () => api.statusBarText()?.includes('skipped') === true);
	});

	test('costlens.toggleCodeLens hides and restores the lenses', async () => {
		const { doc } = await openAnalyzed('src/chat.ts');
		assert.equal((await lensTitles(doc.uri)).length, 1);
		await vscode.commands.executeCommand('costlens.toggleCodeLens');
		try {
			assert.equal(vscode.workspace.getConfiguration('costlens').get('codeLens.enabled'), false);
			assert.deepEqual(await lensTitles(doc.uri), []);
		} finally {
			await vscode.commands.executeCommand('costlens.toggleCodeLens');
		}
		assert.equal(vscode.workspace.getConfiguration('costlens').get('codeLens.enabled'), true);
		assert.equal((await lensTitles(doc.uri)).length, 1);
	});
});
