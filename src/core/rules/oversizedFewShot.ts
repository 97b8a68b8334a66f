import * as ts from 'typescript';
import type { CallSite, PromptSegment } from '../analysis/types';
import type { CostEstimate } from '../pricing/estimateTypes';
import { formatInteger, formatTokens, formatUsd } from '../pricing/format';
import { insertPropertyEdits, pricedOrUndefined, propertyValue, requestObject, ruleLink, unwrapExpression } from './shapes';
import type { Finding, Fix, Rule, RuleContext, RuleInputs, TextEdit } from './types';
import { perCallSite, perMonth } from './util';

/** The trim fix keeps this many example pairs (user + assistant). */
const KEEP_PAIRS = 2;
const MAX_BREAKPOINTS = 4;
const CACHE_MARKER = `cache_control: { type: 'ephemeral' }`;

export interface ExampleMessage {
	readonly messageIndex: number;
	readonly tokens: number;
}

/**
 * `oversized-few-shot`: more than `fewShotMaxPairs` example pairs or `fewShotMaxTokens` tokens of
 * examples ahead of the real user message, billed as input on every call. An Anthropic example block
 * already behind a `cache_control` breakpoint is not reported (it bills at the cache-read rate).
 */
export const oversizedFewShot: Rule = perCallSite('oversized-few-shot', checkSite);

function checkSite(context: RuleContext, site: CallSite, index: number): Finding | undefined {
	const judgement = judgeFewShot(context, site, index);
	if (!judgement) return undefined;
	const fixes: Fix[] = [];
	const messages = messagesArray(context, site, index);
	if (messages) {
		const cacheFix = site.provider === 'anthropic' ? cacheExamplesFix(context, site, index, messages, judgement) : undefined;
		if (cacheFix) fixes.push(cacheFix);
		const trimFix = trimExamplesFix(context, messages, judgement.examples);
		if (trimFix) fixes.push(trimFix);
	}
	return fewShotFinding(context, site, index, judgement, fixes);
}

/** What the rule measured on one call (language neutral), for the finding and the fixes. */
export interface FewShotJudgement {
	/** Example messages by message index (ascending) with their tokens. */
	readonly examples: readonly ExampleMessage[];
	readonly pairs: number;
	readonly tokens: number;
	/** Segment index of the last example segment. */
	readonly lastExample: number;
	/** Tokens of one segment, counted the way the estimate counts them. */
	readonly count: (s: PromptSegment) => number;
}

/**
 * Whether `site` carries oversized few-shot examples (language neutral): more than `fewShotMaxPairs`
 * pairs or `fewShotMaxTokens` tokens, not already behind an Anthropic breakpoint. Undefined otherwise.
 */
export function judgeFewShot(context: RuleInputs, site: CallSite, index: number): FewShotJudgement | undefined {
	const segments = site.segments;
	let lastExample = -1;
	segments.forEach((s, i) => { if (s.role === 'example') lastExample = i; });
	if (lastExample < 0) return undefined;
	if (site.provider === 'anthropic' && (site.topLevelCacheControl || segments.some((s, i) => i >= lastExample && s.cacheControl))) return undefined;

	const count = segmentCounter(context, context.estimates[index]);
	const byMessage = new Map<number, number>();
	for (const s of segments) {
		if (s.role !== 'example' || s.unknownMessages || !s.content || s.messageIndex === undefined) continue;
		byMessage.set(s.messageIndex, (byMessage.get(s.messageIndex) ?? 0) + count(s));
	}
	const examples: ExampleMessage[] = [...byMessage].map(([messageIndex, tokens]) => ({ messageIndex, tokens })).sort((a, b) => a.messageIndex - b.messageIndex);
	const pairs = Math.ceil(examples.length / 2);
	const tokens = examples.reduce((n, e) => n + e.tokens, 0);
	const { fewShotMaxPairs, fewShotMaxTokens } = context.settings;
	if (pairs <= fewShotMaxPairs && tokens <= fewShotMaxTokens) return undefined;
	return { examples, pairs, tokens, lastExample, count };
}

/** The finding (language neutral): money, message and span; `fixes` from the language's edit helpers. */
export function fewShotFinding(context: RuleInputs, site: CallSite, index: number, judgement: FewShotJudgement, fixes: readonly Fix[]): Finding {
	const { pairs, tokens } = judgement;
	const priced = pricedOrUndefined(context.estimates[index]);
	let cost = '';
	let monthlyImpactUsd: number | undefined;
	if (priced) {
		const perCall = (tokens * (priced.rates?.input ?? priced.price.input)) / 1_000_000;
		monthlyImpactUsd = perMonth(perCall, context);
		cost = `, ~${formatUsd(monthlyImpactUsd)}/mo of input at the assumed traffic`;
	}
	const { fewShotMaxPairs, fewShotMaxTokens } = context.settings;
	const why = pairs > fewShotMaxPairs
		? `${formatInteger(pairs)} example pairs (more than ${formatInteger(fewShotMaxPairs)})`
		: `${formatTokens(tokens)} tokens of examples (more than ${formatTokens(fewShotMaxTokens)})`;
	return {
		ruleId: 'oversized-few-shot',
		severity: 'warning',
		message: `${why} ahead of the user message: ~${formatTokens(tokens)} input tokens on every call${cost}. Fewer examples${site.provider === 'anthropic' ? ', or a cache_control breakpoint after them,' : ''} cut that. See ${ruleLink('oversized-few-shot')}`,
		span: exampleSpan(site.segments),
		callSiteIndex: index,
		...(monthlyImpactUsd !== undefined ? { monthlyImpactUsd } : {}),
		fixes,
	};
}

/**
 * The message indices the trim fix removes (one contiguous run after the first two pairs), when
 * trimming would get the call under both limits; undefined otherwise (language neutral).
 */
export function trimPlan(context: RuleInputs, examples: readonly ExampleMessage[]): { readonly first: number; readonly last: number; readonly title: string } | undefined {
	const keep = examples.slice(0, KEEP_PAIRS * 2);
	const drop = examples.slice(KEEP_PAIRS * 2);
	const { fewShotMaxPairs, fewShotMaxTokens } = context.settings;
	// A trim that would still be reported is not a fix.
	if (drop.length === 0 || KEEP_PAIRS > fewShotMaxPairs || keep.reduce((n, e) => n + e.tokens, 0) > fewShotMaxTokens) return undefined;
	const first = drop[0]!.messageIndex;
	const last = drop[drop.length - 1]!.messageIndex;
	// The dropped messages must be one contiguous run of example turns.
	if (last - first + 1 !== drop.length || first < 1) return undefined;
	return { first, last, title: `Keep the first ${KEEP_PAIRS} examples (remove ${formatInteger(drop.length)} messages)` };
}

/**
 * Anthropic: where the cache fix puts its breakpoint (the last example message) and its title, when
 * the prefix up to it reaches the model's minimum cacheable length (below it the marker does
 * nothing) and a breakpoint is still free (language neutral).
 */
export function cacheExamplesPlan(context: RuleInputs, site: CallSite, index: number, judgement: FewShotJudgement): { readonly messageIndex: number; readonly title: string } | undefined {
	if (site.provider !== 'anthropic') return undefined;
	const priced = pricedOrUndefined(context.estimates[index]);
	if (!priced || priced.price.caching.mode !== 'marked') return undefined;
	const prefix = site.segments.slice(0, judgement.lastExample + 1).reduce((n, s) => n + judgement.count(s), 0);
	if (prefix < priced.price.caching.minTokens) return undefined;
	if (site.segments.filter((s) => s.cacheControl).length >= MAX_BREAKPOINTS) return undefined;
	const lastMessage = judgement.examples[judgement.examples.length - 1];
	if (!lastMessage) return undefined;
	return { messageIndex: lastMessage.messageIndex, title: `Cache the examples: add cache_control after the last example (${formatTokens(prefix)}-token prefix)` };
}

/** The highest message index any segment of `site` refers to (-1 when none). */
export function maxMessageIndex(site: CallSite): number {
	return Math.max(-1, ...site.segments.map((s) => s.messageIndex ?? -1));
}

/** Tokens of one segment counted the way the estimate counts them (same encoding and factor). */
function segmentCounter(context: RuleInputs, estimate: CostEstimate | undefined): (s: PromptSegment) => number {
	const encoding = estimate?.tokenizer.encoding ?? 'o200k_base';
	const factor = estimate?.tokenizer.factor ?? 1;
	const perHole = context.assumptions.tokensPerHole;
	return (s) => {
		if (!s.content) return s.unknownMessages ? context.assumptions.tokensPerUnknownMessage : perHole;
		return Math.round(context.tokens.count(s.content.text, encoding) * factor) + s.content.holes * perHole;
	};
}

function exampleSpan(segments: readonly PromptSegment[]): { start: number; end: number } {
	const spans = segments.filter((s) => s.role === 'example').map((s) => s.span);
	return { start: Math.min(...spans.map((s) => s.start)), end: Math.max(...spans.map((s) => s.end)) };
}

/**
 * The `messages` (or Responses `input`) array literal written in the call, when its elements map
 * one-to-one onto message indices (no spread elements).
 */
function messagesArray(context: RuleContext, site: CallSite, index: number): ts.ArrayLiteralExpression | undefined {
	const object = requestObject(context, index);
	if (!object || site.unresolvedArgs) return undefined;
	const value = propertyValue(object, site.api.startsWith('responses.') ? 'input' : 'messages');
	const array = value ? unwrapExpression(value) : undefined;
	if (!array || !ts.isArrayLiteralExpression(array)) return undefined;
	if (array.elements.some((e) => ts.isSpreadElement(e) || ts.isOmittedExpression(e))) return undefined;
	return maxMessageIndex(site) < array.elements.length ? array : undefined;
}

/** Removes every example after the first two pairs, with their separators, in one edit. */
function trimExamplesFix(context: RuleContext, array: ts.ArrayLiteralExpression, examples: readonly ExampleMessage[]): Fix | undefined {
	const plan = trimPlan(context, examples);
	if (!plan) return undefined;
	const before = array.elements[plan.first - 1];
	const lastElement = array.elements[plan.last];
	if (!before || !lastElement) return undefined;
	const edit: TextEdit = { span: { start: before.getEnd(), end: lastElement.getEnd() }, newText: '' };
	return { title: plan.title, edits: [edit] };
}

/**
 * Anthropic: a breakpoint on the last example message, so the examples (and everything before them)
 * bill at the cache-read rate on warm calls. Offered only when that prefix reaches the model's
 * minimum cacheable length (below it the marker does nothing) and a breakpoint is still free.
 */
function cacheExamplesFix(context: RuleContext, site: CallSite, index: number, array: ts.ArrayLiteralExpression, judgement: FewShotJudgement): Fix | undefined {
	const plan = cacheExamplesPlan(context, site, index, judgement);
	if (!plan) return undefined;
	const element = array.elements[plan.messageIndex];
	const message = element ? unwrapExpression(element) : undefined;
	if (!message || !ts.isObjectLiteralExpression(message)) return undefined;
	const content = message.properties.find((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === 'content');
	if (!content) return undefined;
	const value = unwrapExpression(content.initializer);
	const sf = context.sourceFile;
	let edits: TextEdit[] | undefined;
	if (ts.isArrayLiteralExpression(value)) {
		const block = value.elements[value.elements.length - 1];
		const blockObject = block ? unwrapExpression(block) : undefined;
		if (!blockObject || !ts.isObjectLiteralExpression(blockObject)) return undefined;
		edits = insertPropertyEdits(context.text, sf, blockObject, 'cache_control', `{ type: 'ephemeral' }`);
	} else if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value) || ts.isTemplateExpression(value) || ts.isIdentifier(value) || ts.isPropertyAccessExpression(value)) {
		const initializer = content.initializer;
		const text = context.text.slice(initializer.getStart(sf), initializer.getEnd());
		edits = [{ span: { start: initializer.getStart(sf), end: initializer.getEnd() }, newText: `[{ type: 'text', text: ${text}, ${CACHE_MARKER} }]` }];
	}
	if (!edits) return undefined;
	return { title: plan.title, edits, preferred: true };
}
