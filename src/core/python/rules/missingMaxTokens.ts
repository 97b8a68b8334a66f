import { capCheckKind, canLowerCap, lowerCapFixTitle, maxOutputParamFor, missingCapFinding, missingCapFixTitle, oversizedCapFinding } from '../../rules/missingMaxTokens';
import type { Fix, PythonRule, PythonRuleContext } from '../../rules/types';
import { perCallSite } from '../../rules/util';
import { keywordArguments, unparen } from '../syntax';
import { insertKeywordArgumentEdits, pyHasForcedToolChoice } from './edits';

/**
 * `missing-max-tokens` for Python: the same judgement, money and message as the TypeScript rule
 * (shared from `rules/missingMaxTokens`); the fix adds `max_tokens=1024` (or the parameter the API
 * and model accept) as a keyword argument after the call's last one, formatted like its neighbours.
 */
export const missingMaxTokens: PythonRule = perCallSite<PythonRuleContext>('missing-max-tokens', (context, site, index) => {
	const call = context.calls[index];
	const kind = capCheckKind(site);
	const value = context.settings.defaultMaxTokens;
	if (kind === 'openai') {
		const param = maxOutputParamFor(site, context.prices);
		const edits = call ? insertKeywordArgumentEdits(context.text, call, param, String(value)) : undefined;
		const fixes: Fix[] = edits ? [{ title: missingCapFixTitle(param, value, 'python'), edits, preferred: true }] : [];
		return missingCapFinding(context, site, index, fixes);
	}
	if (kind !== 'anthropic') return undefined;
	const fixes: Fix[] = [];
	const cap = site.maxOutputTokens;
	const written = call ? keywordArguments(call).get('max_tokens')?.value : undefined;
	const literal = written ? unparen(written) : undefined;
	// Only a number written in the call is replaced; a shared constant may serve other calls.
	if (literal?.type === 'integer' && cap?.kind === 'literal' && canLowerCap(context) && /^[\d_]+$/.test(literal.text)) {
		fixes.push({ title: lowerCapFixTitle(value, 'python'), edits: [{ span: { start: literal.startIndex, end: literal.endIndex }, newText: String(value) }] });
	}
	return oversizedCapFinding(context, site, index, pyHasForcedToolChoice(call), fixes);
});
