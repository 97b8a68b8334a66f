import { type ClientTrace, type Family, apiPaths, matchApiPath, sdkClient } from '../../analysis/clientModel';
import type { Api } from '../../analysis/types';
import type { PyNode } from '../parser';
import { callArgumentsView, derefIdentifier, resolveMember, resolveString, textOf, unparen } from './resolve';
import { type Env, type PyCtx, type Scope, type Target, MAX_EXPR_DEPTH } from './scope';

// Finding SDK-shaped calls in a Python tree and tracing their receiver to the client that made it,
// mirroring the TypeScript analyser's `ClientTrace` (sdk / foreign / subresource / unknown).

/** A call whose callee ends in a known SDK method path; not yet attributed to a provider. */
export interface PyCandidate {
	readonly call: PyNode;
	readonly callee: PyNode;
	readonly api: Api;
	/** The client expression (`client`, `self.client`, `Anthropic()`), with a trailing `.beta` removed. */
	readonly receiver: PyNode;
	readonly scope: Scope;
}

/** The Python spelling of each API path (`messages.countTokens` is `messages.count_tokens`). */
const API_PATHS = apiPaths((api) => api.replace('countTokens', 'count_tokens'));

export { familyOfApi } from '../../analysis/clientModel';

/**
 * The SDK call shapes in Python source. Linear: fixed alternations around `\s*`; a `\` line
 * continuation between the names is allowed.
 */
export const PY_CALL_SHAPE = /\b(?:messages|completions|responses|embeddings|batches)\s*(?:\\\r?\n\s*)?\.\s*(?:\\\r?\n\s*)?(create|stream|parse|count_tokens)\b/g;

/** True when the text may contain an SDK call; false means there is certainly none to report. */
export function mayContainPythonCalls(text: string): boolean {
	PY_CALL_SHAPE.lastIndex = 0;
	const found = PY_CALL_SHAPE.test(text);
	PY_CALL_SHAPE.lastIndex = 0;
	return found;
}

/**
 * SDK-shaped calls: the prefilter regex gives candidate positions; the identifier at each one is
 * found with `descendantForIndex`, and it must be the attribute name of a call's callee. A match in
 * a comment or a string never lands on such an identifier, so it is dropped for free.
 */
export function findCandidates(ctx: PyCtx): PyCandidate[] {
	const out: PyCandidate[] = [];
	const file = ctx.main;
	const text = file.text;
	const re = new RegExp(PY_CALL_SHAPE.source, 'g');
	const seen = new Set<number>();
	for (let m = re.exec(text); m; m = re.exec(text)) {
		const method = m[1] ?? '';
		const pos = m.index + m[0].length - method.length;
		const id = file.root.descendantForIndex(pos, pos + method.length);
		if (!id || id.type !== 'identifier' || id.startIndex !== pos || id.endIndex !== pos + method.length) continue;
		const attr = id.parent;
		if (!attr || attr.type !== 'attribute' || attr.childForFieldName('attribute')?.startIndex !== pos) continue;
		const call = attr.parent;
		if (!call || call.type !== 'call' || call.childForFieldName('function')?.startIndex !== attr.startIndex) continue;
		if (seen.has(call.startIndex)) continue;
		seen.add(call.startIndex);
		const matched = matchApi(attr, file.text);
		if (matched) out.push({ call, callee: attr, api: matched.api, receiver: matched.receiver, scope: ctx.scopeAt(call, file) });
	}
	return out;
}

function attrName(attr: PyNode, text: string): string | undefined {
	const a = attr.childForFieldName('attribute');
	return a ? text.slice(a.startIndex, a.endIndex) : undefined;
}

function matchApi(callee: PyNode, text: string): { api: Api; receiver: PyNode } | undefined {
	const chain: PyNode[] = [];
	let e: PyNode = callee;
	while (e.type === 'attribute' && chain.length < 8) {
		chain.unshift(e);
		const o = e.childForFieldName('object');
		if (!o) return undefined;
		e = unparen(o);
	}
	const matched = matchApiPath(API_PATHS, chain.map((p) => attrName(p, text)));
	if (!matched) return undefined;
	let receiver = chain[matched.offset]!.childForFieldName('object');
	if (!receiver) return undefined;
	receiver = unparen(receiver);
	// `client.beta.messages.batches.create`: the beta namespace belongs to the same client.
	if (receiver.type === 'attribute' && attrName(receiver, text) === 'beta') receiver = unparen(receiver.childForFieldName('object') ?? receiver);
	// OpenAI Assistants (`beta.threads.messages.create`) share the `messages.create` suffix.
	if (receiver.type === 'attribute' && attrName(receiver, text) === 'threads') return undefined;
	return { api: matched.api, receiver };
}

const UNKNOWN: ClientTrace = { kind: 'unknown' };

/** Python packages whose clients have the same method names but are other vendors (never reported). */
const KNOWN_FOREIGN_PACKAGES = new Set([
	'together', 'groq', 'mistralai', 'cohere', 'fireworks', 'litellm', 'ollama', 'google', 'vertexai', 'replicate',
	'huggingface_hub', 'cerebras', 'portkey_ai', 'deepseek', 'boto3', 'zhipuai', 'dashscope', 'ai21', 'voyageai',
	'perplexity', 'xai_sdk', 'langchain', 'langchain_openai', 'langchain_anthropic', 'llama_index', 'azure', 'sambanova',
	'openrouter', 'writerai', 'anyscale', 'octoai', 'lamini', 'reka', 'nvidia', 'friendli', 'novita',
]);

function topPackage(module: string): string {
	return module.split('.')[0] ?? module;
}

type ClassKind = { kind: 'sdk'; family: Family; azure: boolean } | { kind: 'foreign'; module: string } | { kind: 'unknown' };

function classifyPackage(module: string, member: string): ClassKind {
	const top = topPackage(module);
	if (top === 'anthropic') return { kind: 'sdk', family: 'anthropic', azure: false };
	if (top === 'openai') return { kind: 'sdk', family: 'openai', azure: /Azure/.test(member) };
	if (module.startsWith('.')) return { kind: 'unknown' };
	// Python cannot tell a project module from a package by its name; only known vendors are foreign.
	return KNOWN_FOREIGN_PACKAGES.has(top) ? { kind: 'foreign', module } : { kind: 'unknown' };
}

/** Follows the receiver to the constructor, import or type annotation that made it. */
export function traceClient(ctx: PyCtx, node: PyNode, env: Env, depth = 0): ClientTrace {
	if (depth > MAX_EXPR_DEPTH || !ctx.tick()) return UNKNOWN;
	let e = unparen(node);
	if (e.type === 'await') e = unparen(e.namedChildren[0] ?? e);
	switch (e.type) {
		case 'call': {
			const fn = e.childForFieldName('function');
			if (!fn) return UNKNOWN;
			const cls = classifyClass(ctx, fn, env, depth + 1);
			if (cls.kind === 'sdk') return sdkTrace(ctx, cls.family, cls.azure, e, env, 'constructor');
			if (cls.kind === 'foreign') return cls;
			// Wrappers such as `instructor.from_openai(OpenAI())` or `client.with_options(...)` keep the client's identity.
			const args = e.childForFieldName('arguments');
			for (const a of args?.namedChildren ?? []) {
				if (!a || a.type === 'comment') continue;
				const v = a.type === 'keyword_argument' ? a.childForFieldName('value') : a;
				if (!v) continue;
				const r = traceClient(ctx, v, env, depth + 1);
				if (r.kind === 'sdk') return r;
			}
			const callee = unparen(fn);
			if (callee.type === 'attribute' && /^(with_options|with_raw_response|with_streaming_response|copy)$/.test(textOf(callee.childForFieldName('attribute') ?? callee, env))) {
				return traceClient(ctx, callee.childForFieldName('object') ?? callee, env, depth + 1);
			}
			return UNKNOWN;
		}
		case 'identifier':
			return traceTarget(ctx, derefIdentifier(ctx, e, env), depth);
		case 'attribute': {
			const t = resolveMember(ctx, e, env, depth + 1);
			const fromMember = t ? traceTarget(ctx, t, depth, true) : UNKNOWN;
			if (fromMember.kind !== 'unknown') return fromMember;
			const obj = e.childForFieldName('object');
			const o = obj ? unparen(obj) : undefined;
			// `self.client` assigned in a method of the class (`__init__` or any other).
			if (o?.type === 'identifier' && (textOf(o, env) === 'self' || textOf(o, env) === 'cls') && env.scope.classScope) {
				return traceSelfAssignments(ctx, env.scope.classScope, textOf(e.childForFieldName('attribute') ?? e, env), env, depth + 1);
			}
			if (t) return UNKNOWN;
			const base = obj ? traceClient(ctx, obj, env, depth + 1) : UNKNOWN;
			return base.kind === 'sdk' || base.kind === 'foreign' ? { kind: 'subresource' } : UNKNOWN;
		}
		default:
			return UNKNOWN;
	}
}

function traceTarget(ctx: PyCtx, t: Target | undefined, depth: number, member = false): ClientTrace {
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
		case 'package': {
			// `import openai; openai.chat.completions.create(...)`: the module has a default client.
			if (topPackage(t.module) === 'openai' && t.member === '*') return { kind: 'sdk', family: 'openai', provider: 'openai', evidence: 'import' };
			const cls = classifyPackage(t.module, t.member);
			if (cls.kind === 'foreign') return cls;
			return cls.kind === 'sdk' && member ? { kind: 'subresource' } : UNKNOWN;
		}
		default:
			return UNKNOWN;
	}
}

/** `self.name = …` in any method of the class (and `cls.name = …`). */
function traceSelfAssignments(ctx: PyCtx, classScope: Scope, name: string, env: Env, depth: number): ClientTrace {
	const key = `self:${classScope.key}:${name}`;
	const cached = ctx.memo.get(key) as ClientTrace | undefined;
	if (cached) return cached;
	ctx.memo.set(key, UNKNOWN);
	const body = classScope.node.childForFieldName('body');
	const file = classScope.file;
	const re = new RegExp(`\\b(?:self|cls)\\s*\\.\\s*${name.replace(/[^\w]/g, '')}\\s*(?::[^=\\n]*)?=(?!=)`, 'g');
	const text = file.text;
	let result: ClientTrace = UNKNOWN;
	let typed: ClientTrace | undefined;
	if (body) {
		re.lastIndex = body.startIndex;
		// A regex over the class's text finds the assignments; the tree is read only at those positions.
		for (let m = re.exec(text); m && m.index < body.endIndex; m = re.exec(text)) {
			const at = file.root.descendantForIndex(m.index, m.index + 4);
			let assign: PyNode | null = at;
			for (let i = 0; assign && i < 4 && assign.type !== 'assignment'; i++) assign = assign.parent;
			if (!assign || assign.type !== 'assignment') continue;
			const right = assign.childForFieldName('right');
			const type = assign.childForFieldName('type');
			const scope = ctx.scopeAt(assign, file);
			const aEnv: Env = { scope, anchor: env.anchor, hops: env.hops };
			const r = right ? traceClient(ctx, right, aEnv, depth + 1) : UNKNOWN;
			if (r.kind !== 'unknown') {
				result = r;
				break;
			}
			if (type) typed ??= traceType(ctx, type, aEnv, depth + 1);
		}
	}
	if (result.kind === 'unknown' && typed) result = typed;
	ctx.memo.set(key, result);
	return result;
}

/** A type annotation naming an SDK class: `Anthropic`, `anthropic.AsyncAnthropic`, `Optional[OpenAI]`, `OpenAI | None`, `"OpenAI"`. */
function traceType(ctx: PyCtx, type: PyNode, env: Env, depth: number): ClientTrace {
	if (depth > MAX_EXPR_DEPTH) return UNKNOWN;
	let t = unparen(type);
	if (t.type === 'type') t = unparen(t.namedChildren[0] ?? t);
	switch (t.type) {
		case 'identifier':
		case 'attribute': {
			const cls = classifyClass(ctx, t, env, depth + 1);
			if (cls.kind === 'sdk') return { kind: 'sdk', family: cls.family, provider: 'openai' === cls.family ? 'openai' : 'anthropic', evidence: 'import' };
			return cls.kind === 'foreign' ? cls : UNKNOWN;
		}
		case 'generic_type':
		case 'subscript':
		case 'binary_operator':
		case 'type_parameter': {
			// `Optional[X]`, `X | None`, `Union[X, None]`: the first SDK class named inside.
			for (const c of t.namedChildren) {
				if (!c || c.type === 'none') continue;
				const r = traceType(ctx, c, env, depth + 1);
				if (r.kind !== 'unknown') return r;
			}
			return UNKNOWN;
		}
		case 'string': {
			// A forward reference `"OpenAI"`, `"AsyncAnthropic | None"`: each dotted name is looked up.
			const text = resolveString(ctx, t, env);
			for (const name of text?.match(/[A-Za-z_][\w.]*/g) ?? []) {
				if (name === 'None' || name === 'Optional' || name === 'Union') continue;
				const binding = ctx.lookup(name.split('.')[0]!, env.scope);
				if (binding?.kind !== 'import') continue;
				const member = name.includes('.') ? name.split('.').slice(1).join('.') : binding.imported;
				const cls = classifyPackage(binding.module, member);
				if (cls.kind === 'sdk') return { kind: 'sdk', family: cls.family, provider: cls.family, evidence: 'import' };
				if (cls.kind === 'foreign') return cls;
			}
			return UNKNOWN;
		}
		default:
			return UNKNOWN;
	}
}

function classifyClass(ctx: PyCtx, node: PyNode, env: Env, depth: number): ClassKind {
	if (depth > MAX_EXPR_DEPTH) return { kind: 'unknown' };
	const e = unparen(node);
	const t = e.type === 'identifier' ? derefIdentifier(ctx, e, env) : e.type === 'attribute' ? resolveMember(ctx, e, env, depth + 1) : undefined;
	if (t?.kind === 'package') return classifyPackage(t.module, t.member);
	// `Client = Anthropic` aliases.
	if (t?.kind === 'expr' && t.isConst && t.node.type !== 'call') return classifyClass(ctx, t.node, t.env, depth + 1);
	return { kind: 'unknown' };
}

/** Provider of a client built with `X(**options)` (see `sdkClient`; `base_url=None` is the default URL). */
function sdkTrace(ctx: PyCtx, family: Family, azure: boolean, call: PyNode, env: Env, evidence: 'import' | 'constructor'): ClientTrace {
	const view = callArgumentsView(ctx, call, env, 0, false);
	const urlRef = view.props.get('base_url');
	const url = urlRef ? resolveString(ctx, urlRef.node, urlRef.env) : undefined;
	return sdkClient(family, azure, urlRef !== undefined && urlRef.node.type !== 'none', url, evidence);
}
