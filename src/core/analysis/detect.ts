import * as ts from 'typescript';
import {
	type AnalysisCtx, type Env, type FileCtx, type Scope,
	MAX_EXPR_DEPTH, derefIdentifier, enclosingClass, isScopeNode, propertyNameText, requireOf, unwrap,
} from './context';
import { resolveMember, resolveObject, resolveString } from './resolve';
import { CALL_SHAPE } from './skip';
import { type ClientTrace, type Family, apiPaths, matchApiPath, sdkClient } from './clientModel';
import type { Api } from './types';

// Bound once: the compiler API's exports are getters, and calling through them on every node
// check cost about a fifth of the analysis time.
const { SyntaxKind, forEachChild, getModifiers, isAwaitExpression, isBinaryExpression, isCallExpression, isConstructorDeclaration, isExpressionStatement, isIdentifier, isMethodDeclaration, isNewExpression, isPropertyAccessExpression, isPropertyDeclaration, isTypeReferenceNode } = ts;

/** A call whose callee ends in a known SDK method path; not yet attributed to a provider. */
export interface Candidate {
	readonly call: ts.CallExpression;
	readonly callee: ts.PropertyAccessExpression;
	readonly api: Api;
	/** The client expression (`client`, `this.client`, `new OpenAI()`), with a trailing `.beta` removed. */
	readonly receiver: ts.Expression;
	readonly scope: Scope;
}

export type { ClientTrace } from './clientModel';

const UNKNOWN: ClientTrace = { kind: 'unknown' };

const API_PATHS = apiPaths();

export { familyOfApi } from './clientModel';

/** Instances imported from these packages are other vendors' clients (used only when no constructor is visible). */
const KNOWN_FOREIGN_PACKAGES = new Set([
	'together-ai', 'groq-sdk', '@mistralai/mistralai', 'cohere-ai', '@google/genai', '@google/generative-ai',
	'fireworks-ai', 'portkey-ai', 'ollama', '@huggingface/inference', 'replicate', '@cerebras/cerebras_cloud_sdk',
	'@aws-sdk/client-bedrock-runtime', '@azure-rest/ai-inference', 'deepseek',
]);

/**
 * Finds SDK-shaped calls. The prefilter regex gives candidate positions; from each, the tree is
 * descended iteratively (no recursion, so deep nesting is harmless) to the method-name identifier.
 * A match inside a comment or string never reaches an identifier, so it is dropped for free.
 */
export function findCandidates(file: FileCtx): Candidate[] {
	const out: Candidate[] = [];
	const text = file.sf.text;
	const re = new RegExp(CALL_SHAPE.source, 'g');
	for (let m = re.exec(text); m; m = re.exec(text)) {
		const method = m[1] ?? '';
		const pos = m.index + m[0].length - method.length;
		const found = descend(file, pos);
		if (!found) continue;
		const { path, scope } = found;
		const id = path[path.length - 1];
		const access = path[path.length - 2];
		const call = path[path.length - 3];
		if (!id || !access || !call || !isIdentifier(id) || !isPropertyAccessExpression(access) || access.name !== id) continue;
		if (!isCallExpression(call) || call.expression !== access) continue;
		const matched = matchApi(access);
		if (matched) out.push({ call, callee: access, api: matched.api, receiver: matched.receiver, scope });
	}
	return out;
}

function descend(file: FileCtx, pos: number): { path: ts.Node[]; scope: Scope } | undefined {
	const sf = file.sf;
	const path: ts.Node[] = [sf];
	let scope = file.root;
	let node: ts.Node = sf;
	for (;;) {
		let next: ts.Node | undefined;
		forEachChild(node, (child) => {
			if (child.pos <= pos && pos < child.end) {
				next = child;
				return true;
			}
			return undefined;
		});
		if (!next) break;
		node = next;
		path.push(node);
		if (isScopeNode(node)) scope = { node, parent: scope, file };
	}
	if (!isIdentifier(node) || node.getStart(sf) !== pos) return undefined;
	return { path, scope };
}

function matchApi(callee: ts.PropertyAccessExpression): { api: Api; receiver: ts.Expression } | undefined {
	const chain: ts.PropertyAccessExpression[] = [];
	let e: ts.Expression = callee;
	while (isPropertyAccessExpression(e)) {
		chain.unshift(e);
		e = e.expression;
	}
	const matched = matchApiPath(API_PATHS, chain.map((p) => p.name.text));
	if (!matched) return undefined;
	let receiver = chain[matched.offset]!.expression;
	// `client.beta.messages.batches.create`: the beta namespace belongs to the same client.
	if (isPropertyAccessExpression(receiver) && receiver.name.text === 'beta') receiver = receiver.expression;
	// OpenAI Assistants (`beta.threads.messages.create`) share the `messages.create` suffix.
	if (isPropertyAccessExpression(receiver) && receiver.name.text === 'threads') return undefined;
	return { api: matched.api, receiver };
}

/** Follows the receiver to the constructor, import or type that made it. */
export function traceClient(ctx: AnalysisCtx, expr: ts.Expression, env: Env, depth = 0): ClientTrace {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return UNKNOWN;
	let e = unwrap(expr);
	if (isAwaitExpression(e)) e = unwrap(e.expression);
	if (isNewExpression(e)) {
		const cls = classifyClass(ctx, e.expression, env, depth + 1);
		if (cls.kind === 'sdk') return sdkTrace(ctx, cls.family, cls.azure, e.arguments?.[0], env, 'constructor');
		return cls.kind === 'foreign' ? cls : UNKNOWN;
	}
	if (isIdentifier(e)) {
		const t = derefIdentifier(ctx, e, env);
		if (!t) return UNKNOWN;
		switch (t.kind) {
			case 'expr': {
				const r = traceClient(ctx, t.node, t.env, depth + 1);
				return r.kind === 'unknown' && t.type ? traceType(ctx, t.type, t.env, depth + 1) : r;
			}
			case 'typed':
				return traceType(ctx, t.type, t.env, depth + 1);
			case 'param': {
				const r = t.init ? traceClient(ctx, t.init, t.env, depth + 1) : UNKNOWN;
				return r.kind === 'unknown' && t.type ? traceType(ctx, t.type, t.env, depth + 1) : r;
			}
			case 'package':
				return KNOWN_FOREIGN_PACKAGES.has(t.module) ? { kind: 'foreign', module: t.module } : UNKNOWN;
			default:
				return UNKNOWN;
		}
	}
	if (isPropertyAccessExpression(e)) {
		if (e.expression.kind === SyntaxKind.ThisKeyword) {
			const cls = enclosingClass(env.scope);
			return cls ? traceThisMember(ctx, cls, e.name.text, env, depth + 1) : UNKNOWN;
		}
		const t = resolveMember(ctx, e, env, depth + 1);
		if (t?.kind === 'expr') return traceClient(ctx, t.node, t.env, depth + 1);
		if (t?.kind === 'package') return KNOWN_FOREIGN_PACKAGES.has(t.module) ? { kind: 'foreign', module: t.module } : UNKNOWN;
		const base = traceClient(ctx, e.expression, env, depth + 1);
		return base.kind === 'sdk' || base.kind === 'foreign' ? { kind: 'subresource' } : UNKNOWN;
	}
	if (isCallExpression(e)) {
		// Wrappers such as `wrapOpenAI(new OpenAI())` or `client.withOptions({...})` keep the client's identity.
		for (const arg of e.arguments) {
			const r = traceClient(ctx, arg, env, depth + 1);
			if (r.kind === 'sdk') return r;
		}
		const callee = unwrap(e.expression);
		if (isPropertyAccessExpression(callee) && callee.name.text === 'withOptions') return traceClient(ctx, callee.expression, env, depth + 1);
	}
	return UNKNOWN;
}

/** `this.name` inside a class: a field initialiser, a constructor parameter property, or `this.name = …` in a method body. */
function traceThisMember(ctx: AnalysisCtx, classScope: Scope, name: string, env: Env, depth: number): ClientTrace {
	const cls = classScope.node as ts.ClassLikeDeclaration;
	const at = (scope: Scope): Env => ({ scope, anchor: env.anchor, hops: env.hops });
	let typed: ClientTrace | undefined;
	for (const member of cls.members) {
		if (isPropertyDeclaration(member) && propertyNameText(member.name) === name) {
			if (member.initializer) {
				const r = traceClient(ctx, member.initializer, at(classScope), depth + 1);
				if (r.kind !== 'unknown') return r;
			}
			if (member.type) typed ??= traceType(ctx, member.type, at(classScope), depth + 1);
			continue;
		}
		if (!(isConstructorDeclaration(member) || isMethodDeclaration(member)) || !member.body) continue;
		const fnScope: Scope = { node: member, parent: classScope, file: classScope.file };
		if (isConstructorDeclaration(member)) {
			for (const p of member.parameters) {
				if (!isIdentifier(p.name) || p.name.text !== name || !getModifiers(p)?.length) continue;
				const r = p.initializer ? traceClient(ctx, p.initializer, at(fnScope), depth + 1) : UNKNOWN;
				if (r.kind !== 'unknown') return r;
				if (p.type) typed ??= traceType(ctx, p.type, at(fnScope), depth + 1);
			}
		}
		const bodyScope: Scope = { node: member.body, parent: fnScope, file: classScope.file };
		for (const st of member.body.statements) {
			if (!isExpressionStatement(st) || !isBinaryExpression(st.expression) || st.expression.operatorToken.kind !== SyntaxKind.EqualsToken) continue;
			const left = unwrap(st.expression.left);
			if (!isPropertyAccessExpression(left) || left.expression.kind !== SyntaxKind.ThisKeyword || left.name.text !== name) continue;
			const r = traceClient(ctx, st.expression.right, at(bodyScope), depth + 1);
			if (r.kind !== 'unknown') return r;
		}
	}
	return typed ?? UNKNOWN;
}

/** A type annotation naming an SDK class (`client: Anthropic`, `private openai: OpenAI`). */
function traceType(ctx: AnalysisCtx, type: ts.TypeNode, env: Env, depth: number): ClientTrace {
	if (!isTypeReferenceNode(type)) return UNKNOWN;
	const name = type.typeName;
	let cls: ClassKind;
	if (isIdentifier(name)) cls = classifyClass(ctx, name, env, depth + 1);
	else {
		const left = name.left;
		if (!isIdentifier(left)) return UNKNOWN;
		const t = derefIdentifier(ctx, left, env);
		cls = t?.kind === 'package' ? classifyPackage(t.module, name.right.text) : { kind: 'unknown' };
	}
	if (cls.kind === 'sdk') return { kind: 'sdk', family: cls.family, provider: cls.family, evidence: 'import' };
	return cls.kind === 'foreign' ? cls : UNKNOWN;
}

type ClassKind = { kind: 'sdk'; family: Family; azure: boolean } | { kind: 'foreign'; module: string } | { kind: 'unknown' };

function classifyClass(ctx: AnalysisCtx, expr: ts.Expression, env: Env, depth: number): ClassKind {
	if (depth > MAX_EXPR_DEPTH) return { kind: 'unknown' };
	const e = unwrap(expr);
	const req = requireOf(e);
	if (req) return classifyPackage(req.module, req.member);
	const t = isIdentifier(e) ? derefIdentifier(ctx, e, env) : isPropertyAccessExpression(e) ? resolveMember(ctx, e, env, depth + 1) : undefined;
	if (t?.kind === 'package') return classifyPackage(t.module, t.member);
	if (t?.kind === 'expr') return classifyClass(ctx, t.node, t.env, depth + 1);
	return { kind: 'unknown' };
}

/** Path aliases (`@/lib/ai`, `~/ai`, `#ai`) look like packages but are the project's own modules. */
function looksLikeLocalAlias(module: string): boolean {
	return module.startsWith('@/') || module.startsWith('~/') || module.startsWith('#') || module.startsWith('$') || module.startsWith('src/') || module.startsWith('/') || module.startsWith('node:');
}

function classifyPackage(module: string, member: string): ClassKind {
	if (module === '@anthropic-ai/sdk' || module.startsWith('@anthropic-ai/sdk/') || module === '@anthropic-ai/bedrock-sdk' || module === '@anthropic-ai/vertex-sdk') {
		return { kind: 'sdk', family: 'anthropic', azure: false };
	}
	if (module === 'openai' || module.startsWith('openai/')) return { kind: 'sdk', family: 'openai', azure: member === 'AzureOpenAI' };
	if (looksLikeLocalAlias(module)) return { kind: 'unknown' };
	return { kind: 'foreign', module };
}

/** Provider of a client built with `new X(options)` (see `sdkClient`). */
function sdkTrace(ctx: AnalysisCtx, family: Family, azure: boolean, options: ts.Expression | undefined, env: Env, evidence: 'import' | 'constructor'): ClientTrace {
	const view = options ? resolveObject(ctx, options, env) : undefined;
	const urlRef = view?.props.get('baseURL');
	const url = urlRef ? resolveString(ctx, urlRef.node, urlRef.env) : undefined;
	return sdkClient(family, azure, urlRef !== undefined, url, evidence);
}
