import * as assert from 'node:assert/strict';
import { checkFile, type FileCheck } from '../../../../src/core/check';
import type { SourceResolver } from '../../../../src/core/analysis/types';
import { DEFAULT_ASSUMPTIONS } from '../../../../src/core/pricing/estimateTypes';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import type { PyNode, PythonParser } from '../../../../src/core/python/parser';
import { applyEdits } from '../../../../src/core/rules/edits';
import type { Finding, RuleId } from '../../../../src/core/rules/types';
import { createTokenCounter } from '../../../../src/core/tokens/tokenCounter';
import { loadPythonParser } from '../../../../src/node/pythonParser';
import { readFixture } from '../../helpers';

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

/** checkFile on Python text with the default prices and assumptions. */
export function checkPy(text: string, resolver?: SourceResolver, fileName = '/p/main.py'): FileCheck {
	return checkFile(text, fileName, { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS, python: parser(), ...(resolver ? { resolver } : {}) });
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
