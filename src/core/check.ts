import { analyzeSource, type AnalyzeOptions } from './analysis/analyze';
import type { FileAnalysis, SourceResolver } from './analysis/types';
import { estimateCallSite } from './pricing/estimate';
import type { Assumptions, CostEstimate } from './pricing/estimateTypes';
import type { PriceTable } from './pricing/types';
import { openPythonAnalysis } from './python/analysis/analyze';
import { isPythonFile, type PythonParser } from './python/parser';
import { PYTHON_RULES } from './python/rules';
import { ALL_RULES, createParentLookup, runRules } from './rules';
import { DEFAULT_RULE_SETTINGS, type Finding, type RuleInputs, type RuleSettings } from './rules/types';
import type { TokenCounter } from './tokens/tokenCounter';

export interface CheckContext {
	readonly prices: PriceTable;
	readonly tokens: TokenCounter;
	readonly assumptions: Assumptions;
	readonly rules?: RuleSettings;
	readonly resolver?: SourceResolver;
	readonly analyze?: AnalyzeOptions;
	/**
	 * The Python parser (its wasm is loaded asynchronously by the adapter, once). Without it `.py`
	 * files are reported as skipped, with the reason, never as "no calls".
	 */
	readonly python?: PythonParser;
}

/** One file's whole result: call sites, their estimates (same order) and the rules' findings. */
export interface FileCheck {
	readonly analysis: FileAnalysis;
	readonly estimates: readonly CostEstimate[];
	readonly findings: readonly Finding[];
}

/** Analyse → estimate → rules: what the worker runs per edit and the CLI per file. TS/JS or Python by file name. */
export function checkFile(text: string, fileName: string, context: CheckContext): FileCheck {
	if (isPythonFile(fileName)) return checkPythonFile(text, fileName, context);
	const { analysis, sourceFile, calls } = analyzeSource(text, fileName, context.resolver, context.analyze);
	const estimates = analysis.callSites.map((site) => estimateCallSite(site, context));
	if (!sourceFile) return { analysis, estimates, findings: [] };
	const findings = runRules({ ...ruleInputs(text, fileName, analysis, estimates, context), sourceFile, calls, parentOf: createParentLookup(sourceFile) }, ALL_RULES);
	return { analysis, estimates, findings };
}

function checkPythonFile(text: string, fileName: string, context: CheckContext): FileCheck {
	if (!context.python) return { analysis: { callSites: [], skipped: { reason: 'the Python parser is not loaded' } }, estimates: [], findings: [] };
	const session = openPythonAnalysis(text, fileName, context.python, context.resolver, context.analyze);
	try {
		const { analysis, tree, calls } = session;
		const estimates = analysis.callSites.map((site) => estimateCallSite(site, context));
		if (!tree) return { analysis, estimates, findings: [] };
		const shared = { parser: context.python, ...(session.context ? { pyCtx: session.context } : {}) };
		const findings = runRules({ ...ruleInputs(text, fileName, analysis, estimates, context), tree, calls, ...shared }, PYTHON_RULES);
		return { analysis, estimates, findings };
	} finally {
		session.context?.dispose();
	}
}

function ruleInputs(text: string, fileName: string, analysis: FileAnalysis, estimates: readonly CostEstimate[], context: CheckContext): RuleInputs {
	return {
		text,
		fileName,
		callSites: analysis.callSites,
		estimates,
		prices: context.prices,
		tokens: context.tokens,
		assumptions: context.assumptions,
		settings: context.rules ?? DEFAULT_RULE_SETTINGS,
		...(context.resolver ? { resolver: context.resolver } : {}),
	};
}
