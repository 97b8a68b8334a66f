import { rightSizeFinding } from '../../rules/rightSizeModel';
import type { PythonRule, PythonRuleContext } from '../../rules/types';
import { perCallSite } from '../../rules/util';
import { unparen } from '../syntax';
import { plainStringValue, pyHasForcedToolChoice, pyHasSchemaOutput, pyNodeAtSpan, replaceStringLiteralEdits } from './edits';

/**
 * `right-size-model` for Python: the TypeScript rule's judgement, saving and message (shared from
 * `rules/rightSizeModel`), with the request read from the call's keyword arguments (`tool_choice`,
 * `response_format` / `text` / `text_format`, a Pydantic class given to `.parse`). The swap is offered
 * only for a literal written in the call (quotes and prefix kept) and never preferred.
 */
export const rightSizeModel: PythonRule = perCallSite<PythonRuleContext>('right-size-model', (context, site, index) => {
	const model = site.model;
	if (model?.kind !== 'literal') return undefined;
	const call = context.calls[index];
	const request = { forcedToolChoice: pyHasForcedToolChoice(call), schemaOutput: pyHasSchemaOutput(call) };
	return rightSizeFinding(context, site, index, request, (small) => {
		// Only a literal written in this call: a shared constant may serve calls that need the big model.
		if (model.span.start < site.span.start || model.span.end > site.span.end) return undefined;
		const node = pyNodeAtSpan(context.tree.rootNode, model.span);
		const literal = node ? unparen(node) : undefined;
		if (!literal || literal.type !== 'string' || plainStringValue(literal) !== model.value) return undefined;
		return replaceStringLiteralEdits(context.text, literal, small);
	});
});
