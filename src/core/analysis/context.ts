import * as ts from 'typescript';
import { isReadableSource, readTextFileCached } from './sources';
import { dirnameOf, relativePath } from './paths';
import type { SourceResolver, Span } from './types';

// Bound once: the compiler API's exports are getters, and calling through them on every node
// check cost about a fifth of the analysis time.
const { NodeFlags, ScriptKind, ScriptTarget, SyntaxKind, canHaveModifiers, createSourceFile, getModifiers, isAsExpression, isBinaryExpression, isBlock, isCallExpression, isCaseBlock, isCatchClause, isClassDeclaration, isClassExpression, isComputedPropertyName, isEnumDeclaration, isExportAssignment, isExportDeclaration, isExpressionStatement, isExternalModuleReference, isForInStatement, isForOfStatement, isForStatement, isFunctionDeclaration, isFunctionExpression, isFunctionLike, isIdentifier, isImportDeclaration, isImportEqualsDeclaration, isModuleBlock, isNamedExports, isNamespaceImport, isNonNullExpression, isNumericLiteral, isObjectBindingPattern, isObjectLiteralExpression, isOmittedExpression, isParenthesizedExpression, isPrivateIdentifier, isPropertyAccessExpression, isPropertyAssignment, isSatisfiesExpression, isShorthandPropertyAssignment, isSourceFile, isStringLiteral, isStringLiteralLike, isTypeAssertionExpression, isVariableDeclarationList, isVariableStatement } = ts;

/** How many files an identifier may be followed through (`a.ts` → `b.ts` → `c.ts` → `d.ts`). */
export const MAX_MODULE_HOPS = 3;
/** Recursion guard for every expression walker (deeper → treated as dynamic). */
export const MAX_EXPR_DEPTH = 64;
/** Total resolution steps per `analyzeFile` call, so pathological constant graphs stay bounded. */
export const MAX_STEPS = 200_000;

/** One parsed file taking part in an analysis (the analysed file or a module it imports). */
export interface FileCtx {
	readonly fileName: string;
	readonly sf: ts.SourceFile;
	readonly isMain: boolean;
	readonly root: Scope;
	/** Declarations per scope node, scanned lazily (only scopes enclosing a call site or a followed name). */
	readonly bindings: Map<ts.Node, Map<string, Binding>>;
	exports?: ModuleExports;
}

/** A lexical scope: a node whose direct declarations are visible to everything below it. */
export interface Scope {
	readonly node: ts.Node;
	readonly parent: Scope | undefined;
	readonly file: FileCtx;
}

export type Binding =
	| { readonly kind: 'var'; readonly init: ts.Expression | undefined; readonly isConst: boolean; readonly type: ts.TypeNode | undefined; readonly decl: ts.Node; readonly scope: Scope }
	| { readonly kind: 'param'; readonly init: ts.Expression | undefined; readonly type: ts.TypeNode | undefined; readonly scope: Scope }
	/** ES import or `require`: `imported` is `default`, `*` (whole module) or an export name. */
	| { readonly kind: 'import'; readonly module: string; readonly imported: string; readonly scope: Scope }
	/** Declared, but nothing useful is known (functions, classes, destructuring, loop variables); still shadows outer names. */
	| { readonly kind: 'opaque' };

type ExportEntry =
	| { readonly kind: 'local'; readonly name: string }
	| { readonly kind: 'expr'; readonly expr: ts.Expression }
	| { readonly kind: 'reexport'; readonly module: string; readonly imported: string }
	| { readonly kind: 'opaque' };

interface ModuleExports {
	readonly named: Map<string, ExportEntry>;
	readonly star: string[];
}

/** Where an evaluation happens: its scope, and (for other files) the span in the analysed file standing for it. */
export interface Env {
	readonly scope: Scope;
	/** Set once resolution leaves the analysed file: holes and values found elsewhere are reported at this span. */
	readonly anchor: Span | undefined;
	readonly hops: number;
}

/** What a name or member refers to, as far as it can be followed statically. */
export type Target =
	| { readonly kind: 'expr'; readonly node: ts.Expression; readonly env: Env; readonly isConst: boolean; readonly type?: ts.TypeNode | undefined; readonly origin?: string | undefined }
	| { readonly kind: 'typed'; readonly type: ts.TypeNode; readonly env: Env }
	| { readonly kind: 'param'; readonly init: ts.Expression | undefined; readonly type: ts.TypeNode | undefined; readonly env: Env }
	/** A binding from a package that is not followed (`openai`, `groq-sdk`): `member` `*` is the module itself. */
	| { readonly kind: 'package'; readonly module: string; readonly member: string }
	/** A whole relative module (`import * as p from './prompts'`). */
	| { readonly kind: 'namespace'; readonly file: FileCtx; readonly env: Env };

/** State shared by one `analyzeFile` call: module and file caches, memo tables, the step budget. */
export class AnalysisCtx {
	readonly modules = new Map<string, FileCtx | null>();
	readonly textFiles = new Map<string, string | null>();
	/** Memoised text of `const` initialisers, so `b = a + a; c = b + b; …` stays linear. */
	readonly textMemo = new Map<ts.Node, unknown>();
	readonly resolving = new Set<ts.Node>();
	steps = 0;
	readonly main: FileCtx;

	constructor(
		sf: ts.SourceFile,
		readonly resolver: SourceResolver | undefined,
		readonly maxBytes: number,
	) {
		this.main = createFileCtx(sf, true);
	}

	/** Counts one unit of work; false once the per-file budget is spent. */
	tick(): boolean {
		return ++this.steps <= MAX_STEPS;
	}

	/** The relative module `specifier` imported from `fromFile`, parsed and cached; undefined if not followable. */
	loadModule(fromFile: string, specifier: string): FileCtx | undefined {
		if (!this.resolver || !isRelative(specifier)) return undefined;
		const key = fromFile + '\0' + specifier;
		const cached = this.modules.get(key);
		if (cached !== undefined) return cached ?? undefined;
		let loaded: FileCtx | null = null;
		try {
			const found = this.resolver.resolveModule(fromFile, specifier);
			if (found && isReadableSource(found.text, this.maxBytes)) {
				const byName = this.modules.get(found.fileName);
				if (byName !== undefined) loaded = byName;
				else {
					const sf = createSourceFile(found.fileName, found.text, ScriptTarget.Latest, false, scriptKindFor(found.fileName));
					loaded = createFileCtx(sf, false);
					this.modules.set(found.fileName, loaded);
				}
			}
		} catch {
			// A resolver failure or an unparseable module only makes the imported value dynamic.
			loaded = null;
		}
		this.modules.set(key, loaded);
		return loaded ?? undefined;
	}

	/** A text file read by `readFileSync(rel)` in `fromFile`; undefined when missing, binary or too large. */
	readTextFile(fromFile: string, rel: string): string | undefined {
		return readTextFileCached(this.resolver, this.textFiles, this.maxBytes, fromFile, rel);
	}

	/** `./prompts.ts` style label of `fileName` relative to the analysed file. */
	originOf(fileName: string): string {
		return relativePath(dirnameOf(this.main.fileName), fileName);
	}
}

export function isRelative(specifier: string): boolean {
	return specifier.startsWith('./') || specifier.startsWith('../');
}

export function scriptKindFor(fileName: string): ts.ScriptKind {
	const lower = fileName.toLowerCase();
	if (lower.endsWith('.tsx')) return ScriptKind.TSX;
	if (lower.endsWith('.jsx')) return ScriptKind.JSX;
	if (lower.endsWith('.js') || lower.endsWith('.mjs') || lower.endsWith('.cjs')) return ScriptKind.JS;
	return ScriptKind.TS;
}

function createFileCtx(sf: ts.SourceFile, isMain: boolean): FileCtx {
	const file = { fileName: sf.fileName, sf, isMain, bindings: new Map<ts.Node, Map<string, Binding>>() } as { -readonly [K in keyof FileCtx]: FileCtx[K] };
	file.root = { node: sf, parent: undefined, file };
	return file;
}

export function rootEnv(file: FileCtx, anchor: Span | undefined, hops: number): Env {
	return { scope: file.root, anchor, hops };
}

/** Span of `node` as reported to the user: its own span in the analysed file, else the anchor. */
export function spanIn(node: ts.Node, env: Env): Span {
	if (env.anchor) return env.anchor;
	return { start: node.getStart(env.scope.file.sf), end: node.getEnd() };
}

export function nodeSpan(node: ts.Node, sf: ts.SourceFile): Span {
	return { start: node.getStart(sf), end: node.getEnd() };
}

export function isScopeNode(node: ts.Node): boolean {
	switch (node.kind) {
		case SyntaxKind.SourceFile:
		case SyntaxKind.Block:
		case SyntaxKind.ModuleBlock:
		case SyntaxKind.CaseBlock:
		case SyntaxKind.FunctionDeclaration:
		case SyntaxKind.FunctionExpression:
		case SyntaxKind.ArrowFunction:
		case SyntaxKind.MethodDeclaration:
		case SyntaxKind.Constructor:
		case SyntaxKind.GetAccessor:
		case SyntaxKind.SetAccessor:
		case SyntaxKind.ClassDeclaration:
		case SyntaxKind.ClassExpression:
		case SyntaxKind.ForStatement:
		case SyntaxKind.ForInStatement:
		case SyntaxKind.ForOfStatement:
		case SyntaxKind.CatchClause:
			return true;
		default:
			return false;
	}
}

/** The module named by `require('m')` (optionally `require('m').member`), else undefined. */
export function requireOf(expr: ts.Expression): { module: string; member: string } | undefined {
	let member = '*';
	let e = expr;
	if (isPropertyAccessExpression(e) && isIdentifier(e.name)) {
		member = e.name.text;
		e = e.expression;
	}
	if (isCallExpression(e) && isIdentifier(e.expression) && e.expression.text === 'require' && e.arguments.length === 1) {
		const arg = e.arguments[0];
		if (arg && isStringLiteralLike(arg)) return { module: arg.text, member };
	}
	return undefined;
}

function addOpaqueNames(name: ts.BindingName, into: Map<string, Binding>): void {
	if (isIdentifier(name)) {
		into.set(name.text, { kind: 'opaque' });
		return;
	}
	for (const element of name.elements) {
		if (!isOmittedExpression(element)) addOpaqueNames(element.name, into);
	}
}

function addVariable(decl: ts.VariableDeclaration, isConst: boolean, scope: Scope, into: Map<string, Binding>): void {
	const req = decl.initializer ? requireOf(decl.initializer) : undefined;
	if (isIdentifier(decl.name)) {
		if (req) into.set(decl.name.text, { kind: 'import', module: req.module, imported: req.member, scope });
		else into.set(decl.name.text, { kind: 'var', init: decl.initializer, isConst, type: decl.type, decl, scope });
		return;
	}
	// `const { OpenAI } = require('openai')`: each destructured name is a named import.
	if (req && req.member === '*' && isObjectBindingPattern(decl.name)) {
		for (const element of decl.name.elements) {
			if (!isIdentifier(element.name)) { addOpaqueNames(element.name, into); continue; }
			const imported = element.propertyName && isIdentifier(element.propertyName) ? element.propertyName.text : element.name.text;
			into.set(element.name.text, { kind: 'import', module: req.module, imported, scope });
		}
		return;
	}
	addOpaqueNames(decl.name, into);
}

function addStatements(statements: readonly ts.Statement[], scope: Scope, into: Map<string, Binding>): void {
	for (const st of statements) {
		if (isVariableStatement(st)) {
			const isConst = (st.declarationList.flags & NodeFlags.Const) !== 0;
			for (const decl of st.declarationList.declarations) addVariable(decl, isConst, scope, into);
		} else if (isImportDeclaration(st)) {
			if (!isStringLiteral(st.moduleSpecifier) || !st.importClause) continue;
			const module = st.moduleSpecifier.text;
			const clause = st.importClause;
			if (clause.name) into.set(clause.name.text, { kind: 'import', module, imported: 'default', scope });
			const named = clause.namedBindings;
			if (named && isNamespaceImport(named)) into.set(named.name.text, { kind: 'import', module, imported: '*', scope });
			else if (named) {
				for (const el of named.elements) {
					into.set(el.name.text, { kind: 'import', module, imported: (el.propertyName ?? el.name).text, scope });
				}
			}
		} else if (isImportEqualsDeclaration(st)) {
			const ref = st.moduleReference;
			if (isExternalModuleReference(ref) && isStringLiteral(ref.expression)) {
				into.set(st.name.text, { kind: 'import', module: ref.expression.text, imported: '*', scope });
			} else into.set(st.name.text, { kind: 'opaque' });
		} else if ((isFunctionDeclaration(st) || isClassDeclaration(st) || isEnumDeclaration(st)) && st.name) {
			into.set(st.name.text, { kind: 'opaque' });
		}
	}
}

/** Direct declarations of a scope node (cached per file). */
export function bindingsOf(scope: Scope): Map<string, Binding> {
	const cached = scope.file.bindings.get(scope.node);
	if (cached) return cached;
	const into = new Map<string, Binding>();
	const node = scope.node;
	if (isSourceFile(node) || isBlock(node) || isModuleBlock(node)) addStatements(node.statements, scope, into);
	else if (isCaseBlock(node)) for (const clause of node.clauses) addStatements(clause.statements, scope, into);
	else if (isFunctionLike(node)) {
		if ((isFunctionExpression(node)) && node.name) into.set(node.name.text, { kind: 'opaque' });
		for (const p of node.parameters) {
			if (isIdentifier(p.name)) into.set(p.name.text, { kind: 'param', init: p.initializer, type: p.type, scope });
			else addOpaqueNames(p.name, into);
		}
	} else if (isClassExpression(node) && node.name) into.set(node.name.text, { kind: 'opaque' });
	else if ((isForStatement(node) || isForInStatement(node) || isForOfStatement(node)) && node.initializer && isVariableDeclarationList(node.initializer)) {
		for (const decl of node.initializer.declarations) addOpaqueNames(decl.name, into);
	} else if (isCatchClause(node) && node.variableDeclaration) addOpaqueNames(node.variableDeclaration.name, into);
	scope.file.bindings.set(node, into);
	return into;
}

export function lookup(name: string, scope: Scope): Binding | undefined {
	for (let s: Scope | undefined = scope; s; s = s.parent) {
		const found = bindingsOf(s).get(name);
		if (found) return found;
	}
	return undefined;
}

function exportsOf(file: FileCtx): ModuleExports {
	if (file.exports) return file.exports;
	const named = new Map<string, ExportEntry>();
	const star: string[] = [];
	const hasExport = (n: ts.Node): boolean => canHaveModifiers(n) && (getModifiers(n)?.some((m) => m.kind === SyntaxKind.ExportKeyword) ?? false);
	const hasDefault = (n: ts.Node): boolean => canHaveModifiers(n) && (getModifiers(n)?.some((m) => m.kind === SyntaxKind.DefaultKeyword) ?? false);
	for (const st of file.sf.statements) {
		if (isVariableStatement(st) && hasExport(st)) {
			for (const decl of st.declarationList.declarations) {
				if (isIdentifier(decl.name)) named.set(decl.name.text, { kind: 'local', name: decl.name.text });
			}
		} else if ((isFunctionDeclaration(st) || isClassDeclaration(st)) && hasExport(st)) {
			if (hasDefault(st)) named.set('default', { kind: 'opaque' });
			if (st.name) named.set(st.name.text, { kind: 'opaque' });
		} else if (isExportAssignment(st)) {
			named.set('default', { kind: 'expr', expr: st.expression });
		} else if (isExportDeclaration(st)) {
			const from = st.moduleSpecifier && isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
			if (!st.exportClause) {
				if (from) star.push(from);
			} else if (isNamedExports(st.exportClause)) {
				for (const el of st.exportClause.elements) {
					const local = (el.propertyName ?? el.name).text;
					named.set(el.name.text, from ? { kind: 'reexport', module: from, imported: local } : { kind: 'local', name: local });
				}
			} else if (from) {
				named.set(st.exportClause.name.text, { kind: 'reexport', module: from, imported: '*' });
			}
		} else if (isExpressionStatement(st) && isBinaryExpression(st.expression) && st.expression.operatorToken.kind === SyntaxKind.EqualsToken) {
			// CommonJS: `module.exports = { a, b }`, `module.exports.X = …`, `exports.X = …`.
			const { left, right } = st.expression;
			const text = left.getText(file.sf);
			if (text === 'module.exports' && isObjectLiteralExpression(right)) {
				for (const p of right.properties) {
					if (isShorthandPropertyAssignment(p)) named.set(p.name.text, { kind: 'local', name: p.name.text });
					else if (isPropertyAssignment(p) && (isIdentifier(p.name) || isStringLiteral(p.name))) named.set(p.name.text, { kind: 'expr', expr: p.initializer });
				}
			} else if (text === 'module.exports') named.set('default', { kind: 'expr', expr: right });
			else if (isPropertyAccessExpression(left) && isIdentifier(left.name) && (left.expression.getText(file.sf) === 'exports' || left.expression.getText(file.sf) === 'module.exports')) {
				named.set(left.name.text, { kind: 'expr', expr: right });
			}
		}
	}
	file.exports = { named, star };
	return file.exports;
}

/** What export `name` of `file` refers to (`*` for the namespace), following re-exports within the hop limit. */
export function moduleExport(ctx: AnalysisCtx, file: FileCtx, name: string, anchor: Span | undefined, hops: number, seen: Set<string> = new Set()): Target | undefined {
	const env = rootEnv(file, anchor, hops);
	if (name === '*') return { kind: 'namespace', file, env };
	const key = file.fileName + '#' + name;
	if (seen.has(key) || !ctx.tick()) return undefined;
	seen.add(key);
	const exports = exportsOf(file);
	const entry = exports.named.get(name);
	const origin = ctx.originOf(file.fileName) + '#' + name;
	if (entry) {
		switch (entry.kind) {
			case 'local': {
				const binding = bindingsOf(file.root).get(entry.name);
				if (!binding) return undefined;
				const t = fromBinding(ctx, binding, env, seen);
				return t && t.kind === 'expr' ? { ...t, origin: t.origin ?? origin } : t;
			}
			case 'expr':
				return { kind: 'expr', node: entry.expr, env, isConst: true, origin };
			case 'reexport':
				return followImport(ctx, file.fileName, entry.module, entry.imported, anchor, hops, seen);
			default:
				return undefined;
		}
	}
	for (const from of exports.star) {
		const t = followImport(ctx, file.fileName, from, name, anchor, hops, seen);
		if (t) return t;
	}
	return undefined;
}

function followImport(ctx: AnalysisCtx, fromFile: string, module: string, imported: string, anchor: Span | undefined, hops: number, seen: Set<string>): Target | undefined {
	if (!isRelative(module)) return { kind: 'package', module, member: imported };
	if (hops >= MAX_MODULE_HOPS) return undefined;
	const file = ctx.loadModule(fromFile, module);
	return file ? moduleExport(ctx, file, imported, anchor, hops + 1, seen) : undefined;
}

function fromBinding(ctx: AnalysisCtx, binding: Binding, env: Env, seen?: Set<string>): Target | undefined {
	switch (binding.kind) {
		case 'var': {
			const bEnv: Env = { scope: binding.scope, anchor: env.anchor, hops: env.hops };
			if (binding.init) return { kind: 'expr', node: binding.init, env: bEnv, isConst: binding.isConst, type: binding.type };
			return binding.type ? { kind: 'typed', type: binding.type, env: bEnv } : undefined;
		}
		case 'param':
			return { kind: 'param', init: binding.init, type: binding.type, env: { scope: binding.scope, anchor: env.anchor, hops: env.hops } };
		case 'import':
			return followImport(ctx, binding.scope.file.fileName, binding.module, binding.imported, env.anchor, env.hops, seen ?? new Set());
		default:
			return undefined;
	}
}

/**
 * Follows identifier `id` (evaluated in `env`) to what it names. Leaving the analysed file sets the
 * anchor to `id`'s span, so everything found elsewhere is reported at the import's use.
 */
export function derefIdentifier(ctx: AnalysisCtx, id: ts.Identifier, env: Env): Target | undefined {
	if (!ctx.tick()) return undefined;
	const binding = lookup(id.text, env.scope);
	if (!binding) return undefined;
	const anchored: Env = binding.kind === 'import' && !env.anchor ? { ...env, anchor: spanIn(id, env) } : env;
	return fromBinding(ctx, binding, anchored);
}

/** Strips wrappers that do not change a value: parentheses, `as`, `satisfies`, `!`, `<T>x`. */
export function unwrap(expr: ts.Expression): ts.Expression {
	let e = expr;
	for (;;) {
		if (isParenthesizedExpression(e) || isAsExpression(e) || isSatisfiesExpression(e) || isNonNullExpression(e) || isTypeAssertionExpression(e)) e = e.expression;
		else return e;
	}
}

/** The class node whose `this` is in effect at `scope`, if any (regular functions rebind `this`). */
export function enclosingClass(scope: Scope): Scope | undefined {
	for (let s: Scope | undefined = scope; s; s = s.parent) {
		const n = s.node;
		if (isClassDeclaration(n) || isClassExpression(n)) return s;
		if (isFunctionDeclaration(n) || isFunctionExpression(n)) return undefined;
	}
	return undefined;
}

export function propertyNameText(name: ts.PropertyName): string | undefined {
	if (isIdentifier(name) || isStringLiteral(name) || isNumericLiteral(name) || isPrivateIdentifier(name)) return name.text;
	if (isComputedPropertyName(name) && isStringLiteralLike(name.expression)) return name.expression.text;
	return undefined;
}
