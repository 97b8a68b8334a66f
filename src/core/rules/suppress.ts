import type { Finding, RuleId, Severity, TextEdit } from './types';

/**
 * `// costlens-ignore-next-line` (all rules) or `// costlens-ignore-next-line missing-max-tokens, unknown-model`
 * on the line above a finding's first line suppresses it. `#` comments count too (Python files).
 * Matched on one line at a time with an anchored pattern: linear, whatever the file holds.
 */
const IGNORE = /^\s*(?:\/\/|#)\s*costlens-ignore-next-line\b([^\n]*)$/;
export const IGNORE_DIRECTIVE = 'costlens-ignore-next-line';

/** Offset of the start of the line holding `offset`. */
function lineStart(text: string, offset: number): number {
	return text.lastIndexOf('\n', offset - 1) + 1;
}

/** Whether the line above the finding's first line carries an ignore comment that covers its rule. */
export function isSuppressed(text: string, finding: Pick<Finding, 'ruleId' | 'span'>): boolean {
	const start = lineStart(text, finding.span.start);
	if (start === 0) return false;
	const previousStart = lineStart(text, start - 1);
	const match = IGNORE.exec(text.slice(previousStart, start - 1).replace(/\r$/, ''));
	if (!match) return false;
	const listed = (match[1] ?? '').split(/[\s,]+/).filter(Boolean);
	// Anything after the rule ids (e.g. `-- reason`) is a comment for humans.
	const ids = listed.slice(0, Math.max(0, listed.indexOf('--') === -1 ? listed.length : listed.indexOf('--')));
	return ids.length === 0 || ids.includes(finding.ruleId);
}

/**
 * The edit that suppresses one finding: an ignore comment above its first line, indented like that
 * line, in the file's comment syntax. Offered by the editor as a code action next to the real fixes.
 */
export function suppressionEdit(text: string, finding: Pick<Finding, 'ruleId' | 'span'>, comment: '//' | '#' = '//'): TextEdit {
	const start = lineStart(text, finding.span.start);
	const indent = /^[ \t]*/.exec(text.slice(start, finding.span.start))?.[0] ?? '';
	const eol = text.includes('\r\n') ? '\r\n' : '\n';
	return { span: { start, end: start }, newText: `${indent}${comment} ${IGNORE_DIRECTIVE} ${finding.ruleId}${eol}` };
}

/** Applies per-rule severity overrides from settings (`off` is handled by `disabled`). */
export function withSeverity(finding: Finding, overrides: Readonly<Partial<Record<RuleId, Severity>>> | undefined): Finding {
	const severity = overrides?.[finding.ruleId];
	return severity === undefined || severity === finding.severity ? finding : { ...finding, severity };
}
