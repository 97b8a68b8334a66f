import * as fs from 'node:fs';
import * as path from 'node:path';
import {
	applyEdits,
	buildReport,
	createPositionMapper,
	createTokenCounter,
	DEFAULT_ASSUMPTIONS,
	DEFAULT_RULE_SETTINGS,
	type Assumptions,
	type CostReport,
	type Finding,
	type PriceOverride,
	type PriceTable,
	type ReportFileInput,
	type ReportSkip,
	type RuleSettings,
	type TextEdit,
	type TokenCounter,
} from '../core';
import { checkFile } from '../core/check';
import type { SourceResolver } from '../core/analysis/types';
import { isPythonFile, type PythonParser } from '../core/python/parser';
import { createFsResolver } from '../node/fsResolver';
import { loadPythonSupport, type PythonSupport } from '../node/pythonParser';
import { walkSourceFiles, type WalkResult } from '../node/walk';

/**
 * Loads the Python parser once, only when the walked files include Python. It keeps one tree
 * (`rememberFiles: 1`): every file of a scan is parsed once, so there is nothing to reparse.
 */
export async function loadScanPython(files: readonly string[]): Promise<PythonSupport | undefined> {
	return files.some(isPythonFile) ? loadPythonSupport({ rememberFiles: 1 }) : undefined;
}

/** The check context's `python` field for `fileName`, or the reason the file is skipped. */
function pythonFor(fileName: string, python: PythonSupport | undefined): { python?: PythonParser } | { skip: string } {
	if (!isPythonFile(fileName)) return {};
	if (!python) return { skip: 'the Python parser is not loaded' };
	if ('error' in python) return { skip: `the Python parser could not be loaded: ${python.error}` };
	return { python: python.parser };
}

export interface ScanRequest {
	readonly paths: readonly string[];
	readonly cwd: string;
	readonly assumptions: Assumptions;
	readonly prices: PriceTable;
	/** Rule thresholds and disabled rules (default: DEFAULT_RULE_SETTINGS). */
	readonly rules?: RuleSettings;
	/** Called after each file with (done, total); the CLI draws its progress line from it. */
	readonly onProgress?: (done: number, total: number) => void;
	/** The files to check, when the caller already walked `paths` (to decide whether Python is needed). */
	readonly walked?: WalkResult;
	/** Needed for `.py` files (see `loadScanPython`); without it they are reported as skipped. */
	readonly python?: PythonSupport;
}

/** Walks, analyses and prices every file in-process, and builds the report. Per-file failures become skipped entries. */
export function scan(request: ScanRequest): CostReport {
	const walked = request.walked ?? walkSourceFiles(request.paths, request.cwd);
	const skipped: ReportSkip[] = walked.issues.map((issue) => ({ file: issue.path, reason: issue.message }));
	const resolver = createFsResolver();
	const tokens = createTokenCounter();
	const context = { prices: request.prices, tokens, assumptions: request.assumptions, rules: request.rules ?? DEFAULT_RULE_SETTINGS, resolver };
	const inputs: ReportFileInput[] = [];
	walked.files.forEach((fileName, index) => {
		const file = relativeForReport(request.cwd, fileName);
		let text: string;
		try {
			text = fs.readFileSync(fileName, 'utf8');
		} catch (error: unknown) {
			skipped.push({ file, reason: `could not read: ${error instanceof Error ? error.message : String(error)}` });
			request.onProgress?.(index + 1, walked.files.length);
			return;
		}
		try {
			const python = pythonFor(fileName, request.python);
			if ('skip' in python) {
				skipped.push({ file, reason: python.skip });
				request.onProgress?.(index + 1, walked.files.length);
				return;
			}
			const { analysis, estimates, findings } = checkFile(text, fileName, { ...context, ...python });
			inputs.push({ file, text, analysis, estimates, findings });
		} catch (error: unknown) {
			// The core promises not to throw; if it does, one file must not sink the whole scan.
			skipped.push({ file, reason: `analysis failed: ${error instanceof Error ? error.message : String(error)}` });
		}
		request.onProgress?.(index + 1, walked.files.length);
	});
	return buildReport(inputs, skipped);
}

/** One preferred fix `costlens scan --fix` applied. Position is in the text before that pass's edits. */
export interface AppliedFix {
	readonly file: string;
	readonly line: number;
	readonly column: number;
	readonly ruleId: string;
	readonly title: string;
}

export interface FixResult {
	readonly applied: readonly AppliedFix[];
	/** Files that could not be read, checked or written, with why; they are left as they were. */
	readonly failed: readonly ReportSkip[];
}

/** A fix's edits are taken only if none touches an edit already taken in this pass (touching counts: the order of two edits at one offset is ambiguous). */
function conflicts(edits: readonly TextEdit[], taken: readonly TextEdit[]): boolean {
	return edits.some((e) => taken.some((t) => e.span.start <= t.span.end && t.span.start <= e.span.end));
}

/** Bounded: each pass re-checks the file, so fixes that keep producing findings cannot loop forever. */
const MAX_FIX_PASSES = 10;

function fixable(findings: readonly Finding[]): number {
	return findings.filter((f) => f.fixes.some((fix) => fix.preferred === true && fix.edits.length > 0)).length;
}

/**
 * Applies each finding's preferred fix in memory: per pass, the non-overlapping preferred fixes of a
 * fresh check; then re-checks and repeats with what is left. A pass after which no fewer fixable
 * findings remain is dropped (a fix that does not remove its finding would otherwise be applied
 * again and again). Returns the new text (the same text when nothing applied).
 */
export function fixText(
	text: string,
	fileName: string,
	context: { prices: PriceTable; tokens: TokenCounter; assumptions: Assumptions; rules: RuleSettings; resolver?: SourceResolver; python?: PythonParser },
	onApplied: (finding: Finding, title: string, line: number, column: number) => void,
): string {
	let findings = checkFile(text, fileName, context).findings;
	for (let pass = 0; pass < MAX_FIX_PASSES; pass++) {
		const positionOf = createPositionMapper(text);
		const taken: TextEdit[] = [];
		const chosen: { finding: Finding; title: string }[] = [];
		for (const finding of findings) {
			const fix = finding.fixes.find((f) => f.preferred === true && f.edits.length > 0);
			if (!fix || conflicts(fix.edits, taken)) continue;
			taken.push(...fix.edits);
			chosen.push({ finding, title: fix.title });
		}
		if (chosen.length === 0) break;
		const next = applyEdits(text, taken);
		const after = checkFile(next, fileName, context).findings;
		if (next === text || fixable(after) >= fixable(findings)) break;
		for (const { finding, title } of chosen) {
			const { line, column } = positionOf(finding.span.start);
			onApplied(finding, title, line, column);
		}
		text = next;
		findings = after;
	}
	return text;
}

/** `costlens scan --fix`: applies preferred fixes to every scanned file on disk, before the report is built. */
export function fixFiles(request: ScanRequest): FixResult {
	const walked = request.walked ?? walkSourceFiles(request.paths, request.cwd);
	const context = { prices: request.prices, tokens: createTokenCounter(), assumptions: request.assumptions, rules: request.rules ?? DEFAULT_RULE_SETTINGS, resolver: createFsResolver() };
	const applied: AppliedFix[] = [];
	const failed: ReportSkip[] = [];
	for (const fileName of walked.files) {
		const file = relativeForReport(request.cwd, fileName);
		const python = pythonFor(fileName, request.python);
		// The report lists the same file as skipped, with the reason.
		if ('skip' in python) continue;
		try {
			const before = fs.readFileSync(fileName, 'utf8');
			const fixes: AppliedFix[] = [];
			const after = fixText(before, fileName, { ...context, ...python }, (finding, title, line, column) => fixes.push({ file, line, column, ruleId: finding.ruleId, title }));
			if (after !== before) {
				fs.writeFileSync(fileName, after, 'utf8');
				applied.push(...fixes);
			}
		} catch (error: unknown) {
			failed.push({ file, reason: `not fixed: ${error instanceof Error ? error.message : String(error)}` });
		}
	}
	return { applied, failed };
}

/** Relative to cwd with forward slashes; files outside cwd keep their absolute path. */
export function relativeForReport(cwd: string, fileName: string): string {
	const relative = path.relative(cwd, fileName);
	const shown = relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? fileName : relative;
	return shown.split(path.sep).join('/');
}

/** Reads a `--prices` file. Throws an Error with a user-facing message when the file itself is unusable. */
export function loadPriceOverrides(file: string): Record<string, PriceOverride> {
	let raw: string;
	try {
		raw = fs.readFileSync(file, 'utf8');
	} catch (error: unknown) {
		throw new Error(`cannot read --prices file ${file}: ${error instanceof Error ? error.message : String(error)}`);
	}
	let data: unknown;
	try {
		data = JSON.parse(raw);
	} catch (error: unknown) {
		throw new Error(`--prices file ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
	}
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		throw new Error(`--prices file ${file} must be an object mapping model ids to { "input": n, "output": n }`);
	}
	// Entries are checked by createPriceTable, which lists each one it ignores in `warnings`.
	return data as Record<string, PriceOverride>;
}

export function scanAssumptions(callsPerDay: number | undefined, assumedOutputTokens: number | undefined): Assumptions {
	return {
		...DEFAULT_ASSUMPTIONS,
		...(callsPerDay !== undefined ? { callsPerDay } : {}),
		...(assumedOutputTokens !== undefined ? { assumedOutputTokens } : {}),
	};
}
