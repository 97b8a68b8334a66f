import * as ts from 'typescript';
import { ruleLink } from './shapes';
import type { CallSite, PromptSegment, Span } from '../analysis/types';
import { formatInteger, formatTokens } from '../pricing/format';
import type { Finding, Rule, RuleContext, RuleInputs } from './types';
import { findProperty, perCallSite, formatMonthly, nodeAtSpan, reestimate, segmentTokens, spanOf, staticPrefixEnd } from './util';

const { isObjectLiteralExpression } = ts;

/** Anthropic rejects a request with more breakpoints than this. */
export const MAX_BREAKPOINTS = 4;

const NO_FIX = 'No automatic fix: where the breakpoint should go depends on which part of the prompt is stable.';

/**
 * `cache-control-below-minimum`: Anthropic caching that silently does nothing or fails.
 *
 * - The last `cache_control` breakpoint marks a prefix shorter than the model's minimum cacheable
 *   length: the API skips caching without an error, so every call pays the full input price.
 *   (An earlier breakpoint below the minimum is harmless when a later one caches; not reported.)
 *   When the leading static part of the prompt does reach the minimum, the message says where a
 *   breakpoint would cache and what that saves.
 * - More than 4 breakpoints (a top-level `cache_control` takes one slot): the API rejects the request.
 */
export const cacheControlBelowMinimum: Rule = perCallSite('cache-control-below-minimum', (context, site, index) => cacheControlFindings(context, site, index, (segment) => cacheControlSpan(context, segment)));

/**
 * The rule's findings for one call (language neutral). `markerSpan(segment)` is where the squiggle
 * goes for a marked segment: its `cache_control` entry when written in this file, else the segment.
 */
export function cacheControlFindings(context: RuleInputs, site: CallSite, index: number, markerSpan: (segment: PromptSegment) => Span): Finding[] {
	const findings: Finding[] = [];
	if (site.provider !== 'anthropic' || site.api === 'messages.countTokens') return findings;
	const marked = site.segments.map((s, i) => ({ s, i })).filter(({ s }) => s.cacheControl !== undefined);
	const slots = marked.length + (site.topLevelCacheControl ? 1 : 0);
	if (slots > MAX_BREAKPOINTS) {
		const extra = marked[MAX_BREAKPOINTS] ?? marked[marked.length - 1];
		findings.push({
			ruleId: 'cache-control-below-minimum',
			severity: 'warning',
			message: `${slots} \`cache_control\` breakpoints${site.topLevelCacheControl ? ' (counting the top-level one)' : ''}: Anthropic allows at most ${MAX_BREAKPOINTS} and rejects the request. ${NO_FIX} Keep the breakpoints at the ends of the stable parts (tools, system, examples). See ${ruleLink('cache-control-below-minimum')}`,
			span: extra ? markerSpan(extra.s) : site.calleeSpan,
			callSiteIndex: index,
			fixes: [],
		});
	}
	const belowMin = belowMinimum(context, site, index, markerSpan);
	if (belowMin) findings.push(belowMin);
	return findings;
}

function belowMinimum(context: RuleInputs, site: CallSite, index: number, markerSpan: (segment: PromptSegment) => Span): Finding | undefined {
	const estimate = context.estimates[index];
	if (!estimate?.priced || estimate.price.caching.mode !== 'marked') return undefined;
	const lastMarked = site.segments.reduce((last, s, i) => (s.cacheControl ? i : last), -1);
	// A top-level cache_control puts the breakpoint at the end of the prompt, which is the last one.
	if (lastMarked < 0 || site.topLevelCacheControl) return undefined;
	const minTokens = estimate.price.caching.minTokens;
	const tokens = segmentTokens(context, site, estimate);
	const prefix = tokens.slice(0, lastMarked + 1).reduce((n, t) => n + t, 0);
	if (prefix >= minTokens) return undefined;
	const model = estimate.price.model;
	let advice = ` ${NO_FIX} Grow the stable prefix past ${formatInteger(minTokens)} tokens or remove the marker.`;
	let monthlyImpactUsd: number | undefined;
	const staticEnd = staticPrefixEnd(site);
	const staticTokens = tokens.slice(0, staticEnd + 1).reduce((n, t) => n + t, 0);
	if (staticEnd > lastMarked && staticTokens >= minTokens) {
		// The stable part of the prompt goes on past the breakpoint far enough to cache: price that.
		const moved: CallSite = { ...site, segments: site.segments.map((s, i) => (i === staticEnd ? { ...s, cacheControl: { ttl: '5m' } } : s)) };
		const after = reestimate(context, moved);
		if (after.priced && after.monthlyCostUsd < estimate.monthlyCostUsd) {
			monthlyImpactUsd = estimate.monthlyCostUsd - after.monthlyCostUsd;
			advice = ` ${NO_FIX} The stable prompt runs on to ${formatTokens(staticTokens)} tokens: a breakpoint at its end (the last ${roleLabel(site.segments[staticEnd]!)}) would cache and save ${formatMonthly(monthlyImpactUsd)} at the assumed traffic.`;
		}
	}
	return {
		ruleId: 'cache-control-below-minimum',
		severity: 'warning',
		message: `this \`cache_control\` marks a ${formatInteger(prefix)}-token prefix, below ${model}'s ${formatInteger(minTokens)}-token minimum: the API silently caches nothing, so every call pays the full input price.${advice} See ${ruleLink('cache-control-below-minimum')}`,
		span: markerSpan(site.segments[lastMarked]!),
		callSiteIndex: index,
		...(monthlyImpactUsd !== undefined ? { monthlyImpactUsd } : {}),
		fixes: [],
	};
}

function roleLabel(s: PromptSegment): string {
	return s.role === 'example' ? 'few-shot example' : s.role === 'tools' ? 'tool definition' : s.role === 'schema' ? 'schema' : 'system block';
}

/** The `cache_control` property of the block behind `segment` when it is written in this file, else the block. */
function cacheControlSpan(context: RuleContext, segment: PromptSegment): Span {
	const node = nodeAtSpan(context.sourceFile, segment.span, context.sourceFile);
	if (node && isObjectLiteralExpression(node)) {
		const prop = findProperty(node, 'cache_control');
		if (prop) return spanOf(prop, context.sourceFile);
	}
	return segment.span;
}
