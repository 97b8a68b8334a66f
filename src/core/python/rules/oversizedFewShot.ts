import type { CallSite } from '../../analysis/types';
import { cacheExamplesPlan, fewShotFinding, judgeFewShot, maxMessageIndex, trimPlan, type FewShotJudgement } from '../../rules/oversizedFewShot';
import type { Fix, PythonRule, PythonRuleContext, TextEdit } from '../../rules/types';
import { perCallSite } from '../../rules/util';
import type { PyNode } from '../parser';
import { keywordArguments, pythonQuoteStyle, unparen } from '../syntax';
import { cachedTextBlockList, ephemeralCacheControl, insertDictEntryEdits, listElements, pairNode, pythonString } from './edits';

/**
 * `oversized-few-shot` for Python: the judgement, money and message of the TypeScript rule (shared
 * from `rules/oversizedFewShot`). Fixes on a `messages=[…]` (Responses `input=[…]`) list written in
 * the call: Anthropic gets a preferred `cache_control` breakpoint on the last example (a string
 * `content` becomes a one-block list), and both providers a trim to the first two pairs.
 */
export const oversizedFewShot: PythonRule = perCallSite<PythonRuleContext>('oversized-few-shot', (context, site, index) => {
	const judgement = judgeFewShot(context, site, index);
	if (!judgement) return undefined;
	const fixes: Fix[] = [];
	const elements = messagesList(context, site, index);
	if (elements) {
		const cacheFix = cacheExamplesFix(context, site, index, elements, judgement);
		if (cacheFix) fixes.push(cacheFix);
		const trimFix = trimExamplesFix(context, elements, judgement);
		if (trimFix) fixes.push(trimFix);
	}
	return fewShotFinding(context, site, index, judgement, fixes);
});

/** The elements of the `messages` / `input` list written in the call, when they map one-to-one onto message indices (no `*splat`). */
function messagesList(context: PythonRuleContext, site: CallSite, index: number): PyNode[] | undefined {
	const call = context.calls[index];
	if (!call || site.unresolvedArgs) return undefined;
	const value = keywordArguments(call).get(site.api.startsWith('responses.') ? 'input' : 'messages')?.value;
	const elements = listElements(value);
	if (!elements || elements.some((e) => e.type === 'list_splat' || e.type === 'parenthesized_list_splat')) return undefined;
	return maxMessageIndex(site) < elements.length ? elements : undefined;
}

/** Removes every example after the first two pairs, with their separators, in one edit. */
function trimExamplesFix(context: PythonRuleContext, elements: readonly PyNode[], judgement: FewShotJudgement): Fix | undefined {
	const plan = trimPlan(context, judgement.examples);
	if (!plan) return undefined;
	const before = elements[plan.first - 1];
	const last = elements[plan.last];
	if (!before || !last) return undefined;
	return { title: plan.title, edits: [{ span: { start: before.endIndex, end: last.endIndex }, newText: '' }] };
}

/** Anthropic: a breakpoint on the last example message's content. */
function cacheExamplesFix(context: PythonRuleContext, site: CallSite, index: number, elements: readonly PyNode[], judgement: FewShotJudgement): Fix | undefined {
	const plan = cacheExamplesPlan(context, site, index, judgement);
	const element = plan ? elements[plan.messageIndex] : undefined;
	if (!plan || !element) return undefined;
	const message = unparen(element);
	if (message.type !== 'dictionary') return undefined;
	const content = pairNode(message, 'content')?.childForFieldName('value');
	if (!content) return undefined;
	const q = pythonQuoteStyle(context.text);
	const value = unparen(content);
	let edits: TextEdit[] | undefined;
	if (value.type === 'list') {
		const blocks = listElements(value);
		const block = blocks?.[blocks.length - 1];
		if (!block || unparen(block).type !== 'dictionary') return undefined;
		edits = insertDictEntryEdits(context.text, unparen(block), pythonString('cache_control', q), ephemeralCacheControl(q));
	} else if (TEXT_VALUE_TYPES.has(value.type)) {
		edits = [{ span: { start: content.startIndex, end: content.endIndex }, newText: cachedTextBlockList(context.text.slice(content.startIndex, content.endIndex), q) }];
	}
	return edits ? { title: plan.title, edits, preferred: true } : undefined;
}

/** Values that can stand as a text block's `text`: strings and names of strings. */
const TEXT_VALUE_TYPES = new Set(['string', 'concatenated_string', 'identifier', 'attribute', 'call', 'binary_operator']);
