import type { Span } from '../../analysis/types';
import { unknownModelFinding } from '../../rules/unknownModel';
import type { PythonRule, PythonRuleContext } from '../../rules/types';
import { perCallSite } from '../../rules/util';
import type { PyNode } from '../parser';
import { unparen } from '../syntax';
import { moduleConstant, plainStringValue, pyNodeAtSpan, replaceStringLiteralEdits } from './edits';

/**
 * `unknown-model` for Python: the TypeScript rule's judgement, suggestions and messages (shared from
 * `rules/unknownModel`). Each suggestion is a fix rewriting the string literal holding the id — the
 * `model=` value itself, or the module-level constant of this file it names — with its quotes and
 * prefix kept; none is preferred.
 */
export const unknownModel: PythonRule = perCallSite<PythonRuleContext>('unknown-model', (context, site, index) => {
	const model = site.model;
	if (model?.kind !== 'literal') return undefined;
	let literal: PyNode | undefined | null;
	return unknownModelFinding(context, site, index, (suggestion) => {
		if (literal === undefined) literal = literalHolding(context, model.span, model.value) ?? null;
		return literal ? replaceStringLiteralEdits(context.text, literal, suggestion) : undefined;
	});
});

/** The string literal written in this file whose value is the model id: at `span`, or the constant the name at `span` is bound to at module level. */
function literalHolding(context: PythonRuleContext, span: Span, value: string): PyNode | undefined {
	const node = pyNodeAtSpan(context.tree.rootNode, span);
	if (!node) return undefined;
	let literal = unparen(node);
	if (literal.type === 'identifier') {
		const constant = moduleConstant(context.tree.rootNode, literal.text);
		if (!constant) return undefined;
		literal = unparen(constant);
	}
	return literal.type === 'string' && plainStringValue(literal) === value ? literal : undefined;
}
