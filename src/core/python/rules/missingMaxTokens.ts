import { capCheckKind, canLowerCap, lowerCapFixTitle, maxOutputParamFor, missingCapFinding, missingCapFixTitle, oversizedCapFinding } from '../../rules/missingMaxTokens';
import type { Finding, Fix, PythonRule } from '../../rules/types';
import { keywordArguments, unparen } from '../syntax';
import { insertKeywordArgumentEdits, pyHasForcedToolChoice } from './edits';

/**
 * `missing-max-tokens` for Python: the same judgement, money and message as the TypeScript rule
 * (shared from `rules/missingMaxTokens`); the fix adds `max_tokens=1024` (or the parameter the API
 * and model accept) as a keyword argument after the call's last one, formatted like its neighbours.
 */
export const missingMaxTokens: PythonRule = {
	id: 'missing-max-tokens',
	check(context) {
		const findings: Finding[] = [];
		context.callSites.forEach((site, index) => {
			const call = context.calls[index];
			const kind = capCheckKind(site);
			if (kind === 'openai') {
				const param = maxOutputParamFor(site, context.prices);
				const value = context.settings.defaultMaxTokens;
				const edits = call ? insertKeywordArgumentEdits(context.text, call, param, String(value)) : undefined;
				const fixes: Fix[] = edits ? [{ title: missingCapFixTitle(param, value), edits, preferred: true }] : [];
				findings.push(missingCapFinding(context, site, index, fixes));
			} else if (kind === 'anthropic') {
				const fixes: Fix[] = [];
				const cap = site.maxOutputTokens;
				const written = call ? keywordArguments(call).get('max_tokens')?.value : undefined;
				const literal = written ? unparen(written) : undefined;
				// Only a number written in the call is replaced; a shared constant may serve other calls.
				if (literal?.type === 'integer' && cap?.kind === 'literal' && canLowerCap(context) && /^[\d_]+$/.test(literal.text)) {
					const value = context.settings.defaultMaxTokens;
					fixes.push({ title: lowerCapFixTitle(value), edits: [{ span: { start: literal.startIndex, end: literal.endIndex }, newText: String(value) }] });
				}
				const finding = oversizedCapFinding(context, site, index, pyHasForcedToolChoice(call), fixes);
				if (finding) findings.push(finding);
			}
		});
		return findings;
	},
};
