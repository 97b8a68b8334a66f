import assert from 'node:assert/strict';
import * as ts from 'typescript';
import { checkFile, type FileCheck } from '../../../../src/core/check';
import type { SourceResolver } from '../../../../src/core/analysis/types';
import type { PythonParser } from '../../../../src/core/python/parser';
import { DEFAULT_ASSUMPTIONS } from '../../../../src/core/pricing/estimateTypes';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import { applyEdits } from '../../../../src/core/rules/edits';
import { DEFAULT_RULE_SETTINGS, RULE_IDS, type Finding, type RuleId, type RuleSettings } from '../../../../src/core/rules/types';
import { createTokenCounter } from '../../../../src/core/tokens/tokenCounter';

// Shared by the tests of the call-shape rules: run one rule through the real pipeline
// (analyse → estimate → rules), apply a fix, check the result still parses.

const prices = createPriceTable();
const tokens = createTokenCounter();

/** What a check needs beyond the defaults: the Python parser for `.py` files, a resolver for imports. */
export interface CheckExtras {
	readonly python?: PythonParser;
	readonly resolver?: SourceResolver;
}

/** `checkFile` with every rule but `id` switched off (a `.py` file needs `extras.python`). */
export function checkOnly(id: RuleId, text: string, settings: Partial<RuleSettings> = {}, fileName = 'route.ts', extras: CheckExtras = {}): FileCheck {
	const rules: RuleSettings = { ...DEFAULT_RULE_SETTINGS, ...settings, disabled: RULE_IDS.filter((r) => r !== id) };
	return checkFile(text, fileName, { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS, rules, ...(extras.python ? { python: extras.python } : {}), ...(extras.resolver ? { resolver: extras.resolver } : {}) });
}

export function findings(id: RuleId, text: string, settings: Partial<RuleSettings> = {}, fileName = 'route.ts', extras: CheckExtras = {}): Finding[] {
	const result = checkOnly(id, text, settings, fileName, extras);
	for (const f of result.findings) assert.equal(f.ruleId, id);
	return [...result.findings];
}

export function single(id: RuleId, text: string, settings: Partial<RuleSettings> = {}, fileName = 'route.ts', extras: CheckExtras = {}): Finding {
	const all = findings(id, text, settings, fileName, extras);
	assert.equal(all.length, 1, `expected one ${id} finding, got ${all.length}: ${all.map((f) => f.message).join(' | ')}`);
	return all[0]!;
}

export function assertParses(text: string, fileName = 'route.ts'): void {
	const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
	const diagnostics = (sf as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics;
	assert.equal(diagnostics.length, 0, `fixed text does not parse: ${diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}\n${text}`);
}

/**
 * Applies the fix titled like `titlePrefix` (or the only/first one), asserts the result parses and
 * that the rule no longer reports the same call, and returns the new text.
 */
export function applyFix(id: RuleId, text: string, finding: Finding, titlePrefix?: string, settings: Partial<RuleSettings> = {}): string {
	const fix = titlePrefix === undefined ? finding.fixes[0] : finding.fixes.find((f) => f.title.startsWith(titlePrefix));
	assert.ok(fix, `no fix${titlePrefix ? ` starting with "${titlePrefix}"` : ''} among: ${finding.fixes.map((f) => f.title).join(' | ')}`);
	const fixed = applyEdits(text, fix.edits);
	assertParses(fixed);
	const after = findings(id, fixed, settings);
	assert.equal(after.length, 0, `finding still there after the fix: ${after.map((f) => f.message).join(' | ')}`);
	return fixed;
}

/** Text of `finding.span`. */
export function spanText(text: string, finding: Finding): string {
	return text.slice(finding.span.start, finding.span.end);
}
