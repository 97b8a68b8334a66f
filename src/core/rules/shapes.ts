import * as ts from 'typescript';
import { unwrap } from '../analysis/context';
import type { CallSite, Span } from '../analysis/types';
import type { CostEstimate, PricedEstimate } from '../pricing/estimateTypes';
import type { PriceTable } from '../pricing/types';
import type { RuleContext, TextEdit } from './types';

// Shared helpers of the call-shape rules (missing-max-tokens, oversized-few-shot,
// non-streamed-long-output, sequential-independent-calls, right-size-model,
// parse-retry-instead-of-structured-output). Everything here looks at one call and its
// surroundings; nothing walks the whole tree.

// Bound once: the compiler API's exports are getters (see analysis/analyze.ts).
const { SyntaxKind, forEachChild } = ts;

/** The README section of a rule (`#rule-<id>`), linked from every message. */
export function ruleLink(id: string): string {
	return `README.md#rule-${id}`;
}

/** Parentheses, `as`, `satisfies`, `!` and `<T>` peeled off: the analyser's own `unwrap`. */
export const unwrapExpression = unwrap;

/** The request object literal written in the call itself (`create({ … })`), the one `argsSpan` points at. */
export function requestObject(context: RuleContext, index: number): ts.ObjectLiteralExpression | undefined {
	const site = context.callSites[index];
	const arg = context.calls[index]?.arguments[0];
	if (!site?.argsSpan || !arg) return undefined;
	const node = unwrapExpression(arg);
	if (!ts.isObjectLiteralExpression(node)) return undefined;
	return node.getStart(context.sourceFile) === site.argsSpan.start ? node : undefined;
}

/** Name of a property key written as an identifier or a string literal. */
export function propertyName(name: ts.PropertyName): string | undefined {
	if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
	return undefined;
}

/** The value of `key` in an object literal (`key: value`, or the identifier of a shorthand `key`); the last one wins, as at run time. */
export function propertyValue(object: ts.ObjectLiteralExpression, key: string): ts.Expression | undefined {
	let found: ts.Expression | undefined;
	for (const p of object.properties) {
		if (ts.isPropertyAssignment(p) && propertyName(p.name) === key) found = p.initializer;
		else if (ts.isShorthandPropertyAssignment(p) && p.name.text === key) found = p.name;
		else if (ts.isSpreadAssignment(p)) found = undefined;
	}
	return found;
}

/** The property node itself (for spans and edits). */
export function propertyNode(object: ts.ObjectLiteralExpression, key: string): ts.PropertyAssignment | undefined {
	let found: ts.PropertyAssignment | undefined;
	for (const p of object.properties) if (ts.isPropertyAssignment(p) && propertyName(p.name) === key) found = p;
	return found;
}

export function stringValue(node: ts.Expression | undefined): string | undefined {
	if (!node) return undefined;
	const n = unwrapExpression(node);
	return ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n) ? n.text : undefined;
}

/** `tool_choice: { type: 'tool', name }` (Anthropic) / `{ type: 'function', … }` (OpenAI): the model must call that one tool. */
export function hasForcedToolChoice(object: ts.ObjectLiteralExpression | undefined): boolean {
	const choice = object ? propertyValue(object, 'tool_choice') : undefined;
	if (!choice) return false;
	const value = unwrapExpression(choice);
	if (!ts.isObjectLiteralExpression(value)) return false;
	const type = stringValue(propertyValue(value, 'type'));
	return type === 'tool' || type === 'function';
}

const SCHEMA_HELPERS = new Set(['zodResponseFormat', 'zodTextFormat', 'zodFunction']);

/**
 * The output is constrained by a JSON schema: `response_format: { type: 'json_schema', … }`, Responses
 * `text: { format: { type: 'json_schema', … } }`, or the SDK's zod helpers. `json_object` is not:
 * it guarantees JSON, not its shape.
 */
export function hasSchemaOutput(object: ts.ObjectLiteralExpression | undefined): boolean {
	if (!object) return false;
	let format = propertyValue(object, 'response_format');
	if (!format) {
		const text = propertyValue(object, 'text');
		const textObject = text ? unwrapExpression(text) : undefined;
		if (textObject && ts.isObjectLiteralExpression(textObject)) format = propertyValue(textObject, 'format');
	}
	if (!format) return false;
	const value = unwrapExpression(format);
	if (ts.isObjectLiteralExpression(value)) return stringValue(propertyValue(value, 'type')) === 'json_schema';
	if (ts.isCallExpression(value)) {
		const callee = value.expression;
		const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
		return SCHEMA_HELPERS.has(name);
	}
	return false;
}

/** The model id when static. */
export function modelIdOf(site: CallSite): string | undefined {
	return site.model?.kind === 'literal' ? site.model.value : undefined;
}

/**
 * Reasoning models (gpt-5 family, o-series) reject `max_tokens` on Chat Completions. The price row's
 * flag decides when the model is known; otherwise the id's shape.
 */
export function isReasoningModel(modelId: string, prices: PriceTable): boolean {
	const row = prices.lookup(modelId);
	if (row?.reasoning !== undefined) return row.reasoning;
	return /^(gpt-5|o\d)(\b|[-.])/.test(modelId);
}

export function pricedOrUndefined(estimate: CostEstimate | undefined): PricedEstimate | undefined {
	return estimate?.priced ? estimate : undefined;
}

/** Generation APIs: they produce output tokens (not embeddings, countTokens or batch submission). */
export function isGenerationApi(api: CallSite['api']): boolean {
	return api !== 'embeddings.create' && api !== 'messages.countTokens' && api !== 'batches.create' && api !== 'messages.batches.create';
}

export function isFunctionLike(node: ts.Node): node is ts.FunctionLikeDeclaration {
	switch (node.kind) {
		case SyntaxKind.FunctionDeclaration:
		case SyntaxKind.FunctionExpression:
		case SyntaxKind.ArrowFunction:
		case SyntaxKind.MethodDeclaration:
		case SyntaxKind.Constructor:
		case SyntaxKind.GetAccessor:
		case SyntaxKind.SetAccessor:
			return true;
		default:
			return false;
	}
}

/**
 * Visits `root`'s descendants depth-first, not entering nested functions (their code runs at
 * another time). `visit` returns true to stop the whole walk; the result says whether it stopped.
 */
export function someDescendant(root: ts.Node, visit: (node: ts.Node) => boolean): boolean {
	const walk = (node: ts.Node): boolean => {
		if (visit(node)) return true;
		if (isFunctionLike(node) && node !== root) return false;
		return forEachChild(node, walk) === true;
	};
	return forEachChild(root, walk) === true;
}

/** Whether `inner` lies inside `outer` (by position; both from the same file). */
export function contains(outer: ts.Node | Span, inner: ts.Node | Span): boolean {
	const o = 'pos' in outer ? { start: outer.pos, end: outer.end } : outer;
	const i = 'pos' in inner ? { start: inner.pos, end: inner.end } : inner;
	return o.start <= i.start && i.end <= o.end;
}

/** Leading whitespace of the line `position` is on. */
export function lineIndent(text: string, position: number): string {
	const lineStart = text.lastIndexOf('\n', position - 1) + 1;
	const match = /^[ \t]*/.exec(text.slice(lineStart, position));
	return match ? match[0] : '';
}

/** End of the line `position` is on (before `\r\n` / `\n`). */
export function lineEnd(text: string, position: number): number {
	const nl = text.indexOf('\n', position);
	if (nl < 0) return text.length;
	return text[nl - 1] === '\r' ? nl - 1 : nl;
}

/**
 * Edits adding `key: value` as the last property of `object`, formatted like its neighbours: on the
 * same line for a one-line object (`{ model, messages }` → `{ model, messages, max_tokens: 1024 }`);
 * otherwise on a new line with the last property's indentation, keeping the trailing-comma style and
 * any comment that ends the last property's line. Undefined when the object has no property to
 * follow (there is no neighbour to copy).
 */
export function insertPropertyEdits(text: string, sourceFile: ts.SourceFile, object: ts.ObjectLiteralExpression, key: string, value: string): TextEdit[] | undefined {
	const last = object.properties[object.properties.length - 1];
	if (!last) return undefined;
	const lastEnd = last.getEnd();
	const hasTrailingComma = object.properties.hasTrailingComma;
	const commaEnd = hasTrailingComma ? text.indexOf(',', lastEnd) + 1 : lastEnd;
	const openLine = text.lastIndexOf('\n', object.getStart(sourceFile));
	const multiLine = text.slice(object.getStart(sourceFile), object.getEnd()).includes('\n');
	const property = `${key}: ${value}`;
	if (!multiLine || openLine === text.lastIndexOf('\n', last.getStart(sourceFile))) {
		if (hasTrailingComma) return [{ span: { start: commaEnd, end: commaEnd }, newText: ` ${property},` }];
		return [{ span: { start: lastEnd, end: lastEnd }, newText: `, ${property}` }];
	}
	const indent = lineIndent(text, last.getStart(sourceFile));
	// After the last property (and its comma), the rest of its line is either blank, a line comment or
	// the object's closing brace. Insert at the end of that line unless the brace is there.
	const end = lineEnd(text, commaEnd);
	const rest = text.slice(commaEnd, end);
	const restIsTrivia = /^\s*(\/\/.*)?$/.test(rest) || /^\s*\/\*.*\*\/\s*$/.test(rest);
	const at = restIsTrivia ? end : commaEnd;
	if (hasTrailingComma) return [{ span: { start: at, end: at }, newText: `\n${indent}${property},` }];
	if (at === lastEnd) return [{ span: { start: at, end: at }, newText: `,\n${indent}${property}` }];
	return [
		{ span: { start: lastEnd, end: lastEnd }, newText: ',' },
		{ span: { start: at, end: at }, newText: `\n${indent}${property}` },
	];
}

const chains = new WeakMap<ts.Node, readonly ts.Node[]>();

/**
 * The nodes from the source file down to `node` (inclusive), found by descending along positions
 * rather than through `RuleContext.parentOf`: that one builds a parent map of the whole tree, which
 * cost these rules more than all their other work on the per-edit bench file. Cached per node (a new
 * parse gives new nodes, so nothing stale is served).
 */
export function ancestry(context: RuleContext, node: ts.Node): readonly ts.Node[] {
	const cached = chains.get(node);
	if (cached) return cached;
	const chain: ts.Node[] = [];
	let current: ts.Node | undefined = context.sourceFile;
	while (current) {
		chain.push(current);
		if (current === node) break;
		let next: ts.Node | undefined;
		forEachChild(current, (child) => {
			if (child.pos <= node.pos && node.end <= child.end) { next = child; return true; }
			return undefined;
		});
		current = next;
	}
	chains.set(node, chain);
	return chain;
}

function isStatementList(node: ts.Node): boolean {
	return ts.isBlock(node) || ts.isSourceFile(node) || ts.isModuleBlock(node) || ts.isCaseClause(node) || ts.isDefaultClause(node);
}

/** The statement directly containing the last node of `chain` (walking up through expressions), and the list holding it. */
export function enclosingStatement(chain: readonly ts.Node[]): { readonly statement: ts.Statement; readonly container: ts.Node } | undefined {
	for (let i = chain.length - 1; i > 0; i--) {
		const n = chain[i]!;
		if (isFunctionLike(n)) return undefined;
		const parent = chain[i - 1]!;
		if (isStatementList(parent)) return { statement: n as ts.Statement, container: parent };
	}
	return undefined;
}

/** The nearest function enclosing the last node of `chain`, or undefined at module level. */
export function enclosingFunction(chain: readonly ts.Node[]): ts.FunctionLikeDeclaration | undefined {
	for (let i = chain.length - 2; i >= 0; i--) {
		const n = chain[i]!;
		if (isFunctionLike(n)) return n;
	}
	return undefined;
}

/** Names bound by a declaration name (`a`, `{ a, b: c }`, `[a, ...rest]`). */
export function boundNames(name: ts.BindingName, out: Set<string> = new Set()): Set<string> {
	if (ts.isIdentifier(name)) out.add(name.text);
	else for (const element of name.elements) if (ts.isBindingElement(element)) boundNames(element.name, out);
	return out;
}

/** Whether any identifier named in `names` is referenced inside `node` (property names after `.` excluded). */
export function references(node: ts.Node, names: ReadonlySet<string>): boolean {
	if (names.size === 0) return false;
	const walk = (n: ts.Node): boolean => {
		if (ts.isIdentifier(n)) return names.has(n.text);
		if (ts.isPropertyAccessExpression(n)) return walk(n.expression);
		return forEachChild(n, walk) === true;
	};
	return walk(node);
}

