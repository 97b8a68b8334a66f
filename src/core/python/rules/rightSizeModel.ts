import { rightSizeFinding } from '../../rules/rightSizeModel';
import type { Finding, PythonRule } from '../../rules/types';
import { unparen } from '../syntax';
import { plainStringValue, pyHasForcedToolChoice, pyHasSchemaOutput, pyNodeAtSpan, replaceStringLiteralEdits } from './edits';

/**
 * `right-size-model` for Python: the TypeScript rule's judgement, saving and message (shared from
 * `rules/rightSizeModel`), with the request read from the call's keyword arguments (`tool_choice`,
 * `response_format` / `text` / `text_format`, a Pydantic class given to `.parse`). The swap is offered
 * only for a literal written in the call (quotes and prefix kept) and never preferred.
 */
export const rightSizeModel: PythonRule = {
	id: 'right-size-model',
	check(context) {
		const findings: Finding[] = [];
		context.callSites.forEach((site, index) => {
			const model = site.model;
			if (model?.kind !== 'literal') return;
			const call = context.calls[index];
			const request = { forcedToolChoice: pyHasForcedToolChoice(call), schemaOutput: pyHasSchemaOutput(call) };
			const finding = rightSizeFinding(context, site, index, request, (small) => {
				// Only a literal written in this call: a shared constant may serve calls that need the big model.
				if (model.span.start < site.span.start || model.span.end > site.span.end) return undefined;
				const node = pyNodeAtSpan(context.tree.rootNode, model.span);
				const literal = node ? unparen(node) : undefined;
				if (!literal || literal.type !== 'string' || plainStringValue(literal) !== model.value) return undefined;
				return replaceStringLiteralEdits(context.text, literal, small);
			});
			if (finding) findings.push(finding);
		});
		return findings;
	},
};
