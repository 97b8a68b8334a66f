import * as ts from 'typescript';
import { derefIdentifier, unwrap } from '../analysis/context';
import { ruleLink } from './shapes';
import type { CallSite, PromptSegment } from '../analysis/types';
import { formatTokens } from '../pricing/format';
import type { Finding, Fix, Rule, RuleContext, RuleId, RuleInputs, TextEdit } from './types';
import { appendPropertyEdit, perCallSite, formatMonthly, pathToSpan, quoteStyle, reestimate, ruleAnalysis, segmentTokens, spanOf, staticPrefixEnd } from './util';

const { isArrayLiteralExpression, isIdentifier, isObjectLiteralExpression, isPropertyAssignment, isShorthandPropertyAssignment } = ts;

/** Below this monthly saving the finding is informational. */
const WARNING_SAVING_USD = 1;

const CACHEABLE_APIS = new Set(['messages.create', 'messages.stream', 'beta.messages.create', 'messages.batches.create']);

/**
 * `uncached-stable-prefix`: an Anthropic prompt whose leading static part (tools, schema, system,
 * few-shot examples) reaches the model's minimum cacheable length but carries no `cache_control`
 * breakpoint, so every call pays the full input price for text that never changes. The saving is
 * priced honestly: the same call site re-estimated with a 5-minute breakpoint at the end of the
 * static part (cache writes at 1.25×, reads at 0.1×, the assumed warm share).
 */
export const uncachedStablePrefix: Rule = uncachedStablePrefixRule<RuleContext>(breakpointFix);

/** The rule in any language: `fixOf` writes the breakpoint after the judged segment in the language's syntax. Shared with the Python twin. */
export function uncachedStablePrefixRule<C extends RuleInputs>(fixOf: (context: C, target: PromptSegment) => Fix | undefined): { readonly id: RuleId; check(context: C): Finding[] } {
	return perCallSite<C>('uncached-stable-prefix', (context, site, index) => {
		const judgement = judgeUncachedPrefix(context, site, index);
		if (!judgement) return undefined;
		const fix = fixOf(context, judgement.target);
		return uncachedPrefixFinding(context, index, judgement, fix ? [fix] : []);
	});
}

/** What the rule measured on one call (language neutral). */
export interface UncachedPrefixJudgement {
	/** The last segment of the static prefix: the breakpoint goes after it. */
	readonly target: PromptSegment;
	readonly prefixTokens: number;
	/** `tools + system + examples`. */
	readonly parts: string;
	/** Monthly saving of a 5-minute breakpoint after `target` (> 0). */
	readonly saving: number;
}

/**
 * Whether `site` is an Anthropic call whose leading static part reaches the model's minimum
 * cacheable length with no breakpoint, and caching it pays (language neutral). Undefined otherwise.
 */
export function judgeUncachedPrefix(context: RuleInputs, site: CallSite, index: number): UncachedPrefixJudgement | undefined {
	if (site.provider !== 'anthropic' || !CACHEABLE_APIS.has(site.api) || site.unresolvedArgs) return undefined;
	if (site.topLevelCacheControl || site.segments.some((s) => s.cacheControl)) return undefined;
	const estimate = context.estimates[index];
	if (!estimate?.priced || estimate.price.caching.mode !== 'marked') return undefined;
	const end = staticPrefixEnd(site);
	if (end < 0) return undefined;
	const prefixTokens = segmentTokens(context, site, estimate).slice(0, end + 1).reduce((n, t) => n + t, 0);
	const minTokens = estimate.price.caching.minTokens;
	if (prefixTokens < minTokens) return undefined;
	const cached: CallSite = { ...site, segments: site.segments.map((s, i) => (i === end ? { ...s, cacheControl: { ttl: '5m' } } : s)) };
	const after = reestimate(context, cached);
	if (!after.priced) return undefined;
	const saving = estimate.monthlyCostUsd - after.monthlyCostUsd;
	// With a low warm share the 1.25× writes can outweigh the reads: then caching does not pay.
	if (!(saving > 0)) return undefined;
	const parts = [...new Set(site.segments.slice(0, end + 1).map((s) => PART_LABEL[s.role] ?? s.role))].join(' + ');
	return { target: site.segments[end]!, prefixTokens, parts, saving };
}

/** The finding (language neutral); `fixes` from the language's edit helpers (titled `UNCACHED_PREFIX_FIX_TITLE`). */
export function uncachedPrefixFinding(context: RuleInputs, index: number, judgement: UncachedPrefixJudgement, fixes: readonly Fix[]): Finding {
	const { prefixTokens, parts, saving, target } = judgement;
	return {
		ruleId: 'uncached-stable-prefix',
		severity: saving >= WARNING_SAVING_USD ? 'warning' : 'info',
		message: `the ${formatTokens(prefixTokens)}-token stable prefix (${parts}) has no \`cache_control\` breakpoint, so every call pays the full input price for it: caching it would save ${formatMonthly(saving)} at the assumed traffic (${Math.round(context.assumptions.warmCacheShare * 100)}% warm calls, writes at 1.25×, reads at 0.1×). See ${ruleLink('uncached-stable-prefix')}`,
		span: target.span,
		callSiteIndex: index,
		monthlyImpactUsd: saving,
		fixes,
	};
}

/** Title of the breakpoint fix, the same in every language. */
export const UNCACHED_PREFIX_FIX_TITLE = 'Cache the stable prefix (add a cache_control breakpoint)';

const PART_LABEL: Partial<Record<PromptSegment['role'], string>> = { tools: 'tools', schema: 'schema', system: 'system', example: 'examples' };

const MARKER = 'cache_control: { type: \'ephemeral\' }';

/**
 * Edits that put the breakpoint after `segment`:
 * - a text block object (`{ type: 'text', text }`) gets a `cache_control` property;
 * - a string `system` / `content` value becomes a one-block array carrying the marker;
 * - the tools array gets the marker on its last tool definition.
 * Only for nodes written in this file; anything else gets no fix.
 */
function breakpointFix(context: RuleContext, segment: PromptSegment): Fix | undefined {
	const sf = context.sourceFile;
	const path = pathToSpan(sf, segment.span, sf);
	const node = path?.[path.length - 1];
	const parent = path?.[path.length - 2];
	if (!node || !parent) return undefined;
	const q = quoteStyle(context.text, sf);
	const marker = q === '"' ? MARKER.replace(/'/g, '"') : MARKER;
	const title = UNCACHED_PREFIX_FIX_TITLE;
	let edit: TextEdit | undefined;
	if (segment.role === 'tools') {
		let tools: ts.Node = unwrap(node as ts.Expression);
		if (isIdentifier(tools)) {
			const analysis = ruleAnalysis(context);
			const t = derefIdentifier(analysis.ctx, tools, analysis.envAt(tools));
			tools = t?.kind === 'expr' && t.isConst && !t.env.anchor && t.env.scope.file.isMain ? unwrap(t.node) : tools;
		}
		const last = isArrayLiteralExpression(tools) ? tools.elements[tools.elements.length - 1] : undefined;
		if (last && isObjectLiteralExpression(last)) edit = appendPropertyEdit(last, sf, marker);
	} else if (isObjectLiteralExpression(node)) {
		edit = appendPropertyEdit(node, sf, marker);
	} else if (isPropertyAssignment(parent) && parent.initializer === node && isTextProperty(parent.name)) {
		edit = { span: spanOf(node, sf), newText: blockArray(node.getText(sf), q, marker) };
	} else if (isShorthandPropertyAssignment(parent) && parent.name === node && isTextProperty(parent.name)) {
		edit = { span: spanOf(parent, sf), newText: `${parent.name.text}: ${blockArray(parent.name.text, q, marker)}` };
	}
	return edit ? { title, edits: [edit], preferred: true } : undefined;
}

function isTextProperty(name: ts.PropertyName): boolean {
	return isIdentifier(name) && (name.text === 'system' || name.text === 'content');
}

function blockArray(valueText: string, q: string, marker: string): string {
	return `[{ type: ${q}text${q}, text: ${valueText}, ${marker} }]`;
}
