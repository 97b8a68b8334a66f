import type { SkipReason } from './types';

/** Default size cap: larger files are skipped before parsing. */
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;

/**
 * Bracket depth beyond which a file is not parsed. The TypeScript parser recurses per nesting level
 * and overflowed the default Node stack here at ~500 nested arrow functions and ~1,000 nested
 * parentheses, so the limit sits well below both; hand-written code rarely nests past ~30.
 */
export const MAX_BRACKET_DEPTH = 256;

/** Minified-bundle heuristic: at least this many characters … */
const MINIFIED_MIN_CHARS = 4096;
/** … with an average line longer than this, or any single line longer than `MINIFIED_MAX_LINE`. */
const MINIFIED_MEAN_LINE = 300;
const MINIFIED_MAX_LINE = 100_000;

/** UTF-8 byte length without allocating (`TextEncoder` would copy the whole file). */
function utf8Length(text: string, stopAbove: number): number {
	let bytes = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x80) bytes += 1;
		else if (c < 0x800) bytes += 2;
		else if (c >= 0xd800 && c <= 0xdbff) { bytes += 4; i++; }
		else bytes += 3;
		if (bytes > stopAbove) break;
	}
	return bytes;
}

/**
 * Decides, without parsing, whether a file must be skipped. Every check is a single linear pass with
 * no regular expressions, so hostile input cannot make it slow.
 * - size over `maxBytes` (UTF-8 bytes);
 * - binary-looking: contains a NUL character;
 * - minified: ≥ 4 KB and either the mean line length exceeds 300 characters or one line exceeds
 *   100,000 (a normal file with one long prompt string on a line still passes the mean test);
 * - nesting: brackets `( [ {` nested deeper than `MAX_BRACKET_DEPTH` (counted naively, including
 *   brackets inside strings and comments).
 */
export function checkSkip(text: string, maxBytes: number): SkipReason | undefined {
	if (text.length > maxBytes || (text.length * 3 > maxBytes && utf8Length(text, maxBytes) > maxBytes)) {
		return { reason: `file larger than ${formatBytes(maxBytes)}` };
	}
	if (text.indexOf('\0') !== -1) return { reason: 'binary file (contains NUL bytes)' };
	if (text.length >= MINIFIED_MIN_CHARS) {
		let lines = 1;
		let longest = 0;
		let lineStart = 0;
		for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
			lines++;
			if (i - lineStart > longest) longest = i - lineStart;
			lineStart = i + 1;
		}
		if (text.length - lineStart > longest) longest = text.length - lineStart;
		if (text.length / lines > MINIFIED_MEAN_LINE || longest > MINIFIED_MAX_LINE) {
			return { reason: 'looks minified or generated (very long lines)' };
		}
	}
	let depth = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c === 40 || c === 91 || c === 123) {
			if (++depth > MAX_BRACKET_DEPTH) return { reason: `nesting deeper than ${MAX_BRACKET_DEPTH} levels` };
		} else if (c === 41 || c === 93 || c === 125) {
			if (depth > 0) depth--;
		}
	}
	return undefined;
}

function formatBytes(bytes: number): string {
	if (bytes >= 1024 * 1024) return `${+(bytes / (1024 * 1024)).toFixed(1)} MB`;
	if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
	return `${bytes} bytes`;
}

/**
 * Cheap prefilter: the SDK call shapes this analyser reports all end in one of these two-name
 * suffixes. Linear: fixed alternations around `\s*`, no nested quantifiers.
 */
export const CALL_SHAPE = /\b(?:messages|completions|responses|embeddings|batches)\s*\??\.\s*(create|stream|parse|countTokens)\b/g;

/** True when the text may contain an SDK call; false means there is certainly none to report. */
export function mayContainCalls(text: string): boolean {
	CALL_SHAPE.lastIndex = 0;
	const found = CALL_SHAPE.test(text);
	CALL_SHAPE.lastIndex = 0;
	return found;
}
