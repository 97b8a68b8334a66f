import type { Api, CallSite, MaxOutputParam } from '../analysis/types';
import type { PricedEstimate } from '../pricing/estimateTypes';
import { formatInteger, formatUsd } from '../pricing/format';
import { hasForcedToolChoice, insertPropertyEdits, isGenerationApi, isReasoningModel, modelIdOf, pricedOrUndefined, propertyNode, requestObject, ruleLink, unwrapExpression } from './shapes';
import { perMonth } from './util';
import type { Finding, Fix, Rule, RuleContext, RuleInputs } from './types';
import * as ts from 'typescript';

const OPENAI_CHAT: ReadonlySet<Api> = new Set(['chat.completions.create', 'chat.completions.parse', 'beta.chat.completions.parse', 'chat.completions.stream']);
const OPENAI_RESPONSES: ReadonlySet<Api> = new Set(['responses.create', 'responses.stream', 'responses.parse']);

/**
 * Largest output a model may produce when nothing caps it, per the OpenAI model pages
 * (platform.openai.com/docs/models, as of 2025). Keyed by the price row's canonical id. A model
 * missing here gets a per-1k-tokens figure instead of a worst case.
 */
const OPENAI_OUTPUT_LIMITS: Readonly<Record<string, number>> = {
	'gpt-5': 128_000,
	'gpt-5-mini': 128_000,
	'gpt-5-nano': 128_000,
	'gpt-4.1': 32_768,
	'gpt-4.1-mini': 32_768,
	'gpt-4.1-nano': 32_768,
	'gpt-4o': 16_384,
	'gpt-4o-mini': 16_384,
	o1: 100_000,
	o3: 100_000,
	'o3-mini': 100_000,
	'o4-mini': 100_000,
};

/** A cap at or above this on a call whose shape needs a short answer is "far above" it. */
export const ANTHROPIC_OVERSIZED_CAP = 4096;

/** Prompts that ask for a label, a category or a yes/no: the answer is a few tokens. */
const CLASSIFICATION_PROMPT = /\b(classify|classification|categori[sz]e|sentiment of|respond with (only )?(one|a single) (word|label|category)|answer (only )?with (yes or no|one word|a single word)|return only the (label|category))\b/i;

/** The parameter that caps output for this API and model (the one the API accepts). */
export function maxOutputParamFor(site: CallSite, prices: RuleInputs['prices']): MaxOutputParam {
	if (OPENAI_RESPONSES.has(site.api)) return 'max_output_tokens';
	const model = modelIdOf(site);
	if (site.provider !== 'anthropic' && OPENAI_CHAT.has(site.api) && model !== undefined && isReasoningModel(model, prices)) return 'max_completion_tokens';
	return 'max_tokens';
}

/**
 * `missing-max-tokens`: an OpenAI generation with no output cap (a runaway reply bills up to the
 * model's output limit), and, as a hint, an Anthropic cap far above what a forced tool call or a
 * classification prompt needs.
 */
export const missingMaxTokens: Rule = {
	id: 'missing-max-tokens',
	check(context) {
		const findings: Finding[] = [];
		context.callSites.forEach((site, index) => {
			const kind = capCheckKind(site);
			if (kind === 'anthropic') {
				const finding = oversizedAnthropicCap(context, site, index);
				if (finding) findings.push(finding);
			} else if (kind === 'openai') {
				findings.push(missingCap(context, site, index));
			}
		});
		return findings;
	},
};

/**
 * Which half of the rule applies to `site` (language neutral): `openai` for an uncapped OpenAI
 * chat/Responses generation (set already, or possibly set by an unknown spread / an unreadable request:
 * nothing to say), `anthropic` for an Anthropic generation (the oversized-cap hint), else undefined.
 */
export function capCheckKind(site: CallSite): 'openai' | 'anthropic' | undefined {
	if (!isGenerationApi(site.api)) return undefined;
	if (site.provider === 'anthropic') return 'anthropic';
	if (!OPENAI_CHAT.has(site.api) && !OPENAI_RESPONSES.has(site.api)) return undefined;
	if (site.maxOutputParam !== undefined || site.unresolvedArgs) return undefined;
	return 'openai';
}

function missingCap(context: RuleContext, site: CallSite, index: number): Finding {
	const param = maxOutputParamFor(site, context.prices);
	const value = context.settings.defaultMaxTokens;
	const fixes: Fix[] = [];
	const object = requestObject(context, index);
	if (object) {
		const edits = insertPropertyEdits(context.text, context.sourceFile, object, param, String(value));
		if (edits) fixes.push({ title: missingCapFixTitle(param, value), edits, preferred: true });
	}
	return missingCapFinding(context, site, index, fixes);
}

/**
 * The missing-cap finding of an OpenAI call (language neutral): the worst-case money, the parameter
 * the API accepts and the message; `fixes` come from the language's own edit helpers (the preferred
 * one inserts `maxOutputParamFor(site)` = `settings.defaultMaxTokens`, titled by `missingCapFixTitle`).
 */
export function missingCapFinding(context: RuleInputs, site: CallSite, index: number, fixes: readonly Fix[]): Finding {
	const param = maxOutputParamFor(site, context.prices);
	const estimate = pricedOrUndefined(context.estimates[index]);
	const model = modelIdOf(site);
	let cost = '';
	let monthlyImpactUsd: number | undefined;
	if (estimate) {
		const outputRate = estimate.rates?.output ?? estimate.price.output;
		const limit = OPENAI_OUTPUT_LIMITS[estimate.price.model];
		if (limit !== undefined && limit > estimate.outputTokens) {
			const worstExtra = ((limit - estimate.outputTokens) * outputRate) / 1_000_000;
			monthlyImpactUsd = perMonth(worstExtra, context);
			cost = `: a runaway reply can bill up to ${formatInteger(limit)} output tokens, ${formatUsd(estimate.costUsd + worstExtra)} per call instead of ~${formatUsd(estimate.costUsd)} (worst case ~${formatUsd(perMonth(estimate.costUsd + worstExtra, context))}/mo at the assumed traffic)`;
		} else {
			cost = `: every 1,000 output tokens a runaway reply adds costs ${formatUsd(outputRate / 1000)} per call, with no upper bound`;
		}
	}
	const why = param === 'max_completion_tokens' ? ` (\`max_completion_tokens\`: ${model ?? 'this model'} is a reasoning model and rejects \`max_tokens\`)` : '';
	return {
		ruleId: 'missing-max-tokens',
		severity: 'warning',
		message: `No output cap on this call${cost}. Set \`${param}\`${why}. See ${ruleLink('missing-max-tokens')}`,
		span: site.calleeSpan,
		callSiteIndex: index,
		...(monthlyImpactUsd !== undefined ? { monthlyImpactUsd } : {}),
		fixes,
	};
}

/** The language a fix title writes its code in: `max_tokens: 1024` (TypeScript) or `max_tokens=1024` (Python). */
export type TitleSyntax = 'typescript' | 'python';

/** Title of the fix inserting the cap: `Add max_tokens: 1,024` (TypeScript), `Add max_tokens=1024` (Python, the keyword argument as written). */
export function missingCapFixTitle(param: MaxOutputParam, value: number, syntax: TitleSyntax = 'typescript'): string {
	return syntax === 'python' ? `Add ${param}=${value}` : `Add ${param}: ${formatInteger(value)}`;
}

function oversizedAnthropicCap(context: RuleContext, site: CallSite, index: number): Finding | undefined {
	const cap = site.maxOutputTokens;
	if (cap?.kind !== 'literal' || cap.value < ANTHROPIC_OVERSIZED_CAP) return undefined;
	const object = requestObject(context, index);
	const value = context.settings.defaultMaxTokens;
	const fixes: Fix[] = [];
	const property = object ? propertyNode(object, 'max_tokens') : undefined;
	const literal = property ? unwrapExpression(property.initializer) : undefined;
	// Only a number written in the call is replaced; a shared constant may serve other calls.
	if (literal && ts.isNumericLiteral(literal) && canLowerCap(context)) {
		fixes.push({ title: lowerCapFixTitle(value), edits: [{ span: { start: literal.getStart(context.sourceFile), end: literal.getEnd() }, newText: String(value) }] });
	}
	return oversizedCapFinding(context, site, index, hasForcedToolChoice(object), fixes);
}

/** Whether the lower-the-cap fix may be offered: the setting's value is itself below the "oversized" line. */
export function canLowerCap(context: RuleInputs): boolean {
	return context.settings.defaultMaxTokens < ANTHROPIC_OVERSIZED_CAP;
}

/** Title of the fix lowering an oversized Anthropic cap: `Lower max_tokens to 1,024` (TypeScript), `Lower the cap to max_tokens=1024` (Python). */
export function lowerCapFixTitle(value: number, syntax: TitleSyntax = 'typescript'): string {
	return syntax === 'python' ? `Lower the cap to max_tokens=${value}` : `Lower max_tokens to ${formatInteger(value)}`;
}

/**
 * The Anthropic oversized-cap hint (language neutral): a literal cap ≥ 4096 on a forced tool call
 * (`forcedToolChoice`, read from the request by the language's own reader) or a classification
 * prompt. Undefined when the call is not shaped like that. `fixes` (lowering a literal written in the
 * call) come from the caller.
 */
export function oversizedCapFinding(context: RuleInputs, site: CallSite, index: number, forcedToolChoice: boolean, fixes: readonly Fix[]): Finding | undefined {
	const cap = site.maxOutputTokens;
	if (cap?.kind !== 'literal' || cap.value < ANTHROPIC_OVERSIZED_CAP) return undefined;
	const shape = forcedToolChoice ? 'a forced tool call' : classificationPrompt(site) ? 'a classification prompt' : undefined;
	if (!shape) return undefined;
	const estimate: PricedEstimate | undefined = pricedOrUndefined(context.estimates[index]);
	let cost = '';
	let monthlyImpactUsd: number | undefined;
	if (estimate && cap.value > estimate.outputTokens) {
		const worstExtra = ((cap.value - estimate.outputTokens) * (estimate.rates?.output ?? estimate.price.output)) / 1_000_000;
		monthlyImpactUsd = perMonth(worstExtra, context);
		cost = `; a runaway reply can bill ${formatUsd(estimate.costUsd + worstExtra)} per call instead of ~${formatUsd(estimate.costUsd)}`;
	}
	return {
		ruleId: 'missing-max-tokens',
		severity: 'hint',
		message: `max_tokens ${formatInteger(cap.value)} is far above what ${shape} needs${cost}. A tighter cap bounds the worst case. See ${ruleLink('missing-max-tokens')}`,
		span: cap.span,
		callSiteIndex: index,
		...(monthlyImpactUsd !== undefined ? { monthlyImpactUsd } : {}),
		fixes,
	};
}

/** The system or user text asks for a label, a category or a yes/no. */
export function classificationPrompt(site: CallSite): boolean {
	return site.segments.some((s) => (s.role === 'system' || s.role === 'user') && s.content !== undefined && CLASSIFICATION_PROMPT.test(s.content.text));
}
