import type { Span } from '../analysis/types';
import type { PyNode } from './parser';

// Small, shared readers of the tree-sitter Python tree (grammar: tree-sitter-python 0.25). Every
// node access crosses into wasm, so these read only what they need and never walk the whole tree.

/** Span of a node (UTF-16 offsets, the units of `Span`). */
export function pySpan(node: PyNode): Span {
	return { start: node.startIndex, end: node.endIndex };
}

/**
 * Same node: web-tree-sitter makes a fresh wrapper object on every access, so identity does not work.
 * The id (the node's address in its tree) tells nodes of different trees apart (imported modules).
 */
export function sameNode(a: PyNode | null | undefined, b: PyNode | null | undefined): boolean {
	return !!a && !!b && a.id === b.id && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}

/** `(expr)` peeled: the expression inside any parentheses. */
export function unparen(node: PyNode): PyNode {
	let n = node;
	while (n.type === 'parenthesized_expression') {
		const inner = n.namedChildren.find((c) => c?.type !== 'comment');
		if (!inner) break;
		n = inner;
	}
	return n;
}

/** The keyword arguments of a `call` node, by name (the last one wins, as Python rejects duplicates anyway). */
export function keywordArguments(call: PyNode): Map<string, { readonly node: PyNode; readonly value: PyNode }> {
	const out = new Map<string, { node: PyNode; value: PyNode }>();
	const args = call.childForFieldName('arguments');
	if (!args || args.type !== 'argument_list') return out;
	for (const arg of args.namedChildren) {
		if (arg?.type !== 'keyword_argument') continue;
		const name = arg.childForFieldName('name');
		const value = arg.childForFieldName('value');
		if (name && value) out.set(name.text, { node: arg, value });
	}
	return out;
}

/** The `**expr` arguments of a call (`create(**params)`). */
export function splatArguments(call: PyNode): PyNode[] {
	const args = call.childForFieldName('arguments');
	if (!args) return [];
	return args.namedChildren.filter((a): a is PyNode => a?.type === 'dictionary_splat').map((a) => a.namedChildren[0]).filter((a): a is PyNode => !!a);
}

/** Positional (non-keyword, non-splat) arguments of a call. */
export function positionalArguments(call: PyNode): PyNode[] {
	const args = call.childForFieldName('arguments');
	if (!args) return [];
	return args.namedChildren.filter((a): a is PyNode => !!a && a.type !== 'keyword_argument' && a.type !== 'dictionary_splat' && a.type !== 'list_splat' && a.type !== 'comment');
}

/** Dotted name of an `identifier` / `attribute` chain (`client.messages.create`), undefined for anything else in the chain. */
export function dottedName(node: PyNode): string | undefined {
	const n = unparen(node);
	if (n.type === 'identifier') return n.text;
	if (n.type !== 'attribute') return undefined;
	const object = n.childForFieldName('object');
	const attribute = n.childForFieldName('attribute');
	if (!object || !attribute) return undefined;
	const left = dottedName(object);
	return left === undefined ? undefined : `${left}.${attribute.text}`;
}

/** The quote a string literal was written with, prefix excluded: `'`, `"`, `'''` or `"""`. */
export function stringQuote(stringNode: PyNode): string | undefined {
	const start = stringNode.children[0];
	if (!start || start.type !== 'string_start') return undefined;
	const m = /("""|'''|"|')$/.exec(start.text);
	return m ? m[1] : undefined;
}

/** String prefix letters, lower-cased (`f`, `rb`, ``). */
export function stringPrefix(stringNode: PyNode): string {
	const start = stringNode.children[0];
	if (!start || start.type !== 'string_start') return '';
	return start.text.replace(/['"]+$/, '').toLowerCase();
}

/** The innermost enclosing `function_definition` (lambdas excluded), or undefined at module level. */
export function enclosingFunction(node: PyNode): PyNode | undefined {
	for (let n = node.parent; n; n = n.parent) if (n.type === 'function_definition') return n;
	return undefined;
}

/** `async def`. */
export function isAsyncFunction(fn: PyNode): boolean {
	return fn.children.some((c) => c?.type === 'async');
}

/** The decorators of a function (`@app.get("/x")` → the `decorator` nodes), outermost first. */
export function decoratorsOf(fn: PyNode): PyNode[] {
	const parent = fn.parent;
	if (parent?.type !== 'decorated_definition') return [];
	return parent.namedChildren.filter((c): c is PyNode => c?.type === 'decorator');
}

/** The statement (direct child of a `block` or `module`) that contains `node`. */
export function enclosingStatement(node: PyNode): PyNode | undefined {
	let n: PyNode | null = node;
	while (n && n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
	return n && n.parent ? n : undefined;
}

/** The file's indentation unit: the first indented line's leading whitespace, else four spaces (PEP 8). */
export function pythonIndentUnit(text: string): string {
	const m = /\n([ \t]+)\S/.exec(text);
	return m?.[1] ?? '    ';
}

/** The quote style most of the file's plain strings use (`"` when tied or none: black's default). */
export function pythonQuoteStyle(text: string): '"' | "'" {
	let single = 0;
	let double = 0;
	for (const m of text.matchAll(/(?<![A-Za-z0-9_])[rRbBuUfF]{0,2}('|")/g)) {
		if (m[1] === "'") single++;
		else double++;
	}
	return single > double ? "'" : '"';
}
