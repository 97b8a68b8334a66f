import type * as ts from 'typescript';
import type { CallSite, SourceResolver, Span } from '../analysis/types';
import type { PyCtx } from '../python/analysis/scope';
import type { PyNode, PyTree, PythonParser } from '../python/parser';
import type { Assumptions, CostEstimate } from '../pricing/estimateTypes';
import type { PriceTable } from '../pricing/types';
import type { TokenCounter } from '../tokens/tokenCounter';

/** Rule ids: part of the JSON report, `diagnostic.code` and the README anchors (`#rule-<id>`). */
export const RULE_IDS = [
	'cache-busting-system-prompt',
	'missing-max-tokens',
	'oversized-few-shot',
	'uncached-stable-prefix',
	'cache-control-below-minimum',
	'non-streamed-long-output',
	'sequential-independent-calls',
	'unknown-model',
	'right-size-model',
	'parse-retry-instead-of-structured-output',
	'batch-candidate',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export type Severity = 'error' | 'warning' | 'info' | 'hint';

/** Replace `span` of the analysed text with `newText`. Edits of one fix never overlap. */
export interface TextEdit {
	readonly span: Span;
	readonly newText: string;
}

export interface Fix {
	readonly title: string;
	readonly edits: readonly TextEdit[];
	/** Shown first and applied by "Auto Fix" / Ctrl+. → Enter. At most one preferred fix per finding. */
	readonly preferred?: boolean;
}

export interface Finding {
	readonly ruleId: RuleId;
	readonly severity: Severity;
	/** What it costs and why, in one or two sentences ("busts the prompt cache on every call: ~$41/mo at the assumed traffic"). */
	readonly message: string;
	/** Where the squiggle goes: the exact expression (an interpolation, a property, the call). */
	readonly span: Span;
	/** Index into the file's call sites when the finding belongs to one call. */
	readonly callSiteIndex?: number;
	/** Estimated monthly cost the finding is about (saving or waste), when it can be priced. */
	readonly monthlyImpactUsd?: number;
	/** Fixes the core can make safely; empty when none is safe (never a broken edit). */
	readonly fixes: readonly Fix[];
}

/** Thresholds and defaults the rules take from settings (the core never reads settings itself). */
export interface RuleSettings {
	/** Value inserted by the missing-max-tokens fix. */
	readonly defaultMaxTokens: number;
	/** oversized-few-shot: more than this many user/assistant example pairs… */
	readonly fewShotMaxPairs: number;
	/** …or more than this many tokens of examples. */
	readonly fewShotMaxTokens: number;
	/** non-streamed-long-output: a cap at or above this is "long". */
	readonly longOutputTokens: number;
	/** batch-candidate: items a loop is assumed to run over when pricing a run (default 1000). */
	readonly batchAssumedItems?: number;
	/** Rules switched off by the user. */
	readonly disabled: readonly RuleId[];
	/** Per-rule severity chosen by the user, replacing the rule's own. */
	readonly severity?: Readonly<Partial<Record<RuleId, Severity>>>;
}

export const DEFAULT_RULE_SETTINGS: RuleSettings = {
	defaultMaxTokens: 1024,
	fewShotMaxPairs: 4,
	fewShotMaxTokens: 1500,
	longOutputTokens: 1000,
	disabled: [],
};

/**
 * What every rule reads whatever the file's language: the text, the call sites (the language-neutral
 * model of `analysis/types.ts`), their estimates and the settings. Helpers that need nothing more
 * (pricing a finding, counting a segment's tokens) take this, so the TypeScript and the Python rules share them.
 */
export interface RuleInputs {
	readonly text: string;
	readonly fileName: string;
	readonly callSites: readonly CallSite[];
	/** `estimates[i]` belongs to `callSites[i]`. */
	readonly estimates: readonly CostEstimate[];
	readonly prices: PriceTable;
	readonly tokens: TokenCounter;
	readonly assumptions: Assumptions;
	readonly settings: RuleSettings;
	/**
	 * The resolver the analysis used, so rules that follow data flow (cache-busting) can reach imported
	 * helpers and constants the same way. Optional: without it imports are not followed.
	 */
	readonly resolver?: SourceResolver;
}

/** Everything a TypeScript/JavaScript rule may read. Pure data plus the syntax tree; no I/O. */
export interface RuleContext extends RuleInputs {
	/** Parsed without parent pointers: use `parentOf`. */
	readonly sourceFile: ts.SourceFile;
	/** `calls[i]` is the call expression of `callSites[i]`. */
	readonly calls: readonly ts.CallExpression[];
	/** Parent of a node in `sourceFile` (a parent map built once, on first use). */
	parentOf(node: ts.Node): ts.Node | undefined;
}

/** Everything a Python rule may read: the same inputs plus the tree-sitter tree (its nodes know their parent). */
export interface PythonRuleContext extends RuleInputs {
	readonly tree: PyTree;
	/** `calls[i]` is the `call` node of `callSites[i]`. */
	readonly calls: readonly PyNode[];
	/** The analyser's parser, for rules that follow data into imported modules. */
	readonly parser: PythonParser;
	/** The analysis context of this check (scope tables, imported modules), shared so rules do not rescan. */
	readonly pyCtx?: PyCtx;
}

/** A rule for Python files: same id, message style and fixes contract as its TypeScript twin. */
export interface PythonRule {
	readonly id: RuleId;
	/** Findings for the whole file. Must not throw on odd input; bounded work. */
	check(context: PythonRuleContext): Finding[];
}

export interface Rule {
	readonly id: RuleId;
	/** Findings for the whole file. Must not throw on odd input; bounded work. */
	check(context: RuleContext): Finding[];
}
