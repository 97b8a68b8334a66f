import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ScanSummary } from '../../src/extension/costOverview';
import { openAnalyzed, testingApi, until } from './helpers';

suite('Cost Overview and status bar', () => {
	test('Scan Workspace fills the overview (TS and Python) sorted by monthly cost, unpriced last, minified excluded', async () => {
		const api = await testingApi();
		const summary = await vscode.commands.executeCommand<ScanSummary>('costlens.scanWorkspace');
		assert.ok(summary, 'the command returns the scan summary');
		assert.equal(summary.cancelled, false);
		const files = api.overview();
		const names = files.map((f) => path.basename(f.fileName));
		console.log(`    overview: ${files.map((f) => `${path.basename(f.fileName)}=${f.monthlyCostUsd.toFixed(2)}+${f.unpricedCount}u`).join(', ')}`);
		// The Python module is scanned too (both of its calls priced); its place among the priced files depends on prices.
		const python = files.find((f) => path.basename(f.fileName) === 'assistant.py');
		assert.ok(python, 'assistant.py is in the overview');
		assert.equal(python.pricedCount, 2);
		assert.ok(python.monthlyCostUsd > 0);
		const others = files.filter((f) => f !== python);
		const otherNames = others.map((f) => path.basename(f.fileName));
		assert.deepEqual(otherNames.slice(0, 2), ['chat.ts', 'classify.ts']);
		assert.deepEqual(otherNames.slice(2).sort(), ['compatible.ts', 'unknownModel.ts']);
		assert.ok(others[0]!.monthlyCostUsd > others[1]!.monthlyCostUsd);
		assert.ok(others.slice(2).every((f) => f.pricedCount === 0 && f.unpricedCount === 1));
		assert.ok(names.indexOf('assistant.py') < names.indexOf('compatible.ts'), 'priced before unpriced');
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
