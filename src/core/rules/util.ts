import * as ts from 'typescript';
import { AnalysisCtx, type Env, type FileCtx, type Scope, isScopeNode } from '../analysis/context';
import { DEFAULT_MAX_BYTES } from '../analysis/skip';
import type { CallSite, PromptSegment, Span } from '../analysis/types';
import { estimateCallSite } from '../pricing/estimate';
import type { CostEstimate } from '../pricing/estimateTypes';
import { formatUsd } from '../pricing/format';
import type { Finding, RuleContext, RuleId, RuleInputs, TextEdit } from './types';

// Shared helpers for rule authors. Everything here is pure and bounded by the size of the call's
// arguments; nothing walks the whole tree.

const { SyntaxKind, forEachChild, isIdentifier, isPropertyAssignment, isShorthandPropertyAssignment, isStringLiteral, isComputedPropertyName, isStringLiteralLike } = ts;

/** The calendar used for every monthly figure (same as the estimate's). */
export const DAYS_PER_MONTH = 30;

/** Span of `node` without its leading trivia. */
export function spanOf(node: ts.Node, sf: ts.SourceFile): Span {
	return { start: node.getStart(sf), end: node.getEnd() };
}

export function sliceSpan(text: string, span: Span): string {
	return text.slice(span.start, span.end);
}

/** True when `inner` lies within `outer` (bounds included). */
export function spanWithin(inner: Span, outer: Span): boolean {
	return inner.start >= outer.start && inner.end <= outer.end;
}

export function spansOverlap(a: Span, b: Span): boolean {
	return a.start < b.end && b.start < a.end;
}

/** Source text of `node` shortened to `max` characters for a message (`new Date().toISOString()`). */
export function shortText(node: ts.Node, sf: ts.SourceFile, max = 48): string {
	return shortenSource(node.getText(sf), max);
}

/** Source text on one line, shortened to `max` characters for a message (any language). */
export function shortenSource(source: string, max = 48): string {
	const t = source.replace(/\s+/g, ' ');
	return t.length <= max ? t : t.slice(0, max - 1) + '…';
}

/** Monthly figure of a per-call cost at the assumed traffic. */
export function perMonth(costPerCallUsd: number, context: Pick<RuleContext, 'assumptions'>): number {
	return costPerCallUsd * context.assumptions.callsPerDay * DAYS_PER_MONTH;
}

/** `~$41/mo`. */
export function formatMonthly(usd: number): string {
	return `~${formatUsd(usd)}/mo`;
}

/** Monthly cost of one call site's estimate, undefined when unpriced. */
export function monthlyCostOf(estimate: CostEstimate | undefined): number | undefined {
	return estimate?.priced ? estimate.monthlyCostUsd : undefined;
}

/** Re-prices a (modified) call site with the rule context's prices, tokenizer and assumptions. */
export function reestimate(context: RuleInputs, site: CallSite): CostEstimate {
	return estimateCallSite(site, context);
}

/** Tokens of each segment, counted exactly as the estimate counts them (static text × factor + assumed holes). */
export function segmentTokens(context: RuleInputs, site: CallSite, estimate: CostEstimate): number[] {
	const { encoding, factor } = estimate.tokenizer;
	const a = context.assumptions;
	return site.segments.map((s: PromptSegment) => {
		const content = s.content;
		const staticTokens = content ? Math.round(context.tokens.count(content.text, encoding) * factor) : 0;
		let assumed = content ? content.holes * a.tokensPerHole : s.unknownMessages ? 0 : a.tokensPerHole;
		if (s.unknownMessages) assumed += a.tokensPerUnknownMessage;
		return staticTokens + assumed;
	});
}

/** True for a segment whose text changes between calls (holes, unknown text or unknown messages). */
export function isDynamicSegment(s: PromptSegment): boolean {
	return !s.content || s.content.holes > 0 || s.unknownMessages === true;
}

/** Roles that can sit in a cacheable prefix (everything before the real user turn). */
export function isPrefixRole(role: PromptSegment['role']): boolean {
	return role === 'tools' || role === 'schema' || role === 'system' || role === 'example';
}

/** Index of the last segment of the leading run of static prefix segments (tools, schema, system, examples); -1 if none. */
export function staticPrefixEnd(site: CallSite): number {
	let end = -1;
	for (let i = 0; i < site.segments.length; i++) {
		const s = site.segments[i]!;
		if (s.role !== 'tools' && s.role !== 'schema' && s.role !== 'system' && s.role !== 'example') break;
		if (isDynamicSegment(s)) break;
		end = i;
	}
	return end;
}


function propertyKey(name: ts.PropertyName): string | undefined {
	if (isIdentifier(name) || isStringLiteral(name) || name.kind === SyntaxKind.NumericLiteral) return (name as ts.Identifier).text;
	if (isComputedPropertyName(name) && isStringLiteralLike(name.expression)) return name.expression.text;
	return undefined;
}

/** The last `name: value` or shorthand `name` property of an object literal (later ones win at run time). */
export function findProperty(obj: ts.ObjectLiteralExpression, name: string): ts.PropertyAssignment | ts.ShorthandPropertyAssignment | undefined {
	let found: ts.PropertyAssignment | ts.ShorthandPropertyAssignment | undefined;
	for (const p of obj.properties) {
		if (isPropertyAssignment(p) && propertyKey(p.name) === name) found = p;
		else if (isShorthandPropertyAssignment(p) && p.name.text === name) found = p;
	}
	return found;
}


/** Leading whitespace of the line that contains `offset`. */
export function lineIndentAt(text: string, offset: number): string {
	const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
	let i = lineStart;
	while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
	return text.slice(lineStart, i);
}

/** The file's indentation unit: a tab unless most indented lines start with spaces (then the smallest step). */
export function indentUnit(text: string): string {
	let tabs = 0;
	let spaces = 0;
	let smallest = Infinity;
	const re = /^([ \t]+)\S/gm;
	let n = 0;
	for (let m = re.exec(text); m && n < 500; m = re.exec(text), n++) {
		const ws = m[1]!;
		if (ws[0] === '\t') tabs++;
		else {
			spaces++;
			if (ws.length < smallest) smallest = ws.length;
		}
	}
	return spaces > tabs && Number.isFinite(smallest) ? ' '.repeat(Math.min(smallest, 8)) : '\t';
}

/** The quote character most string literals in the file use (single when tied). */
export function quoteStyle(text: string, sf?: ts.SourceFile): '\'' | '"' {
	let single = 0;
	let double = 0;
	if (sf) {
		const visit = (node: ts.Node): void => {
			if (single + double > 200) return;
			if (isStringLiteral(node)) {
				if (text[node.getStart(sf)] === '"') double++;
				else single++;
			}
			forEachChild(node, visit);
		};
		visit(sf);
	} else {
		single = (text.match(/'/g) ?? []).length;
		double = (text.match(/"/g) ?? []).length;
	}
	return double > single ? '"' : '\'';
}

/** The quote character of a string literal node (`'`, `"` or a backtick). */
export function quoteOf(node: ts.StringLiteralLike, sf: ts.SourceFile): string {
	return sf.text[node.getStart(sf)] ?? '\'';
}

/**
 * An edit that adds `propertyText` (`cache_control: { type: 'ephemeral' }`) as the last property of
 * `obj`, formatted like its neighbours: on its own line with the last property's indentation when
 * the object is multi-line, inline otherwise; a trailing comma is kept where the object had one.
 */
export function appendPropertyEdit(obj: ts.ObjectLiteralExpression, sf: ts.SourceFile, propertyText: string): TextEdit {
	const text = sf.text;
	const props = obj.properties;
	const last = props[props.length - 1];
	if (!last) {
		return { span: spanOf(obj, sf), newText: `{ ${propertyText} }` };
	}
	const closeBrace = obj.getEnd() - 1;
	const comma = props.hasTrailingComma ? text.indexOf(',', last.getEnd()) : -1;
	const objLine = sf.getLineAndCharacterOfPosition(obj.getStart(sf)).line;
	const lastLine = sf.getLineAndCharacterOfPosition(last.getStart(sf)).line;
	const multiline = lastLine !== objLine;
	if (comma !== -1 && comma < closeBrace) {
		const at = comma + 1;
		return { span: { start: at, end: at }, newText: multiline ? `\n${lineIndentAt(text, last.getStart(sf))}${propertyText},` : ` ${propertyText},` };
	}
	const at = last.getEnd();
	return { span: { start: at, end: at }, newText: multiline ? `,\n${lineIndentAt(text, last.getStart(sf))}${propertyText}` : `, ${propertyText}` };
}

/** Levenshtein distance (for "did you mean" suggestions; inputs are short ids). */
export function editDistance(a: string, b: string): number {
	if (a === b) return 0;
	let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
	for (let i = 1; i <= a.length; i++) {
		const cur = [i];
		for (let j = 1; j <= b.length; j++) {
			const cost = a[i - 1] === b[j - 1] ? 0 : 1;
			cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost));
		}
		prev = cur;
	}
	return prev[b.length]!;
}

/** An analysis context over the rule's file plus scope lookup, for rules that follow data flow. */
export interface RuleAnalysis {
	readonly ctx: AnalysisCtx;
	/** The environment (scope chain) in effect at `node` of the analysed file. */
	envAt(node: ts.Node): Env;
	/** The environment at `node` of another parsed file (an imported module). */
	envIn(file: FileCtx, node: ts.Node, anchor: Span | undefined, hops: number): Env;
}

const analyses = new WeakMap<RuleContext, RuleAnalysis>();

/**
 * One `AnalysisCtx` per rule run (shared by every rule through the context object), reusing the
 * analyser's resolution: bindings, imports through `context.resolver`, const folding, the step budget.
 */
export function ruleAnalysis(context: RuleContext): RuleAnalysis {
	const cached = analyses.get(context);
	if (cached) return cached;
	const ctx = new AnalysisCtx(context.sourceFile, context.resolver, DEFAULT_MAX_BYTES);
	const envIn = (file: FileCtx, node: ts.Node, anchor: Span | undefined, hops: number): Env => ({ scope: scopeAt(file, node), anchor, hops });
	const analysis: RuleAnalysis = { ctx, envAt: (node) => envIn(ctx.main, node, undefined, 0), envIn };
	analyses.set(context, analysis);
	return analysis;
}

/**
 * The scope chain at `target` (a scope node itself is included, so a function's parameters are
 * visible in its body). Descends by position from the root: no parent pointers needed, and the
 * work is the depth of `target` times the fan-out.
 */
export function scopeAt(file: FileCtx, target: ts.Node): Scope {
	const pos = target.getStart(file.sf);
	let scope: Scope = file.root;
	let node: ts.Node = file.sf;
	while (node !== target) {
		let next: ts.Node | undefined;
		forEachChild(node, (child) => {
			if (child.pos <= pos && pos < child.end && child.end >= target.end) {
				next = child;
				return true;
			}
			return undefined;
		});
		if (!next) break;
		node = next;
		if (isScopeNode(node)) scope = { node, parent: scope, file };
	}
	return scope;
}

/** The node spanning exactly `span` inside `root` (outermost such node), if any. */
export function nodeAtSpan(root: ts.Node, span: Span, sf: ts.SourceFile): ts.Node | undefined {
	return pathToSpan(root, span, sf)?.at(-1);
}

/**
 * The chain of nodes from `root` down to the outermost node spanning exactly `span` (inclusive at
 * both ends), or undefined when no node has that span. `path[path.length - 2]` is its parent.
 */
export function pathToSpan(root: ts.Node, span: Span, sf: ts.SourceFile): ts.Node[] | undefined {
	const path: ts.Node[] = [root];
	let node: ts.Node = root;
	for (let guard = 0; guard < 512; guard++) {
		if (node.getStart(sf) === span.start && node.getEnd() === span.end) return path;
		let next: ts.Node | undefined;
		forEachChild(node, (child) => {
			if (child.getStart(sf) <= span.start && span.end <= child.getEnd()) {
				next = child;
				return true;
			}
			return undefined;
		});
		if (!next) return undefined;
		node = next;
		path.push(node);
	}
	return undefined;
}

/** What every rule's context has whatever the language, plus the syntax node of each call site (`ts.CallExpression`, a tree-sitter `call`). */
export type CallsContext<N = unknown> = RuleInputs & { readonly calls: readonly N[] };

/**
 * A rule that looks at each call site on its own (zero, one or several findings per site). Generic
 * over the context so the TypeScript (`RuleContext`) and the Python (`PythonRuleContext`) rules share it.
 */
export function perCallSite<C extends RuleInputs = RuleContext>(id: RuleId, checkSite: (context: C, site: CallSite, index: number) => Finding | readonly Finding[] | undefined): { readonly id: RuleId; check(context: C): Finding[] } {
	return {
		id,
		check(context) {
			const findings: Finding[] = [];
			context.callSites.forEach((site, index) => {
				const found = checkSite(context, site, index);
				if (!found) return;
				if ('ruleId' in found) findings.push(found);
				else findings.push(...found);
			});
			return findings;
		},
	};
}
