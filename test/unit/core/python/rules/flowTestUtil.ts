import * as assert from 'node:assert/strict';
import { checkFile, type FileCheck } from '../../../../../src/core/check';
import type { SourceResolver } from '../../../../../src/core/analysis/types';
import { DEFAULT_ASSUMPTIONS } from '../../../../../src/core/pricing/estimateTypes';
import type { PythonParser } from '../../../../../src/core/python/parser';
import { DEFAULT_RULE_SETTINGS, RULE_IDS, type Finding, type RuleId, type RuleSettings } from '../../../../../src/core/rules/types';
import { prices, pythonParser, tokens } from '../pyTestUtil';

// Shared by the tests of the Python flow rules (sequential-independent-calls, non-streamed-long-output,
// batch-candidate, parse-retry): run one rule through the real pipeline (Python analysis → estimate →
// rules) with settings, the twin of test/unit/core/rules/shapesHelpers.ts. No tests of its own.

let parser: PythonParser | undefined;

/** Loads the real tree-sitter parser once; call from a `before` hook. */
export async function loadParser(): Promise<void> {
	parser = await pythonParser();
}

/** `checkFile` on Python text with every rule but `id` switched off. */
export function checkOnlyPy(id: RuleId, text: string, settings: Partial<RuleSettings> = {}, fileName = '/p/main.py', resolver?: SourceResolver): FileCheck {
	assert.ok(parser, 'call loadParser() in a before() hook first');
	const rules: RuleSettings = { ...DEFAULT_RULE_SETTINGS, ...settings, disabled: RULE_IDS.filter((r) => r !== id) };
	return checkFile(text, fileName, { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS, rules, python: parser, ...(resolver ? { resolver } : {}) });
}

export function findingsPy(id: RuleId, text: string, settings: Partial<RuleSettings> = {}, fileName = '/p/main.py'): Finding[] {
	const result = checkOnlyPy(id, text, settings, fileName);
	for (const f of result.findings) assert.equal(f.ruleId, id);
	return [...result.findings];
}

export function singlePy(id: RuleId, text: string, settings: Partial<RuleSettings> = {}, fileName = '/p/main.py'): Finding {
	const all = findingsPy(id, text, settings, fileName);
	assert.equal(all.length, 1, `expected one ${id} finding, got ${all.length}: ${all.map((f) => f.message).join(' | ')}`);
	return all[0]!;
}

/** The APIs the analysis found, so a "no finding" assertion is not vacuous. */
export function apisOf(id: RuleId, text: string, fileName = '/p/main.py'): string[] {
	return checkOnlyPy(id, text, {}, fileName).analysis.callSites.map((s) => s.api);
}
