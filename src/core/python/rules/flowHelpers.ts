import type { PyNode } from '../parser';
import { decoratorsOf, dottedName, enclosingFunction, keywordArguments, positionalArguments, sameNode, unparen } from '../syntax';
import { plainStringValue } from './edits';
import type { RuleInputs } from '../../rules/types';

// Shared by the Python rules that look at the code around a call (sequential-independent-calls,
// non-streamed-long-output, batch-candidate, parse-retry-instead-of-structured-output). Everything
// climbs `.parent` from a call or reads one function's subtree (wasm-side `descendantsOfType`, after a
// textual prefilter); nothing walks the whole tree.

/** How far a climb from a call may go (hostile nesting ends the climb, it never throws). */
const MAX_DEPTH = 400;

/** Nodes that start a new scope: code in them runs at another time than the code around them. */
export function isScopeNode(node: PyNode): boolean {
	return node.type === 'function_definition' || node.type === 'lambda' || node.type === 'class_definition';
}

/** Whether `inner` lies within `outer` (by offsets). */
export function within(inner: { startIndex: number; endIndex: number }, outer: { startIndex: number; endIndex: number }): boolean {
	return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}

/** The node `node` sits in once parentheses around it are climbed, and that outermost parenthesised form. */
export function parentThroughParens(node: PyNode): { readonly outer: PyNode; readonly parent: PyNode | null } {
	let outer = node;
	let parent = node.parent;
	while (parent && parent.type === 'parenthesized_expression') {
		outer = parent;
		parent = parent.parent;
	}
	return { outer, parent };
}

/** The `await` directly around `call` (parentheses allowed), if any. */
export function awaitOf(call: PyNode): PyNode | undefined {
	const { parent } = parentThroughParens(call);
	return parent?.type === 'await' ? parent : undefined;
}

/** Source text of `node` (from the analysed text, without a wasm round trip per character). */
export function textOf(text: string, node: { startIndex: number; endIndex: number }): string {
	return text.slice(node.startIndex, node.endIndex);
}

function escapeRegExp(s: string): string {
	return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `name` (or a dotted `self.reply`) written as a whole word in `source`. */
function mentions(source: string, name: string): boolean {
	return new RegExp(`(?<![\\w.])${escapeRegExp(name)}(?!\\w)`).test(source);
}

/**
 * Whether `node` reads any of `names`: a plain name as an identifier (attribute names after `.` and
 * keyword-argument names excluded), a dotted target (`self.reply`) as written text. A cheap textual
 * check comes first; strings and comments can only make the answer a conservative yes for dotted names.
 */
export function referencesAny(text: string, node: PyNode, names: ReadonlySet<string>): boolean {
	if (names.size === 0) return false;
	const source = textOf(text, node);
	const plain = new Set<string>();
	for (const name of names) {
		if (!mentions(source, name)) continue;
		if (name.includes('.')) return true;
		plain.add(name);
	}
	if (plain.size === 0) return false;
	const ids = node.type === 'identifier' ? [node] : node.descendantsOfType('identifier');
	for (const id of ids) {
		if (!id || !plain.has(id.text)) continue;
		const parent = id.parent;
		if (parent?.type === 'attribute' && sameNode(parent.childForFieldName('attribute'), id)) continue;
		if (parent?.type === 'keyword_argument' && sameNode(parent.childForFieldName('name'), id)) continue;
		return true;
	}
	return false;
}

/** Names an assignment target binds: `a`, `a, b`, `(a, [b, *c])`, and dotted targets (`self.reply`) as text. */
export function targetNames(target: PyNode | null | undefined, out: Set<string> = new Set(), depth = 0): Set<string> {
	if (!target || depth > 32) return out;
	switch (target.type) {
		case 'identifier':
			out.add(target.text);
			break;
		case 'attribute': {
			const name = dottedName(target);
			if (name) out.add(name);
			break;
		}
		case 'subscript': {
			// `cache[key] = …` rebinds nothing, but later reads of `cache` see the new item.
			const value = target.childForFieldName('value');
			const name = value ? dottedName(value) : undefined;
			if (name) out.add(name);
			break;
		}
		case 'pattern_list':
		case 'tuple_pattern':
		case 'list_pattern':
		case 'tuple':
		case 'list':
		case 'parenthesized_expression':
		case 'list_splat_pattern':
		case 'list_splat':
			for (const c of target.namedChildren) targetNames(c, out, depth + 1);
			break;
		default:
			break;
	}
	return out;
}

/** Names the statement holding a call binds from it (`reply = client…`, `a, b = …`, `x: T = …`); empty for anything else. */
export function namesBoundBy(statement: PyNode | undefined): Set<string> {
	const names = new Set<string>();
	if (statement?.type !== 'expression_statement') return names;
	let node = statement.namedChildren[0];
	// `a = b = await …` binds both.
	for (let guard = 0; node && guard < 16 && (node.type === 'assignment' || node.type === 'augmented_assignment'); guard++) {
		targetNames(node.childForFieldName('left'), names);
		node = node.childForFieldName('right') ?? undefined;
	}
	return names;
}

const ROUTE_METHODS: ReadonlySet<string> = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'route', 'api_route', 'websocket']);
const VIEW_METHODS: ReadonlySet<string> = new Set(['get', 'post', 'put', 'patch', 'delete']);
/** Base classes of class-based views: Django `View`/`TemplateView`, DRF `APIView`/`ViewSet`, Flask `MethodView`, flask-restful `Resource`. */
const VIEW_BASE = /(?:View|ViewSet|Resource)\b/;
/** Responses built in the handler itself: Django, DRF, Starlette/FastAPI, Flask, aiohttp. */
const SEND_CALL = /\b(?:JsonResponse|HttpResponse|StreamingHttpResponse|JSONResponse|HTMLResponse|PlainTextResponse|Response|jsonify|make_response|json_response)\s*\(/g;

/**
 * Describes the web request handler the call runs in (any enclosing function), or undefined: a
 * FastAPI/Flask/Starlette route (`@app.post("/draft")`, `@router.get(...)`, `@bp.route("/x", methods=[…])`),
 * a Django or DRF view (a `views.py` function taking `request`, `@api_view`, a class-based view's
 * `get`/`post`…), or a function that builds the response itself (`return JsonResponse(…)`).
 * The twin of the TS rule's `handlerKind`, with the same phrasing.
 */
export function pythonHandlerKind(inputs: RuleInputs, call: PyNode): string | undefined {
	let depth = 0;
	for (let n = call.parent; n && depth < MAX_DEPTH; n = n.parent, depth++) {
		if (n.type !== 'function_definition') continue;
		const kind = routeHandler(inputs, n) ?? (sendsToClient(inputs.text, n) ? 'a function that sends its result to the client' : undefined);
		if (kind) return kind;
	}
	return undefined;
}

function plainString(node: PyNode | undefined): string | undefined {
	return node ? plainStringValue(node) : undefined;
}

function routeHandler(inputs: RuleInputs, fn: PyNode): string | undefined {
	const name = fn.childForFieldName('name')?.text ?? '';
	for (const decorator of decoratorsOf(fn)) {
		const expression = decorator.namedChildren.find((c) => c?.type !== 'comment');
		if (!expression) continue;
		const callee = expression.type === 'call' ? expression.childForFieldName('function') : expression;
		const calleeName = callee ? dottedName(callee) : undefined;
		if (!calleeName) continue;
		const method = calleeName.slice(calleeName.lastIndexOf('.') + 1);
		// DRF's `@api_view(["POST"])` marks a function view.
		if (method === 'api_view') return `the ${name} view`;
		if (expression.type !== 'call' || !calleeName.includes('.') || !ROUTE_METHODS.has(method)) continue;
		const keywords = keywordArguments(expression);
		const path = plainString(positionalArguments(expression)[0] ?? keywords.get('path')?.value ?? keywords.get('rule')?.value);
		if (path === undefined || !path.startsWith('/')) continue;
		if (method === 'route' || method === 'api_route') {
			const methods = keywords.get('methods')?.value;
			const listed = methods ? unparen(methods).namedChildren.map((m) => (m ? plainString(m) : undefined)).filter((m): m is string => m !== undefined) : [];
			const verb = listed.length > 0 ? listed.map((m) => m.toUpperCase()).join('/') : 'GET';
			return `the ${verb} ${path} handler`;
		}
		return `the ${method.toUpperCase()} ${path} handler`;
	}
	// A method of a class-based view: `class Essay(View): def post(self, request): …`.
	if (VIEW_METHODS.has(name)) {
		const holder = fn.parent?.type === 'decorated_definition' ? fn.parent : fn;
		const cls = holder.parent?.type === 'block' ? holder.parent.parent : undefined;
		if (cls?.type === 'class_definition') {
			const bases = cls.childForFieldName('superclasses');
			if (bases && VIEW_BASE.test(textOf(inputs.text, bases))) return `the ${cls.childForFieldName('name')?.text ?? 'view'}.${name} view`;
		}
	}
	// A Django function view: a module-level function of a views module whose first parameter is `request`.
	if (/(?:^|[\\/])views(?:\.py|[\\/])/.test(inputs.fileName)) {
		const holder = fn.parent?.type === 'decorated_definition' ? fn.parent : fn;
		const first = fn.childForFieldName('parameters')?.namedChildren[0];
		const param = first?.type === 'typed_parameter' ? first.namedChildren[0] : first;
		if (holder.parent?.type === 'module' && param?.type === 'identifier' && param.text === 'request') return `the ${name} view`;
	}
	return undefined;
}

/** The function itself (not a function nested in it) builds a response: `return JsonResponse(…)`, `jsonify(…)`. */
function sendsToClient(text: string, fn: PyNode): boolean {
	const body = fn.childForFieldName('body');
	if (!body) return false;
	const source = textOf(text, body);
	SEND_CALL.lastIndex = 0;
	let n = 0;
	for (let m = SEND_CALL.exec(source); m && n < 32; m = SEND_CALL.exec(source), n++) {
		const id = body.descendantForIndex(body.startIndex + m.index);
		if (id?.type !== 'identifier') continue;
		let callee: PyNode = id;
		if (id.parent?.type === 'attribute' && sameNode(id.parent.childForFieldName('attribute'), id)) callee = id.parent;
		const call = callee.parent;
		if (call?.type !== 'call' || !sameNode(call.childForFieldName('function'), callee)) continue;
		if (sameNode(enclosingFunction(call), fn)) return true;
	}
	return false;
}

/** A `for`/`while` loop node. */
export function isLoopNode(node: PyNode): boolean {
	return node.type === 'for_statement' || node.type === 'while_statement';
}

/** `async for` / `async with`. */
export function isAsyncStatement(node: PyNode): boolean {
	return node.children[0]?.type === 'async';
}

/** The nearest `for`/`while` loop whose body holds `node`, not crossing a function; undefined at none. */
export function enclosingLoopBody(node: PyNode): PyNode | undefined {
	let prev = node;
	let depth = 0;
	for (let n = node.parent; n && depth < MAX_DEPTH; prev = n, n = n.parent, depth++) {
		if (isScopeNode(n)) return undefined;
		if (isLoopNode(n)) {
			const body = n.childForFieldName('body');
			if (body && within(prev, body)) return n;
		}
	}
	return undefined;
}

/** The statements of a `block`/`module`, comments skipped. */
export function statementsOf(container: PyNode): PyNode[] {
	return container.namedChildren.filter((c): c is PyNode => !!c && c.type !== 'comment');
}

/** The last statement of a block, comments skipped. */
export function lastStatement(block: PyNode | null | undefined): PyNode | undefined {
	if (!block) return undefined;
	const list = statementsOf(block);
	return list[list.length - 1];
}
