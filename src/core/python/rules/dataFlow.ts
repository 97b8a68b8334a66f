import { DEFAULT_MAX_BYTES } from '../../analysis/skip';
import type { ResolvedText, Span } from '../../analysis/types';
import { type DynamicKind, type PrefixHit, ID_NAME, ID_OWNER, RAG_MIN_TRAILING_CHARS, RAG_NAME } from '../../rules/cacheBustingSystemPrompt';
import type { PythonRuleContext } from '../../rules/types';
import { shortenSource, spanWithin } from '../../rules/util';
import { type Binding, type Env, MAX_EXPR_DEPTH, MAX_MODULE_HOPS, PyCtx, type PyFile, type Ref, type Scope } from '../analysis/scope';
import { resolveText } from '../analysis/resolve';
import type { PyNode } from '../parser';
import { dottedName, positionalArguments, pySpan, sameNode, stringPrefix, unparen } from '../syntax';
import { plainStringValue } from './edits';

// Data flow for the Python cache-busting rule: from a prefix field's value to the per-call values
// (`datetime.now()`, `uuid4()`, `request.id`…) it is built from. Followed through f-string holes,
// `.format(…)`, `%` formatting, `+`, locals of the enclosing function, helper functions of this file
// (and of an imported sibling module when a resolver is given), and pass-through calls (`str()`,
// `.strip()`, `textwrap.dedent()`). A module-level binding is evaluated once per process: stable.
// Names are looked up with the analyser's lazy scope tables (`analysis/scope.ts`); nothing walks the tree.

/** The shape of a time value where it enters the text, for the reduce-to-date fix. */
export type TimeForm = 'datetime' | 'iso' | 'epoch' | 'other';

/** Where a value enters prompt text in the analysed file: an f-string hole (with its string), a `+` / `%` / `.format` operand. */
export interface Site {
	readonly expr: PyNode;
	/** The f-string and the `interpolation` node when `expr` is a hole's expression. */
	readonly fstring: PyNode | undefined;
	readonly interpolation: PyNode | undefined;
}

/** A per-call value found in the prefix (`datetime.now().isoformat()`, `request_id`). */
export type PyHit = PrefixHit<Site, TimeForm>;

/** Calls returning the current date and time (a `datetime`). */
const NOW_CALLS = new Set([
	'datetime.datetime.now', 'datetime.datetime.utcnow', 'datetime.datetime.today', 'datetime.now', 'datetime.utcnow', 'datetime.today',
	'pendulum.now', 'arrow.now', 'arrow.utcnow', 'django.utils.timezone.now', 'django.utils.timezone.localtime', 'timezone.now',
]);
/** Seconds since the epoch. */
const EPOCH_CALLS = new Set(['time.time', 'time.time_ns']);
/** Clocks that tick within a call. */
const CLOCK_CALLS = new Set(['time.monotonic', 'time.monotonic_ns', 'time.perf_counter', 'time.perf_counter_ns', 'time.process_time', 'time.process_time_ns']);
/** Current time already rendered (`time.ctime()`), or a struct holding it. */
const TIME_TEXT_CALLS = new Set(['time.ctime', 'time.asctime', 'time.localtime', 'time.gmtime']);
/** Calls returning today's date: change once a day, not worth a finding. */
const DAY_CALLS = new Set(['datetime.date.today', 'date.today', 'pendulum.today', 'arrow.now.date']);
const RANDOM_CALLS = new Set(['uuid.uuid1', 'uuid.uuid4', 'uuid.uuid6', 'uuid.uuid7', 'uuid.uuid8', 'uuid1', 'uuid4', 'uuid7', 'os.urandom', 'nanoid.generate', 'ulid.new', 'ulid.ULID', 'ulid.ulid', 'shortuuid.uuid', 'shortuuid.random', 'cuid.cuid', 'cuid2.cuid_wrapper']);
const RANDOM_MODULE = /^(?:random|secrets|numpy\.random)\./;
/** Methods of a `datetime` whose result changes within a day. */
const TIME_METHODS: ReadonlyMap<string, TimeForm> = new Map<string, TimeForm>([
	['isoformat', 'iso'], ['ctime', 'other'], ['timestamp', 'other'], ['time', 'other'], ['timetz', 'other'], ['__str__', 'other'],
	['astimezone', 'datetime'], ['replace', 'datetime'],
]);
/** `datetime` methods and attributes that keep only the date. */
const DAY_METHODS = new Set(['date', 'weekday', 'isoweekday', 'toordinal', 'isocalendar']);
const DAY_ATTRS = new Set(['year', 'month', 'day']);
const TIME_ATTRS = new Set(['hour', 'minute', 'second', 'microsecond']);
/** String methods that carry their receiver (and, for some, their arguments) into the result. */
const PASS_THROUGH = new Set(['strip', 'lstrip', 'rstrip', 'upper', 'lower', 'title', 'capitalize', 'casefold', 'replace', 'join', 'removeprefix', 'removesuffix', 'center', 'ljust', 'rjust', 'zfill', 'expandtabs', 'encode', 'decode', 'format_map']);
const PASS_ARGS_METHODS = new Set(['replace', 'join', 'format_map']);
/** Functions that carry their arguments into their result. */
const PASS_ARGS = new Set(['str', 'repr', 'int', 'float', 'round', 'format', 'json.dumps', 'textwrap.dedent', 'textwrap.indent', 'textwrap.fill', 'inspect.cleandoc', 'html.escape', 'dedent', 'cleandoc']);
/** Module-level imports that stand for the current request (context-local proxies). */
const REQUEST_PROXY_MODULES = new Set(['flask', 'quart']);
const REQUEST_PROXIES = new Set(['request', 'g', 'session']);
/** strftime directives that show the time of day. */
const TIME_DIRECTIVE = /%[-#_0^]*[HIklMSfpXcTRrsLN]/;

/**
 * The scope tables over the rule context's tree and whether the caller owns them (`dispose()` when it
 * does: imported trees live in wasm memory). The analyser's `PyCtx` is reused when the context
 * passes it (`pyCtx`), which halves the rule's cost on a file where every call busts the cache;
 * otherwise a fresh one is made over the context's parser.
 */
export function ruleCtx(context: PythonRuleContext): { readonly ctx: PyCtx; readonly owned: boolean } {
	if (context.pyCtx && context.pyCtx.main.root.id === context.tree.rootNode.id) return { ctx: context.pyCtx, owned: false };
	return { ctx: new PyCtx(context.parser, context.tree.rootNode, context.fileName, context.text, context.resolver, DEFAULT_MAX_BYTES), owned: true };
}

export function isMainEnv(env: Env): boolean {
	return env.scope.file.isMain && env.anchor === undefined;
}

/** The environment a node of `file` is evaluated in. */
export function envAt(ctx: PyCtx, node: PyNode, file: PyFile = ctx.main, anchor?: Span, hops = 0): Env {
	return { scope: ctx.scopeAt(node, file), anchor, hops };
}

/** Source text shortened for a message. */
export function shortPy(node: PyNode, max = 48): string {
	return shortenSource(node.text, max);
}

function isFString(node: PyNode): boolean {
	return node.type === 'string' && stringPrefix(node).includes('f');
}

/** A literal that never changes: a string without holes, a number, `True`/`False`/`None`. */
function isStaticValue(node: PyNode): boolean {
	const n = unparen(node);
	switch (n.type) {
		case 'string': return !n.children.some((c) => c?.type === 'interpolation');
		case 'concatenated_string': return n.namedChildren.every((c) => !c || isStaticValue(c));
		case 'integer': case 'float': case 'true': case 'false': case 'none': return true;
		default: return false;
	}
}

/** The value of a plain string literal, else undefined. */
function literalText(node: PyNode | undefined): string | undefined {
	return node ? plainStringValue(node) : undefined;
}

/** Statements whose `return` values a helper can give (nested functions, classes and lambdas excluded). */
function collectReturns(node: PyNode, out: PyNode[], depth = 0): void {
	if (depth > 24) return;
	for (const child of node.namedChildren) {
		if (!child) continue;
		const t = child.type;
		if (t === 'function_definition' || t === 'class_definition' || t === 'decorated_definition' || t === 'lambda') continue;
		if (t === 'return_statement') {
			const value = child.namedChildren.find((c) => c?.type !== 'comment');
			if (value) out.push(value);
			continue;
		}
		if (t === 'block' || t.endsWith('_statement') || t.endsWith('_clause')) collectReturns(child, out, depth + 1);
	}
}

/** A `def name` directly among `container`'s statements (decorated or not). */
function defIn(container: PyNode | null | undefined, name: string): PyNode | undefined {
	if (!container) return undefined;
	for (const st of container.namedChildren) {
		const def = st?.type === 'decorated_definition' ? st.childForFieldName('definition') : st;
		if (def?.type === 'function_definition' && def.childForFieldName('name')?.text === name) return def;
	}
	return undefined;
}

/** The statements of a scope: the module, or a function's / class's body block. */
function scopeBody(scope: Scope): PyNode | undefined {
	return scope.kind === 'module' ? scope.node : scope.node.childForFieldName('body') ?? undefined;
}

/** Follows the data flow of one call's prefix fields and collects the per-call values. */
export class Walker {
	readonly hits: PyHit[] = [];
	private readonly active = new Set<string>();

	constructor(private readonly ctx: PyCtx) {}

	private squiggle(node: PyNode, env: Env, site: Site | undefined): Span {
		if (site) return pySpan(site.expr);
		return env.anchor ?? pySpan(node);
	}

	private add(kind: DynamicKind, node: PyNode, env: Env, site: Site | undefined, direct: boolean, form?: TimeForm): void {
		this.hits.push({ kind, label: shortPy(node), span: this.squiggle(node, env, site), site, direct, form });
	}

	/** Finds per-call values in `expr` (evaluated in `env`). `site`: the innermost place it enters text in the analysed file. */
	walk(expr: PyNode, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		if (depth > MAX_EXPR_DEPTH || !this.ctx.tick()) return;
		let e = unparen(expr);
		if (e.type === 'await') {
			const inner = e.namedChildren[0];
			if (!inner) return;
			e = unparen(inner);
		}
		const key = this.ctx.keyOf(e, env.scope.file);
		if (this.active.has(key)) return;
		this.active.add(key);
		try {
			this.walkInner(e, env, site, direct, depth);
		} finally {
			this.active.delete(key);
		}
	}

	private operandSite(node: PyNode, env: Env, site: Site | undefined): Site | undefined {
		return isMainEnv(env) ? { expr: unparen(node), fstring: undefined, interpolation: undefined } : site;
	}

	private walkInner(e: PyNode, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		const inMain = isMainEnv(env);
		switch (e.type) {
			case 'string': {
				if (!isFString(e)) return;
				for (const part of e.namedChildren) {
					if (part?.type !== 'interpolation') continue;
					const inner = part.childForFieldName('expression');
					if (!inner) continue;
					const before = this.hits.length;
					this.walk(inner, env, inMain ? { expr: unparen(inner), fstring: e, interpolation: part } : site, true, depth + 1);
					const spec = part.childForFieldName('format_specifier');
					if (spec) this.applyFormatSpec(before, spec.text);
				}
				return;
			}
			case 'concatenated_string':
				for (const s of e.namedChildren) if (s) this.walk(s, env, site, direct, depth + 1);
				return;
			case 'binary_operator': {
				const op = e.childForFieldName('operator')?.type;
				const left = e.childForFieldName('left');
				const right = e.childForFieldName('right');
				if (!left || !right) return;
				if (op === '+') {
					for (const side of [left, right]) this.walk(side, env, this.operandSite(side, env, site), true, depth + 1);
				} else if (op === '%') {
					// `"… %s" % value` / `% (a, b)` / `% {"k": v}`: each operand enters the text.
					this.walk(left, env, site, false, depth + 1);
					const r = unparen(right);
					const operands = r.type === 'tuple' ? r.namedChildren : r.type === 'dictionary' ? r.namedChildren.map((p) => p?.type === 'pair' ? p.childForFieldName('value') : null) : [r];
					for (const o of operands) if (o && o.type !== 'comment') this.walk(o, env, this.operandSite(o, env, site), true, depth + 1);
				}
				return;
			}
			case 'boolean_operator':
				for (const side of [e.childForFieldName('left'), e.childForFieldName('right')]) if (side) this.walk(side, env, site, false, depth + 1);
				return;
			case 'conditional_expression': {
				const [whenTrue, , whenFalse] = e.namedChildren;
				for (const side of [whenTrue, whenFalse]) if (side) this.walk(side, env, site, false, depth + 1);
				return;
			}
			case 'list': case 'tuple': case 'set':
				for (const el of e.namedChildren) {
					if (!el || el.type === 'comment') continue;
					this.walk(el.type === 'list_splat' ? el.namedChildren[0] ?? el : el, env, site, false, depth + 1);
				}
				return;
			case 'dictionary':
				for (const p of e.namedChildren) {
					const v = p?.type === 'pair' ? p.childForFieldName('value') : p?.type === 'dictionary_splat' ? p.namedChildren[0] : undefined;
					if (v) this.walk(v, env, site, false, depth + 1);
				}
				return;
			case 'identifier': return this.identifier(e, env, site, direct, depth);
			case 'attribute': return this.attribute(e, env, site, direct, depth);
			case 'subscript': return this.subscript(e, env, site, direct, depth);
			case 'call': return this.call(e, env, site, direct, depth);
			default:
		}
	}

	/** `{now:%Y-%m-%d}` keeps the date only; `{now:%H:%M}` turns a datetime into rendered text. */
	private applyFormatSpec(before: number, spec: string): void {
		const found = this.hits.slice(before);
		if (found.length === 0 || !found.every((h) => h.kind === 'timestamp' && h.form !== 'epoch')) return;
		if (!spec.includes('%')) return;
		if (!TIME_DIRECTIVE.test(spec)) this.hits.length = before;
		else for (let i = before; i < this.hits.length; i++) this.hits[i] = { ...this.hits[i]!, form: 'other' };
	}

	/** The value a local name holds where it is used: its last assignment before `at` (plus any `+=` after it). */
	private localValues(binding: Binding & { kind: 'var' }, env: Env, at: number): { value: PyNode; augmented: boolean }[] {
		const sameScope = binding.scope.key === env.scope.key;
		const before = sameScope ? binding.assigns.filter((a) => a.start < at) : binding.assigns;
		let lastPlain = -1;
		before.forEach((a, i) => { if (a.value) lastPlain = i; });
		const out: { value: PyNode; augmented: boolean }[] = [];
		const plain = before[lastPlain];
		if (plain?.value) out.push({ value: plain.value, augmented: false });
		for (const a of before.slice(lastPlain + 1)) {
			// `x += …`: the analyser records it without its value; read the statement at its offset.
			let n: PyNode | null = binding.scope.file.root.descendantForIndex(a.start, a.start);
			while (n && n.type !== 'augmented_assignment' && n.startIndex === a.start) n = n.parent;
			const right = n?.type === 'augmented_assignment' ? n.childForFieldName('right') : null;
			if (right) out.push({ value: right, augmented: true });
		}
		return out;
	}

	private identifier(id: PyNode, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		const name = id.text;
		const b = this.ctx.lookup(name, env.scope);
		if (!b) return;
		if (b.kind === 'param') {
			if (ID_NAME.test(name)) this.add('id', id, env, site, direct);
			return;
		}
		// Module-level values (constants, env vars read once, imported constants) are stable per process.
		if (b.kind !== 'var' || b.scope.kind !== 'function') return;
		const values = this.localValues(b, env, id.startIndex);
		const before = this.hits.length;
		const valueEnv: Env = { scope: b.scope, anchor: env.anchor, hops: env.hops };
		for (const v of values) this.walk(v.value, valueEnv, v.augmented ? this.operandSite(v.value, valueEnv, site) : site, direct && !v.augmented, depth + 1);
		if (this.hits.length === before && ID_NAME.test(name) && values.some((v) => !isStaticValue(v.value))) this.add('id', id, env, site, direct);
	}

	/** `settings.user_id`, `os.environ[…]`: an owner bound at module level is stable per process. */
	private moduleLevelOwner(owner: PyNode, env: Env): boolean {
		let root = unparen(owner);
		while (root.type === 'attribute' || root.type === 'subscript' || root.type === 'call') {
			const next = root.type === 'attribute' ? root.childForFieldName('object') : root.type === 'subscript' ? root.childForFieldName('value') : root.childForFieldName('function');
			if (!next) return false;
			root = unparen(next);
		}
		if (root.type !== 'identifier') return false;
		const b = this.ctx.lookup(root.text, env.scope);
		if (!b) return false;
		// Flask/Quart's `request`, `g` and `session` are imported once but proxy the current request.
		if (b.kind === 'import') return !(REQUEST_PROXY_MODULES.has(b.module) && REQUEST_PROXIES.has(b.imported));
		if (b.kind === 'var' || b.kind === 'class') return b.scope.kind === 'module';
		return false;
	}

	private attribute(e: PyNode, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		const owner = e.childForFieldName('object');
		const name = e.childForFieldName('attribute')?.text;
		if (!owner || !name) return;
		const o = unparen(owner);
		const ownerName = o.type === 'identifier' ? o.text : o.type === 'attribute' ? o.childForFieldName('attribute')?.text : undefined;
		if (ID_NAME.test(name) || (name === 'id' && ownerName !== undefined && ID_OWNER.test(ownerName))) {
			if (!this.moduleLevelOwner(o, env)) this.add('id', e, env, site, direct);
			return;
		}
		if (DAY_ATTRS.has(name)) return;
		const before = this.hits.length;
		if (TIME_ATTRS.has(name)) {
			this.walk(o, env, site, false, depth + 1);
			if (this.hits.slice(before).some((h) => h.kind === 'timestamp')) {
				this.hits.length = before;
				this.add('timestamp', e, env, site, direct, 'other');
			}
			return;
		}
		// `uuid4().hex`, `uuid4().int`: an attribute of a random value is random too; other attributes
		// of other values (`now.tzinfo`, `request.body`) are not followed.
		if (o.type !== 'call') return;
		this.walk(o, env, site, false, depth + 1);
		const kept = this.hits.slice(before).filter((h) => h.kind === 'random');
		this.hits.length = before;
		this.hits.push(...kept);
	}

	private subscript(e: PyNode, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		const value = e.childForFieldName('value');
		const sub = e.childForFieldName('subscript');
		if (!value || !sub) return;
		const v = unparen(value);
		// `iso[:10]` / `str(now)[:10]` / `iso.split("T")[0]`: the date, changes once a day (what the fix writes).
		const slice = sub.type === 'slice' ? /^0?:(\d+)$/.exec(sub.text.replace(/\s+/g, '')) : null;
		let dateOf: PyNode | undefined;
		if (slice && Number(slice[1]) <= 10) dateOf = v;
		else if (sub.text === '0' && v.type === 'call') {
			const fn = v.childForFieldName('function');
			if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'split') dateOf = fn.childForFieldName('object') ?? undefined;
		}
		if (dateOf) {
			const before = this.hits.length;
			this.walk(dateOf, env, site, false, depth + 1);
			const found = this.hits.slice(before);
			if (found.length > 0 && found.every((h) => h.form === 'iso' || h.form === 'datetime')) this.hits.length = before;
			return;
		}
		// `headers["x-request-id"]`, `ctx["session_id"]`.
		const key = literalText(sub)?.toLowerCase().replace(/-/g, '_').replace(/^x_/, '');
		if (key !== undefined && ID_NAME.test(key)) {
			if (!this.moduleLevelOwner(v, env)) this.add('id', e, env, site, direct);
			return;
		}
		this.walk(v, env, site, false, depth + 1);
	}

	/** The canonical dotted name of a callee (`dt.datetime.now` → `datetime.datetime.now`, `uuid4` → `uuid.uuid4`). */
	canonical(fn: PyNode, env: Env): string | undefined {
		const dotted = dottedName(fn);
		if (!dotted) return undefined;
		const dot = dotted.indexOf('.');
		const first = dot < 0 ? dotted : dotted.slice(0, dot);
		const rest = dot < 0 ? '' : dotted.slice(dot);
		const b = this.ctx.lookup(first, env.scope);
		if (!b) return dotted;
		if (b.kind !== 'import') return undefined;
		const module = b.module.replace(/^\.+/, '');
		return (b.imported === '*' ? module : `${module}.${b.imported}`) + rest;
	}

	private call(e: PyNode, env: Env, site: Site | undefined, direct: boolean, depth: number): void {
		const fnNode = e.childForFieldName('function');
		if (!fnNode) return;
		const fn = unparen(fnNode);
		const name = this.canonical(fn, env);
		const args = positionalArguments(e);
		if (name !== undefined) {
			if (NOW_CALLS.has(name)) return this.add('timestamp', e, env, site, direct, 'datetime');
			if (EPOCH_CALLS.has(name)) return this.add('timestamp', e, env, site, direct, 'epoch');
			if (CLOCK_CALLS.has(name)) return this.add('clock', e, env, site, direct);
			if (TIME_TEXT_CALLS.has(name) && args.length === 0) return this.add('timestamp', e, env, site, direct, 'other');
			if (name === 'time.strftime' && args.length === 1) {
				if (TIME_DIRECTIVE.test(literalText(args[0]) ?? '%H')) this.add('timestamp', e, env, site, direct, 'other');
				return;
			}
			if (DAY_CALLS.has(name)) return;
			if (RANDOM_CALLS.has(name) || RANDOM_MODULE.test(name)) return this.add('random', e, env, site, direct);
			if (PASS_ARGS.has(name)) {
				// `str(x)` as the whole operand: the squiggle and the fix go on `x`.
				const only = args.length === 1 && name === 'str' && site && sameNode(site.expr, e) ? args[0] : undefined;
				if (only) this.walk(only, env, this.operandSite(only, env, site), direct, depth + 1);
				else for (const a of args) this.walk(a, env, site, false, depth + 1);
				return;
			}
		}
		if (fn.type === 'attribute') {
			const method = fn.childForFieldName('attribute')?.text ?? '';
			const receiver = fn.childForFieldName('object');
			if (!receiver) return;
			if (DAY_METHODS.has(method)) return;
			const timeForm = method === 'strftime' ? (TIME_DIRECTIVE.test(literalText(args[0]) ?? '%H') ? 'other' : 'day') : TIME_METHODS.get(method);
			if (timeForm) {
				const before = this.hits.length;
				this.walk(receiver, env, site, false, depth + 1);
				const found = this.hits.slice(before);
				if (found.some((h) => h.kind === 'timestamp')) {
					this.hits.length = before;
					if (timeForm !== 'day') this.add('timestamp', e, env, site, direct, timeForm);
				}
				return;
			}
			if (method === 'format') {
				this.walk(receiver, env, site, false, depth + 1);
				const argList = e.childForFieldName('arguments');
				for (const a of argList?.namedChildren ?? []) {
					if (!a || a.type === 'comment') continue;
					const v = a.type === 'keyword_argument' ? a.childForFieldName('value') : a.type === 'list_splat' || a.type === 'dictionary_splat' ? a.namedChildren[0] : a;
					if (!v) continue;
					const splat = a.type === 'list_splat' || a.type === 'dictionary_splat';
					this.walk(v, env, splat ? site : this.operandSite(v, env, site), !splat, depth + 1);
				}
				return;
			}
			if (PASS_THROUGH.has(method)) {
				this.walk(receiver, env, site, false, depth + 1);
				if (PASS_ARGS_METHODS.has(method)) for (const a of args) this.walk(a, env, site, false, depth + 1);
				return;
			}
		}
		const target = this.findFunction(fn, env);
		if (target) this.walkFunction(target.node, target.env, site, depth);
	}

	/**
	 * The text a prefix field set to a helper call (`system=build_system()`) evaluates to when the
	 * helper has one return: the analyser counts the call as one hole, which understates the prefix.
	 */
	helperText(expr: PyNode, env: Env): ResolvedText | undefined {
		const e = unparen(expr);
		if (e.type === 'identifier') return this.augmentedText(e, env);
		if (e.type !== 'call') return undefined;
		const fn = e.childForFieldName('function');
		const target = fn ? this.findFunction(unparen(fn), env) : undefined;
		const body = target?.node.childForFieldName('body');
		if (!target || !body) return undefined;
		const returns: PyNode[] = [];
		collectReturns(body, returns);
		if (returns.length !== 1) return undefined;
		return resolveText(this.ctx, returns[0]!, target.env);
	}

	/** `system = POLICY` then `system += f"…"`: the text built up, which the analyser counts as one hole. */
	private augmentedText(id: PyNode, env: Env): ResolvedText | undefined {
		const b = this.ctx.lookup(id.text, env.scope);
		if (b?.kind !== 'var' || b.scope.kind !== 'function') return undefined;
		const values = this.localValues(b, env, id.startIndex);
		if (!values.some((v) => v.augmented) || values[0]?.augmented) return undefined;
		const valueEnv: Env = { scope: b.scope, anchor: env.anchor, hops: env.hops };
		let text = '';
		let holes = 0;
		for (const v of values) {
			const t = resolveText(this.ctx, v.value, valueEnv);
			text += t.text;
			holes += t.holes;
		}
		return { text, holes, holeSpans: [], origins: [] };
	}

	/** Walks every value `fn` can return. Sites inside a helper in this file are its own holes and operands. */
	private walkFunction(fn: PyNode, fnEnv: Env, site: Site | undefined, depth: number): void {
		const key = 'fn:' + this.ctx.keyOf(fn, fnEnv.scope.file);
		if (this.active.has(key)) return;
		this.active.add(key);
		try {
			const body = fn.type === 'lambda' ? fn.childForFieldName('body') : fn.childForFieldName('body');
			if (!body) return;
			const inMain = isMainEnv(fnEnv);
			const returns: PyNode[] = [];
			if (fn.type === 'lambda') returns.push(body);
			else collectReturns(body, returns);
			const before = this.hits.length;
			for (const r of returns) this.walk(r, fnEnv, inMain ? { expr: unparen(r), fstring: undefined, interpolation: undefined } : site, false, depth + 1);
			// A helper whose value is its whole return (`return datetime.now().isoformat()`) reports at the call.
			for (let i = before; i < this.hits.length; i++) {
				const h = this.hits[i]!;
				if (inMain && site && h.site && !h.site.fstring && returns.some((r) => sameNode(unparen(r), h.site!.expr))) this.hits[i] = { ...h, span: pySpan(site.expr), site, direct: false };
			}
		} finally {
			this.active.delete(key);
		}
	}

	/** The function a callee names: a `def` (or a parameterless lambda) of this file, a method of `self`, or a `def` of an imported project module. */
	private findFunction(callee: PyNode, env: Env): { node: PyNode; env: Env } | undefined {
		const ctx = this.ctx;
		if (callee.type === 'identifier') {
			const name = callee.text;
			for (let s: Scope | undefined = env.scope; s; s = s.parent) {
				const b = ctx.bindingsOf(s).get(name);
				if (!b) continue;
				if (b.kind === 'opaque') {
					const def = defIn(scopeBody(s), name);
					return def ? this.functionEnv(def, s.file, env.anchor, env.hops) : undefined;
				}
				if (b.kind === 'var') {
					const v = b.assigns.length === 1 ? b.assigns[0]?.value : undefined;
					const lambda = v ? unparen(v) : undefined;
					if (lambda?.type === 'lambda' && !lambda.childForFieldName('parameters')) return { node: lambda, env: { scope: b.scope, anchor: env.anchor, hops: env.hops } };
					return undefined;
				}
				if (b.kind === 'import' && b.imported !== '*') {
					const file = env.hops < MAX_MODULE_HOPS ? ctx.loadModule(s.file.fileName, b.module) : undefined;
					const def = file ? defIn(file.root, b.imported) : undefined;
					return def && file ? this.functionEnv(def, file, env.anchor ?? pySpan(callee), env.hops + 1) : undefined;
				}
				return undefined;
			}
			return undefined;
		}
		if (callee.type !== 'attribute') return undefined;
		const object = unparen(callee.childForFieldName('object') ?? callee);
		const method = callee.childForFieldName('attribute')?.text;
		if (!method || object.type !== 'identifier') return undefined;
		if (object.text === 'self' && env.scope.classScope) {
			const def = defIn(scopeBody(env.scope.classScope), method);
			return def ? this.functionEnv(def, env.scope.file, env.anchor, env.hops) : undefined;
		}
		// `prompts.build_system()` with `import prompts` / `from . import prompts`.
		const b = ctx.lookup(object.text, env.scope);
		if (b?.kind !== 'import' || env.hops >= MAX_MODULE_HOPS) return undefined;
		const module = b.imported === '*' ? b.module : b.module.endsWith('.') ? b.module + b.imported : `${b.module}.${b.imported}`;
		const file = ctx.loadModule(b.scope.file.fileName, module);
		const def = file ? defIn(file.root, method) : undefined;
		return def && file ? this.functionEnv(def, file, env.anchor ?? pySpan(callee), env.hops + 1) : undefined;
	}

	private functionEnv(def: PyNode, file: PyFile, anchor: Span | undefined, hops: number): { node: PyNode; env: Env } | undefined {
		const body = def.childForFieldName('body');
		if (!body) return undefined;
		return { node: def, env: { scope: this.ctx.scopeAt(body, file), anchor, hops } };
	}

	/**
	 * Retrieved text placed BEFORE the stable instructions: the first hole of the prompt's f-string is
	 * a per-request value (a parameter or an awaited local named like `context`/`docs`) and a long run
	 * of static text follows it, which can then never be cached either.
	 */
	rag(expr: PyNode, env: Env): void {
		const t = this.fstringOf(expr, env);
		if (!t || !isMainEnv(t.env)) return;
		const parts = t.node.namedChildren.filter((c): c is PyNode => !!c && (c.type === 'string_content' || c.type === 'interpolation'));
		const firstAt = parts.findIndex((p) => p.type === 'interpolation');
		const first = parts[firstAt];
		if (!first) return;
		const head = parts.slice(0, firstAt).map((p) => p.text).join('');
		if (head.trim().length > 40) return;
		const trailing = parts.slice(firstAt + 1).reduce((n, p) => n + (p.type === 'string_content' ? p.text.length : 0), 0);
		if (trailing < RAG_MIN_TRAILING_CHARS) return;
		const inner = first.childForFieldName('expression');
		if (!inner) return;
		const value = unparen(inner);
		if (this.hits.some((h) => spanWithin(h.span, pySpan(value)))) return;
		if (this.isRetrieved(value, t.env)) this.add('rag', value, t.env, { expr: value, fstring: t.node, interpolation: first }, true);
	}

	private fstringOf(expr: PyNode, env: Env): { node: PyNode; env: Env } | undefined {
		const e = unparen(expr);
		if (isFString(e)) return { node: e, env };
		if (e.type !== 'identifier') return undefined;
		const b = this.ctx.lookup(e.text, env.scope);
		if (b?.kind !== 'var' || b.scope.kind !== 'function') return undefined;
		const values = this.localValues(b, env, e.startIndex);
		const only = values.length === 1 ? values[0] : undefined;
		return only && !only.augmented && isFString(unparen(only.value)) ? { node: unparen(only.value), env: { scope: b.scope, anchor: env.anchor, hops: env.hops } } : undefined;
	}

	private isRetrieved(value: PyNode, env: Env): boolean {
		if (value.type === 'identifier') {
			const name = value.text;
			const b = this.ctx.lookup(name, env.scope);
			if (b?.kind === 'param') return RAG_NAME.test(name);
			if (b?.kind !== 'var' || b.scope.kind !== 'function') return false;
			const values = this.localValues(b, env, value.startIndex);
			if (values.some((v) => unparen(v.value).type === 'await')) return true;
			return RAG_NAME.test(name) && values.some((v) => !isStaticValue(v.value));
		}
		if (value.type === 'attribute') {
			const name = value.childForFieldName('attribute')?.text ?? '';
			const owner = value.childForFieldName('object');
			return RAG_NAME.test(name) && !!owner && !this.moduleLevelOwner(owner, env);
		}
		return false;
	}
}

export type { Env, Ref };
