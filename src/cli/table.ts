import { formatInteger, formatUsd, type Assumptions, type CostReport, type ReportCallSite } from '../core';

export interface Style {
	bold(text: string): string;
	dim(text: string): string;
	warn(text: string): string;
}

const ESC = '\u001b[';
export const ANSI_STYLE: Style = {
	bold: (t) => `${ESC}1m${t}${ESC}22m`,
	dim: (t) => `${ESC}2m${t}${ESC}22m`,
	warn: (t) => `${ESC}33m${t}${ESC}39m`,
};
export const PLAIN_STYLE: Style = { bold: (t) => t, dim: (t) => t, warn: (t) => t };

const HEADERS = ['location', 'provider', 'api', 'model', 'in', 'out', '$/call', '$/mo'] as const;
/** Numeric columns are right-aligned. */
const RIGHT_ALIGNED = new Set([4, 5, 6, 7]);

/**
 * The human report: one row per call site in report order, skipped files with their reasons, and a
 * total. Unpriced calls read `unpriced`, never $0, and are left out of the total (which says so).
 */
export function renderTable(report: CostReport, filesScanned: number, assumptions: Assumptions, style: Style): string {
	const lines: string[] = [];
	if (report.callSites.length === 0) {
		lines.push(`No Anthropic or OpenAI SDK calls found in ${plural(filesScanned, 'file')}.`);
	} else {
		const rows = report.callSites.map(row);
		const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
		const format = (cells: readonly string[]): string =>
			cells.map((cell, i) => (RIGHT_ALIGNED.has(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ').trimEnd();
		lines.push(style.bold(format(HEADERS)));
		report.callSites.forEach((site, i) => {
			const text = format(rows[i] ?? []);
			lines.push(site.estimate.priced ? text : style.warn(text));
		});
	}
	if (report.findings.length > 0) {
		lines.push('', style.bold(`${plural(report.findings.length, 'finding')}:`));
		for (const f of report.findings) {
			const text = `  ${f.file}:${f.line}:${f.column}  ${f.severity}  ${f.ruleId}  ${f.message}`;
			lines.push(f.severity === 'error' || f.severity === 'warning' ? style.warn(text) : text);
		}
	}
	if (report.skipped.length > 0) {
		lines.push('', `Skipped ${plural(report.skipped.length, 'file')}:`);
		for (const skip of report.skipped) lines.push(`  ${skip.file}: ${style.dim(skip.reason)}`);
	}
	lines.push('', style.bold(totalLine(report, filesScanned, assumptions)));
	return lines.join('\n') + '\n';
}

function row(site: ReportCallSite): string[] {
	const { estimate } = site;
	const input = estimate.cacheableInputTokens > 0 ? `${formatInteger(estimate.inputTokens)} (${formatInteger(estimate.cacheableInputTokens)} cacheable)` : formatInteger(estimate.inputTokens);
	return [
		`${site.file}:${site.line}`,
		site.provider,
		site.api + (site.stream ? ' (stream)' : ''),
		site.model ?? '(not static)',
		input,
		formatInteger(estimate.outputTokens),
		estimate.costUsd === null ? 'unpriced' : formatUsd(estimate.costUsd),
		estimate.monthlyCostUsd === null ? 'unpriced' : formatUsd(estimate.monthlyCostUsd),
	];
}

function totalLine(report: CostReport, filesScanned: number, assumptions: Assumptions): string {
	const priced = report.callSites.filter((s) => s.estimate.monthlyCostUsd !== null);
	const unpriced = report.callSites.length - priced.length;
	const monthly = priced.reduce((sum, s) => sum + (s.estimate.monthlyCostUsd ?? 0), 0);
	const parts = [`${plural(report.callSites.length, 'call site')} in ${plural(filesScanned, 'file')} scanned`];
	if (priced.length > 0) parts.push(`${formatUsd(monthly)}/mo for ${priced.length} priced at ${formatInteger(assumptions.callsPerDay)} calls/day each`);
	if (unpriced > 0) parts.push(`${unpriced} unpriced (not in the total)`);
	return `Total: ${parts.join(' · ')}`;
}


function plural(n: number, noun: string): string {
	return `${formatInteger(n)} ${noun}${n === 1 ? '' : 's'}`;
}
