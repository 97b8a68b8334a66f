/**
 * The Cost Overview's data and ordering, PURE (no `vscode`) so the sort rules are unit-tested:
 * files by estimated monthly cost, highest first; files whose calls are all unpriced after every
 * priced file; skipped/failed files last. Unpriced calls are counted, never summed as $0.
 */
import type { CallSite, Span } from '../core/analysis/types';
import type { CostEstimate } from '../core/pricing/estimateTypes';

export interface OverviewSite {
	readonly span: Span;
	readonly label: string;
	readonly monthlyCostUsd: number | null;
	readonly costUsd: number | null;
	/** Why the call is unpriced; undefined when priced. */
	readonly unpricedReason: string | undefined;
}

export interface OverviewFile {
	readonly fileName: string;
	/** Sum over priced calls only. */
	readonly monthlyCostUsd: number;
	readonly pricedCount: number;
	readonly unpricedCount: number;
	readonly sites: readonly OverviewSite[];
	/** Why the file has no results (skipped by the core, or read/analysis failed). */
	readonly note: string | undefined;
}

/** A call's tree label: `claude-sonnet-4-5 · messages.create`. */
export function siteLabel(site: CallSite, estimate: CostEstimate): string {
	const model = estimate.model ?? (site.model?.kind === 'literal' ? site.model.value : 'dynamic model');
	return `${model} · ${site.api}`;
}

/** Highest monthly cost first; unpriced calls last, in source order. */
export function compareSites(a: OverviewSite, b: OverviewSite): number {
	if (a.monthlyCostUsd === null || b.monthlyCostUsd === null) {
		if (a.monthlyCostUsd !== null) return -1;
		if (b.monthlyCostUsd !== null) return 1;
		return a.span.start - b.span.start;
	}
	return b.monthlyCostUsd - a.monthlyCostUsd || a.span.start - b.span.start;
}

function rank(file: OverviewFile): number {
	if (file.pricedCount > 0) return 0;
	if (file.unpricedCount > 0) return 1;
	return 2;
}

/** Priced files by cost desc, then all-unpriced files, then files with only a note; ties by name. */
export function compareFiles(a: OverviewFile, b: OverviewFile): number {
	return rank(a) - rank(b) || b.monthlyCostUsd - a.monthlyCostUsd || a.fileName.localeCompare(b.fileName);
}

/** Builds one file's entry from its analysis; `note` for skipped files and failures. */
export function buildOverviewFile(fileName: string, callSites: readonly CallSite[], estimates: readonly CostEstimate[], note: string | undefined): OverviewFile {
	const sites: OverviewSite[] = callSites.map((site, i) => {
		const estimate = estimates[i]!;
		return {
			span: site.span,
			label: siteLabel(site, estimate),
			monthlyCostUsd: estimate.monthlyCostUsd,
			costUsd: estimate.costUsd,
			unpricedReason: estimate.priced ? undefined : estimate.reason,
		};
	});
	sites.sort(compareSites);
	const priced = sites.filter((s) => s.monthlyCostUsd !== null);
	return {
		fileName,
		monthlyCostUsd: priced.reduce((sum, s) => sum + (s.monthlyCostUsd ?? 0), 0),
		pricedCount: priced.length,
		unpricedCount: sites.length - priced.length,
		sites,
		note,
	};
}

/** The files worth showing (with calls or a note), sorted. */
export function sortOverview(files: Iterable<OverviewFile>): OverviewFile[] {
	return [...files].filter((f) => f.sites.length > 0 || f.note !== undefined).sort(compareFiles);
}

/** Totals for a set of files: priced sum plus a separate count of unpriced calls. */
export function totals(files: Iterable<OverviewFile>): { monthlyCostUsd: number; pricedCount: number; unpricedCount: number } {
	let monthlyCostUsd = 0;
	let pricedCount = 0;
	let unpricedCount = 0;
	for (const f of files) {
		monthlyCostUsd += f.monthlyCostUsd;
		pricedCount += f.pricedCount;
		unpricedCount += f.unpricedCount;
	}
	return { monthlyCostUsd, pricedCount, unpricedCount };
}
