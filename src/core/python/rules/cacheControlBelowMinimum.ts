import type { PromptSegment, Span } from '../../analysis/types';
import { cacheControlFindings } from '../../rules/cacheControlBelowMinimum';
import type { PythonRule, PythonRuleContext } from '../../rules/types';
import { perCallSite } from '../../rules/util';
import { unparen } from '../syntax';
import { pairNode, pyNodeAtSpan } from './edits';

/**
 * `cache-control-below-minimum` for Python: the TypeScript rule's judgement and messages (shared from
 * `rules/cacheControlBelowMinimum`); the squiggle goes on the block's `"cache_control": …` entry
 * when the block dict is written in this file. No fix (where the breakpoint belongs is the user's call).
 */
export const cacheControlBelowMinimum: PythonRule = perCallSite<PythonRuleContext>('cache-control-below-minimum', (context, site, index) => cacheControlFindings(context, site, index, (segment) => markerSpan(context, segment)));

/** The `"cache_control": …` pair of the block dict behind `segment`, else the segment. */
function markerSpan(context: PythonRuleContext, segment: PromptSegment): Span {
	const node = pyNodeAtSpan(context.tree.rootNode, segment.span);
	let dict = node ? unparen(node) : undefined;
	// A segment spanning a block's `"text"` value: its dict is the pair's parent.
	if (dict && dict.type !== 'dictionary' && dict.parent?.type === 'pair' && dict.parent.parent?.type === 'dictionary') dict = dict.parent.parent;
	const pair = dict?.type === 'dictionary' ? pairNode(dict, 'cache_control') : undefined;
	return pair ? { start: pair.startIndex, end: pair.endIndex } : segment.span;
}
