import type { Span } from '../../analysis/types';
import { lineEnd, lineIndent } from '../../rules/shapes';
import type { TextEdit } from '../../rules/types';
import type { PyNode } from '../parser';
import { keywordArguments, stringPrefix, stringQuote, unparen } from '../syntax';

// Python fix primitives shared by the Python rules: adding a keyword argument to a call or a key to a
// dict literal formatted like its neighbours, rewriting a string literal's contents with its quotes
// and prefix kept, and writing small dict/list literals in the file's quote style. They read only the
// nodes they are given (no tree walks) and return `undefined` when no safe edit exists.

function lineStartOf(text: string, offset: number): number {
	return text.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * Edits adding `item` to the bracketed `container` (`argument_list`, `dictionary`, `list`) right after
 * its child `anchor`, formatted like the neighbours: on the same line when the container is written on
 * one line (or `anchor` shares the opening bracket's line); otherwise on a new line with `anchor`'s
 * indentation, after any comment ending `anchor`'s line. The trailing-comma style is kept, and an item
 * that follows `anchor` (a `**kwargs`) stays after the new one.
 */
export function insertAfterEdits(text: string, container: PyNode, anchor: PyNode, item: string): TextEdit[] | undefined {
	const children = container.children;
	const at = children.findIndex((c) => c?.startIndex === anchor.startIndex && c.endIndex === anchor.endIndex);
	if (at < 0) return undefined;
	// What follows the anchor, comments skipped: its comma (if any), then the next item or the bracket.
	let comma: PyNode | undefined;
	let next: PyNode | undefined;
	for (let i = at + 1; i < children.length; i++) {
		const c = children[i];
		if (!c || c.type === 'comment') continue;
		if (c.type === ',' && !comma) { comma = c; continue; }
		next = c;
		break;
	}
	if (!next) return undefined;
	const anchorEnd = anchor.endIndex;
	const commaEnd = comma ? comma.endIndex : anchorEnd;
	// A following item needs a comma after the new one; so does a trailing-comma style.
	const closes = next.type === ')' || next.type === '}' || next.type === ']';
	const needsTrailingComma = !!comma;
	const sameLine = lineStartOf(text, container.startIndex) === lineStartOf(text, anchor.startIndex);
	const multiLine = text.slice(container.startIndex, container.endIndex).includes('\n');
	if (!multiLine || sameLine) {
		if (comma) return [{ span: { start: commaEnd, end: commaEnd }, newText: ` ${item},` }];
		return [{ span: { start: anchorEnd, end: anchorEnd }, newText: `, ${item}` }];
	}
	const indent = lineIndent(text, anchor.startIndex);
	// A new line ends the way the anchor's line does (CRLF files stay CRLF).
	const nl = text[lineEnd(text, anchor.endIndex)] === '\r' ? '\r\n' : '\n';
	// After the anchor (and its comma) the rest of the line is blank, a comment, or more code (the
	// closing bracket, the next item). Insert at the end of the line unless code follows there.
	const end = lineEnd(text, commaEnd);
	const rest = text.slice(commaEnd, end);
	const restIsTrivia = /^\s*(#.*)?$/.test(rest);
	const insertAt = restIsTrivia ? end : commaEnd;
	if (needsTrailingComma) return [{ span: { start: insertAt, end: insertAt }, newText: `${nl}${indent}${item},` }];
	if (!closes) return undefined;
	if (insertAt === anchorEnd) return [{ span: { start: insertAt, end: insertAt }, newText: `,${nl}${indent}${item}` }];
	return [
		{ span: { start: anchorEnd, end: anchorEnd }, newText: ',' },
		{ span: { start: insertAt, end: insertAt }, newText: `${nl}${indent}${item}` },
	];
}

/**
 * Edits adding `key=valueCode` to `call`'s arguments: after the last keyword argument, before any
 * `**kwargs` that follows it (Python accepts keywords after `**`, but a reader expects them first).
 * Undefined when the call has no keyword argument to follow (nothing to copy the format from) or
 * already passes `key`.
 */
export function insertKeywordArgumentEdits(text: string, call: PyNode, key: string, valueCode: string): TextEdit[] | undefined {
	const args = call.type === 'argument_list' ? call : call.childForFieldName('arguments');
	if (!args || args.type !== 'argument_list') return undefined;
	let anchor: PyNode | undefined;
	for (const arg of args.namedChildren) {
		if (arg?.type !== 'keyword_argument') continue;
		if (arg.childForFieldName('name')?.text === key) return undefined;
		anchor = arg;
	}
	return anchor ? insertAfterEdits(text, args, anchor, `${key}=${valueCode}`) : undefined;
}

/** The key of a dict `pair` when it is a plain string literal (`"content"`), else undefined. */
export function pairKey(pair: PyNode): string | undefined {
	const key = pair.childForFieldName('key');
	return key ? plainStringValue(key) : undefined;
}

/**
 * Edits adding `keyCode: valueCode` as the last entry of the dict literal `dict` (before a trailing
 * `**splat`, after the last `pair`). Undefined when the dict has no pair to follow.
 */
export function insertDictEntryEdits(text: string, dict: PyNode, keyCode: string, valueCode: string): TextEdit[] | undefined {
	if (dict.type !== 'dictionary') return undefined;
	let anchor: PyNode | undefined;
	for (const child of dict.namedChildren) if (child?.type === 'pair') anchor = child;
	return anchor ? insertAfterEdits(text, dict, anchor, `${keyCode}: ${valueCode}`) : undefined;
}

/**
 * The value of a plain string literal (no interpolation, no bytes), with the common escapes decoded,
 * or undefined for anything else (f-string holes, concatenations, names).
 */
export function plainStringValue(node: PyNode): string | undefined {
	const n = unparen(node);
	if (n.type !== 'string') return undefined;
	const prefix = stringPrefix(n);
	if (prefix.includes('b')) return undefined;
	let out = '';
	for (const child of n.children) {
		if (!child || child.type === 'string_start' || child.type === 'string_end') continue;
		if (child.type === 'interpolation') return undefined;
		if (child.type === 'string_content') out += prefix.includes('r') ? child.text : decodeEscapes(child.text, prefix.includes('f'));
		else return undefined;
	}
	return out;
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', r: '\r', '\\': '\\', '\'': '\'', '"': '"', '0': '\0' };

function decodeEscapes(raw: string, fString: boolean): string {
	let s = raw.replace(/\\(.)/gs, (m, c: string) => SIMPLE_ESCAPES[c] ?? (c === '\n' ? '' : m));
	if (fString) s = s.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
	return s;
}

/** The span between a string literal's quotes (prefix and quotes excluded). */
export function stringContentSpan(stringNode: PyNode): Span | undefined {
	const n = unparen(stringNode);
	if (n.type !== 'string') return undefined;
	const start = n.children[0];
	const end = n.children[n.children.length - 1];
	if (start?.type !== 'string_start' || end?.type !== 'string_end') return undefined;
	return { start: start.endIndex, end: end.startIndex };
}

/** `value` written as the contents of a literal opened with `quote` and `prefix` (lower-case letters); undefined when impossible (a raw string that would need an escape). */
export function escapeStringContents(value: string, quote: string, prefix = ''): string | undefined {
	const raw = prefix.includes('r');
	const q = quote[0] ?? '"';
	const triple = quote.length === 3;
	if (raw) {
		if (value.includes('\\') || (!triple && (value.includes(q) || value.includes('\n'))) || (triple && value.includes(quote)) || value.endsWith(q)) return undefined;
		return prefix.includes('f') ? value.replace(/\{/g, '{{').replace(/\}/g, '}}') : value;
	}
	let s = value.replace(/\\/g, '\\\\');
	if (triple) {
		s = s.replace(new RegExp(q.repeat(3), 'g'), `\\${q}\\${q}\\${q}`);
		if (s.endsWith(q)) s = s.slice(0, -1) + `\\${q}`;
	} else {
		s = s.split(q).join(`\\${q}`).replace(/\n/g, '\\n').replace(/\r/g, '\\r');
	}
	if (prefix.includes('f')) s = s.replace(/\{/g, '{{').replace(/\}/g, '}}');
	return s;
}

/**
 * An edit replacing the contents of the string literal `stringNode` with `newValue`, keeping its
 * prefix (`r`, `u`, `f`…) and quotes (`'`, `"`, `'''`, `"""`). Undefined for a literal with `{…}`
 * holes, a bytes literal, or a raw literal that cannot hold the value.
 */
export function replaceStringLiteralEdits(text: string, stringNode: PyNode, newValue: string): TextEdit[] | undefined {
	const n = unparen(stringNode);
	if (n.type !== 'string') return undefined;
	if (n.children.some((c) => c?.type === 'interpolation')) return undefined;
	const prefix = stringPrefix(n);
	const quote = stringQuote(n);
	const span = stringContentSpan(n);
	if (prefix.includes('b') || !quote || !span || span.end < span.start || span.end > text.length) return undefined;
	const contents = escapeStringContents(newValue, quote, prefix);
	return contents === undefined ? undefined : [{ span, newText: contents }];
}

/** A Python string literal of `value` in quote `q`. */
export function pythonString(value: string, q: '"' | '\''): string {
	return `${q}${escapeStringContents(value, q) ?? value}${q}`;
}

/** A dict literal of already-written entries: `pythonDictLiteral([['"type"', '"text"']])` → `{"type": "text"}`. */
export function pythonDictLiteral(entries: readonly (readonly [keyCode: string, valueCode: string])[]): string {
	return `{${entries.map(([k, v]) => `${k}: ${v}`).join(', ')}}`;
}

/** `{"type": "ephemeral"}` in quote `q`. */
export function ephemeralCacheControl(q: '"' | '\''): string {
	return pythonDictLiteral([[pythonString('type', q), pythonString('ephemeral', q)]]);
}

/** `[{"type": "text", "text": <valueCode>, "cache_control": {"type": "ephemeral"}}]`: a one-block list carrying a breakpoint. */
export function cachedTextBlockList(valueCode: string, q: '"' | '\''): string {
	return `[${pythonDictLiteral([[pythonString('type', q), pythonString('text', q)], [pythonString('text', q), valueCode], [pythonString('cache_control', q), ephemeralCacheControl(q)]])}]`;
}

/**
 * The node spanning exactly `span` under `root` (the outermost one with that span), found by
 * descending along positions (wasm-side), or undefined.
 */
export function pyNodeAtSpan(root: PyNode, span: Span): PyNode | undefined {
	let n: PyNode | null = root.descendantForIndex(span.start, span.end);
	if (!n || n.startIndex !== span.start || n.endIndex !== span.end) {
		// Zero-width or trivia-trimmed mismatches: no exact node.
		return undefined;
	}
	while (n.parent && n.parent.startIndex === span.start && n.parent.endIndex === span.end && n.parent.type !== 'module') n = n.parent;
	return n;
}

/** The value of `key` in a dict literal (`{"type": "tool"}`) or a `dict(type="tool")` call; the last one wins, and a later `**splat` makes it unknown. */
export function mappingValue(node: PyNode | undefined, key: string): PyNode | undefined {
	if (!node) return undefined;
	const n = unparen(node);
	if (n.type === 'dictionary') {
		let found: PyNode | undefined;
		for (const child of n.namedChildren) {
			if (child?.type === 'pair' && pairKey(child) === key) found = child.childForFieldName('value') ?? undefined;
			else if (child?.type === 'dictionary_splat') found = undefined;
		}
		return found;
	}
	if (n.type === 'call' && n.childForFieldName('function')?.text === 'dict') return keywordArguments(n).get(key)?.value;
	return undefined;
}

/** The `pair` node of `key` in a dict literal (for spans and edits). */
export function pairNode(dict: PyNode, key: string): PyNode | undefined {
	let found: PyNode | undefined;
	for (const child of unparen(dict).namedChildren) if (child?.type === 'pair' && pairKey(child) === key) found = child;
	return found;
}

/** The elements of a `list` literal (comments skipped), or undefined for anything else. */
export function listElements(node: PyNode | undefined): PyNode[] | undefined {
	if (!node) return undefined;
	const n = unparen(node);
	if (n.type !== 'list') return undefined;
	return n.namedChildren.filter((c): c is PyNode => !!c && c.type !== 'comment');
}

/**
 * The right-hand side of the single module-level `NAME = value` assignment of `name` (no other
 * module-level assignment to it), for fixes that edit a constant instead of its use. Scans only the
 * module's top-level statements, bounded.
 */
export function moduleConstant(root: PyNode, name: string): PyNode | undefined {
	let found: PyNode | undefined;
	let count = 0;
	const statements = root.namedChildren;
	for (let i = 0; i < statements.length && i < 2000; i++) {
		const s = statements[i];
		if (s?.type !== 'expression_statement') continue;
		const a = s.namedChildren[0];
		if (a?.type !== 'assignment' && a?.type !== 'augmented_assignment') continue;
		if (a.childForFieldName('left')?.text !== name) continue;
		count++;
		found = a.type === 'assignment' ? a.childForFieldName('right') ?? undefined : undefined;
	}
	return count === 1 ? found : undefined;
}

/** `tool_choice={"type": "tool", "name": …}` (Anthropic) / `{"type": "function", …}` (OpenAI) written in the call: the model must call that one tool. */
export function pyHasForcedToolChoice(call: PyNode | undefined): boolean {
	const choice = call ? keywordArguments(call).get('tool_choice')?.value : undefined;
	const type = plainStringValueOf(mappingValue(choice, 'type'));
	return type === 'tool' || type === 'function';
}

/** Helpers of the `openai` SDK that turn a Pydantic model into a JSON-schema response format. */
const SCHEMA_HELPERS = new Set(['type_to_response_format_param', 'pydantic_function_tool', 'to_strict_json_schema']);

/**
 * The output is constrained by a JSON schema written in the call: `response_format={"type":
 * "json_schema", …}`, Responses `text={"format": {"type": "json_schema", …}}`, a Pydantic class
 * given to `.parse(response_format=Model)` / `responses.parse(text_format=Model)`, or the SDK's
 * schema helpers. `{"type": "json_object"}` is not: it guarantees JSON, not its shape.
 */
export function pyHasSchemaOutput(call: PyNode | undefined): boolean {
	if (!call) return false;
	const args = keywordArguments(call);
	const textFormat = args.get('text_format')?.value;
	if (textFormat && textFormat.type !== 'none') return true;
	let format = args.get('response_format')?.value;
	if (!format) format = mappingValue(args.get('text')?.value, 'format');
	if (!format) return false;
	const value = unparen(format);
	if (value.type === 'dictionary' || (value.type === 'call' && value.childForFieldName('function')?.text === 'dict')) return plainStringValueOf(mappingValue(value, 'type')) === 'json_schema';
	if (value.type === 'call') {
		const callee = value.childForFieldName('function');
		const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
		return name !== undefined && SCHEMA_HELPERS.has(name);
	}
	// A class (`Answer`, `models.Answer`) passed to a `.parse` method: the SDK derives the schema from it.
	const method = call.childForFieldName('function');
	const isParse = method?.type === 'attribute' && method.childForFieldName('attribute')?.text === 'parse';
	return isParse && (value.type === 'identifier' || value.type === 'attribute');
}

function plainStringValueOf(node: PyNode | undefined): string | undefined {
	return node ? plainStringValue(node) : undefined;
}
