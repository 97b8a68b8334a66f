import { analyzeSource, type AnalyzeOptions } from './analysis/analyze';
import type { FileAnalysis, SourceResolver } from './analysis/types';
import { estimateCallSite } from './pricing/estimate';
import type { Assumptions, CostEstimate } from './pricing/estimateTypes';
import type { PriceTable } from './pricing/types';
import { createParentLookup, runRules } from './rules';
import { DEFAULT_RULE_SETTINGS, type Finding, type RuleSettings } from './rules/types';
import type { TokenCounter } from './tokens/tokenCounter';

export interface CheckContext {
	readonly prices: PriceTable;
	readonly tokens: TokenCounter;
	readonly assumptions: Assumptions;
	readonly rules?: RuleSettings;
	readonly resolver?: SourceResolver;
	readonly analyze?: AnalyzeOptions;
}

/** One file's whole result: call sites, their estimates (same order) and the rules' findings. */
export interface FileCheck {
	readonly analysis: FileAnalysis;
	readonly estimates: readonly CostEstimate[];
	readonly findings: readonly Finding[];
}

/** Analyse → estimate → rules: what the worker runs per edit and the CLI per file. */
export function checkFile(text: string, fileName: string, context: CheckContext): FileCheck {
	const { analysis, sourceFile, calls } = analyzeSource(text, fileName, context.resolver, context.analyze);
	const estimates = analysis.callSites.map((site) => estimateCallSite(site, context));
	if (!sourceFile) return { analysis, estimates, findings: [] };
	const findings = runRules({
		text,
		fileName,
		sourceFile,
		callSites: analysis.callSites,
		calls,
		estimates,
		prices: context.prices,
		tokens: context.tokens,
		assumptions: context.assumptions,
		settings: context.rules ?? DEFAULT_RULE_SETTINGS,
		...(context.resolver ? { resolver: context.resolver } : {}),
		parentOf: createParentLookup(sourceFile),
	});
	return { analysis, estimates, findings };
}
