/** A 1-based line and 1-based column, columns counted in UTF-16 code units (as JS strings and editors do). */
export interface LinePosition {
	readonly line: number;
	readonly column: number;
}

/**
 * Offsets of the first character of every line. Line breaks are `\n`, `\r\n` and a lone `\r`,
 * the same set TypeScript and VS Code recognise, so positions agree with the editor's.
 */
export function lineStarts(text: string): number[] {
	const starts = [0];
	for (let i = 0; i < text.length; i++) {
		const ch = text.charCodeAt(i);
		if (ch === 13 /* \r */) {
			if (text.charCodeAt(i + 1) === 10) i++;
			starts.push(i + 1);
		} else if (ch === 10 /* \n */) {
			starts.push(i + 1);
		}
	}
	return starts;
}

/**
 * Converts offsets to positions in one text. Build it once per file: each lookup is a binary
 * search over the line-start table, so a file with many call sites costs one pass, not one per site.
 */
export function createPositionMapper(text: string): (offset: number) => LinePosition {
	const starts = lineStarts(text);
	return (offset) => {
		const clamped = Math.max(0, Math.min(Number.isFinite(offset) ? Math.floor(offset) : 0, text.length));
		let low = 0;
		let high = starts.length - 1;
		while (low < high) {
			const mid = (low + high + 1) >> 1;
			if ((starts[mid] ?? 0) <= clamped) low = mid;
			else high = mid - 1;
		}
		return { line: low + 1, column: clamped - (starts[low] ?? 0) + 1 };
	};
}

let lastText: string | undefined;
let lastMapper: ((offset: number) => LinePosition) | undefined;

/**
 * 1-based line and column of `offset` in `text`; out-of-range offsets clamp to the text's ends.
 * Repeated calls on the same text reuse its line-start table (a one-entry memo), so callers
 * converting every call site of a file need not hold a mapper themselves.
 */
export function offsetToPosition(text: string, offset: number): LinePosition {
	if (lastMapper === undefined || lastText !== text) {
		lastText = text;
		lastMapper = createPositionMapper(text);
	}
	return lastMapper(offset);
}
