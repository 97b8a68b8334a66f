import type { CallSite, ResolvedText, Span } from '../../analysis/types';
import { type CallPrefix, type Impact, NOT_BUSTING_APIS, type PrefixPart, bustingFinding, bustingFixes, cacheablePrefix, lostSavingFor, unseenHits } from '../../rules/cacheBustingSystemPrompt';
import type { Finding, PythonRule, PythonRuleContext, TextEdit } from '../../rules/types';
import { isDynamicSegment, isPrefixRole, spanWithin } from '../../rules/util';
import type { PyCtx } from '../analysis/scope';
import type { PyNode } from '../parser';
import { callArgumentsView, resolveDict, resolveList, resolveString } from '../analysis/resolve';
import { dottedName, pySpan, pythonQuoteStyle, stringPrefix, stringQuote, unparen } from '../syntax';
import { type Env, type PyHit, type Ref, Walker, envAt, isMainEnv, ruleCtx } from './dataFlow';
import { stringContentSpan } from './edits';

/**
 * `cache-busting-system-prompt` for Python: a value that changes on every call (`datetime.now()`,
 * `time.time()`, `uuid4()`, `random.*`, a request/session/user id, retrieved text placed before the
 * instructions) flows into the cacheable prefix — Anthropic `system=`/`tools=`, an OpenAI
 * system/developer message, Responses `instructions=`, or the messages before the last user turn —
 * so the prefix never matches the cache. Same judgement, pricing, message and fixes as the
 * TypeScript rule (shared from `rules/cacheBustingSystemPrompt.ts`); the data flow is `dataFlow.ts`.
 *
 * Cost: the call's own arguments and the names they lead to; no full-tree walk.
 */
export const cacheBustingSystemPrompt: PythonRule = {
	id: 'cache-busting-system-prompt',
	check(context) {
		const findings: Finding[] = [];
		if (context.callSites.length === 0) return findings;
		let ctx: PyCtx | undefined;
		let owned = false;
		try {
			const seen = new Set<string>();
			context.callSites.forEach((site, index) => {
				if (NOT_BUSTING_APIS.has(site.api)) return;
				// A prefix the analyser read to the last character has no per-call value in it: module
				// constants and literals only. Skipping it here keeps static calls free of any scope scan.
				if (!site.segments.some((s) => isPrefixRole(s.role) && isDynamicSegment(s))) return;
				const call = context.calls[index];
				if (!call) return;
				if (!ctx) ({ ctx, owned } = ruleCtx(context));
				try {
					findings.push(...checkCall(context, ctx, site, index, call, seen));
				} catch {
					// Odd syntax must never take the other rules down: this call just reports nothing.
				}
			});
		} catch {
			return findings;
		} finally {
			if (owned) ctx?.dispose();
		}
		return findings;
	},
};

function checkCall(context: PythonRuleContext, ctx: PyCtx, site: CallSite, index: number, call: PyNode, seen: Set<string>): Finding[] {
	const env = envAt(ctx, call);
	const walker = new Walker(ctx);
	const prefix = prefixRefs(ctx, site, call, env);
	if (prefix.refs.length === 0) return [];
	const hits: { hit: PyHit; part: PrefixRef }[] = [];
	const helperTexts: { span: Span; text: ResolvedText }[] = [];
	for (const part of prefix.refs) {
		const helper = walker.helperText(part.ref.node, part.ref.env);
		if (helper && isMainEnv(part.ref.env)) helperTexts.push({ span: pySpan(part.ref.node), text: helper });
		const before = walker.hits.length;
		const inMain = isMainEnv(part.ref.env);
		walker.walk(part.ref.node, part.ref.env, inMain ? { expr: unparen(part.ref.node), fstring: undefined, interpolation: undefined } : undefined, true, 0);
		walker.rag(part.ref.node, part.ref.env);
		for (const hit of walker.hits.slice(before)) hits.push({ hit, part });
	}
	const unique = unseenHits(hits, seen);
	if (unique.length === 0) return [];
	const impact: Impact = lostSavingFor(context, site, index, unique.map((u) => pySpan(u.part.ref.node)), helperTexts);
	return unique.map(({ hit, part }, i) => {
		const toDate = hit.kind === 'timestamp' ? reduceToDate(context, hit) : undefined;
		const move = moveToUser(context, call, hit, part, prefix.user);
		return bustingFinding({ index, kind: hit.kind, label: hit.label, span: hit.span, partName: part.name, impact, first: i === 0, count: unique.length, fixes: bustingFixes(hit.label, part.name, toDate, move) });
	});
}

// ---------------------------------------------------------------------------------------------
// The prefix of one call

type PrefixRef = PrefixPart<Ref>;
type Prefix = CallPrefix<Ref>;

function prefixRefs(ctx: PyCtx, site: CallSite, call: PyNode, env: Env): Prefix {
	const { props } = callArgumentsView(ctx, call, env, 0, false);
	// A value built at module level runs once per process: stable, unless the call itself runs there.
	const runsPerCall = (ref: Ref): boolean => ref.env.scope.kind !== 'module' || env.scope.kind === 'module';
	const refs: PrefixRef[] = [];
	const user = cacheablePrefix<Ref>(site, {
		field: (name) => props.get(name),
		elements: (list) => resolveList(ctx, list.node, list.env)?.map((item) => (item.kind === 'unknown' ? undefined : item.ref)),
		message(item) {
			const view = resolveDict(ctx, item.node, item.env);
			const roleRef = view?.props.get('role');
			return view ? { role: roleRef ? resolveString(ctx, roleRef.node, roleRef.env) : undefined, content: view.props.get('content') } : undefined;
		},
	}, (ref, name) => {
		if (runsPerCall(ref)) refs.push({ ref, name });
	});
	return { refs, user };
}

// ---------------------------------------------------------------------------------------------
// Fixes

function simpleOperand(n: PyNode): boolean {
	return n.type === 'identifier' || n.type === 'attribute' || n.type === 'call' || n.type === 'subscript';
}

/** The quote a new string literal inside `site` may use: not the enclosing f-string's (Python < 3.12), else the file's style. */
function innerQuote(context: PythonRuleContext, fstring: PyNode | undefined): '"' | '\'' {
	const q = fstring ? stringQuote(fstring) : undefined;
	if (q?.startsWith('"')) return '\'';
	if (q?.startsWith('\'')) return '"';
	return pythonQuoteStyle(context.text);
}

/** `now` → `now.date()` (a datetime), `iso` → `iso[:10]`, `time.time()` → `time.strftime("%Y-%m-%d")`: each changes once a day. */
function reduceToDate(context: PythonRuleContext, hit: PyHit): TextEdit | undefined {
	const site = hit.site;
	if (!site || !hit.direct || !hit.form) return undefined;
	// A format spec (`{now:%H:%M}`) would apply to the date and render zeros: leave it to the author.
	if (site.interpolation?.childForFieldName('format_specifier')) return undefined;
	const e = site.expr;
	const text = e.text;
	const operand = simpleOperand(e) ? text : `(${text})`;
	const span = pySpan(e);
	switch (hit.form) {
		case 'datetime': return { span, newText: `${operand}.date()` };
		case 'iso': return { span, newText: `${operand}[:10]` };
		case 'epoch': {
			const fn = e.type === 'call' ? e.childForFieldName('function') : null;
			const name = fn ? dottedName(fn) : undefined;
			if (name !== 'time.time' && name !== 'time.time_ns') return undefined;
			const q = innerQuote(context, site.fstring);
			return { span, newText: `time.strftime(${q}%Y-%m-%d${q})` };
		}
		default: return undefined;
	}
}

/**
 * Moves the line of the system f-string holding the hole to the end of the last user message,
 * leaving every other byte of the system text as it was. Only when both are literals written in
 * this call, the line holds nothing else dynamic, and the system keeps some text.
 */
function moveToUser(context: PythonRuleContext, call: PyNode, hit: PyHit, part: PrefixRef, user: Ref | undefined): TextEdit[] | undefined {
	const site = hit.site;
	const fstr = site?.fstring;
	const hole = site?.interpolation;
	if (!fstr || !hole || !user || !isMainEnv(user.env) || !isMainEnv(part.ref.env)) return undefined;
	const text = context.text;
	const callSpan = pySpan(call);
	const partNode = unparen(part.ref.node);
	if (partNode.id !== fstr.id || !spanWithin(pySpan(fstr), callSpan)) return undefined;
	const userNode = unparen(user.node);
	if (userNode.type !== 'string' || !spanWithin(pySpan(userNode), callSpan)) return undefined;
	const sysPrefix = stringPrefix(fstr);
	const userPrefix = stringPrefix(userNode);
	const userQuote = stringQuote(userNode);
	if (sysPrefix !== 'f' || (userPrefix !== '' && userPrefix !== 'f') || !userQuote) return undefined;
	const body = stringContentSpan(fstr);
	const userBody = stringContentSpan(userNode);
	if (!body || !userBody) return undefined;
	const open = hole.startIndex;
	const close = hole.endIndex;
	const nl = text.lastIndexOf('\n', open);
	const lineStart = nl >= body.start ? nl + 1 : body.start;
	const nextNl = text.indexOf('\n', close);
	let lineEnd = nextNl !== -1 && nextNl < body.end ? nextNl : body.end;
	if (text[lineEnd - 1] === '\r') lineEnd--;
	const line = text.slice(lineStart, lineEnd);
	const holesOnLine = fstr.namedChildren.filter((c) => c?.type === 'interpolation' && c.startIndex >= lineStart && c.endIndex <= lineEnd).length;
	if (holesOnLine !== 1 || line.endsWith('\\') || line.includes(userQuote[0]!)) return undefined;
	// Remove the line with one of its line breaks, so the rest of the text is byte-identical.
	let remove: Span;
	if (lineStart > body.start) remove = { start: text[lineStart - 2] === '\r' ? lineStart - 2 : lineStart - 1, end: lineEnd };
	else if (lineEnd < body.end) remove = { start: lineStart, end: text[lineEnd] === '\r' ? lineEnd + 2 : lineEnd + 1 };
	else return undefined;
	const rest = text.slice(body.start, remove.start) + text.slice(remove.end, body.end);
	if (rest.replace(/\{\{|\}\}/g, 'x').replace(/\{[^{}]*\}/g, '').trim().length === 0) return undefined;
	const moved = line.trim();
	let userEdit: TextEdit;
	if (userPrefix === 'f') userEdit = { span: { start: userBody.end, end: userBody.end }, newText: `\\n\\n${moved}` };
	else {
		// A plain string becomes an f-string: its braces are doubled so its value is unchanged.
		const inner = text.slice(userBody.start, userBody.end).replace(/\{/g, '{{').replace(/\}/g, '}}');
		userEdit = { span: pySpan(userNode), newText: `f${userQuote}${inner}\\n\\n${moved}${userQuote}` };
	}
	return [{ span: remove, newText: '' }, userEdit];
}
