import * as assert from 'node:assert/strict';
import * as ts from 'typescript';
import { checkFile, type FileCheck } from '../../../../src/core/check';
import type { SourceResolver } from '../../../../src/core/analysis/types';
import { DEFAULT_ASSUMPTIONS } from '../../../../src/core/pricing/estimateTypes';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import { applyEdits } from '../../../../src/core/rules/edits';
import type { Finding, RuleId } from '../../../../src/core/rules/types';
import { createTokenCounter } from '../../../../src/core/tokens/tokenCounter';
import { readFixture } from '../../helpers';

// Shared by the cache/unknown-model rule tests (this file has no tests of its own).

export const prices = createPriceTable();
export const tokens = createTokenCounter();

/** An in-memory resolver over the fixtures of one folder, mounted at `/p/`. */
export function fixtureResolver(folder: string, names: readonly string[]): SourceResolver {
	const files = new Map(names.map((n) => ['/p/' + n, readFixture(`${folder}/${n}`)]));
	return {
		resolveModule(_from, specifier) {
			for (const ext of ['', '.ts']) {
				const fileName = '/p/' + specifier.replace(/^\.\//, '') + ext;
				const text = files.get(fileName);
				if (text !== undefined) return { fileName, text };
			}
			return undefined;
		},
		readTextFile: () => undefined,
	};
}

export function check(text: string, resolver?: SourceResolver, fileName = '/p/main.ts'): FileCheck {
	return checkFile(text, fileName, { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS, ...(resolver ? { resolver } : {}) });
}

export function findingsOf(result: FileCheck, rule: RuleId): Finding[] {
	return result.findings.filter((f) => f.ruleId === rule);
}

/** The text a span of `text` covers. */
export function at(text: string, f: Finding): string {
	return text.slice(f.span.start, f.span.end);
}

export function assertParses(text: string, fileName = 'fixed.ts'): void {
	const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
	const diagnostics = (sf as unknown as { parseDiagnostics: readonly ts.Diagnostic[] }).parseDiagnostics;
	assert.equal(diagnostics.length, 0, diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; '));
}

/** Applies `finding`'s fix (the preferred one unless `title` matches another) and checks the result parses. */
export function applyFix(text: string, finding: Finding, title?: RegExp): string {
	const fix = title ? finding.fixes.find((f) => title.test(f.title)) : finding.fixes.find((f) => f.preferred);
	assert.ok(fix, `no ${title ? `fix matching ${title}` : 'preferred fix'} among ${JSON.stringify(finding.fixes.map((f) => f.title))}`);
	const out = applyEdits(text, fix.edits);
	assertParses(out);
	return out;
}
