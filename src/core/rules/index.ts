import * as ts from 'typescript';
import type { Finding, Rule, RuleContext } from './types';
import { cacheBustingSystemPrompt } from './cacheBustingSystemPrompt';
import { missingMaxTokens } from './missingMaxTokens';
import { oversizedFewShot } from './oversizedFewShot';
import { uncachedStablePrefix } from './uncachedStablePrefix';
import { cacheControlBelowMinimum } from './cacheControlBelowMinimum';
import { nonStreamedLongOutput } from './nonStreamedLongOutput';
import { sequentialIndependentCalls } from './sequentialIndependentCalls';
import { unknownModel } from './unknownModel';
import { rightSizeModel } from './rightSizeModel';
import { parseRetryInsteadOfStructuredOutput } from './parseRetryInsteadOfStructuredOutput';

/** Every rule, in the order findings are reported for the same span. Rules register here. */
export const ALL_RULES: readonly Rule[] = [
	cacheBustingSystemPrompt,
	missingMaxTokens,
	oversizedFewShot,
	uncachedStablePrefix,
	cacheControlBelowMinimum,
	nonStreamedLongOutput,
	sequentialIndependentCalls,
	unknownModel,
	rightSizeModel,
	parseRetryInsteadOfStructuredOutput,
];

/** Builds the lazy parent map of `RuleContext.parentOf`. */
export function createParentLookup(sourceFile: ts.SourceFile): (node: ts.Node) => ts.Node | undefined {
	let parents: Map<ts.Node, ts.Node> | undefined;
	return (node) => {
		if (!parents) {
			const map = new Map<ts.Node, ts.Node>();
			const visit = (parent: ts.Node): void => {
				ts.forEachChild(parent, (child) => {
					map.set(child, parent);
					visit(child);
				});
			};
			visit(sourceFile);
			parents = map;
		}
		return parents.get(node);
	};
}

/**
 * Runs every enabled rule. A rule that throws is reported as no findings (and never takes the others
 * down): the analysis of a file must always complete.
 */
export function runRules(context: RuleContext, rules: readonly Rule[] = ALL_RULES): Finding[] {
	const findings: Finding[] = [];
	for (const rule of rules) {
		if (context.settings.disabled.includes(rule.id)) continue;
		try {
			findings.push(...rule.check(context));
		} catch {
			// Deliberately swallowed: one rule's bug must not hide the cost estimates or other findings.
		}
	}
	return findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}
