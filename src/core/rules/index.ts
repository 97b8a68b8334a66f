import * as ts from 'typescript';
import { isSuppressed, withSeverity } from './suppress';
import type { Finding, RuleId, RuleInputs } from './types';
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
import { batchCandidate } from './batchCandidate';
import type { Rule } from './types';

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
	batchCandidate,
];

/**
 * `RuleContext.parentOf` without a parent map of the whole file. A full map costs a walk of every
 * node (about a third of a parse, more than the rules' whole per-edit budget), and rules only ever
 * climb from a few call sites. So the first question about a node descends from the root by
 * position to that node and remembers every parent on the way; climbing further hits that memo.
 */
export function createParentLookup(sourceFile: ts.SourceFile): (node: ts.Node) => ts.Node | undefined {
	const parents = new Map<ts.Node, ts.Node>();
	let fullMap = false;
	const mapEverything = (): void => {
		const visit = (parent: ts.Node): void => {
			ts.forEachChild(parent, (child) => {
				parents.set(child, parent);
				visit(child);
			});
		};
		visit(sourceFile);
		fullMap = true;
	};
	const descendTo = (target: ts.Node): boolean => {
		let current: ts.Node = sourceFile;
		while (current !== target) {
			let next: ts.Node | undefined;
			ts.forEachChild(current, (child) => {
				if (child === target || (child.pos <= target.pos && target.end <= child.end && child.end > child.pos)) {
					next = child;
					return true;
				}
				return undefined;
			});
			if (!next) return false;
			parents.set(next, current);
			current = next;
		}
		return true;
	};
	return (node) => {
		if (node === sourceFile) return undefined;
		const known = parents.get(node);
		if (known || fullMap) return known;
		// Zero-width or synthesized positions can defeat the descent; the full map is the safe fallback.
		if (!descendTo(node)) mapEverything();
		return parents.get(node);
	};
}

/**
 * Runs every enabled rule, drops findings under a `costlens-ignore-next-line` comment and applies the
 * user's severity overrides. A rule that throws is reported as no findings (and never takes the others
 * down): the analysis of a file must always complete.
 */
export function runRules<C extends RuleInputs>(context: C, rules: readonly { readonly id: RuleId; check(context: C): Finding[] }[]): Finding[] {
	const findings: Finding[] = [];
	for (const rule of rules) {
		if (context.settings.disabled.includes(rule.id)) continue;
		try {
			for (const finding of rule.check(context)) {
				if (!isSuppressed(context.text, finding)) findings.push(withSeverity(finding, context.settings.severity));
			}
		} catch {
			// Deliberately swallowed: one rule's bug must not hide the cost estimates or other findings.
		}
	}
	return findings.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
}
