import type { TextEdit } from './types';

/**
 * Applies non-overlapping edits to `text` (any order). Used by the CLI's `--fix` and by tests; the
 * extension converts the same edits to a WorkspaceEdit. Throws on overlapping or out-of-range edits:
 * a rule that produced them is broken, and applying them would corrupt the file.
 */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
	const sorted = [...edits].sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
	let out = '';
	let at = 0;
	for (const edit of sorted) {
		if (edit.span.start < at || edit.span.end < edit.span.start || edit.span.end > text.length) {
			throw new Error(`invalid or overlapping edit at ${edit.span.start}-${edit.span.end}`);
		}
		out += text.slice(at, edit.span.start) + edit.newText;
		at = edit.span.end;
	}
	return out + text.slice(at);
}
