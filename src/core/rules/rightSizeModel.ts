import type { CallSite } from '../analysis/types';
import { estimateCallSite } from '../pricing/estimate';
import { formatInteger, formatUsd } from '../pricing/format';
import { contains, hasForcedToolChoice, hasSchemaOutput, isGenerationApi, pricedOrUndefined, requestObject, ruleLink } from './shapes';
import type { Finding, Fix, Rule, RuleContext, RuleInputs, TextEdit } from './types';
import { perCallSite } from './util';

/** A cap this small means a short, structured answer. */
const SHORT_ANSWER_CAP = 256;

/**
 * The same provider's small model for a top-tier one, by family (keyed by the price row's canonical
 * id, so dated aliases map too). Families keep the request compatible: gpt-5 and the o-series both
 * take `max_completion_tokens`, gpt-4.1/4o and their minis both take `max_tokens`.
 */
function smallModelFor(canonicalId: string): string | undefined {
	if (/^claude-(opus|sonnet)-/.test(canonicalId) || /^claude-3(-[57])?-(opus|sonnet)/.test(canonicalId)) return 'claude-haiku-4-5';
	if (/^(gpt-5(\.\d+)?|o1|o3)$/.test(canonicalId)) return 'gpt-5-mini';
	if (canonicalId === 'gpt-4.1') return 'gpt-4.1-mini';
	if (canonicalId === 'gpt-4o') return 'gpt-4o-mini';
	return undefined;
}

/**
 * `right-size-model` (info): a classification/extraction-shaped call (forced tool choice, a JSON
 * schema on the output, or a cap ≤ 256 tokens) on a top-tier model. The saving is the estimate re-run
 * with the small model (its own prices and caching minimum). The model swap is offered but never
 * preferred: whether the small model is good enough is a question for evals, not for a linter.
 */
export const rightSizeModel: Rule = perCallSite('right-size-model', checkSite);

function checkSite(context: RuleContext, site: CallSite, index: number): Finding | undefined {
	const model = site.model;
	if (model?.kind !== 'literal') return undefined;
	const object = requestObject(context, index);
	return rightSizeFinding(context, site, index, { forcedToolChoice: hasForcedToolChoice(object), schemaOutput: hasSchemaOutput(object) }, (small) => {
		const span = model.span;
		const written = context.text.slice(span.start, span.end);
		const quote = written[0];
		// Only a literal written in this call: a shared constant may serve calls that need the big model.
		if ((quote === '\'' || quote === '"' || quote === '`') && written === `${quote}${model.value}${quote}` && contains(site.span, span)) {
			return [{ span, newText: `${quote}${small}${quote}` }];
		}
		return undefined;
	});
}

/** What the language's reader saw in the request: a forced tool choice, a JSON schema on the output. */
export interface RequestShape {
	readonly forcedToolChoice: boolean;
	readonly schemaOutput: boolean;
}

/**
 * The finding (language neutral): a classification/extraction-shaped call on a top-tier model, with
 * the saving of the same call re-estimated on the small model. `editsFor(small)` swaps the literal
 * written in the call (quotes kept), or returns undefined when no safe edit exists; never preferred.
 */
export function rightSizeFinding(context: RuleInputs, site: CallSite, index: number, request: RequestShape, editsFor: (small: string) => readonly TextEdit[] | undefined): Finding | undefined {
	if (site.provider === 'openai-compatible' || site.baseURL !== undefined || !isGenerationApi(site.api)) return undefined;
	const estimate = pricedOrUndefined(context.estimates[index]);
	if (!estimate || site.model?.kind !== 'literal') return undefined;
	const small = smallModelFor(estimate.price.model);
	if (!small || !context.prices.lookup(small)) return undefined;
	const shape = callShape(site, request);
	if (!shape) return undefined;

	const swapped = pricedOrUndefined(estimateCallSite({ ...site, model: { ...site.model, value: small } }, context));
	if (!swapped) return undefined;
	const saving = estimate.monthlyCostUsd - swapped.monthlyCostUsd;
	if (!(saving > 0)) return undefined;

	const fixes: Fix[] = [];
	const edits = editsFor(small);
	if (edits) fixes.push({ title: `Switch to ${small} (check against your evals first)`, edits, preferred: false });
	return {
		ruleId: 'right-size-model',
		severity: 'info',
		message: `${shape} on ${site.model.value}: ${small} would cost ~${formatUsd(swapped.monthlyCostUsd)}/mo instead of ~${formatUsd(estimate.monthlyCostUsd)} (save ~${formatUsd(saving)}/mo at the assumed traffic). Check it against your evals before switching. See ${ruleLink('right-size-model')}`,
		span: site.model.span,
		callSiteIndex: index,
		monthlyImpactUsd: saving,
		fixes,
	};
}

function callShape(site: CallSite, request: RequestShape): string | undefined {
	if (request.forcedToolChoice) return 'Extraction-shaped call (forced tool choice)';
	if (request.schemaOutput) return 'Extraction-shaped call (JSON-schema output)';
	const cap = site.maxOutputTokens;
	if (cap?.kind === 'literal' && cap.value <= SHORT_ANSWER_CAP) return `Classification-shaped call (max ${formatInteger(cap.value)} output tokens)`;
	return undefined;
}
