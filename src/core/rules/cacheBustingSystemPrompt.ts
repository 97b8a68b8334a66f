import * as ts from 'typescript';
import { type Env, type FileCtx, type Scope, bindingsOf, derefIdentifier, isRelative, lookup, unwrap } from '../analysis/context';
import { type Ref, resolveArray, resolveMember, resolveObject, resolveString, resolveText } from '../analysis/resolve';
import { ruleLink } from './shapes';
import type { CallSite, PromptSegment, ResolvedText, Span } from '../analysis/types';
import { formatTokens } from '../pricing/format';
import type { Finding, Fix, Rule, RuleContext, RuleInputs, TextEdit } from './types';
import { type RuleAnalysis, formatMonthly, isPrefixRole, perMonth, reestimate, ruleAnalysis, segmentTokens, shortText, spanOf, spanWithin } from './util';

const {
	SyntaxKind, forEachChild, isArrowFunction, isAwaitExpression, isBinaryExpression, isBlock, isCallExpression, isConditionalExpression,
	isElementAccessExpression, isFunctionDeclaration, isFunctionExpression, isIdentifier, isNewExpression, isNoSubstitutionTemplateLiteral,
	isNumericLiteral, isObjectLiteralExpression, isArrayLiteralExpression, isPropertyAccessExpression, isPropertyAssignment, isReturnStatement,
	isShorthandPropertyAssignment, isSourceFile, isSpreadAssignment, isStringLiteralLike, isTaggedTemplateExpression, isTemplateExpression,
	isVariableStatement, isExportAssignment, isFunctionLike,
} = ts;

/** What kind of per-call value reaches the prefix. */
export type DynamicKind = 'timestamp' | 'clock' | 'random' | 'id' | 'rag';

/** The shape of a timestamp value at the interpolation, for the reduce-to-date fix. */
type TimeForm = 'date' | 'iso' | 'ms' | 'locale' | 'other';

/** Where a value enters prompt text in the analysed file: a `${…}` (with its template) or a `+` operand / whole value. */
interface Site {
	readonly expr: ts.Expression;
	readonly template: ts.TemplateExpression | undefined;
}

/** A per-call value found in the prefix, in any language: `S` is where it enters the text, `F` the shape of a time value. */
export interface PrefixHit<S, F> {
	readonly kind: DynamicKind;
	/** The per-call value as written (`new Date().toISOString()`, `datetime.now()`, `requestId`). */
	readonly label: string;
	/** Where the squiggle goes (in the analysed file). */
	readonly span: Span;
	readonly site: S | undefined;
	/** Only names were followed from the site to the value, so the site's text IS the value. */
	readonly direct: boolean;
	readonly form: F | undefined;
}

type Hit = PrefixHit<Site, TimeForm>;

/** Names of per-request identifiers (`requestId`, `session_id`, `traceId`, `userId`, `correlationId`…). */
export const ID_NAME = /^(?:req|request|session|user|trace|span|correlation|conversation|thread|chat|run|customer|tenant|account|message|msg|idempotency)_?(?:id|uuid|key)$/i;
/** Owners whose `.id` is per request (`req.id`, `request.id`, `ctx.session.id`, `user.id`). */
export const ID_OWNER = /^(?:req|request|session|user|trace|span|conversation|thread|event|evt|ctx|context|customer|account)$/i;
/** Names of retrieved per-request text (RAG). */
export const RAG_NAME = /(?:^|[a-z_])(?:context|contexts|docs?|documents?|chunks?|passages?|retrieved|retrieval|snippets?|sources?|knowledge|rag|hits|search[A-Za-z]*|results?|articles?|excerpts?)$/i;

const RANDOM_CALLS = new Set(['Math.random', 'crypto.randomUUID', 'randomUUID', 'globalThis.crypto.randomUUID', 'uuid', 'uuidv4', 'uuidV4', 'v4', 'v7', 'uuidv7', 'nanoid', 'cuid', 'cuid2', 'createId', 'ulid', 'crypto.randomBytes', 'randomBytes', 'crypto.randomInt', 'randomInt']);
const CLOCK_CALLS = new Set(['performance.now', 'process.hrtime', 'process.hrtime.bigint', 'process.uptime']);
/** Date methods whose result changes within a day (seconds, milliseconds). */
const TIME_METHODS: ReadonlyMap<string, TimeForm> = new Map<string, TimeForm>([
	['toISOString', 'iso'], ['toJSON', 'iso'], ['getTime', 'ms'], ['valueOf', 'ms'], ['toLocaleString', 'locale'],
	...['toLocaleTimeString', 'toUTCString', 'toString', 'toTimeString', 'getHours', 'getMinutes', 'getSeconds', 'getMilliseconds', 'getUTCHours', 'getUTCMinutes', 'getUTCSeconds']
		.map((m): [string, TimeForm] => [m, 'other']),
]);
/** Date methods whose result changes at most once a day: not worth a finding. */
const DAY_METHODS = new Set(['toLocaleDateString', 'toDateString', 'getDate', 'getDay', 'getMonth', 'getFullYear', 'getYear', 'getUTCDate', 'getUTCDay', 'getUTCMonth', 'getUTCFullYear']);
/** Methods that carry their receiver's value into their result. */
const PASS_THROUGH = new Set(['trim', 'trimStart', 'trimEnd', 'toUpperCase', 'toLowerCase', 'toString', 'padStart', 'padEnd', 'replace', 'replaceAll', 'concat', 'join', 'slice', 'substring', 'substr', 'repeat', 'normalize', 'at', 'map', 'filter']);
/** Global functions that carry their arguments' value into their result. */
const PASS_ARGS = new Set(['String', 'JSON.stringify', 'encodeURIComponent', 'encodeURI', 'Number', 'dedent', 'outdent']);

const MAX_DEPTH = 40;
/** A RAG hole counts when at least this much static instruction text follows it in the same template. */
export const RAG_MIN_TRAILING_CHARS = 200;

/** APIs whose request has no cacheable prefix to bust (counting, embeddings, batch submission). */
export const NOT_BUSTING_APIS = new Set(['messages.countTokens', 'embeddings.create', 'batches.create', 'messages.batches.create']);

/**
 * `cache-busting-system-prompt`: a value that changes on every call (a timestamp, a random id, a
 * request/session/user id, retrieved text placed before the instructions) flows into the cacheable
 * prefix — Anthropic `system`/tools, an OpenAI system/developer message or `instructions`, or the
 * messages before the last user turn — so the prefix never matches the cache.
 *
 * Data flow is followed from each prefix field through function-local `const`/`let` initialisers,
 * template literals, `+`, pass-through calls (`String`, `.trim()`, `.join()`), helper functions in
 * this file or in an imported relative module that return the text, and imported constants. A
 * module-level binding (a constant, an env var read once) is stable per process: not a finding.
 * The squiggle is on the interpolation in this file the value enters through.
 *
 * Cost: the call's own fields and the bindings they name; no full-tree walk.
 */
export const cacheBustingSystemPrompt: Rule = {
	id: 'cache-busting-system-prompt',
	check(context) {
		const findings: Finding[] = [];
		const seen = new Set<string>();
		context.callSites.forEach((site, index) => {
			if (NOT_BUSTING_APIS.has(site.api)) return;
			const call = context.calls[index];
			const arg = call?.arguments[0];
			if (!call || !arg) return;
			const analysis = ruleAnalysis(context);
			const env = analysis.envAt(call);
			const view = resolveObject(analysis.ctx, arg, env);
			if (!view) return;
			const prefix = prefixRefs(analysis, site, view.props);
			if (prefix.refs.length === 0) return;
			const walker = new Walker(analysis, context.sourceFile);
			const hits: { hit: Hit; part: PrefixRef }[] = [];
			const helperTexts: { span: Span; text: ResolvedText }[] = [];
			for (const part of prefix.refs) {
				const helper = walker.helperText(part.ref.node, part.ref.env);
				if (helper) helperTexts.push({ span: spanOf(part.ref.node, part.ref.env.scope.file.sf), text: helper });
				const before = walker.hits.length;
				const inMain = isMain(part.ref.env);
				walker.walk(part.ref.node, part.ref.env, inMain ? { expr: unwrap(part.ref.node), template: undefined } : undefined, true, 0);
				walker.rag(part.ref.node, part.ref.env);
				for (const hit of walker.hits.slice(before)) hits.push({ hit, part });
			}
			const unique = unseenHits(hits, seen);
			if (unique.length === 0) return;
			const impact = lostSaving(context, site, index, unique.map((u) => u.part), helperTexts);
			unique.forEach(({ hit, part }, i) => {
				findings.push(toFinding(context, index, hit, part, prefix.user, impact, i === 0, unique.length));
			});
		});
		return findings;
	},
};

// ---------------------------------------------------------------------------------------------
// The prefix of one call

/** The hits whose span no earlier call of the file reported (`seen` holds `start:end` keys and is updated): one finding per place. */
export function unseenHits<H extends { readonly hit: { readonly span: Span } }>(hits: readonly H[], seen: Set<string>): H[] {
	return hits.filter(({ hit }) => {
		const key = `${hit.span.start}:${hit.span.end}`;
		if (seen.has(key)) return false;
		seen.add(key);
		return true;
	});
}

/** One part of the cacheable prefix, in any language (`R`: the resolver's reference to its value). */
export interface PrefixPart<R> {
	readonly ref: R;
	/** How the message names it: `system prompt`, `tool definitions`, `instructions`, `system message`, `few-shot examples`. */
	readonly name: string;
}

/** The cacheable prefix of one call, as `cacheablePrefix` splits it. */
export interface CallPrefix<R> {
	readonly refs: PrefixPart<R>[];
	/** The last user message's content, for the move-to-user fix. */
	readonly user: R | undefined;
}

type PrefixRef = PrefixPart<Ref>;
type Prefix = CallPrefix<Ref>;

function prefixRefs(analysis: RuleAnalysis, site: CallSite, props: ReadonlyMap<string, Ref>): Prefix {
	const { ctx } = analysis;
	const refs: PrefixRef[] = [];
	const user = cacheablePrefix<Ref>(site, {
		field: (name) => props.get(name),
		elements: (list) => resolveArray(ctx, list.node, list.env)?.map((item) => (item.kind === 'unknown' ? undefined : item.ref)),
		message(item) {
			const view = resolveObject(ctx, item.node, item.env);
			const roleRef = view?.props.get('role');
			return view ? { role: roleRef ? resolveString(ctx, roleRef.node, roleRef.env) : undefined, content: view.props.get('content') } : undefined;
		},
	}, (ref, name) => refs.push({ ref, name }));
	return { refs, user };
}

/** How a language's resolver reads the request for `cacheablePrefix`; `R` is its reference to a value. */
export interface PrefixReader<R> {
	/** A field of the request (`system`, `tools`, `messages`…). */
	field(name: string): R | undefined;
	/** The elements of a list value (undefined: not a list it can read; an undefined element: one it cannot). */
	elements(list: R): readonly (R | undefined)[] | undefined;
	/** A message dict/object: its role (when a known string) and content; undefined when it cannot read it. */
	message(item: R): { readonly role: string | undefined; readonly content: R | undefined } | undefined;
}

/**
 * The cacheable prefix of a request, in any language: the tools, the Anthropic `system`, the
 * Responses `instructions`, the system/developer messages and the messages before the last user turn
 * (the few-shot examples), each given to `push` with the name the message uses. Returns the last user
 * turn's content, for the move-to-user fix. Shared with the Python twin.
 */
export function cacheablePrefix<R>(site: CallSite, reader: PrefixReader<R>, push: (ref: R, name: string) => void): R | undefined {
	const pushField = (name: string, label: string): void => {
		const ref = reader.field(name);
		if (ref !== undefined) push(ref, label);
	};
	pushField('tools', 'tool definitions');
	if (site.provider === 'anthropic') pushField('system', 'system prompt');
	if (site.api.startsWith('responses.')) pushField('instructions', 'instructions');
	const list = reader.field('messages') ?? (site.api.startsWith('responses.') ? reader.field('input') : undefined);
	const items = list !== undefined ? reader.elements(list) : undefined;
	if (!items) return undefined;
	// An element that cannot be read may be the user turn: it moves the pivot like one.
	const messages = items.map((item) => (item === undefined ? undefined : reader.message(item)));
	let pivot = -1;
	messages.forEach((m, i) => { if (!m || m.role === 'user') pivot = i; });
	let user: R | undefined;
	messages.forEach((m, i) => {
		if (m?.content === undefined) return;
		if (i === pivot) user = m.content;
		else if (m.role === 'system' || m.role === 'developer') push(m.content, `${m.role} message`);
		else if (i < pivot) push(m.content, 'few-shot examples');
	});
	return user;
}

function isMain(env: Env): boolean {
	return env.scope.file.isMain && env.anchor === undefined;
}

// ---------------------------------------------------------------------------------------------
// Data flow

class Walker {
	readonly hits: Hit[] = [];
	private readonly active = new Set<ts.Node>();

	constructor(
		private readonly analysis: RuleAnalysis,
		private readonly sf: ts.SourceFile,
	) {}

	private squiggle(node: ts.Node, env: Env, site: Site | undefined): Span {
		if (site) return spanOf(site.expr, this.sf);
		return env.anchor ?? spanOf(node, env.scope.file.sf);
	}

	private add(kind: DynamicKind, node: ts.Node, env: Env, site: Site | undefined, direct: boolean, form?: TimeForm): void {
		this.hits.push({ kind, label: shortText(node, env.scope.file.sf), span: this.squiggle(node, env, site), site, direct, form });
	}

	/** Finds per-call values in `expr` (evaluated in `env`). `site`: the innermost interpolation in the analysed file. */
	walk(expr: ts.Expression, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		if (depth > MAX_DEPTH || !this.analysis.ctx.tick()) return;
		let e = unwrap(expr);
		if (isAwaitExpression(e)) e = unwrap(e.expression);
		if (this.active.has(e)) return;
		this.active.add(e);
		try {
			this.walkInner(e, env, site, direct, depth);
		} finally {
			this.active.delete(e);
		}
	}

	private walkInner(e: ts.Expression, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		const inMain = isMain(env);
		const sf = env.scope.file.sf;
		if (isStringLiteralLike(e) || isNumericLiteral(e)) return;
		if (isTemplateExpression(e)) {
			for (const span of e.templateSpans) this.walk(span.expression, env, inMain ? { expr: unwrap(span.expression), template: e } : site, true, depth + 1);
			return;
		}
		if (isTaggedTemplateExpression(e)) {
			if (isTemplateExpression(e.template)) this.walk(e.template, env, site, false, depth + 1);
			return;
		}
		if (isBinaryExpression(e)) {
			const op = e.operatorToken.kind;
			if (op === SyntaxKind.PlusToken) {
				for (const side of [e.left, e.right]) this.walk(side, env, inMain ? { expr: unwrap(side), template: undefined } : site, true, depth + 1);
			} else if (op === SyntaxKind.QuestionQuestionToken || op === SyntaxKind.BarBarToken || op === SyntaxKind.AmpersandAmpersandToken) {
				this.walk(e.left, env, site, false, depth + 1);
				this.walk(e.right, env, site, false, depth + 1);
			}
			return;
		}
		if (isConditionalExpression(e)) {
			this.walk(e.whenTrue, env, site, false, depth + 1);
			this.walk(e.whenFalse, env, site, false, depth + 1);
			return;
		}
		if (isArrayLiteralExpression(e)) {
			for (const el of e.elements) this.walk(ts.isSpreadElement(el) ? el.expression : el, env, site, false, depth + 1);
			return;
		}
		if (isObjectLiteralExpression(e)) {
			for (const p of e.properties) {
				if (isPropertyAssignment(p)) this.walk(p.initializer, env, site, false, depth + 1);
				else if (isShorthandPropertyAssignment(p)) this.walk(p.name, env, site, false, depth + 1);
				else if (isSpreadAssignment(p)) this.walk(p.expression, env, site, false, depth + 1);
			}
			return;
		}
		if (isNewExpression(e)) {
			if (e.expression.getText(sf) !== 'Date') return;
			const args = e.arguments ?? [];
			if (args.length === 0) return this.add('timestamp', e, env, site, direct, 'date');
			// `new Date(x)`: per call only if `x` is.
			const before = this.hits.length;
			for (const a of args) this.walk(a, env, site, false, depth + 1);
			if (this.hits.length > before) {
				this.hits.length = before;
				this.add('timestamp', e, env, site, direct, 'date');
			}
			return;
		}
		if (isIdentifier(e)) return this.identifier(e, env, site, direct, depth);
		if (isPropertyAccessExpression(e)) return this.member(e, env, site, direct, depth);
		if (isElementAccessExpression(e)) {
			// `iso.split('T')[0]` is the date: changes once a day.
			const obj = unwrap(e.expression);
			if (isCallExpression(obj) && isPropertyAccessExpression(obj.expression) && obj.expression.name.text === 'split' && e.argumentExpression.getText(sf) === '0') {
				const before = this.hits.length;
				this.walk(obj.expression.expression, env, site, false, depth + 1);
				if (this.hits.slice(before).every((h) => h.form === 'iso')) this.hits.length = before;
				return;
			}
			this.walk(e.expression, env, site, false, depth + 1);
			return;
		}
		if (isCallExpression(e)) return this.call(e, env, site, direct, depth);
	}

	private identifier(id: ts.Identifier, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		if (id.text === 'undefined') return;
		const { ctx } = this.analysis;
		const t = derefIdentifier(ctx, id, env);
		if (!t) return;
		if (t.kind === 'param') {
			if (ID_NAME.test(id.text)) this.add('id', id, env, site, direct);
			return;
		}
		if (t.kind !== 'expr') return;
		// Module-level values (constants, env vars read once, imported constants) are stable per process.
		if (isSourceFile(t.env.scope.node)) return;
		const before = this.hits.length;
		this.walk(t.node, t.env, site, direct, depth + 1);
		if (this.hits.length === before && ID_NAME.test(id.text) && resolveText(ctx, t.node, t.env).holes > 0) this.add('id', id, env, site, direct);
	}

	private member(e: ts.PropertyAccessExpression, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		const sf = env.scope.file.sf;
		const text = e.getText(sf);
		if (/^(?:process\.env|import\.meta\.env)\b/.test(text)) return;
		const name = e.name.text;
		const owner = unwrap(e.expression);
		const ownerName = isIdentifier(owner) ? owner.text : isPropertyAccessExpression(owner) ? owner.name.text : undefined;
		if (ID_NAME.test(name) || (name === 'id' && ownerName !== undefined && ID_OWNER.test(ownerName))) {
			if (!this.moduleLevelOwner(owner, env)) this.add('id', e, env, site, direct);
			return;
		}
		const t = resolveMember(this.analysis.ctx, e, env, 0);
		if (t?.kind === 'expr' && !isSourceFile(t.env.scope.node) && !this.moduleLevelOwner(owner, env)) this.walk(t.node, t.env, site, direct, depth + 1);
	}

	/** `CONFIG.userId` on a module-level object is stable per process. */
	private moduleLevelOwner(owner: ts.Expression, env: Env): boolean {
		let root: ts.Expression = owner;
		while (isPropertyAccessExpression(root)) root = unwrap(root.expression);
		if (!isIdentifier(root)) return false;
		if (root.text === 'process') return true;
		const b = lookup(root.text, env.scope);
		return b !== undefined && b.kind !== 'param' && b.kind !== 'opaque' && isSourceFile(b.scope.node);
	}

	private call(e: ts.CallExpression, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		const sf = env.scope.file.sf;
		const callee = unwrap(e.expression);
		const calleeText = callee.getText(sf).replace(/\s+/g, '');
		if (calleeText === 'Date.now') return this.add('timestamp', e, env, site, direct, 'ms');
		if (RANDOM_CALLS.has(calleeText)) return this.add('random', e, env, site, direct);
		if (CLOCK_CALLS.has(calleeText)) return this.add('clock', e, env, site, direct);
		if (PASS_ARGS.has(calleeText)) {
			for (const a of e.arguments) this.walk(a, env, site, false, depth + 1);
			return;
		}
		if (isPropertyAccessExpression(callee)) {
			const method = callee.name.text;
			const receiver = callee.expression;
			if (DAY_METHODS.has(method)) return;
			const timeForm = TIME_METHODS.get(method);
			if (timeForm) {
				const before = this.hits.length;
				this.walk(receiver, env, site, false, depth + 1);
				const found = this.hits.slice(before);
				if (found.some((h) => h.kind === 'timestamp')) {
					this.hits.length = before;
					this.add('timestamp', e, env, site, direct, timeForm);
				}
				return;
			}
			if (method === 'slice' || method === 'substring' || method === 'substr') {
				const before = this.hits.length;
				this.walk(receiver, env, site, false, depth + 1);
				const [from, to] = e.arguments;
				const n = to && isNumericLiteral(to) ? Number(to.text) : undefined;
				// `iso.slice(0, 10)` is the date: changes once a day (what the reduce-to-date fix writes).
				if (from?.getText(sf) === '0' && n !== undefined && n <= 10 && this.hits.slice(before).every((h) => h.form === 'iso')) this.hits.length = before;
				return;
			}
			if (PASS_THROUGH.has(method)) {
				this.walk(receiver, env, site, false, depth + 1);
				if (method === 'concat' || method === 'replace' || method === 'replaceAll' || method === 'join') for (const a of e.arguments) this.walk(a, env, site, false, depth + 1);
				return;
			}
		}
		const fn = this.findFunction(callee, env);
		if (fn) this.walkFunction(fn.node, fn.env, site, depth);
	}

	/**
	 * The text a prefix field set to a helper call (`system: buildSystem()`) evaluates to, when the
	 * helper has one return: the analyser counts the call as a single hole, which would understate
	 * the prefix the dynamic value breaks.
	 */
	helperText(expr: ts.Expression, env: Env): ResolvedText | undefined {
		const e = unwrap(expr);
		if (!isCallExpression(e)) return undefined;
		const fn = this.findFunction(unwrap(e.expression), env);
		if (!fn?.node.body) return undefined;
		const returns: ts.Expression[] = [];
		if (isBlock(fn.node.body)) collectReturns(fn.node.body, returns);
		else returns.push(fn.node.body as ts.Expression);
		return returns.length === 1 ? resolveText(this.analysis.ctx, returns[0]!, fn.env) : undefined;
	}

	/** Walks every value `fn` can return. Sites inside a helper in this file are its own interpolations. */
	private walkFunction(fn: ts.FunctionLikeDeclaration, fnEnv: Env, site: Site | undefined, depth: number): void {
		if (this.active.has(fn)) return;
		this.active.add(fn);
		try {
			const inMain = isMain(fnEnv);
			const anchorSite = inMain ? undefined : site;
			const returns: ts.Expression[] = [];
			const body = fn.body;
			if (!body) return;
			if (!isBlock(body)) returns.push(body as ts.Expression);
			else collectReturns(body, returns);
			const before = this.hits.length;
			for (const r of returns) this.walk(r, fnEnv, inMain ? { expr: unwrap(r), template: undefined } : anchorSite, false, depth + 1);
			// A helper whose value is its whole return (`return new Date().toISOString()`) reports at the call.
			for (let i = before; i < this.hits.length; i++) {
				const h = this.hits[i]!;
				if (h.site && !h.site.template && returns.includes(h.site.expr) && site) this.hits[i] = { ...h, span: spanOf(site.expr, this.sf), site, direct: false };
			}
		} finally {
			this.active.delete(fn);
		}
	}

	/** The function a callee names: a local or module-level function / arrow in this file, or one exported by a relative import. */
	private findFunction(callee: ts.Expression, env: Env): { node: ts.FunctionLikeDeclaration; env: Env } | undefined {
		const { ctx } = this.analysis;
		if (isIdentifier(callee)) {
			const binding = lookup(callee.text, env.scope);
			if (!binding) return undefined;
			if (binding.kind === 'var') {
				const init = binding.init ? unwrap(binding.init) : undefined;
				if (init && (isArrowFunction(init) || isFunctionExpression(init))) return { node: init, env: this.analysis.envIn(binding.scope.file, init, env.anchor, env.hops) };
				return undefined;
			}
			if (binding.kind === 'opaque') {
				const decl = functionDeclIn(env.scope, callee.text);
				return decl ? { node: decl.node, env: this.analysis.envIn(decl.file, decl.node, env.anchor, env.hops) } : undefined;
			}
			if (binding.kind === 'import' && isRelative(binding.module) && binding.imported !== '*') {
				const file = ctx.loadModule(binding.scope.file.fileName, binding.module);
				const decl = file ? exportedFunction(file, binding.imported) : undefined;
				return decl && file ? { node: decl, env: this.analysis.envIn(file, decl, env.anchor ?? spanOf(callee, env.scope.file.sf), env.hops + 1) } : undefined;
			}
			return undefined;
		}
		if (isPropertyAccessExpression(callee) && isIdentifier(callee.expression)) {
			// `prompts.buildSystem()` with `import * as prompts from './prompts'`.
			const binding = lookup(callee.expression.text, env.scope);
			if (binding?.kind === 'import' && binding.imported === '*' && isRelative(binding.module)) {
				const file = ctx.loadModule(binding.scope.file.fileName, binding.module);
				const decl = file ? exportedFunction(file, callee.name.text) : undefined;
				return decl && file ? { node: decl, env: this.analysis.envIn(file, decl, env.anchor ?? spanOf(callee, env.scope.file.sf), env.hops + 1) } : undefined;
			}
		}
		return undefined;
	}

	/**
	 * Retrieved text placed BEFORE the stable instructions: the first interpolation of a prompt
	 * template is a per-request value (a parameter or an awaited local named like `context`/`docs`)
	 * and a long run of static text follows it, which can then never be cached either.
	 */
	rag(expr: ts.Expression, env: Env): void {
		const e = this.templateOf(expr, env);
		if (!e || !isMain(e.env)) return;
		const tpl = e.node;
		const first = tpl.templateSpans[0];
		if (!first || tpl.head.text.trim().length > 40) return;
		const trailing = tpl.templateSpans.reduce((n, s) => n + s.literal.text.length, 0);
		if (trailing < RAG_MIN_TRAILING_CHARS) return;
		const value = unwrap(first.expression);
		if (this.hits.some((h) => spanWithin(h.span, spanOf(value, this.sf)))) return;
		if (this.isRetrieved(value, e.env)) this.add('rag', value, e.env, { expr: value, template: tpl }, true);
	}

	private templateOf(expr: ts.Expression, env: Env): { node: ts.TemplateExpression; env: Env } | undefined {
		const e = unwrap(expr);
		if (isTemplateExpression(e)) return { node: e, env };
		if (isIdentifier(e)) {
			const t = derefIdentifier(this.analysis.ctx, e, env);
			if (t?.kind === 'expr' && !isSourceFile(t.env.scope.node) && isTemplateExpression(unwrap(t.node))) return { node: unwrap(t.node) as ts.TemplateExpression, env: t.env };
		}
		return undefined;
	}

	private isRetrieved(value: ts.Expression, env: Env): boolean {
		const name = isIdentifier(value) ? value.text : isPropertyAccessExpression(value) ? value.name.text : undefined;
		if (!name || !isIdentifier(value) && !isPropertyAccessExpression(value)) return false;
		const root = isIdentifier(value) ? value : undefined;
		if (root) {
			const t = derefIdentifier(this.analysis.ctx, root, env);
			if (t?.kind === 'expr') {
				if (isSourceFile(t.env.scope.node)) return false;
				const init = unwrap(t.node);
				if (isAwaitExpression(init)) return true;
				return RAG_NAME.test(name) && resolveText(this.analysis.ctx, t.node, t.env).holes > 0;
			}
			if (t?.kind === 'param') return RAG_NAME.test(name);
			return false;
		}
		return RAG_NAME.test(name) && !this.moduleLevelOwner(value, env);
	}
}

function collectReturns(node: ts.Node, out: ts.Expression[]): void {
	forEachChild(node, (child) => {
		if (isFunctionLike(child)) return;
		if (isReturnStatement(child)) {
			if (child.expression) out.push(child.expression);
			return;
		}
		collectReturns(child, out);
	});
}

/** A function declaration named `name` among the statements of the scopes enclosing `scope`. */
function functionDeclIn(scope: Scope, name: string): { node: ts.FunctionDeclaration; file: FileCtx } | undefined {
	for (let s: Scope | undefined = scope; s; s = s.parent) {
		if (!bindingsOf(s).has(name)) continue;
		const n = s.node;
		const statements = isSourceFile(n) || isBlock(n) || ts.isModuleBlock(n) ? n.statements : undefined;
		const decl = statements?.find((st): st is ts.FunctionDeclaration => isFunctionDeclaration(st) && st.name?.text === name && st.body !== undefined);
		return decl ? { node: decl, file: s.file } : undefined;
	}
	return undefined;
}

/** `export function name`, `export const name = () => …` or `export default function` of a module. */
function exportedFunction(file: FileCtx, name: string): ts.FunctionLikeDeclaration | undefined {
	for (const st of file.sf.statements) {
		if (isFunctionDeclaration(st) && st.body && (st.name?.text === name || (name === 'default' && hasDefault(st)))) return st;
		if (isVariableStatement(st)) {
			for (const d of st.declarationList.declarations) {
				if (isIdentifier(d.name) && d.name.text === name && d.initializer) {
					const init = unwrap(d.initializer);
					if (isArrowFunction(init) || isFunctionExpression(init)) return init;
				}
			}
		}
		if (isExportAssignment(st) && name === 'default') {
			const init = unwrap(st.expression);
			if (isArrowFunction(init) || isFunctionExpression(init)) return init;
		}
	}
	return undefined;
}

function hasDefault(st: ts.FunctionDeclaration): boolean {
	return ts.getModifiers(st)?.some((m) => m.kind === SyntaxKind.DefaultKeyword) ?? false;
}

// ---------------------------------------------------------------------------------------------
// Cost

export interface Impact {
	/** Monthly saving lost because the prefix never caches; undefined when unpriced. */
	readonly monthlyUsd: number | undefined;
	/** Tokens of the prefix the value sits in (tools + system + examples). */
	readonly prefixTokens: number;
	/** The prefix is below the model's minimum even once fixed: nothing to lose today. */
	readonly belowMinimum: number | undefined;
}

/**
 * Prices the loss: the call as it behaves now (Anthropic with a breakpoint: every call writes the
 * prefix and never reads it; OpenAI: the automatic prefix stops at the dynamic part) against the
 * same call with the dynamic parts moved to the user turn (holes moved, nothing else changed) and,
 * for Anthropic without a breakpoint, a breakpoint at the end of the prefix.
 */
function lostSaving(context: RuleContext, original: CallSite, index: number, parts: readonly PrefixRef[], helperTexts: readonly { span: Span; text: ResolvedText }[]): Impact {
	return lostSavingFor(context, original, index, parts.map((p) => spanOf(p.ref.node, p.ref.env.scope.file.sf)), helperTexts);
}

/**
 * The language-neutral pricing behind every cache-busting finding (TS and Python): `partSpans` are
 * the prefix fields the per-call values were found in (matched against the segments' spans),
 * `helperTexts` the text of helper calls the analyser counted as one hole.
 */
export function lostSavingFor(context: RuleInputs, original: CallSite, index: number, partSpans: readonly Span[], helperTexts: readonly { span: Span; text: ResolvedText }[]): Impact {
	let estimate = context.estimates[index];
	if (!estimate) return { monthlyUsd: undefined, prefixTokens: 0, belowMinimum: undefined };
	let site = original;
	if (helperTexts.length > 0) {
		// Price the prefix with the helper's text in place of the single hole the analyser saw.
		site = { ...site, segments: site.segments.map((s) => {
			const h = s.content && s.content.text === '' && s.content.holes === 1 ? helperTexts.find((t) => t.span.start === s.span.start && t.span.end === s.span.end) : undefined;
			return h && s.content ? { ...s, content: { ...s.content, text: h.text.text, holes: Math.max(1, h.text.holes) } } : s;
		}) };
		estimate = reestimate(context, site);
	}
	const tokens = segmentTokens(context, site, estimate);
	const prefixTokens = site.segments.reduce((n, s, i) => n + (isPrefixRole(s.role) ? tokens[i] ?? 0 : 0), 0);
	if (!estimate.priced) return { monthlyUsd: undefined, prefixTokens, belowMinimum: undefined };
	let moved = 0;
	const segments: PromptSegment[] = site.segments.map((s) => {
		if (!isPrefixRole(s.role) || !s.content || s.content.holes === 0) return s;
		const hits = partSpans.length - moved;
		if (hits <= 0) return s;
		const mine = partSpans.some((p) => spanWithin(s.span, p) || spanWithin(p, s.span)) ? Math.min(hits, s.content.holes) : 0;
		if (mine === 0) return s;
		moved += mine;
		return { ...s, content: { ...s.content, holes: s.content.holes - mine } };
	});
	if (moved === 0) {
		// The dynamic part came through a path the segments do not show (another file): move one hole from the first dynamic prefix segment.
		const i = segments.findIndex((s) => isPrefixRole(s.role) && s.content !== undefined && s.content.holes > 0);
		const s = segments[i];
		if (s?.content) {
			segments[i] = { ...s, content: { ...s.content, holes: s.content.holes - 1 } };
			moved = 1;
		}
	}
	const lastUser = segments.reduce((last, s, i) => (s.role === 'user' ? i : last), -1);
	const user = segments[lastUser];
	if (user?.content) segments[lastUser] = { ...user, content: { ...user.content, holes: user.content.holes + moved } };
	const marked = site.provider === 'anthropic' && estimate.price.caching.mode === 'marked';
	const hasBreakpoint = site.topLevelCacheControl || site.segments.some((s) => s.cacheControl);
	if (marked && !hasBreakpoint) {
		const lastPrefix = segments.reduce((last, s, i) => (isPrefixRole(s.role) ? i : last), -1);
		const p = segments[lastPrefix];
		if (p) segments[lastPrefix] = { ...p, cacheControl: { ttl: '5m' } };
	}
	const fixed = reestimate(context, { ...site, segments });
	if (!fixed.priced) return { monthlyUsd: undefined, prefixTokens, belowMinimum: undefined };
	// Anthropic with a breakpoint over the dynamic prefix: every call is a cold call (write, no read).
	const nowPerCall = marked && estimate.cache && estimate.cache.cacheableTokens > 0 ? estimate.cache.coldCallUsd : estimate.costUsd;
	const loss = perMonth(nowPerCall, context) - fixed.monthlyCostUsd;
	const minTokens = estimate.price.caching.mode === 'none' ? undefined : estimate.price.caching.minTokens;
	const belowMinimum = fixed.cacheableInputTokens === 0 && minTokens !== undefined ? minTokens : undefined;
	return { monthlyUsd: Math.max(0, loss), prefixTokens, belowMinimum };
}

// ---------------------------------------------------------------------------------------------
// Findings and fixes

const KIND_TEXT: Record<DynamicKind, string> = {
	timestamp: 'changes on every call',
	clock: 'changes on every call',
	random: 'is different on every call',
	id: 'differs per request',
	rag: 'is retrieved per request and sits before the instructions',
};

function toFinding(context: RuleContext, index: number, hit: Hit, part: PrefixRef, user: Ref | undefined, impact: Impact, first: boolean, count: number): Finding {
	const toDate = hit.kind === 'timestamp' ? reduceToDate(context, hit) : undefined;
	const move = moveToUser(context, index, hit, part, user);
	return bustingFinding({ index, kind: hit.kind, label: hit.label, span: hit.span, partName: part.name, impact, first, count, fixes: bustingFixes(hit.label, part.name, toDate, move) });
}

/** One cache-busting value as both languages report it. */
export interface BustingHit {
	readonly index: number;
	readonly kind: DynamicKind;
	/** The per-call value as written. */
	readonly label: string;
	readonly span: Span;
	/** `system prompt`, `tool definitions`, `instructions`, `system message`, `few-shot examples`. */
	readonly partName: string;
	readonly impact: Impact;
	/** The call's first finding carries the monthly impact and the "one of N" note. */
	readonly first: boolean;
	readonly count: number;
	readonly fixes: Fix[];
}

/** The finding (message, severity, impact) for one per-call value in a call's prefix; language neutral. */
export function bustingFinding(hit: BustingHit): Finding {
	const { impact, first, count } = hit;
	const tokens = formatTokens(impact.prefixTokens);
	let cost: string;
	if (impact.monthlyUsd === undefined) cost = `so the ${tokens}-token prefix is never read from the cache (unpriced model).`;
	else if (impact.belowMinimum !== undefined) cost = `so the ${tokens}-token prefix could never be cached; it is below the ${impact.belowMinimum.toLocaleString('en-US')}-token minimum today, so this costs nothing yet.`;
	else cost = `so the ${tokens}-token prefix is never read from the cache: ${formatMonthly(impact.monthlyUsd)} at the assumed traffic${first ? '' : ' (the same loss as the call\'s other dynamic part)'}.`;
	const others = count > 1 && first ? ` It is one of ${count} per-call values in this prefix; all must go for the cache to hit.` : '';
	const severity = impact.monthlyUsd !== undefined && impact.belowMinimum !== undefined ? 'info' : 'warning';
	return {
		ruleId: 'cache-busting-system-prompt',
		severity,
		message: `\`${hit.label}\` in the ${hit.partName} ${KIND_TEXT[hit.kind]}, ${cost}${others} See ${ruleLink('cache-busting-system-prompt')}`,
		span: hit.span,
		callSiteIndex: hit.index,
		...(first && impact.monthlyUsd !== undefined ? { monthlyImpactUsd: impact.monthlyUsd } : {}),
		fixes: hit.fixes,
	};
}

/** The two fixes both languages offer, with their titles and which one is preferred (reduce-to-date when there is one). */
export function bustingFixes(label: string, partName: string, toDate: TextEdit | undefined, move: readonly TextEdit[] | undefined): Fix[] {
	const fixes: Fix[] = [];
	if (toDate) fixes.push({ title: 'Reduce the timestamp to the date (changes once a day)', edits: [toDate], preferred: true });
	if (move) fixes.push({ title: `Move \`${label}\` out of the ${partName} into the user message`, edits: move, preferred: !toDate });
	return fixes;
}

/** `x` → `x.slice(0, 10)` (ISO string), `x.toISOString().slice(0, 10)` (Date), `new Date(x)…` (ms), `toLocaleDateString` (locale). */
function reduceToDate(context: RuleContext, hit: Hit): TextEdit | undefined {
	const site = hit.site;
	if (!site || !hit.direct || !hit.form) return undefined;
	const sf = context.sourceFile;
	const e = site.expr;
	const text = e.getText(sf);
	const simple = isIdentifier(e) || isPropertyAccessExpression(e) || isCallExpression(e) || isNewExpression(e) && e.arguments !== undefined;
	const operand = simple ? text : `(${text})`;
	const span = spanOf(e, sf);
	switch (hit.form) {
		case 'iso': return { span, newText: `${operand}.slice(0, 10)` };
		case 'date': return { span, newText: `${operand}.toISOString().slice(0, 10)` };
		case 'ms': return { span, newText: `new Date(${text}).toISOString().slice(0, 10)` };
		case 'locale': {
			if (!isCallExpression(e) || !isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'toLocaleString') return undefined;
			if (e.arguments.some((a) => /hour|minute|second|time/i.test(a.getText(sf)))) return undefined;
			return { span: spanOf(e.expression.name, sf), newText: 'toLocaleDateString' };
		}
		default: return undefined;
	}
}

/**
 * Moves the line of the system template holding the interpolation to the end of the last user
 * message, leaving every other byte of the system text as it was. Only when both are literals
 * written inside this call, the line holds nothing else dynamic, and the system keeps some text.
 */
function moveToUser(context: RuleContext, index: number, hit: Hit, part: PrefixRef, user: Ref | undefined): TextEdit[] | undefined {
	const call = context.calls[index];
	const site = hit.site;
	if (!call || !site?.template || !user || !isMain(user.env) || !isMain(part.ref.env)) return undefined;
	const sf = context.sourceFile;
	const text = context.text;
	const callSpan = spanOf(call, sf);
	const tpl = site.template;
	const tplSpan = spanOf(tpl, sf);
	// The template must be the prefix field's own value, written in the call.
	if (unwrap(part.ref.node) !== tpl || !spanWithin(tplSpan, callSpan)) return undefined;
	const userNode = unwrap(user.node);
	if (!(isStringLiteralLike(userNode) || isTemplateExpression(userNode)) || !spanWithin(spanOf(userNode, sf), callSpan)) return undefined;
	const exprStart = site.expr.getStart(sf);
	const open = text.lastIndexOf('${', exprStart);
	const close = text.indexOf('}', site.expr.getEnd());
	if (open < tplSpan.start || close < 0 || close >= tplSpan.end) return undefined;
	const nl = text.lastIndexOf('\n', open);
	const lineStart = nl >= tplSpan.start ? nl + 1 : tplSpan.start + 1;
	const nextNl = text.indexOf('\n', close);
	const lineEnd = nextNl !== -1 && nextNl < tplSpan.end ? nextNl : tplSpan.end - 1;
	const line = text.slice(lineStart, lineEnd);
	if ((line.match(/\$\{/g) ?? []).length !== 1 || line.includes('`')) return undefined;
	// Remove the line with one of its line breaks, so the rest of the text is byte-identical.
	let remove: Span;
	if (lineStart > tplSpan.start + 1) remove = { start: lineStart - 1, end: lineEnd };
	else if (lineEnd < tplSpan.end - 1) remove = { start: lineStart, end: lineEnd + 1 };
	else return undefined;
	const rest = text.slice(tplSpan.start + 1, remove.start) + text.slice(remove.end, tplSpan.end - 1);
	if (rest.replace(/\$\{[^}]*\}/g, '').trim().length === 0) return undefined;
	const moved = line.trim();
	const userSpan = spanOf(userNode, sf);
	let userEdit: TextEdit;
	if (isTemplateExpression(userNode) || isNoSubstitutionTemplateLiteral(userNode)) {
		userEdit = { span: { start: userSpan.end - 1, end: userSpan.end - 1 }, newText: `\\n\\n${moved}` };
	} else {
		const inner = text.slice(userSpan.start + 1, userSpan.end - 1);
		userEdit = { span: userSpan, newText: `\`${toTemplateRaw(inner)}\\n\\n${moved}\`` };
	}
	return [{ span: remove, newText: '' }, userEdit];
}

/** The raw body of a quoted string rewritten as a template body with the same value. */
function toTemplateRaw(raw: string): string {
	let out = '';
	for (let i = 0; i < raw.length; i++) {
		const c = raw[i]!;
		if (c === '\\') {
			out += c + (raw[i + 1] ?? '');
			i++;
		} else if (c === '`') out += '\\`';
		else if (c === '$' && raw[i + 1] === '{') out += '\\$';
		else out += c;
	}
	return out;
}
