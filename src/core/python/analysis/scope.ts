import { isReadableSource, readTextFileCached } from '../../analysis/sources';
import { dirnameOf, joinPath, relativePath } from '../../analysis/paths';
import type { SourceResolver, Span } from '../../analysis/types';
import type { PyNode, PyTree, PythonParser } from '../parser';

// Lexical scopes of a Python file, read lazily. Only the statements of a scope that a call site (or a
// followed name) needs are scanned: module top level, the enclosing function body, a class body. Each
// scan is memoised per node, so a file with many call sites scans each scope once.

/** How many files a name may be followed through (`main.py` → `a.py` → `b.py` → `c.py`). */
export const MAX_MODULE_HOPS = 3;
/** Recursion guard for every expression walker (deeper → treated as dynamic). */
export const MAX_EXPR_DEPTH = 64;
/** Total resolution steps per analysis, so pathological constant graphs stay bounded. */
export const MAX_STEPS = 200_000;
/** Statement nesting followed when collecting a scope's names (`if` in `try` in `with` …). */
const MAX_BLOCK_DEPTH = 24;
/** How many directories above the file an absolute import (`from app.prompts import X`) is looked for. */
const MAX_PARENT_DIRS = 3;

/** One parsed file taking part in an analysis (the analysed file or a module it imports). */
export interface PyFile {
	readonly fileName: string;
	readonly text: string;
	readonly root: PyNode;
	readonly isMain: boolean;
	readonly rootScope: Scope;
}

export interface Scope {
	readonly node: PyNode;
	/** `module`, `function` (its parameters and body) or `class` (its body). */
	readonly kind: 'module' | 'function' | 'class';
	/** The scope names are looked up in next. Class bodies are skipped from inside methods, as in Python. */
	readonly parent: Scope | undefined;
	/** The class body a function is defined in (for `self.x`), if it is a method. */
	readonly classScope: Scope | undefined;
	readonly file: PyFile;
	readonly key: string;
}

/** One assignment to a name: `x = value`, `x: T = value`, `x: T`, `with value as x`. */
export interface Assign {
	readonly value: PyNode | undefined;
	readonly type: PyNode | undefined;
	readonly start: number;
	/** The `assignment` / `augmented_assignment` node (absent for `with … as x`). */
	readonly node?: PyNode;
	/**
	 * `x += value`: the added value. `value` stays undefined for it, so every reader that does not
	 * know about concatenation still sees an unknown reassignment.
	 */
	readonly appended?: PyNode;
}

export type Binding =
	/** `appended`: some assignment is `name += value` (read by resolveText's concatenation). */
	| { readonly kind: 'var'; readonly assigns: readonly Assign[]; readonly scope: Scope; readonly appended?: boolean }
	| { readonly kind: 'param'; readonly init: PyNode | undefined; readonly type: PyNode | undefined; readonly scope: Scope }
	/** `import m` (imported `*`), `from m import x`; `module` keeps its leading dots. */
	| { readonly kind: 'import'; readonly module: string; readonly imported: string; readonly scope: Scope }
	| { readonly kind: 'class'; readonly node: PyNode; readonly scope: Scope }
	/** Declared, but nothing useful is known (functions, loop variables, tuple targets); still shadows outer names. */
	| { readonly kind: 'opaque' };

/** Where an evaluation happens: its scope, and (for other files) the span in the analysed file standing for it. */
export interface Env {
	readonly scope: Scope;
	readonly anchor: Span | undefined;
	readonly hops: number;
}

export interface Ref {
	readonly node: PyNode;
	readonly env: Env;
}

export type Target =
	| { readonly kind: 'expr'; readonly node: PyNode; readonly env: Env; readonly isConst: boolean; readonly type?: PyNode | undefined; readonly origin?: string | undefined }
	| { readonly kind: 'typed'; readonly type: PyNode; readonly env: Env }
	| { readonly kind: 'param'; readonly init: PyNode | undefined; readonly type: PyNode | undefined; readonly env: Env }
	/** A name from a package that is not followed (`openai`, `groq`); `member` `*` is the module itself. */
	| { readonly kind: 'package'; readonly module: string; readonly member: string }
	/** A whole project module (`import prompts`, `from . import prompts`). */
	| { readonly kind: 'namespace'; readonly file: PyFile; readonly env: Env }
	| { readonly kind: 'class'; readonly node: PyNode; readonly env: Env };

/** Packages never looked up through the resolver: the SDKs and the standard modules prompts are built with. */
const NEVER_LOCAL = new Set([
	'anthropic', 'openai', 'os', 'sys', 're', 'json', 'typing', 'textwrap', 'inspect', 'pathlib', 'asyncio', 'time', 'datetime',
	'uuid', 'random', 'logging', 'functools', 'dataclasses', 'enum', 'collections', 'itertools', 'pydantic', 'typing_extensions',
	'__future__', 'abc', 'io', 'math', 'string', 'contextlib', 'fastapi', 'flask', 'django', 'httpx', 'requests',
]);

/** State shared by one analysis: files, scope tables, memo tables, the step budget. */
export class PyCtx {
	steps = 0;
	readonly main: PyFile;
	private readonly modules = new Map<string, PyFile | null>();
	private readonly textFiles = new Map<string, string | null>();
	private readonly detached: PyTree[] = [];
	private readonly bindingTables = new Map<string, Map<string, Binding>>();
	private readonly scopes = new Map<string, Scope>();
	readonly memo = new Map<string, unknown>();
	readonly resolving = new Set<string>();

	constructor(
		readonly parser: PythonParser,
		root: PyNode,
		fileName: string,
		text: string,
		readonly resolver: SourceResolver | undefined,
		readonly maxBytes: number,
	) {
		this.main = makeFile(fileName, text, root, true);
	}

	/** Counts one unit of work; false once the per-analysis budget is spent. */
	tick(): boolean {
		return ++this.steps <= MAX_STEPS;
	}

	/** Deletes the trees of imported modules (they live in wasm memory). */
	dispose(): void {
		for (const t of this.detached) t.delete();
		this.detached.length = 0;
	}

	/** Memo key of a node: file plus the node's id (node wrappers are not reused, ids are). */
	keyOf(node: PyNode, file: PyFile): string {
		return file.fileName + '#' + node.id;
	}

	/** The innermost scope containing `node` (climbs parents; memoised per scope node). */
	scopeAt(node: PyNode, file: PyFile): Scope {
		const chain: PyNode[] = [];
		for (let n = node.parent; n; n = n.parent) {
			if (n.type === 'function_definition' || n.type === 'class_definition') chain.push(n);
		}
		let scope = file.rootScope;
		let cls: Scope | undefined;
		for (let i = chain.length - 1; i >= 0; i--) {
			const n = chain[i]!;
			const key = this.keyOf(n, file);
			let s = this.scopes.get(key);
			if (!s) {
				const isClass = n.type === 'class_definition';
				// Names in a class body are not visible inside its methods: lookups skip it.
				const parent = scope.kind === 'class' ? scope.parent : scope;
				s = { node: n, kind: isClass ? 'class' : 'function', parent, classScope: isClass ? undefined : cls, file, key };
				this.scopes.set(key, s);
			}
			cls = s.kind === 'class' ? s : undefined;
			scope = s;
		}
		return scope;
	}

	/** Direct names of a scope (scanned once). */
	bindingsOf(scope: Scope): Map<string, Binding> {
		const cached = this.bindingTables.get(scope.key);
		if (cached) return cached;
		const into = new Map<string, Binding>();
		const assigns = new Map<string, Assign[]>();
		if (scope.kind === 'function') addParameters(scope, into);
		const body = scope.kind === 'module' ? scope.node : scope.node.childForFieldName('body');
		if (body) collect(this, body, scope, into, assigns, 0);
		for (const [name, list] of assigns) {
			if (into.get(name)?.kind === 'opaque') continue;
			into.set(name, { kind: 'var', assigns: list, scope, ...(list.some((a) => a.appended) ? { appended: true } : {}) });
		}
		this.bindingTables.set(scope.key, into);
		return into;
	}

	lookup(name: string, scope: Scope): Binding | undefined {
		for (let s: Scope | undefined = scope; s; s = s.parent) {
			const found = this.bindingsOf(s).get(name);
			if (found) return found;
		}
		return undefined;
	}

	/**
	 * A project module named by an import (`prompts`, `.prompts`, `..pkg.mod`, `app.prompts`),
	 * parsed and cached, or undefined (a package, a missing file). Relative imports are asked of the
	 * resolver as `./x.py` then `./x/__init__.py`; absolute ones also from up to three parent directories.
	 */
	loadModule(fromFile: string, module: string): PyFile | undefined {
		if (!this.resolver) return undefined;
		const dots = /^\.*/.exec(module)?.[0].length ?? 0;
		const rest = module.slice(dots);
		const top = rest.split('.')[0] ?? '';
		if (dots === 0 && (NEVER_LOCAL.has(top) || rest.length === 0)) return undefined;
		const key = fromFile + '\0' + module;
		const cached = this.modules.get(key);
		if (cached !== undefined) return cached ?? undefined;
		const path = rest.split('.').filter(Boolean).join('/');
		const prefixes = dots > 0 ? [dots === 1 ? './' : '../'.repeat(dots - 1)] : ['./', ...Array.from({ length: MAX_PARENT_DIRS }, (_, i) => '../'.repeat(i + 1))];
		let loaded: PyFile | null = null;
		outer: for (const prefix of prefixes) {
			for (const spec of path ? [`${prefix}${path}.py`, `${prefix}${path}/__init__.py`] : [`${prefix}__init__.py`]) {
				const file = this.tryLoad(fromFile, spec);
				if (file) {
					loaded = file;
					break outer;
				}
			}
		}
		this.modules.set(key, loaded);
		return loaded ?? undefined;
	}

	private tryLoad(fromFile: string, spec: string): PyFile | undefined {
		try {
			const found = this.resolver?.resolveModule(fromFile, spec);
			if (!found || !isReadableSource(found.text, this.maxBytes)) return undefined;
			const byName = this.modules.get(found.fileName);
			if (byName) return byName;
			if (found.fileName === this.main.fileName) return this.main;
			const tree = this.parser.parseDetached(found.text);
			this.detached.push(tree);
			const file = makeFile(found.fileName, found.text, tree.rootNode, false);
			this.modules.set(found.fileName, file);
			return file;
		} catch {
			// A resolver failure or an unparseable module only makes the imported value dynamic.
			return undefined;
		}
	}

	/** A text file read by `open(rel).read()` in `fromFile`; undefined when missing, binary or too large. */
	readTextFile(fromFile: string, rel: string): string | undefined {
		return readTextFileCached(this.resolver, this.textFiles, this.maxBytes, fromFile, rel);
	}

	/** `./prompts.py` style label of `fileName` relative to the analysed file. */
	originOf(fileName: string): string {
		return relativePath(dirnameOf(this.main.fileName), fileName);
	}

	/** `./x.txt` label of a path read from `file`. */
	fileOrigin(file: PyFile, rel: string): string {
		return file.isMain ? relativePath('.', joinPath(rel)) : this.originOf(joinPath(dirnameOf(file.fileName), rel));
	}
}

function makeFile(fileName: string, text: string, root: PyNode, isMain: boolean): PyFile {
	const file = { fileName, text, root, isMain } as { -readonly [K in keyof PyFile]: PyFile[K] };
	file.rootScope = { node: root, kind: 'module', parent: undefined, classScope: undefined, file, key: fileName + '#root' };
	return file;
}

function addParameters(scope: Scope, into: Map<string, Binding>): void {
	const params = scope.node.childForFieldName('parameters');
	if (!params) return;
	for (const p of params.namedChildren) {
		if (!p) continue;
		switch (p.type) {
			case 'identifier':
				into.set(p.text, { kind: 'param', init: undefined, type: undefined, scope });
				break;
			case 'default_parameter':
			case 'typed_default_parameter': {
				const name = p.childForFieldName('name');
				if (name?.type === 'identifier') into.set(name.text, { kind: 'param', init: p.childForFieldName('value') ?? undefined, type: p.childForFieldName('type') ?? undefined, scope });
				break;
			}
			case 'typed_parameter': {
				const name = p.namedChildren.find((c) => c?.type === 'identifier');
				if (name) into.set(name.text, { kind: 'param', init: undefined, type: p.childForFieldName('type') ?? undefined, scope });
				else addOpaque(p, into);
				break;
			}
			default:
				addOpaque(p, into);
		}
	}
}

/** Every identifier inside a target pattern (`a, (b, *c)`, `*args`) becomes opaque. */
function addOpaque(node: PyNode, into: Map<string, Binding>): void {
	if (node.type === 'identifier') {
		into.set(node.text, { kind: 'opaque' });
		return;
	}
	if (node.type === 'attribute' || node.type === 'subscript') return;
	for (const c of node.namedChildren) if (c) addOpaque(c, into);
}

function addAssign(name: string, a: Assign, assigns: Map<string, Assign[]>): void {
	const list = assigns.get(name);
	if (list) list.push(a);
	else assigns.set(name, [a]);
}

const DEF_HEAD = /^(?:async\s+)?def\s+([A-Za-z_]\w*)/;
/** Statements that never bind a name: skipped without reading their nodes. */
const NO_BINDING = new Set(['comment', 'pass_statement', 'return_statement', 'raise_statement', 'break_statement', 'continue_statement', 'assert_statement', 'delete_statement', 'print_statement', 'exec_statement', 'type_alias_statement', 'future_import_statement']);

/**
 * Whether an expression statement may bind a name: an assignment (`x = …`, `x += …`, `a, b = …`) or an
 * annotation (`x: T`). Read from the text so that call statements (`log(x=1)`) cost no node access.
 */
function mayAssign(text: string, start: number): boolean {
	const head = text.slice(start, start + 400);
	if (/^[A-Za-z_]\w*\s*:/.test(head)) return true;
	const eq = /^[^=\n]*?=/.exec(head);
	if (!eq) return false;
	const before = eq[0].slice(0, -1);
	const next = head[eq[0].length];
	if (next === '=' || /[=!<>]$/.test(before)) return false;
	const paren = before.indexOf('(');
	return paren === -1 || /^[\s(]*$/.test(before.slice(0, paren + 1));
}

/** Names bound by the statements of `block` and the blocks nested in it (not in nested functions or classes). */
function collect(ctx: PyCtx, block: PyNode, scope: Scope, into: Map<string, Binding>, assigns: Map<string, Assign[]>, depth: number): void {
	if (depth > MAX_BLOCK_DEPTH) return;
	const text = scope.file.text;
	// A cursor walks the statements without allocating a node per statement; only those that may bind
	// a name are materialised.
	const cursor = block.walk();
	try {
		if (!cursor.gotoFirstChild()) return;
		do {
			if (!cursor.nodeIsNamed || !ctx.tick()) continue;
			const type = cursor.nodeType;
			if (NO_BINDING.has(type)) continue;
			if (type === 'function_definition') {
				const name = DEF_HEAD.exec(text.slice(cursor.startIndex, cursor.startIndex + 200))?.[1];
				if (name) into.set(name, { kind: 'opaque' });
				continue;
			}
			if (type === 'expression_statement' && !mayAssign(text, cursor.startIndex)) continue;
			collectStatement(ctx, cursor.currentNode, scope, into, assigns, depth);
		} while (cursor.gotoNextSibling());
	} finally {
		cursor.delete();
	}
}

function collectStatement(ctx: PyCtx, st: PyNode, scope: Scope, into: Map<string, Binding>, assigns: Map<string, Assign[]>, depth: number): void {
	switch (st.type) {
		case 'expression_statement': {
			for (const e of st.namedChildren) {
				if (e?.type === 'assignment') collectAssignment(e, into, assigns);
				else if (e?.type === 'augmented_assignment') {
					const left = e.childForFieldName('left');
					// `x += …` makes `x` non-constant: a second, unknown assignment (string concatenation
					// is rebuilt from `appended` by resolveText when it is straight-line).
					if (left?.type === 'identifier') {
						const op = e.childForFieldName('operator');
						const right = op?.type === '+=' ? e.childForFieldName('right') : null;
						addAssign(left.text, { value: undefined, type: undefined, start: e.startIndex, node: e, ...(right ? { appended: right } : {}) }, assigns);
					}
				}
			}
			return;
		}
		case 'import_statement':
			for (const n of st.namedChildren) {
				if (!n) continue;
				if (n.type === 'dotted_name') {
					// `import a.b` binds `a`, the top package.
					const top = n.namedChildren[0]?.text ?? n.text;
					into.set(top, { kind: 'import', module: top, imported: '*', scope });
				} else if (n.type === 'aliased_import') {
					const name = n.childForFieldName('name');
					const alias = n.childForFieldName('alias');
					if (name && alias) into.set(alias.text, { kind: 'import', module: name.text, imported: '*', scope });
				}
			}
			return;
		case 'import_from_statement': {
			const moduleNode = st.childForFieldName('module_name');
			if (!moduleNode) return;
			const module = moduleNode.text.replace(/\s+/g, '');
			for (const n of st.namedChildren) {
				if (!n || n.startIndex === moduleNode.startIndex) continue;
				if (n.type === 'dotted_name') into.set(n.text, { kind: 'import', module, imported: n.text, scope });
				else if (n.type === 'aliased_import') {
					const name = n.childForFieldName('name');
					const alias = n.childForFieldName('alias');
					if (name && alias) into.set(alias.text, { kind: 'import', module, imported: name.text, scope });
				}
			}
			return;
		}
		case 'function_definition': {
			const name = st.childForFieldName('name');
			if (name) into.set(name.text, { kind: 'opaque' });
			return;
		}
		case 'class_definition': {
			const name = st.childForFieldName('name');
			if (name) into.set(name.text, { kind: 'class', node: st, scope });
			return;
		}
		case 'decorated_definition': {
			const def = st.childForFieldName('definition');
			if (def) collectStatement(ctx, def, scope, into, assigns, depth);
			return;
		}
		case 'for_statement': {
			const left = st.childForFieldName('left');
			if (left) addOpaque(left, into);
			break;
		}
		case 'with_statement': {
			for (const clause of st.namedChildren) {
				if (clause?.type !== 'with_clause') continue;
				for (const item of clause.namedChildren) {
					const value = item?.childForFieldName('value');
					if (value?.type !== 'as_pattern') continue;
					const target = value.childForFieldName('alias')?.namedChildren[0];
					const source = value.namedChildren[0];
					if (target?.type === 'identifier' && source) addAssign(target.text, { value: source, type: undefined, start: value.startIndex }, assigns);
					else if (target) addOpaque(target, into);
				}
			}
			break;
		}
		case 'except_clause':
			for (const c of st.namedChildren) if (c?.type === 'as_pattern') {
				const target = c.childForFieldName('alias');
				if (target) addOpaque(target, into);
			}
			break;
		case 'global_statement':
		case 'nonlocal_statement':
			for (const c of st.namedChildren) if (c?.type === 'identifier') into.set(c.text, { kind: 'opaque' });
			return;
		case 'if_statement':
		case 'elif_clause':
		case 'else_clause':
		case 'while_statement':
		case 'try_statement':
		case 'finally_clause':
		case 'block':
			break;
		default:
			return;
	}
	// Compound statements: their blocks and clauses bind names in the same scope.
	for (const c of st.namedChildren) {
		if (!c) continue;
		if (c.type === 'block') collect(ctx, c, scope, into, assigns, depth + 1);
		else if (c.type === 'elif_clause' || c.type === 'else_clause' || c.type === 'except_clause' || c.type === 'finally_clause') collectStatement(ctx, c, scope, into, assigns, depth + 1);
	}
}

function collectAssignment(e: PyNode, into: Map<string, Binding>, assigns: Map<string, Assign[]>): void {
	// `a = b = value`: the right side of the outer assignment is the inner one.
	const targets: PyNode[] = [];
	let cur: PyNode | null = e;
	let type: PyNode | undefined;
	while (cur?.type === 'assignment') {
		const left = cur.childForFieldName('left');
		if (left) targets.push(left);
		type ??= cur.childForFieldName('type') ?? undefined;
		cur = cur.childForFieldName('right');
	}
	const value = cur ?? undefined;
	for (const left of targets) {
		if (left.type === 'identifier') addAssign(left.text, { value, type, start: e.startIndex, node: e }, assigns);
		else addOpaque(left, into);
	}
}
