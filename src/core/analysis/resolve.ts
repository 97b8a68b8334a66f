import * as ts from 'typescript';
import { type AnalysisCtx, type Env, type Target, MAX_EXPR_DEPTH, derefIdentifier, moduleExport, propertyNameText, spanIn, unwrap } from './context';
import { dirnameOf, joinPath, relativePath } from './paths';
import { TextAcc, addJsonString, holeText, literalText, reanchor, renderArrayInto, renderObjectInto, withOrigin } from './text';
import type { ResolvedText, Span } from './types';

export { TextAcc } from './text';

// Bound once: the compiler API's exports are getters, and calling through them on every node
// check cost about a fifth of the analysis time.
const { SyntaxKind, isArrayLiteralExpression, isAwaitExpression, isBinaryExpression, isCallExpression, isIdentifier, isNewExpression, isNoSubstitutionTemplateLiteral, isNumericLiteral, isObjectLiteralExpression, isOmittedExpression, isPrefixUnaryExpression, isPropertyAccessExpression, isPropertyAssignment, isShorthandPropertyAssignment, isSpreadAssignment, isSpreadElement, isStringLiteralLike, isTaggedTemplateExpression, isTemplateExpression } = ts;

/** A value expression together with the environment it must be evaluated in. */
export interface Ref {
	readonly node: ts.Expression;
	readonly env: Env;
}

const DEDENT_TAGS = new Set(['dedent', 'outdent', 'stripIndent', 'stripIndents', 'ts_dedent', 'tsDedent']);

/** Removes the common leading indentation and the first/last blank lines, like the `dedent` package. */
function dedent(text: string): string {
	const lines = text.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n[ \t]*$/, '').split('\n');
	let common = Infinity;
	for (const line of lines) {
		if (line.trim().length === 0) continue;
		let i = 0;
		while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
		if (i < common) common = i;
	}
	return common === Infinity || common === 0 ? lines.join('\n') : lines.map((l) => l.slice(common)).join('\n');
}

/**
 * Resolves `expr` to prompt text. Never throws and never fails: whatever cannot be read statically
 * becomes a hole at its span.
 */
export function resolveText(ctx: AnalysisCtx, expr: ts.Expression, env: Env, depth = 0): ResolvedText {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return holeText(spanIn(expr, env));
	const e = isAwaitExpression(unwrap(expr)) ? unwrap((unwrap(expr) as ts.AwaitExpression).expression) : unwrap(expr);
	if (isStringLiteralLike(e)) return literalText(e.text);
	if (isNumericLiteral(e)) return literalText(String(Number(e.text)));
	if (isTemplateExpression(e)) return resolveTemplate(ctx, e, env, depth, false);
	if (isTaggedTemplateExpression(e)) {
		const tag = e.tag.getText(env.scope.file.sf);
		if (tag === 'String.raw') {
			return isNoSubstitutionTemplateLiteral(e.template) ? literalText(e.template.rawText ?? e.template.text) : resolveTemplate(ctx, e.template, env, depth, true);
		}
		if (DEDENT_TAGS.has(tag)) {
			const r = isNoSubstitutionTemplateLiteral(e.template) ? literalText(e.template.text) : resolveTemplate(ctx, e.template, env, depth, false);
			return { ...r, text: dedent(r.text) };
		}
		return holeText(spanIn(e, env));
	}
	if (isBinaryExpression(e) && e.operatorToken.kind === SyntaxKind.PlusToken) return resolveConcat(ctx, e, env, depth);
	if (isIdentifier(e)) {
		const t = derefIdentifier(ctx, e, env);
		return t ? textOfTarget(ctx, t, e, env, depth) : holeText(spanIn(e, env));
	}
	if (isPropertyAccessExpression(e)) {
		const t = resolveMember(ctx, e, env, depth);
		return t ? textOfTarget(ctx, t, e, env, depth) : holeText(spanIn(e, env));
	}
	if (isCallExpression(e)) return resolveCallText(ctx, e, env, depth);
	return holeText(spanIn(e, env));
}

function textOfTarget(ctx: AnalysisCtx, t: Target, at: ts.Expression, env: Env, depth: number): ResolvedText {
	if (t.kind !== 'expr' || !t.isConst) return holeText(spanIn(at, env));
	const memo = ctx.textMemo.get(t.node) as ResolvedText | undefined;
	if (memo) return reanchor(withOrigin(memo, t.origin), t.env.anchor);
	if (ctx.resolving.has(t.node)) return holeText(spanIn(at, env));
	ctx.resolving.add(t.node);
	const r = resolveText(ctx, t.node, t.env, depth + 1);
	ctx.resolving.delete(t.node);
	ctx.textMemo.set(t.node, r);
	return withOrigin(r, t.origin);
}

function resolveTemplate(ctx: AnalysisCtx, tpl: ts.TemplateExpression, env: Env, depth: number, raw: boolean): ResolvedText {
	const acc = new TextAcc();
	acc.addString(raw ? tpl.head.rawText ?? tpl.head.text : tpl.head.text);
	for (const span of tpl.templateSpans) {
		acc.add(resolveText(ctx, span.expression, env, depth + 1));
		acc.addString(raw ? span.literal.rawText ?? span.literal.text : span.literal.text);
	}
	return acc.result();
}

/** `a + b + c` is left-deep: flattened with a loop so long chains do not recurse. */
function resolveConcat(ctx: AnalysisCtx, e: ts.BinaryExpression, env: Env, depth: number): ResolvedText {
	const operands: ts.Expression[] = [];
	let cur: ts.Expression = e;
	while (isBinaryExpression(cur) && cur.operatorToken.kind === SyntaxKind.PlusToken) {
		operands.push(cur.right);
		cur = unwrap(cur.left);
	}
	operands.push(cur);
	const acc = new TextAcc();
	for (let i = operands.length - 1; i >= 0; i--) acc.add(resolveText(ctx, operands[i]!, env, depth + 1));
	return acc.result();
}

function resolveCallText(ctx: AnalysisCtx, call: ts.CallExpression, env: Env, depth: number): ResolvedText {
	const callee = unwrap(call.expression);
	const name = isPropertyAccessExpression(callee) ? callee.name.text : isIdentifier(callee) ? callee.text : undefined;
	if (isPropertyAccessExpression(callee)) {
		if (name === 'join') {
			const items = resolveArray(ctx, callee.expression, env, depth + 1);
			if (items && !items.some((i) => i.kind === 'unknown')) {
				const sepArg = call.arguments[0];
				const sep = sepArg ? resolveText(ctx, sepArg, env, depth + 1) : literalText(',');
				const acc = new TextAcc();
				items.forEach((item, i) => {
					if (i > 0) acc.add(sep);
					if (item.kind === 'item') acc.add(resolveText(ctx, item.ref.node, item.ref.env, depth + 1));
				});
				return acc.result();
			}
			return holeText(spanIn(call, env));
		}
		if ((name === 'trim' || name === 'trimStart' || name === 'trimEnd' || name === 'toString') && call.arguments.length === 0) {
			const inner = resolveText(ctx, callee.expression, env, depth + 1);
			if (name === 'toString') return inner;
			// With holes the trimmed ends may belong to a hole; trimming the known text is close enough.
			const text = name === 'trim' ? inner.text.trim() : name === 'trimStart' ? inner.text.trimStart() : inner.text.trimEnd();
			return { ...inner, text };
		}
	}
	if (name === 'readFileSync' || name === 'readFile') {
		const pathArg = call.arguments[0];
		const rel = pathArg ? staticRelativePath(ctx, pathArg, env, depth + 1) : undefined;
		const fromFile = env.scope.file.fileName;
		const text = rel !== undefined ? ctx.readTextFile(fromFile, rel) : undefined;
		if (rel === undefined || text === undefined) return holeText(spanIn(call, env));
		const origin = env.scope.file.isMain ? normaliseRel(rel) : ctx.originOf(joinPath(dirnameOf(fromFile), rel));
		return { text, holes: 0, holeSpans: [], origins: [origin] };
	}
	if (name !== undefined && DEDENT_TAGS.has(name) && call.arguments.length === 1) {
		const r = resolveText(ctx, call.arguments[0]!, env, depth + 1);
		return { ...r, text: dedent(r.text) };
	}
	return holeText(spanIn(call, env));
}

function normaliseRel(rel: string): string {
	return relativePath('.', joinPath(rel));
}

/**
 * A path relative to the file's directory, when written statically: `'./x.txt'`,
 * `path.join(__dirname, 'x.txt')` / `resolve(import.meta.dirname, …)`, `new URL('./x.txt', import.meta.url)`.
 */
function staticRelativePath(ctx: AnalysisCtx, expr: ts.Expression, env: Env, depth: number): string | undefined {
	const e = unwrap(expr);
	const sf = env.scope.file.sf;
	if (isCallExpression(e)) {
		const callee = e.expression.getText(sf);
		if (!/^(?:path\.)?(?:join|resolve)$/.test(callee) || e.arguments.length < 2) return undefined;
		const [first, ...rest] = e.arguments;
		const base = first ? unwrap(first).getText(sf) : '';
		if (base !== '__dirname' && base !== 'import.meta.dirname') return undefined;
		const parts: string[] = [];
		for (const part of rest) {
			const r = resolveText(ctx, part, env, depth + 1);
			if (r.holes > 0) return undefined;
			parts.push(r.text);
		}
		return './' + joinPath(...parts);
	}
	if (isNewExpression(e) && e.expression.getText(sf) === 'URL' && e.arguments?.length === 2 && e.arguments[1]?.getText(sf) === 'import.meta.url') {
		return staticRelativePath(ctx, e.arguments[0]!, env, depth + 1);
	}
	const r = resolveText(ctx, e, env, depth + 1);
	if (r.holes > 0 || !(r.text.startsWith('./') || r.text.startsWith('../'))) return undefined;
	return r.text;
}

/** `obj.name`: a property of a statically known object, an export of a namespace import, or a package member. */
export function resolveMember(ctx: AnalysisCtx, e: ts.PropertyAccessExpression, env: Env, depth: number): Target | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const name = e.name.text;
	const obj = unwrap(e.expression);
	let base: Target | undefined;
	if (isIdentifier(obj)) base = derefIdentifier(ctx, obj, env);
	else if (isPropertyAccessExpression(obj)) base = resolveMember(ctx, obj, env, depth + 1);
	else if (isObjectLiteralExpression(obj)) base = { kind: 'expr', node: obj, env, isConst: true };
	if (!base) return undefined;
	if (base.kind === 'namespace') return moduleExport(ctx, base.file, name, base.env.anchor, base.env.hops);
	if (base.kind === 'package') return { kind: 'package', module: base.module, member: name };
	if (base.kind !== 'expr') return undefined;
	const view = resolveObject(ctx, base.node, base.env, depth + 1);
	const prop = view?.props.get(name);
	if (!prop) return undefined;
	return { kind: 'expr', node: prop.node, env: prop.env, isConst: base.isConst, origin: base.origin };
}

/** The properties of a statically known object (later properties and spreads override earlier ones). */
export interface ObjectView {
	readonly props: Map<string, Ref>;
	/** A spread of something unknown: any property may also come from there. */
	readonly unknownSpread: boolean;
}

export function resolveObject(ctx: AnalysisCtx, expr: ts.Expression, env: Env, depth = 0): ObjectView | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const e = unwrap(expr);
	if (isObjectLiteralExpression(e)) {
		const props = new Map<string, Ref>();
		let unknownSpread = false;
		for (const p of e.properties) {
			if (isPropertyAssignment(p)) {
				const key = propertyNameText(p.name);
				if (key !== undefined) props.set(key, { node: p.initializer, env });
			} else if (isShorthandPropertyAssignment(p)) {
				props.set(p.name.text, { node: p.name, env });
			} else if (isSpreadAssignment(p)) {
				const inner = resolveObject(ctx, p.expression, env, depth + 1);
				if (!inner) unknownSpread = true;
				else {
					for (const [k, v] of inner.props) props.set(k, v);
					unknownSpread ||= inner.unknownSpread;
				}
			}
		}
		return { props, unknownSpread };
	}
	const t = isIdentifier(e) ? derefIdentifier(ctx, e, env) : isPropertyAccessExpression(e) ? resolveMember(ctx, e, env, depth + 1) : undefined;
	if (t?.kind === 'expr') return resolveObject(ctx, t.node, t.env, depth + 1);
	return undefined;
}

export type ArrayItem = { readonly kind: 'item'; readonly ref: Ref } | { readonly kind: 'unknown'; readonly span: Span };

/** Elements of a statically known array; spreads of unknown arrays become `unknown` items. */
export function resolveArray(ctx: AnalysisCtx, expr: ts.Expression, env: Env, depth = 0): ArrayItem[] | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const e = unwrap(expr);
	if (isArrayLiteralExpression(e)) {
		const items: ArrayItem[] = [];
		for (const el of e.elements) {
			if (isOmittedExpression(el)) continue;
			if (isSpreadElement(el)) {
				const inner = resolveArray(ctx, el.expression, env, depth + 1);
				if (inner) items.push(...inner);
				else items.push({ kind: 'unknown', span: spanIn(el, env) });
			} else items.push({ kind: 'item', ref: { node: el, env } });
		}
		return items;
	}
	const t = isIdentifier(e) ? derefIdentifier(ctx, e, env) : isPropertyAccessExpression(e) ? resolveMember(ctx, e, env, depth + 1) : undefined;
	if (t?.kind === 'expr') return resolveArray(ctx, t.node, t.env, depth + 1);
	return undefined;
}

/** A number from a literal, a `const`, unary minus or simple arithmetic. */
export function resolveNumber(ctx: AnalysisCtx, expr: ts.Expression, env: Env, depth = 0): number | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const e = unwrap(expr);
	if (isNumericLiteral(e)) return Number(e.text);
	if (isPrefixUnaryExpression(e) && e.operator === SyntaxKind.MinusToken) {
		const v = resolveNumber(ctx, e.operand, env, depth + 1);
		return v === undefined ? undefined : -v;
	}
	if (isBinaryExpression(e)) {
		const op = e.operatorToken.kind;
		if (op !== SyntaxKind.PlusToken && op !== SyntaxKind.MinusToken && op !== SyntaxKind.AsteriskToken && op !== SyntaxKind.SlashToken) return undefined;
		const a = resolveNumber(ctx, e.left, env, depth + 1);
		const b = a === undefined ? undefined : resolveNumber(ctx, e.right, env, depth + 1);
		if (a === undefined || b === undefined) return undefined;
		return op === SyntaxKind.PlusToken ? a + b : op === SyntaxKind.MinusToken ? a - b : op === SyntaxKind.AsteriskToken ? a * b : a / b;
	}
	const t = isIdentifier(e) ? derefIdentifier(ctx, e, env) : isPropertyAccessExpression(e) ? resolveMember(ctx, e, env, depth + 1) : undefined;
	if (t?.kind === 'expr' && t.isConst) return resolveNumber(ctx, t.node, t.env, depth + 1);
	return undefined;
}

export function resolveBoolean(ctx: AnalysisCtx, expr: ts.Expression, env: Env, depth = 0): boolean | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const e = unwrap(expr);
	if (e.kind === SyntaxKind.TrueKeyword) return true;
	if (e.kind === SyntaxKind.FalseKeyword) return false;
	const t = isIdentifier(e) ? derefIdentifier(ctx, e, env) : isPropertyAccessExpression(e) ? resolveMember(ctx, e, env, depth + 1) : undefined;
	if (t?.kind === 'expr' && t.isConst) return resolveBoolean(ctx, t.node, t.env, depth + 1);
	return undefined;
}

/** Static string (no holes) or undefined. */
export function resolveString(ctx: AnalysisCtx, expr: ts.Expression, env: Env): string | undefined {
	const r = resolveText(ctx, expr, env);
	return r.holes === 0 ? r.text : undefined;
}

/**
 * Renders a value (a tools array, a JSON schema) as compact JSON, the way the SDK serialises it onto
 * the wire: object keys in source order, strings resolved like prompt text, anything dynamic
 * (a `zodResponseFormat(...)` call, a runtime variable) counted as a hole and rendered as nothing.
 */
export function renderJson(ctx: AnalysisCtx, expr: ts.Expression, env: Env): ResolvedText {
	const acc = new TextAcc();
	renderInto(ctx, acc, expr, env, 0);
	return acc.result();
}

function renderInto(ctx: AnalysisCtx, acc: TextAcc, expr: ts.Expression, env: Env, depth: number): void {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) {
		acc.addHole(spanIn(expr, env));
		return;
	}
	const e = unwrap(expr);
	if (isObjectLiteralExpression(e)) {
		const view = resolveObject(ctx, e, env, depth + 1);
		if (!view) {
			acc.addHole(spanIn(e, env));
			return;
		}
		// `undefined` properties are dropped by JSON serialisation.
		renderObjectInto(acc, view, spanIn(e, env), (ref) => {
			const v = unwrap(ref.node);
			return v.kind === SyntaxKind.UndefinedKeyword || (isIdentifier(v) && v.text === 'undefined');
		}, (ref) => renderInto(ctx, acc, ref.node, ref.env, depth + 1));
		return;
	}
	if (isArrayLiteralExpression(e)) {
		renderArrayInto(acc, resolveArray(ctx, e, env, depth + 1) ?? [], (ref) => renderInto(ctx, acc, ref.node, ref.env, depth + 1));
		return;
	}
	if (isNumericLiteral(e)) return acc.addString(String(Number(e.text)));
	if (isPrefixUnaryExpression(e)) {
		const n = resolveNumber(ctx, e, env, depth + 1);
		return n === undefined ? acc.addHole(spanIn(e, env)) : acc.addString(String(n));
	}
	if (e.kind === SyntaxKind.TrueKeyword) return acc.addString('true');
	if (e.kind === SyntaxKind.FalseKeyword) return acc.addString('false');
	if (e.kind === SyntaxKind.NullKeyword) return acc.addString('null');
	if (isIdentifier(e) || isPropertyAccessExpression(e)) {
		const t = isIdentifier(e) ? derefIdentifier(ctx, e, env) : resolveMember(ctx, e, env, depth + 1);
		if (t?.kind === 'expr') {
			if (t.origin) acc.addOrigin(t.origin);
			renderInto(ctx, acc, t.node, t.env, depth + 1);
			return;
		}
		acc.addHole(spanIn(e, env));
		return;
	}
	addJsonString(acc, resolveText(ctx, e, env, depth + 1));
}
