import * as assert from 'node:assert/strict';
import { before } from 'node:test';
import { checkFile, type FileCheck } from '../../../../src/core/check';
import type { SourceResolver } from '../../../../src/core/analysis/types';
import { DEFAULT_ASSUMPTIONS } from '../../../../src/core/pricing/estimateTypes';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import type { PyNode, PythonParser } from '../../../../src/core/python/parser';
import { applyEdits } from '../../../../src/core/rules/edits';
import type { Finding, RuleId, RuleSettings } from '../../../../src/core/rules/types';
import { createTokenCounter } from '../../../../src/core/tokens/tokenCounter';
import { loadPythonParser } from '../../../../src/node/pythonParser';
import { readFixture } from '../../helpers';
import { checkOnly, findings, single } from '../rules/shapesHelpers';

// Shared by the Python analysis and rule tests (this file has no tests of its own). Call
// `await pythonParser()` in a `before` hook; the parser's wasm loads once per test process.

export const prices = createPriceTable();
export const tokens = createTokenCounter();

let loading: Promise<PythonParser> | undefined;
let loaded: PythonParser | undefined;

/** The real tree-sitter Python parser (wasm), loaded once. */
export async function pythonParser(): Promise<PythonParser> {
	loading ??= loadPythonParser().then((p) => (loaded = p));
	return loading;
}

/** Registers a `before` hook loading the parser: call once at the top of a test file. */
export function usePythonParser(): void {
	before(async () => {
		await pythonParser();
	});
}

function parser(): PythonParser {
	assert.ok(loaded, 'call `await pythonParser()` in a before() hook first');
	return loaded;
}

/**
 * An in-memory resolver over the fixtures of one folder, mounted at `/p/`. The Python analyser asks
 * for relative paths with the extension (`./prompts.py`, `./pkg/__init__.py`, `../x.py`).
 */
export function pyFixtureResolver(folder: string, names: readonly string[]): SourceResolver {
	const files = new Map(names.map((n) => ['/p/' + n, readFixture(`${folder}/${n}`)]));
	return {
		resolveModule(_from, specifier) {
			const fileName = '/p/' + specifier.replace(/^\.\//, '');
			const text = files.get(fileName);
			return text !== undefined ? { fileName, text } : undefined;
		},
		readTextFile(_from, relativePath) {
			return files.get('/p/' + relativePath.replace(/^\.\//, ''));
		},
	};
}

/** checkFile on Python text with the default prices and assumptions (and rule settings unless given). */
export function checkPy(text: string, resolver?: SourceResolver, fileName = '/p/main.py', rules?: RuleSettings): FileCheck {
	return checkFile(text, fileName, { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS, python: parser(), ...(resolver ? { resolver } : {}), ...(rules ? { rules } : {}) });
}

/** `checkFile` on Python text with every rule but `id` switched off (the twin of shapesHelpers' `checkOnly`). */
export function checkOnlyPy(id: RuleId, text: string, settings: Partial<RuleSettings> = {}, fileName = '/p/main.py', resolver?: SourceResolver): FileCheck {
	return checkOnly(id, text, settings, fileName, { python: parser(), ...(resolver ? { resolver } : {}) });
}

/** `id`'s findings on Python text, with the settings given. */
export function findingsPy(id: RuleId, text: string, settings: Partial<RuleSettings> = {}, fileName = '/p/main.py'): Finding[] {
	return findings(id, text, settings, fileName, { python: parser() });
}

/** `id`'s only finding on Python text (asserts there is exactly one). */
export function singlePy(id: RuleId, text: string, settings: Partial<RuleSettings> = {}, fileName = '/p/main.py'): Finding {
	return single(id, text, settings, fileName, { python: parser() });
}

/** The APIs the analysis found, so a "no finding" assertion is not vacuous. */
export function apisOf(id: RuleId, text: string, fileName = '/p/main.py'): string[] {
	return checkOnlyPy(id, text, {}, fileName).analysis.callSites.map((s) => s.api);
}

export function findingsOf(result: FileCheck, rule: RuleId): Finding[] {
	return result.findings.filter((f) => f.ruleId === rule);
}

/** The text a span of `text` covers. */
export function at(text: string, f: { span: { start: number; end: number } }): string {
	return text.slice(f.span.start, f.span.end);
}

/** The first ERROR or MISSING node of `node`'s subtree, if any. */
function firstError(node: PyNode): PyNode | undefined {
	if (!node.hasError) return undefined;
	if (node.isError || node.isMissing) return node;
	for (const child of node.children) {
		const found = child ? firstError(child) : undefined;
		if (found) return found;
	}
	return node;
}

/** Asserts tree-sitter parses `text` with no ERROR or MISSING node. */
export function assertParsesPy(text: string): void {
	const tree = parser().parseDetached(text);
	try {
		const error = firstError(tree.rootNode);
		assert.equal(error, undefined, error ? `syntax error at ${error.startPosition.row + 1}:${error.startPosition.column + 1}: ${JSON.stringify(error.text.slice(0, 60))}\n${text}` : '');
	} finally {
		tree.delete();
	}
}

/** Applies `finding`'s fix (the preferred one unless `title` matches another) and checks the result parses. */
export function applyFixPy(text: string, finding: Finding, title?: RegExp): string {
	const fix = title ? finding.fixes.find((f) => title.test(f.title)) : finding.fixes.find((f) => f.preferred);
	assert.ok(fix, `no ${title ? `fix matching ${title}` : 'preferred fix'} among ${JSON.stringify(finding.fixes.map((f) => f.title))}`);
	const out = applyEdits(text, fix.edits);
	assertParsesPy(out);
	return out;
}
