import { joinPath } from '../../analysis/paths';
import { TextAcc, addJsonString, holeText, literalText, reanchor, renderArrayInto, renderObjectInto, withOrigin } from '../../analysis/text';
import type { ResolvedText, Span } from '../../analysis/types';

export { TextAcc, holeText } from '../../analysis/text';
import type { PyNode } from '../parser';
import { type Assign, type Binding, type Env, type PyCtx, type PyFile, type Ref, type Target, MAX_EXPR_DEPTH, MAX_MODULE_HOPS } from './scope';

// Static resolution of Python expressions: prompt text (with holes), dicts (`**kwargs`, message
// dicts), lists, numbers and booleans, following names through the enclosing scopes and sibling
// modules. Never throws: whatever cannot be read becomes a hole at its span.

/** Span reported to the user: the node's own span in the analysed file, else the anchor. */
export function spanIn(node: PyNode, env: Env): Span {
	return env.anchor ?? { start: node.startIndex, end: node.endIndex };
}

/** Source text of a node (sliced from the file text: cheaper than `node.text`). */
export function textOf(node: PyNode, env: Env): string {
	return env.scope.file.text.slice(node.startIndex, node.endIndex);
}

/** `(expr)` peeled. */
export function unparen(node: PyNode): PyNode {
	let n = node;
	for (let i = 0; i < MAX_EXPR_DEPTH && n.type === 'parenthesized_expression'; i++) {
		const inner = n.namedChildren.find((c) => c !== null && c.type !== 'comment');
		if (!inner) break;
		n = inner;
	}
	return n;
}

export function isNone(node: PyNode): boolean {
	return unparen(node).type === 'none';
}

// ---------------------------------------------------------------------------------------------
// Names

/** What identifier `id` (evaluated in `env`) names. Leaving the analysed file anchors to `id`. */
export function derefIdentifier(ctx: PyCtx, id: PyNode, env: Env): Target | undefined {
	if (!ctx.tick()) return undefined;
	const name = textOf(id, env);
	const binding = ctx.lookup(name, env.scope);
	if (!binding) return undefined;
	const anchored: Env = binding.kind === 'import' && !env.anchor && env.scope.file.isMain ? { ...env, anchor: spanIn(id, env) } : env;
	return fromBinding(ctx, binding, anchored, name, id.startIndex, env);
}

function fromBinding(ctx: PyCtx, binding: Binding, env: Env, name: string, useStart: number, useEnv: Env | undefined): Target | undefined {
	switch (binding.kind) {
		case 'var': {
			const bEnv: Env = { scope: binding.scope, anchor: env.anchor, hops: env.hops };
			const list = binding.assigns;
			let chosen = list[list.length - 1];
			if (list.length > 1 && useEnv && useEnv.scope.key === binding.scope.key) {
				// Reassigned in the same scope: the last assignment before the use is the one in effect.
				const before = list.filter((a) => a.start < useStart);
				chosen = before[before.length - 1] ?? chosen;
			}
			if (!chosen) return undefined;
			if (chosen.value) return { kind: 'expr', node: chosen.value, env: bEnv, isConst: list.length === 1, type: chosen.type };
			const type = list.find((a) => a.type)?.type;
			return type ? { kind: 'typed', type, env: bEnv } : undefined;
		}
		case 'param':
			return { kind: 'param', init: binding.init, type: binding.type, env: { scope: binding.scope, anchor: env.anchor, hops: env.hops } };
		case 'import':
			return followImport(ctx, binding.scope.file, binding.module, binding.imported, env.anchor, env.hops, name);
		case 'class':
			return { kind: 'class', node: binding.node, env: { scope: binding.scope, anchor: env.anchor, hops: env.hops } };
		default:
			return undefined;
	}
}

function followImport(ctx: PyCtx, from: PyFile, module: string, imported: string, anchor: Span | undefined, hops: number, _local: string): Target | undefined {
	const pkg: Target = { kind: 'package', module, member: imported };
	if (hops >= MAX_MODULE_HOPS) return module.startsWith('.') ? undefined : pkg;
	const file = ctx.loadModule(from.fileName, module);
	if (!file) {
		// `from . import prompts`: the name is a submodule of the package.
		if (imported !== '*') {
			const sub = ctx.loadModule(from.fileName, module.endsWith('.') ? module + imported : module + '.' + imported);
			if (sub) return { kind: 'namespace', file: sub, env: { scope: sub.rootScope, anchor, hops: hops + 1 } };
		}
		return module.startsWith('.') ? undefined : pkg;
	}
	if (imported === '*') return { kind: 'namespace', file, env: { scope: file.rootScope, anchor, hops: hops + 1 } };
	return moduleExport(ctx, file, imported, anchor, hops + 1);
}

/** Top-level name `name` of a project module, or a submodule of a package. */
export function moduleExport(ctx: PyCtx, file: PyFile, name: string, anchor: Span | undefined, hops: number): Target | undefined {
	if (!ctx.tick()) return undefined;
	const env: Env = { scope: file.rootScope, anchor, hops };
	const binding = ctx.bindingsOf(file.rootScope).get(name);
	if (!binding) {
		if (/(^|\/)__init__\.py$/.test(file.fileName)) {
			const sub = ctx.loadModule(file.fileName, '.' + name);
			if (sub) return { kind: 'namespace', file: sub, env: { scope: sub.rootScope, anchor, hops: hops + 1 } };
		}
		return undefined;
	}
	const t = fromBinding(ctx, binding, env, name, Number.MAX_SAFE_INTEGER, undefined);
	if (t?.kind === 'expr' && !t.origin) return { ...t, origin: ctx.originOf(file.fileName) + '#' + name };
	return t;
}

/** `obj.name`: a module's top-level name, a package member, a class attribute, or a key of a known dict-like call. */
export function resolveMember(ctx: PyCtx, attr: PyNode, env: Env, depth: number): Target | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const objNode = attr.childForFieldName('object');
	const nameNode = attr.childForFieldName('attribute');
	if (!objNode || !nameNode) return undefined;
	const name = textOf(nameNode, env);
	const obj = unparen(objNode);
	let base: Target | undefined;
	if (obj.type === 'identifier') {
		const id = textOf(obj, env);
		if ((id === 'self' || id === 'cls') && env.scope.classScope) base = { kind: 'class', node: env.scope.classScope.node, env: { ...env, scope: env.scope.classScope } };
		else base = derefIdentifier(ctx, obj, env);
	} else if (obj.type === 'attribute') base = resolveMember(ctx, obj, env, depth + 1);
	if (!base) return undefined;
	switch (base.kind) {
		case 'namespace':
			return moduleExport(ctx, base.file, name, base.env.anchor, base.env.hops);
		case 'package':
			return { kind: 'package', module: base.module, member: base.member === '*' ? name : base.member + '.' + name };
		case 'class':
			return classAttribute(ctx, base.node, base.env, name);
		default:
			return undefined;
	}
}

/** A name assigned in a class body (`SYSTEM = "…"`, `client = Anthropic()`, `client: OpenAI`). */
export function classAttribute(ctx: PyCtx, classNode: PyNode, env: Env, name: string): Target | undefined {
	const scope = ctx.scopeAt(classNode.childForFieldName('body') ?? classNode, env.scope.file);
	if (scope.kind !== 'class') return undefined;
	const binding = ctx.bindingsOf(scope).get(name);
	if (!binding) return undefined;
	return fromBinding(ctx, binding, { ...env, scope }, name, Number.MAX_SAFE_INTEGER, undefined);
}

// ---------------------------------------------------------------------------------------------
// Text

/**
 * Resolves `node` to prompt text. Never fails: whatever cannot be read statically becomes a hole
 * at its span.
 */
export function resolveText(ctx: PyCtx, node: PyNode, env: Env, depth = 0): ResolvedText {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return holeText(spanIn(node, env));
	let e = unparen(node);
	if (e.type === 'await') {
		const inner = e.namedChildren[0];
		if (inner) e = unparen(inner);
	}
	switch (e.type) {
		case 'string':
			return stringText(e, env, ctx, depth);
		case 'concatenated_string': {
			const acc = new TextAcc();
			for (const part of e.namedChildren) if (part?.type === 'string') acc.add(stringText(part, env, ctx, depth));
			return acc.result();
		}
		case 'integer':
		case 'float': {
			const n = resolveNumber(ctx, e, env, depth + 1);
			return n === undefined ? holeText(spanIn(e, env)) : literalText(String(n));
		}
		case 'binary_operator': {
			const op = e.childForFieldName('operator')?.type;
			if (op === '+') return resolveConcat(ctx, e, env, depth);
			if (op === '%') return percentFormat(ctx, e, env, depth);
			return holeText(spanIn(e, env));
		}
		case 'identifier': {
			const built = appendedText(ctx, e, env, depth);
			if (built) return built;
			const t = derefIdentifier(ctx, e, env);
			return t ? textOfTarget(ctx, t, e, env, depth) : holeText(spanIn(e, env));
		}
		case 'attribute': {
			const t = resolveMember(ctx, e, env, depth + 1);
			return t ? textOfTarget(ctx, t, e, env, depth) : holeText(spanIn(e, env));
		}
		case 'call':
			return resolveCallText(ctx, e, env, depth);
		default:
			return holeText(spanIn(e, env));
	}
}

/** The block an assignment statement sits in (`assignment` → `expression_statement` → block / module). */
function blockOf(a: Assign): PyNode | null | undefined {
	return a.node?.parent?.parent;
}

/**
 * A local built by `=` then `+=` in the scope of the use (`system = POLICY` … `system += f"…{x}"` …
 * `create(system=system)`): the concatenation of the pieces. Straight-line only: the `=` and the
 * `+=`s must be statements of one block that also contains the use. A `+=` nested deeper in that
 * block (under `if` / `for` / `try` / `with`) may or may not run: it is counted as one hole while
 * the parts that certainly run keep their text (the proven static part is a lower bound). Anything
 * else (the `=` itself conditional, another operator, a name from an outer scope) is undefined here
 * and resolved as before (a reassigned name is a hole).
 */
function appendedText(ctx: PyCtx, id: PyNode, env: Env, depth: number): ResolvedText | undefined {
	const binding = ctx.bindingsOf(env.scope).get(textOf(id, env));
	if (binding?.kind !== 'var' || !binding.appended) return undefined;
	const useStart = id.startIndex;
	// Assignments that are complete before the use (`s += s` reads the value before itself).
	const before = binding.assigns.filter((a) => a.start < useStart && (a.node === undefined || a.node.endIndex <= useStart));
	// A `with … as name` rebinding: not an assignment statement this reads.
	if (before.some((a) => a.node === undefined)) return undefined;
	let baseIndex = before.length - 1;
	while (baseIndex >= 0 && before[baseIndex]!.node!.type === 'augmented_assignment') baseIndex--;
	const base = before[baseIndex];
	if (!base?.value || baseIndex === before.length - 1) return undefined;
	const block = blockOf(base);
	if (!block || useStart < block.startIndex || useStart >= block.endIndex) return undefined;
	const key = 'a' + ctx.keyOf(base.node!, env.scope.file) + ':' + useStart;
	if (ctx.resolving.has(key)) return undefined;
	ctx.resolving.add(key);
	const acc = new TextAcc();
	acc.add(resolveText(ctx, base.value, env, depth + 1));
	for (const a of before.slice(baseIndex + 1)) {
		const straight = blockOf(a)?.id === block.id;
		if (!a.appended) acc.addHole(spanIn(a.node!, env));
		else if (straight) acc.add(resolveText(ctx, a.appended, env, depth + 1));
		else acc.addHole(spanIn(a.appended, env));
	}
	ctx.resolving.delete(key);
	return acc.result();
}

function textOfTarget(ctx: PyCtx, t: Target, at: PyNode, env: Env, depth: number): ResolvedText {
	if (t.kind !== 'expr' || !t.isConst) return holeText(spanIn(at, env));
	const key = ctx.keyOf(t.node, t.env.scope.file);
	const memo = ctx.memo.get('t' + key) as ResolvedText | undefined;
	if (memo) return reanchor(withOrigin(memo, t.origin), t.env.anchor);
	if (ctx.resolving.has(key)) return holeText(spanIn(at, env));
	ctx.resolving.add(key);
	const r = resolveText(ctx, t.node, t.env, depth + 1);
	ctx.resolving.delete(key);
	ctx.memo.set('t' + key, r);
	return withOrigin(r, t.origin);
}

const ESCAPE = /\\(\r\n|\n|[\\'"abfnrtv]|[0-7]{1,3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|N\{[^}\n]*\})/g;
const SIMPLE_ESCAPES: Record<string, string> = { '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** Python escape sequences decoded (so counted as the characters the model sees). */
export function decodeEscapes(raw: string): string {
	if (raw.indexOf('\\') === -1) return raw;
	return raw.replace(ESCAPE, (_m, esc: string) => {
		if (esc === '\n' || esc === '\r\n') return '';
		const simple = SIMPLE_ESCAPES[esc];
		if (simple !== undefined) return simple;
		const c = esc[0];
		// `\N{NAME}`: the character is unknown here; one placeholder keeps the count close.
		if (c === 'N') return '\u25a1';
		const code = c === 'x' || c === 'u' || c === 'U' ? parseInt(esc.slice(1), 16) : parseInt(esc, 8);
		return code <= 0x10ffff ? String.fromCodePoint(code) : '';
	});
}

const STRING_HEAD = /^([A-Za-z]*)('''|"""|'|")/;

/** Text of one string literal: escapes decoded (unless raw), f-string `{…}` parts as holes at their expression. */
function stringText(node: PyNode, env: Env, ctx: PyCtx, depth: number): ResolvedText {
	const src = textOf(node, env);
	const head = STRING_HEAD.exec(src);
	if (!head) return holeText(spanIn(node, env));
	const prefix = (head[1] ?? '').toLowerCase();
	const quote = head[2] ?? '"';
	const raw = prefix.includes('r');
	const bodyStart = head[0].length;
	const bodyEnd = src.endsWith(quote) && src.length >= bodyStart + quote.length ? src.length - quote.length : src.length;
	if (!prefix.includes('f') && !prefix.includes('t')) {
		const body = src.slice(bodyStart, bodyEnd);
		return literalText(raw ? body : decodeEscapes(body));
	}
	const acc = new TextAcc();
	const base = node.startIndex;
	let cursor = bodyStart;
	const flush = (until: number): void => {
		if (until <= cursor) return;
		const part = src.slice(cursor, until).replace(/\{\{/g, '{').replace(/\}\}/g, '}');
		acc.addString(raw ? part : decodeEscapes(part));
	};
	for (const child of node.namedChildren) {
		if (child?.type !== 'interpolation') continue;
		flush(child.startIndex - base);
		const expr = child.childForFieldName('expression');
		// `{NAME}` / `{NAME!s}` of a known constant is its text; a format spec (`{n:>3}`) or anything dynamic is a hole.
		const plain = expr && !child.childForFieldName('format_specifier') && !src.slice(expr.endIndex - base, child.endIndex - base).includes('=');
		if (plain) acc.add(resolveText(ctx, expr, env, depth + 1));
		else acc.addHole(spanIn(expr ?? child, env));
		cursor = child.endIndex - base;
	}
	flush(bodyEnd);
	return acc.result();
}

/** `a + b + c` is left-deep: flattened with a loop so long chains do not recurse. */
function resolveConcat(ctx: PyCtx, e: PyNode, env: Env, depth: number): ResolvedText {
	const operands: PyNode[] = [];
	let cur: PyNode = e;
	while (cur.type === 'binary_operator' && cur.childForFieldName('operator')?.type === '+' && operands.length < 100_000) {
		const right = cur.childForFieldName('right');
		const left = cur.childForFieldName('left');
		if (!right || !left) break;
		operands.push(right);
		cur = unparen(left);
	}
	operands.push(cur);
	const acc = new TextAcc();
	for (let i = operands.length - 1; i >= 0; i--) acc.add(resolveText(ctx, operands[i]!, env, depth + 1));
	return acc.result();
}

const PERCENT_SPEC = /%(?:\([^)]*\))?[#0\- +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[diouxXeEfFgGcrsa%]/g;

/** `"… %s …" % args`: the static text with each conversion a hole (at the arguments). */
function percentFormat(ctx: PyCtx, e: PyNode, env: Env, depth: number): ResolvedText {
	const left = e.childForFieldName('left');
	const right = e.childForFieldName('right');
	if (!left || !right) return holeText(spanIn(e, env));
	const fmt = resolveText(ctx, left, env, depth + 1);
	if (fmt.text.length === 0 && fmt.holes > 0) return holeText(spanIn(e, env));
	const acc = new TextAcc();
	for (const o of fmt.origins) acc.addOrigin(o);
	acc.holes += fmt.holes;
	acc.holeSpans.push(...fmt.holeSpans);
	const span = spanIn(right, env);
	let last = 0;
	for (const m of fmt.text.matchAll(PERCENT_SPEC)) {
		acc.addString(fmt.text.slice(last, m.index));
		if (m[0] === '%%') acc.addString('%');
		else acc.addHole(span);
		last = m.index + m[0].length;
	}
	acc.addString(fmt.text.slice(last));
	return acc.result();
}

/** `"{x} …".format(...)`: each replacement field a hole (at the arguments). */
function braceFormat(fmt: ResolvedText, span: Span): ResolvedText {
	const acc = new TextAcc();
	for (const o of fmt.origins) acc.addOrigin(o);
	acc.holes += fmt.holes;
	acc.holeSpans.push(...fmt.holeSpans);
	let last = 0;
	for (const m of fmt.text.matchAll(/\{\{|\}\}|\{[^{}]*\}/g)) {
		acc.addString(fmt.text.slice(last, m.index));
		if (m[0] === '{{') acc.addString('{');
		else if (m[0] === '}}') acc.addString('}');
		else acc.addHole(span);
		last = m.index + m[0].length;
	}
	acc.addString(fmt.text.slice(last));
	return acc.result();
}

/** `textwrap.dedent`: removes the common leading whitespace of the non-blank lines. */
export function pyDedent(text: string): string {
	const lines = text.split('\n');
	let common: string | undefined;
	for (const line of lines) {
		if (line.trim().length === 0) continue;
		const indent = /^[ \t]*/.exec(line)?.[0] ?? '';
		if (common === undefined) common = indent;
		else {
			let i = 0;
			while (i < common.length && i < indent.length && common[i] === indent[i]) i++;
			common = common.slice(0, i);
		}
	}
	const n = common?.length ?? 0;
	return lines.map((l) => (l.trim().length === 0 ? '' : l.slice(n))).join('\n');
}

/** `inspect.cleandoc`: first line stripped, the rest dedented, leading and trailing blank lines removed. */
export function pyCleandoc(text: string): string {
	const lines = text.replace(/\t/g, '        ').split('\n');
	const first = (lines.shift() ?? '').trimStart();
	const rest = pyDedent(lines.join('\n')).split('\n');
	const all = [first, ...(lines.length ? rest : [])];
	while (all.length && all[0]!.trim() === '') all.shift();
	while (all.length && all[all.length - 1]!.trim() === '') all.pop();
	return all.join('\n');
}

function calleeName(callee: PyNode, env: Env): string | undefined {
	if (callee.type === 'identifier') return textOf(callee, env);
	if (callee.type === 'attribute') {
		const a = callee.childForFieldName('attribute');
		return a ? textOf(a, env) : undefined;
	}
	return undefined;
}

function argsOf(call: PyNode): PyNode[] {
	const args = call.childForFieldName('arguments');
	if (!args || args.type !== 'argument_list') return [];
	return args.namedChildren.filter((a): a is PyNode => a !== null && a.type !== 'comment');
}

function positional(call: PyNode): PyNode[] {
	return argsOf(call).filter((a) => a.type !== 'keyword_argument' && a.type !== 'dictionary_splat' && a.type !== 'list_splat');
}

function resolveCallText(ctx: PyCtx, call: PyNode, env: Env, depth: number): ResolvedText {
	const calleeNode = call.childForFieldName('function');
	if (!calleeNode) return holeText(spanIn(call, env));
	const callee = unparen(calleeNode);
	const name = calleeName(callee, env);
	const pos = positional(call);
	const hole = (): ResolvedText => holeText(spanIn(call, env));
	if (callee.type === 'attribute') {
		const obj = callee.childForFieldName('object');
		if (!obj) return hole();
		switch (name) {
			case 'join': {
				const arg = pos[0];
				const items = arg ? resolveList(ctx, arg, env, depth + 1) : undefined;
				if (!items || items.some((i) => i.kind === 'unknown')) return hole();
				const sep = resolveText(ctx, obj, env, depth + 1);
				const acc = new TextAcc();
				items.forEach((item, i) => {
					if (i > 0) acc.add(sep);
					if (item.kind === 'item') acc.add(resolveText(ctx, item.ref.node, item.ref.env, depth + 1));
				});
				return acc.result();
			}
			case 'strip':
			case 'lstrip':
			case 'rstrip': {
				if (pos.length > 0) return hole();
				const inner = resolveText(ctx, obj, env, depth + 1);
				// With holes the trimmed ends may belong to a hole; trimming the known text is close enough.
				const text = name === 'strip' ? inner.text.trim() : name === 'lstrip' ? inner.text.trimStart() : inner.text.trimEnd();
				return { ...inner, text };
			}
			case 'format': {
				const fmt = resolveText(ctx, obj, env, depth + 1);
				if (fmt.text.length === 0 && fmt.holes > 0) return hole();
				const args = call.childForFieldName('arguments');
				return braceFormat(fmt, spanIn(args ?? call, env));
			}
			case 'read':
				return readFile(ctx, obj, call, env, depth, 'open');
			case 'read_text':
				return readFile(ctx, obj, call, env, depth, 'path');
			default:
				break;
		}
	}
	if ((name === 'dedent' || name === 'cleandoc') && pos.length === 1) {
		const r = resolveText(ctx, pos[0]!, env, depth + 1);
		return { ...r, text: name === 'dedent' ? pyDedent(r.text) : pyCleandoc(r.text) };
	}
	if (name === 'str' && callee.type === 'identifier' && pos.length === 1) return resolveText(ctx, pos[0]!, env, depth + 1);
	return hole();
}

/** `open(p).read()` (`via` open: `obj` is the file object) or `Path(p).read_text()` (`obj` is the path). */
function readFile(ctx: PyCtx, obj: PyNode, call: PyNode, env: Env, depth: number, via: 'open' | 'path'): ResolvedText {
	let rel: string | undefined;
	let at = env;
	if (via === 'path') {
		rel = pathOf(ctx, obj, env, depth + 1);
	} else {
		let o = unparen(obj);
		if (o.type === 'identifier') {
			// `with open("p.txt") as f: X = f.read()`.
			const t = derefIdentifier(ctx, o, env);
			if (t?.kind === 'expr') {
				o = unparen(t.node);
				at = t.env;
			}
		}
		if (o.type === 'call') {
			const fn = o.childForFieldName('function');
			const fnName = fn ? calleeName(unparen(fn), at) : undefined;
			const arg = positional(o)[0];
			if (fnName === 'open' && arg) rel = pathOf(ctx, arg, at, depth + 1);
			else if (fnName === 'open' && fn?.type === 'attribute') {
				// `Path("p.txt").open().read()`.
				const base = fn.childForFieldName('object');
				if (base) rel = pathOf(ctx, base, at, depth + 1);
			}
		}
	}
	const file = at.scope.file;
	const text = rel !== undefined ? ctx.readTextFile(file.fileName, rel) : undefined;
	if (rel === undefined || text === undefined) return holeText(spanIn(call, env));
	return { text, holes: 0, holeSpans: [], origins: [ctx.fileOrigin(file, rel)] };
}

type PathValue = { readonly kind: 'self' } | { readonly kind: 'rel'; readonly rel: string };

/** A static path relative to the file's directory (`./p.txt`, `../x/p.txt`), else undefined. */
function pathOf(ctx: PyCtx, node: PyNode, env: Env, depth: number): string | undefined {
	const p = pathValue(ctx, node, env, depth);
	if (!p || p.kind !== 'rel') return undefined;
	const joined = joinPath(p.rel);
	if (joined.length === 0 || joined.startsWith('/')) return undefined;
	return joined.startsWith('../') ? joined : './' + joined;
}

function pathValue(ctx: PyCtx, node: PyNode, env: Env, depth: number): PathValue | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const e = unparen(node);
	switch (e.type) {
		case 'identifier': {
			if (textOf(e, env) === '__file__') return { kind: 'self' };
			const t = derefIdentifier(ctx, e, env);
			return t?.kind === 'expr' && t.isConst ? pathValue(ctx, t.node, t.env, depth + 1) : undefined;
		}
		case 'string':
		case 'concatenated_string': {
			const r = resolveText(ctx, e, env, depth + 1);
			if (r.holes > 0 || r.text.length === 0 || r.text.startsWith('/') || r.text.startsWith('~') || /^[A-Za-z]:/.test(r.text)) return undefined;
			return { kind: 'rel', rel: r.text };
		}
		case 'attribute': {
			const a = e.childForFieldName('attribute');
			const o = e.childForFieldName('object');
			if (!a || !o || textOf(a, env) !== 'parent') return undefined;
			return parentOf(pathValue(ctx, o, env, depth + 1));
		}
		case 'binary_operator': {
			if (e.childForFieldName('operator')?.type !== '/') return undefined;
			const l = e.childForFieldName('left');
			const r = e.childForFieldName('right');
			return l && r ? joinValues(pathValue(ctx, l, env, depth + 1), pathValue(ctx, r, env, depth + 1)) : undefined;
		}
		case 'call': {
			const fn = e.childForFieldName('function');
			if (!fn) return undefined;
			const callee = unparen(fn);
			const name = calleeName(callee, env);
			const pos = positional(e);
			switch (name) {
				case 'Path':
				case 'PurePath':
				case 'PosixPath':
				case 'abspath':
				case 'realpath':
				case 'normpath':
					return pos.length === 1 ? pathValue(ctx, pos[0]!, env, depth + 1) : undefined;
				case 'resolve':
				case 'absolute':
					return callee.type === 'attribute' && pos.length === 0 ? pathValue(ctx, callee.childForFieldName('object')!, env, depth + 1) : undefined;
				case 'dirname':
					return pos.length === 1 ? parentOf(pathValue(ctx, pos[0]!, env, depth + 1)) : undefined;
				case 'join':
				case 'joinpath': {
					const parts = name === 'joinpath' && callee.type === 'attribute' ? [callee.childForFieldName('object')!, ...pos] : pos;
					if (name === 'join' && textOf(callee, env).replace(/\s+/g, '') !== 'os.path.join' && textOf(callee, env).replace(/\s+/g, '') !== 'path.join') return undefined;
					let acc: PathValue | undefined = parts[0] ? pathValue(ctx, parts[0], env, depth + 1) : undefined;
					for (const p of parts.slice(1)) acc = joinValues(acc, pathValue(ctx, p, env, depth + 1));
					return acc;
				}
				default:
					return undefined;
			}
		}
		default:
			return undefined;
	}
}

function parentOf(p: PathValue | undefined): PathValue | undefined {
	if (!p) return undefined;
	return p.kind === 'self' ? { kind: 'rel', rel: '.' } : { kind: 'rel', rel: p.rel + '/..' };
}

function joinValues(a: PathValue | undefined, b: PathValue | undefined): PathValue | undefined {
	if (!a || !b || a.kind !== 'rel' || b.kind !== 'rel') return undefined;
	return { kind: 'rel', rel: a.rel + '/' + b.rel };
}

// ---------------------------------------------------------------------------------------------
// Dicts and lists

/** The keys of a statically known dict (later keys and `**` splats override earlier ones). */
export interface ObjectView {
	readonly props: Map<string, Ref>;
	/** A splat of something unknown (or a dict mutated later): any key may also come from there. */
	readonly unknownSpread: boolean;
}

/** Calls read like dicts: `dict(k=v)` and the SDKs' TypedDict / model constructors (`MessageParam(role=…)`). */
function isDictLikeCall(name: string | undefined): boolean {
	return name === 'dict' || name === 'Request' || (name !== undefined && /^[A-Z]\w*Params?$/.test(name));
}

export function resolveDict(ctx: PyCtx, node: PyNode, env: Env, depth = 0): ObjectView | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const e = unparen(node);
	if (e.type === 'dictionary') {
		const props = new Map<string, Ref>();
		let unknownSpread = false;
		for (const c of e.namedChildren) {
			if (!c) continue;
			if (c.type === 'pair') {
				const k = c.childForFieldName('key');
				const v = c.childForFieldName('value');
				if (!k || !v) continue;
				const key = unparen(k).type === 'string' ? resolveText(ctx, k, env, depth + 1) : undefined;
				if (key && key.holes === 0) props.set(key.text, { node: v, env });
				else unknownSpread = true;
			} else if (c.type === 'dictionary_splat') {
				const inner = c.namedChildren[0];
				const view = inner ? resolveDict(ctx, inner, env, depth + 1) : undefined;
				if (!view) unknownSpread = true;
				else {
					for (const [k, v] of view.props) props.set(k, v);
					unknownSpread ||= view.unknownSpread;
				}
			}
		}
		return { props, unknownSpread };
	}
	if (e.type === 'call') {
		const fn = e.childForFieldName('function');
		if (!fn || !isDictLikeCall(calleeName(unparen(fn), env))) return undefined;
		return callArgumentsView(ctx, e, env, depth + 1, true);
	}
	if (e.type === 'identifier' || e.type === 'attribute') {
		const t = e.type === 'identifier' ? derefIdentifier(ctx, e, env) : resolveMember(ctx, e, env, depth + 1);
		if (t?.kind !== 'expr') return undefined;
		const key = 'd' + ctx.keyOf(t.node, t.env.scope.file);
		let view = ctx.memo.get(key) as ObjectView | null | undefined;
		if (view === undefined) {
			if (ctx.resolving.has(key)) return undefined;
			ctx.resolving.add(key);
			view = resolveDict(ctx, t.node, t.env, depth + 1) ?? null;
			ctx.resolving.delete(key);
			ctx.memo.set(key, view);
		}
		if (!view) return undefined;
		if (e.type === 'identifier' && isMutated(ctx, textOf(e, env), t.env, 'dict')) return { props: view.props, unknownSpread: true };
		return view;
	}
	return undefined;
}

/**
 * The keyword arguments of a call as a dict view: `create(model=…, **params)`. Positional arguments
 * are ignored, except in `dict(base, k=v)` where the first is merged.
 */
export function callArgumentsView(ctx: PyCtx, call: PyNode, env: Env, depth: number, mergePositional: boolean): ObjectView {
	const props = new Map<string, Ref>();
	let unknownSpread = false;
	for (const a of argsOf(call)) {
		if (a.type === 'keyword_argument') {
			const n = a.childForFieldName('name');
			const v = a.childForFieldName('value');
			if (n && v) props.set(textOf(n, env), { node: v, env });
		} else if (a.type === 'dictionary_splat' || (mergePositional && a.type !== 'list_splat')) {
			const inner = a.type === 'dictionary_splat' ? a.namedChildren[0] : a;
			const view = inner ? resolveDict(ctx, inner, env, depth + 1) : undefined;
			if (!view) unknownSpread = true;
			else {
				for (const [k, v] of view.props) props.set(k, v);
				unknownSpread ||= view.unknownSpread;
			}
		} else if (a.type === 'list_splat') unknownSpread = true;
	}
	return { props, unknownSpread };
}

/**
 * Whether a list or dict bound to `name` is changed after its assignment in the scope it lives in
 * (`messages.append(…)`, `params["k"] = …`): a regex over the scope's text, no tree walk.
 */
function isMutated(ctx: PyCtx, name: string, env: Env, kind: 'list' | 'dict'): boolean {
	const key = `m${kind}:${env.scope.key}:${name}`;
	const cached = ctx.memo.get(key) as boolean | undefined;
	if (cached !== undefined) return cached;
	const text = env.scope.file.text.slice(env.scope.node.startIndex, env.scope.node.endIndex);
	const n = name.replace(/[^\w]/g, '');
	const re = kind === 'list'
		? new RegExp(`\\b${n}\\s*(?:\\.\\s*(?:append|extend|insert)\\s*\\(|\\+=|\\[[^\\]\\n]*\\]\\s*=[^=])`)
		: new RegExp(`\\b${n}\\s*(?:\\.\\s*(?:update|setdefault)\\s*\\(|\\|=|\\[[^\\]\\n]*\\]\\s*=[^=])`);
	const found = re.test(text);
	ctx.memo.set(key, found);
	return found;
}

export type ArrayItem = { readonly kind: 'item'; readonly ref: Ref } | { readonly kind: 'unknown'; readonly span: Span };

/** Elements of a statically known list or tuple; `*x` of unknown lists, and `+ x`, become `unknown` items. */
export function resolveList(ctx: PyCtx, node: PyNode, env: Env, depth = 0): ArrayItem[] | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const e = unparen(node);
	switch (e.type) {
		case 'list':
		case 'tuple': {
			const items: ArrayItem[] = [];
			for (const el of e.namedChildren) {
				if (!el || el.type === 'comment') continue;
				if (el.type === 'list_splat') {
					const innerNode = el.namedChildren[0];
					const inner = innerNode ? resolveList(ctx, innerNode, env, depth + 1) : undefined;
					if (inner) items.push(...inner);
					else items.push({ kind: 'unknown', span: spanIn(el, env) });
				} else items.push({ kind: 'item', ref: { node: el, env } });
			}
			return items;
		}
		case 'binary_operator': {
			if (e.childForFieldName('operator')?.type !== '+') return undefined;
			const l = e.childForFieldName('left');
			const r = e.childForFieldName('right');
			if (!l || !r) return undefined;
			const left = resolveList(ctx, l, env, depth + 1);
			const right = resolveList(ctx, r, env, depth + 1);
			if (!left && !right) return undefined;
			return [...(left ?? [{ kind: 'unknown', span: spanIn(l, env) }]), ...(right ?? [{ kind: 'unknown', span: spanIn(r, env) }])];
		}
		case 'identifier':
		case 'attribute': {
			const t = e.type === 'identifier' ? derefIdentifier(ctx, e, env) : resolveMember(ctx, e, env, depth + 1);
			if (t?.kind !== 'expr') return undefined;
			// Memoised per bound value (and guarded against cycles): `b = a + a` chains stay linear.
			const key = 'l' + ctx.keyOf(t.node, t.env.scope.file);
			let items = ctx.memo.get(key) as ArrayItem[] | null | undefined;
			if (items === undefined) {
				if (ctx.resolving.has(key)) return undefined;
				ctx.resolving.add(key);
				items = resolveList(ctx, t.node, t.env, depth + 1) ?? null;
				ctx.resolving.delete(key);
				ctx.memo.set(key, items);
			}
			if (!items) return undefined;
			if (e.type === 'identifier' && isMutated(ctx, textOf(e, env), t.env, 'list')) return [...items, { kind: 'unknown', span: spanIn(e, env) }];
			return items;
		}
		default:
			return undefined;
	}
}

// ---------------------------------------------------------------------------------------------
// Scalars

export function resolveNumber(ctx: PyCtx, node: PyNode, env: Env, depth = 0): number | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const e = unparen(node);
	switch (e.type) {
		case 'integer':
		case 'float': {
			const t = textOf(e, env).replace(/_/g, '').replace(/[jJlL]$/, '');
			const v = Number(t);
			return Number.isNaN(v) ? undefined : v;
		}
		case 'unary_operator': {
			const op = e.childForFieldName('operator')?.type;
			const arg = e.childForFieldName('argument');
			const v = arg ? resolveNumber(ctx, arg, env, depth + 1) : undefined;
			return v === undefined ? undefined : op === '-' ? -v : op === '+' ? v : undefined;
		}
		case 'binary_operator': {
			const op = e.childForFieldName('operator')?.type;
			if (op !== '+' && op !== '-' && op !== '*' && op !== '/' && op !== '//') return undefined;
			const l = e.childForFieldName('left');
			const r = e.childForFieldName('right');
			const a = l ? resolveNumber(ctx, l, env, depth + 1) : undefined;
			const b = a !== undefined && r ? resolveNumber(ctx, r, env, depth + 1) : undefined;
			if (a === undefined || b === undefined) return undefined;
			return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : Math.floor(a / b);
		}
		case 'identifier':
		case 'attribute': {
			const t = e.type === 'identifier' ? derefIdentifier(ctx, e, env) : resolveMember(ctx, e, env, depth + 1);
			return t?.kind === 'expr' && t.isConst ? resolveNumber(ctx, t.node, t.env, depth + 1) : undefined;
		}
		default:
			return undefined;
	}
}

export function resolveBoolean(ctx: PyCtx, node: PyNode, env: Env, depth = 0): boolean | undefined {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return undefined;
	const e = unparen(node);
	if (e.type === 'true') return true;
	if (e.type === 'false') return false;
	if (e.type === 'identifier' || e.type === 'attribute') {
		const t = e.type === 'identifier' ? derefIdentifier(ctx, e, env) : resolveMember(ctx, e, env, depth + 1);
		return t?.kind === 'expr' && t.isConst ? resolveBoolean(ctx, t.node, t.env, depth + 1) : undefined;
	}
	return undefined;
}

/** Static string (no holes) or undefined. */
export function resolveString(ctx: PyCtx, node: PyNode, env: Env): string | undefined {
	const r = resolveText(ctx, node, env);
	return r.holes === 0 ? r.text : undefined;
}

/**
 * Renders a value (a tools list, a JSON schema) as compact JSON, the way the SDK serialises it:
 * keys in source order, strings resolved like prompt text, anything dynamic a hole rendered as nothing.
 */
export function renderJson(ctx: PyCtx, node: PyNode, env: Env): ResolvedText {
	const acc = new TextAcc();
	renderInto(ctx, acc, node, env, 0);
	return acc.result();
}

function renderInto(ctx: PyCtx, acc: TextAcc, node: PyNode, env: Env, depth: number): void {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) {
		acc.addHole(spanIn(node, env));
		return;
	}
	const e = unparen(node);
	switch (e.type) {
		case 'dictionary':
		case 'call': {
			const view = resolveDict(ctx, e, env, depth + 1);
			if (!view) {
				acc.addHole(spanIn(e, env));
				return;
			}
			renderObjectInto(acc, view, spanIn(e, env), () => false, (ref) => renderInto(ctx, acc, ref.node, ref.env, depth + 1));
			return;
		}
		case 'list':
		case 'tuple':
			renderArrayInto(acc, resolveList(ctx, e, env, depth + 1) ?? [], (ref) => renderInto(ctx, acc, ref.node, ref.env, depth + 1));
			return;
		case 'integer':
		case 'float':
		case 'unary_operator': {
			const n = resolveNumber(ctx, e, env, depth + 1);
			return n === undefined ? acc.addHole(spanIn(e, env)) : acc.addString(String(n));
		}
		case 'true':
			return acc.addString('true');
		case 'false':
			return acc.addString('false');
		case 'none':
			return acc.addString('null');
		case 'identifier':
		case 'attribute': {
			const t = e.type === 'identifier' ? derefIdentifier(ctx, e, env) : resolveMember(ctx, e, env, depth + 1);
			if (t?.kind === 'expr' && !ctx.resolving.has('j' + ctx.keyOf(t.node, t.env.scope.file))) {
				const key = 'j' + ctx.keyOf(t.node, t.env.scope.file);
				if (t.origin) acc.addOrigin(t.origin);
				ctx.resolving.add(key);
				renderInto(ctx, acc, t.node, t.env, depth + 1);
				ctx.resolving.delete(key);
				return;
			}
			acc.addHole(spanIn(e, env));
			return;
		}
		default:
			addJsonString(acc, resolveText(ctx, e, env, depth + 1));
	}
}
