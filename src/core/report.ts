import type { Api, CallSite, FileAnalysis, Provider } from './analysis/types';
import type { CostEstimate } from './pricing/estimateTypes';
import type { Finding, RuleId, Severity } from './rules/types';
import { createPositionMapper } from './text';

/** The CLI's `--json` output. Bump `schemaVersion` on any incompatible change. */
export interface CostReport {
	readonly schemaVersion: 1;
	readonly callSites: readonly ReportCallSite[];
	/** Every finding of every file (those of a call site are also under that call site), by file, line, column. */
	readonly findings: readonly ReportFileFinding[];
	readonly skipped: readonly ReportSkip[];
}

/** A rule finding with 1-based positions (columns in UTF-16 units); `end*` is exclusive, as in the editor. */
export interface ReportFinding {
	readonly ruleId: RuleId;
	readonly severity: Severity;
	readonly message: string;
	readonly line: number;
	readonly column: number;
	readonly endLine: number;
	readonly endColumn: number;
	/** Rounded like the estimates; absent when the finding is not priced. */
	readonly monthlyImpactUsd?: number;
	/** Fixes the core can apply (`costlens scan --fix` applies the preferred one). */
	readonly fixes: readonly { readonly title: string; readonly preferred: boolean }[];
}

export interface ReportFileFinding extends ReportFinding {
	/** Relative to the scan's working directory, forward slashes. */
	readonly file: string;
}

export interface ReportCallSite {
	/** Relative to the scan's working directory, forward slashes. */
	readonly file: string;
	/** 1-based position where the call expression starts (columns in UTF-16 units). */
	readonly line: number;
	readonly column: number;
	readonly provider: Provider;
	readonly api: Api;
	/** null when the model argument is absent or not static. */
	readonly model: string | null;
	/** null when the cap is absent or not static. */
	readonly maxOutputTokens: number | null;
	/** false when the argument is absent, null when it is not static; streaming APIs are always true. */
	readonly stream: boolean | null;
	readonly estimate: ReportEstimate;
	/** The rule findings that belong to this call (empty when none). */
	readonly findings: readonly ReportFinding[];
}

export interface ReportEstimate {
	readonly inputTokens: number;
	readonly cacheableInputTokens: number;
	readonly outputTokens: number;
	/** null when unpriced: an unknown or dynamic model is never reported as $0. */
	readonly costUsd: number | null;
	readonly monthlyCostUsd: number | null;
	readonly priced: boolean;
}

export interface ReportSkip {
	readonly file: string;
	readonly reason: string;
}

/** One analysed file: its text (for line/column), the analysis, and one estimate per call site, in order. */
export interface ReportFileInput {
	/** Path relative to the working directory; backslashes are turned into slashes. */
	readonly file: string;
	readonly text: string;
	readonly analysis: FileAnalysis;
	readonly estimates: readonly CostEstimate[];
	/** The rules' findings for this text (absent: none were computed). */
	readonly findings?: readonly Finding[];
}

/** APIs that stream whatever the request says. */
const STREAMING_APIS: ReadonlySet<Api> = new Set<Api>(['messages.stream', 'chat.completions.stream', 'responses.stream']);

/** Whether a call streams: true for streaming APIs, false when `stream` is absent, null when it is not static. */
export function reportStream(site: CallSite): boolean | null {
	if (STREAMING_APIS.has(site.api)) return true;
	if (site.stream === undefined) return false;
	return site.stream.kind === 'literal' ? site.stream.value : null;
}

/**
 * Builds the schemaVersion 1 report. Call sites are sorted by monthly cost (highest first), unpriced
 * ones last, ties by file, line and column; skipped files by file. `extraSkipped` carries files the
 * adapter could not read at all.
 */
export function buildReport(files: readonly ReportFileInput[], extraSkipped: readonly ReportSkip[] = []): CostReport {
	const callSites: ReportCallSite[] = [];
	const findings: ReportFileFinding[] = [];
	const skipped: ReportSkip[] = extraSkipped.map((s) => ({ file: toSlashes(s.file), reason: s.reason }));
	for (const input of files) {
		const file = toSlashes(input.file);
		if (input.analysis.skipped) skipped.push({ file, reason: input.analysis.skipped.reason });
		const positionOf = createPositionMapper(input.text);
		const bySite = new Map<number, ReportFinding[]>();
		for (const finding of input.findings ?? []) {
			const reported = reportFinding(finding, positionOf);
			findings.push({ file, ...reported });
			if (finding.callSiteIndex === undefined) continue;
			const list = bySite.get(finding.callSiteIndex) ?? [];
			list.push(reported);
			bySite.set(finding.callSiteIndex, list);
		}
		if (input.analysis.callSites.length === 0) continue;
		if (input.estimates.length !== input.analysis.callSites.length) {
			throw new Error(`buildReport: ${file} has ${input.analysis.callSites.length} call sites but ${input.estimates.length} estimates`);
		}
		input.analysis.callSites.forEach((site, index) => {
			const estimate = input.estimates[index] as CostEstimate;
			const { line, column } = positionOf(site.span.start);
			callSites.push({
				file,
				line,
				column,
				provider: site.provider,
				api: site.api,
				model: site.model?.kind === 'literal' ? site.model.value : null,
				maxOutputTokens: site.maxOutputTokens?.kind === 'literal' ? site.maxOutputTokens.value : null,
				stream: reportStream(site),
				estimate: {
					inputTokens: estimate.inputTokens,
					cacheableInputTokens: estimate.cacheableInputTokens,
					outputTokens: estimate.outputTokens,
					costUsd: estimate.priced ? roundUsd(estimate.costUsd) : null,
					monthlyCostUsd: estimate.priced ? roundUsd(estimate.monthlyCostUsd) : null,
					priced: estimate.priced,
				},
				findings: bySite.get(index) ?? [],
			});
		});
	}
	callSites.sort(compareCallSites);
	skipped.sort((a, b) => compareStrings(a.file, b.file) || compareStrings(a.reason, b.reason));
	findings.sort((a, b) => compareStrings(a.file, b.file) || a.line - b.line || a.column - b.column || compareStrings(a.ruleId, b.ruleId));
	return { schemaVersion: 1, callSites, findings, skipped };
}

function reportFinding(finding: Finding, positionOf: (offset: number) => { line: number; column: number }): ReportFinding {
	const start = positionOf(finding.span.start);
	const end = positionOf(finding.span.end);
	return {
		ruleId: finding.ruleId,
		severity: finding.severity,
		message: finding.message,
		line: start.line,
		column: start.column,
		endLine: end.line,
		endColumn: end.column,
		...(finding.monthlyImpactUsd !== undefined ? { monthlyImpactUsd: roundUsd(finding.monthlyImpactUsd) } : {}),
		fixes: finding.fixes.map((fix) => ({ title: fix.title, preferred: fix.preferred === true })),
	};
}

/** Report order: priced before unpriced, then monthly cost descending, then file, line, column. */
export function compareCallSites(a: ReportCallSite, b: ReportCallSite): number {
	const am = a.estimate.monthlyCostUsd;
	const bm = b.estimate.monthlyCostUsd;
	if (am !== null && bm === null) return -1;
	if (am === null && bm !== null) return 1;
	if (am !== null && bm !== null && am !== bm) return bm - am;
	return compareStrings(a.file, b.file) || a.line - b.line || a.column - b.column;
}

/** Code-unit order, not locale order, so the report is byte-identical on every machine. */
function compareStrings(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

function toSlashes(file: string): string {
	return file.replace(/\\/g, '/');
}

/** Six significant digits: float noise (0.0061000000000001) out of the JSON, precision far beyond the estimate's. */
function roundUsd(value: number): number {
	return Number.isFinite(value) ? Number(value.toPrecision(6)) : value;
}
