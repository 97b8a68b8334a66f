import type { PromptSegment } from '../../analysis/types';
import { UNCACHED_PREFIX_FIX_TITLE, uncachedStablePrefixRule } from '../../rules/uncachedStablePrefix';
import type { Fix, PythonRule, PythonRuleContext, TextEdit } from '../../rules/types';
import { pythonQuoteStyle, sameNode, unparen } from '../syntax';
import { cachedTextBlockList, ephemeralCacheControl, insertDictEntryEdits, listElements, moduleConstant, pairKey, pyNodeAtSpan, pythonString } from './edits';

/**
 * `uncached-stable-prefix` for Python: the judgement, saving and message of the TypeScript rule
 * (shared from `rules/uncachedStablePrefix`); the fix writes the breakpoint in Python, in the file's
 * quote style:
 * - `system="…"` / `"content": "…"` becomes `[{"type": "text", "text": "…", "cache_control": {"type": "ephemeral"}}]`;
 * - a text block dict gets a `"cache_control": {"type": "ephemeral"}` entry;
 * - the tools list (written in the call or a module-level constant of this file) gets it on its last tool.
 */
export const uncachedStablePrefix: PythonRule = uncachedStablePrefixRule<PythonRuleContext>(breakpointFix);

function breakpointFix(context: PythonRuleContext, segment: PromptSegment): Fix | undefined {
	const edits = breakpointEdits(context, segment);
	return edits ? { title: UNCACHED_PREFIX_FIX_TITLE, edits, preferred: true } : undefined;
}

/** Edits putting a `cache_control` breakpoint right after `segment` (only for code written in this file). */
export function breakpointEdits(context: PythonRuleContext, segment: PromptSegment): TextEdit[] | undefined {
	const node = pyNodeAtSpan(context.tree.rootNode, segment.span);
	if (!node) return undefined;
	const q = pythonQuoteStyle(context.text);
	const key = pythonString('cache_control', q);
	const marker = ephemeralCacheControl(q);
	let value = unparen(node);
	if (segment.role === 'tools') {
		if (value.type === 'identifier') value = moduleConstant(context.tree.rootNode, value.text) ?? value;
		const elements = listElements(value);
		const last = elements ? elements[elements.length - 1] : value;
		return last && unparen(last).type === 'dictionary' ? insertDictEntryEdits(context.text, unparen(last), key, marker) : undefined;
	}
	if (value.type === 'dictionary') return insertDictEntryEdits(context.text, value, key, marker);
	const parent = node.parent;
	if (!parent) return undefined;
	// `system=…` or `"content": …`: the value becomes a one-block list carrying the marker.
	const isSystemArgument = parent.type === 'keyword_argument' && parent.childForFieldName('name')?.text === 'system' && sameNode(parent.childForFieldName('value'), node);
	const isContentPair = parent.type === 'pair' && pairKey(parent) === 'content' && sameNode(parent.childForFieldName('value'), node);
	if (isSystemArgument || isContentPair) {
		return [{ span: { start: node.startIndex, end: node.endIndex }, newText: cachedTextBlockList(context.text.slice(node.startIndex, node.endIndex), q) }];
	}
	// The segment is the `"text"` value of a block dict: the marker goes on that block.
	if (parent.type === 'pair' && pairKey(parent) === 'text' && parent.parent?.type === 'dictionary') return insertDictEntryEdits(context.text, parent.parent, key, marker);
	return undefined;
}
