import * as ts from 'typescript';
import { derefIdentifier, unwrap } from '../analysis/context';
import { ruleLink } from './shapes';
import type { CallSite, Span } from '../analysis/types';
import type { ModelPrice } from '../pricing/types';
import type { Finding, Fix, Rule, RuleContext, RuleInputs, TextEdit } from './types';
import { editDistance, nodeAtSpan, ruleAnalysis } from './util';

const { isIdentifier, isNoSubstitutionTemplateLiteral, isStringLiteral } = ts;

/** How many "did you mean" ids are offered. */
const MAX_SUGGESTIONS = 3;

/**
 * `unknown-model`: a literal model id the price table does not know, so the call's cost is unknown.
 * Suggests the nearest known ids of the same provider and kind (edit distance over ids and aliases),
 * each as a fix that rewrites the string literal's contents (quotes kept); none is preferred, since
 * only the user knows which model was meant. Calls through an OpenAI-compatible `baseURL` (Together,
 * Ollama, a gateway) legitimately use other vendors' ids: info, and the advice is a price override.
 */
export const unknownModel: Rule = {
	id: 'unknown-model',
	check(context) {
		const findings: Finding[] = [];
		context.callSites.forEach((site, index) => {
			let literal: Span | null | undefined;
			const finding = unknownModelFinding(context, site, index, (suggestion) => {
				// Looked up once per call site, on the first suggestion.
				if (literal === undefined) literal = literalEditTarget(context, index, site.model!.span) ?? null;
				return literal ? [{ span: literal, newText: suggestion } satisfies TextEdit] : undefined;
			});
			if (finding) findings.push(finding);
		});
		return findings;
	},
};

/**
 * The finding for a literal model id the price table does not know (language neutral), or undefined.
 * `editsFor(suggestion)` rewrites the literal holding the id (quotes kept) in the language's own way,
 * or returns undefined when no safe edit exists; one fix per suggestion, none preferred.
 */
export function unknownModelFinding(context: RuleInputs, site: CallSite, index: number, editsFor: (suggestion: string) => readonly TextEdit[] | undefined): Finding | undefined {
	const model = site.model;
	if (model?.kind !== 'literal' || context.prices.lookup(model.value)) return undefined;
	const id = model.value;
	if (site.provider === 'openai-compatible') {
		return {
			ruleId: 'unknown-model',
			severity: 'info',
			message: `no price for \`${id}\` on this OpenAI-compatible endpoint: estimates are unpriced. Add a price override for it in the \`costlens.pricing.overrides\` setting to price this call. See ${ruleLink('unknown-model')}`,
			span: model.span,
			callSiteIndex: index,
			fixes: [],
		};
	}
	const suggestions = nearestModels(id, site, context.prices.all());
	const fixes: Fix[] = [];
	for (const s of suggestions) {
		const edits = editsFor(s);
		if (edits) fixes.push({ title: `Change the model to '${s}'`, edits });
	}
	const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.map((s) => `\`${s}\``).join(', ')}?` : '';
	return {
		ruleId: 'unknown-model',
		severity: 'warning',
		message: `no price for \`${id}\`: estimates are unpriced.${hint} A fine-tune or a new model can be priced with a \`costlens.pricing.overrides\` entry. See ${ruleLink('unknown-model')}`,
		span: model.span,
		callSiteIndex: index,
		fixes,
	};
}

/**
 * The closest known ids to `id`: rows of the call's provider (and embedding rows only for
 * embeddings), each row represented by whichever of its id and aliases is nearest.
 */
export function nearestModels(id: string, site: Pick<CallSite, 'provider' | 'api'>, rows: readonly ModelPrice[]): string[] {
	const provider = site.provider === 'anthropic' ? 'anthropic' : 'openai';
	const wantEmbedding = site.api === 'embeddings.create';
	const lower = id.toLowerCase();
	const scored: { id: string; distance: number }[] = [];
	for (const row of rows) {
		if (row.provider !== provider || (row.kind === 'embedding') !== wantEmbedding) continue;
		let best: { id: string; distance: number } | undefined;
		for (const candidate of [row.model, ...(row.aliases ?? [])]) {
			const distance = editDistance(lower, candidate.toLowerCase());
			if (!best || distance < best.distance) best = { id: candidate, distance };
		}
		if (best) scored.push(best);
	}
	scored.sort((a, b) => a.distance - b.distance || a.id.length - b.id.length || a.id.localeCompare(b.id));
	return scored.slice(0, MAX_SUGGESTIONS).map((s) => s.id);
}

/**
 * The contents span (inside the quotes) of the string literal holding the model id: the `model`
 * value itself, or the initializer of a `const` it names in this file. Undefined when the id is
 * built some other way (no safe edit).
 */
function literalEditTarget(context: RuleContext, index: number, span: { start: number; end: number }): { start: number; end: number } | undefined {
	const call = context.calls[index];
	if (!call) return undefined;
	const sf = context.sourceFile;
	const node = nodeAtSpan(call, span, sf);
	if (!node) return undefined;
	let literal: ts.Node | undefined = node;
	if (isIdentifier(node)) {
		const analysis = ruleAnalysis(context);
		const target = derefIdentifier(analysis.ctx, node, analysis.envAt(node));
		literal = target?.kind === 'expr' && target.isConst && !target.env.anchor && target.env.scope.file.isMain ? unwrap(target.node) : undefined;
	}
	if (!literal || !(isStringLiteral(literal) || isNoSubstitutionTemplateLiteral(literal))) return undefined;
	return { start: literal.getStart(sf) + 1, end: literal.getEnd() - 1 };
}
