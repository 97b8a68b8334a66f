import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScanSummary } from '../../src/extension/costOverview';
import { openAnalyzed, testingApi, until } from './helpers';

suite('Cost Overview and status bar', () => {
	test('Scan Workspace fills the overview sorted by monthly cost, unpriced last, minified excluded', async () => {
		const api = await testingApi();
		const summary = await vscode.commands.executeCommand<ScanSummary>('costlens.scanWorkspace');
		assert.ok(summary, 'the command returns the scan summary');
		assert.equal(summary.cancelled, false);
		const files = api.overview();
		const names = files.map((f) => path.basename(f.fileName));
		console.log(`    overview: ${files.map((f) => `${path.basename(f.fileName)}=${f.monthlyCostUsd.toFixed(2)}+${f.unpricedCount}u`).join(', ')}`);
		assert.deepEqual(names.slice(0, 2), ['chat.ts', 'classify.ts']);
		assert.deepEqual(names.slice(2).sort(), ['compatible.ts', 'unknownModel.ts']);
		assert.ok(files[0]!.monthlyCostUsd > files[1]!.monthlyCostUsd);
		assert.ok(files.slice(2).every((f) => f.pricedCount === 0 && f.unpricedCount === 1));
		assert.equal(names.includes('minified.min.js'), false);
		assert.equal(names.includes('prompts.ts'), false, 'files without calls are not listed');
	});

	test('status bar shows the active file monthly cost', async () => {
		const { api } = await openAnalyzed('src/chat.ts');
		await until('status bar to show chat.ts cost', () => /^CostLens: \$\d[\d.,]*[kM]?\/mo$/.test(api.statusBarText() ?? ''));
		const { api: api2 } = await openAnalyzed('src/unknownModel.ts');
		await until('status bar to count the unpriced call', () => api2.statusBarText() === 'CostLens: 1 unpriced');
	});
});
