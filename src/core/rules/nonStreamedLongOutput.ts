import * as ts from 'typescript';
import type { CallSite } from '../analysis/types';
import { formatInteger } from '../pricing/format';
import { ancestry, isFunctionLike, isGenerationApi, ruleLink, someDescendant, stringValue } from './shapes';
import type { Finding, Rule, RuleContext, RuleId } from './types';
import { type CallsContext, perCallSite } from './util';

/** Next.js route handler exports. */
const HTTP_EXPORTS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** `app.post('/x', handler)` (Express, Fastify, Hono, koa-router): the route registration methods. */
const ROUTE_METHODS: ReadonlySet<string> = new Set(['get', 'post', 'put', 'patch', 'delete', 'all', 'options', 'head']);
/** `res.json(…)`, `reply.send(…)`, `c.json(…)`, `NextResponse.json(…)`: a result going to the client. */
const SEND_METHODS: ReadonlySet<string> = new Set(['json', 'send', 'text', 'end']);
const SEND_RECEIVERS: ReadonlySet<string> = new Set(['res', 'response', 'reply', 'c', 'ctx', 'Response', 'NextResponse']);

/**
 * `non-streamed-long-output` (info): a long generation answered in one piece inside a request
 * handler. It costs the same streamed; the point is that the client waits for the whole reply. No
 * edit: switching to streaming changes how the handler writes its response, so the message links a
 * documented snippet instead.
 */
export const nonStreamedLongOutput: Rule = nonStreamedLongOutputRule<RuleContext>(handlerKind);

/**
 * The rule in any language: `handlerOf` says which request handler (if any) the call node runs in
 * (`the POST /draft handler`), in the phrasing of `handlerKind`. Shared with the Python twin.
 */
export function nonStreamedLongOutputRule<C extends CallsContext>(handlerOf: (context: C, call: C['calls'][number]) => string | undefined): { readonly id: RuleId; check(context: C): Finding[] } {
	return perCallSite<C>('non-streamed-long-output', (context, site, index) => {
		if (!isLongAndUnstreamed(site, context.settings.longOutputTokens)) return undefined;
		const call = context.calls[index];
		const handler = call ? handlerOf(context, call) : undefined;
		if (!handler) return undefined;
		return {
			ruleId: 'non-streamed-long-output',
			severity: 'info',
			message: nonStreamedMessage(outputCapOf(site), handler),
			span: site.calleeSpan,
			callSiteIndex: index,
			fixes: [],
		};
	});
}

/** The literal output cap of a call (0 when absent or dynamic). */
export function outputCapOf(site: CallSite): number {
	return site.maxOutputTokens?.kind === 'literal' ? site.maxOutputTokens.value : 0;
}

/** The finding's message; `handler` describes where the call runs (`the POST /draft handler`). Shared with the Python twin. */
export function nonStreamedMessage(cap: number, handler: string): string {
	return `Up to ${formatInteger(cap)} output tokens returned in one piece from ${handler}: the client sees nothing until the whole reply is generated. Streaming costs the same and shows the first tokens as they arrive; see ${ruleLink('non-streamed-long-output')} for the change.`;
}

/** A generation call, not streamed (`stream` absent or literally false), with a literal cap at or above `longOutputTokens`. */
export function isLongAndUnstreamed(site: CallSite, longOutputTokens: number): boolean {
	if (!isGenerationApi(site.api) || site.api.endsWith('.stream')) return false;
	// `stream: true`, or a flag only known at run time: not reported.
	if (site.stream !== undefined && !(site.stream.kind === 'literal' && !site.stream.value)) return false;
	return site.maxOutputTokens?.kind === 'literal' && site.maxOutputTokens.value >= longOutputTokens;
}

/** Describes the request handler the call runs in (any enclosing function), or undefined. */
export function handlerKind(context: RuleContext, call: ts.CallExpression): string | undefined {
	const chain = ancestry(context, call);
	for (let i = chain.length - 2; i >= 0; i--) {
		const n = chain[i]!;
		if (!isFunctionLike(n)) continue;
		const kind = routeHandler(n, chain.slice(0, i)) ?? (sendsToClient(n) ? 'a function that sends its result to the client' : undefined);
		if (kind) return kind;
	}
	return undefined;
}

/** `above`: the nodes from the source file down to `fn`'s parent. */
function routeHandler(fn: ts.FunctionLikeDeclaration, above: readonly ts.Node[]): string | undefined {
	if (ts.isFunctionDeclaration(fn) && fn.name && HTTP_EXPORTS.has(fn.name.text) && isExported(fn)) return `the ${fn.name.text} route handler`;
	const parent = above[above.length - 1];
	if (!parent) return undefined;
	if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name) && HTTP_EXPORTS.has(parent.name.text)) {
		const statement = above[above.length - 3];
		if (statement && ts.isVariableStatement(statement) && isExported(statement)) return `the ${parent.name.text} route handler`;
	}
	if (ts.isCallExpression(parent) && parent.arguments.includes(fn as ts.Expression) && ts.isPropertyAccessExpression(parent.expression)) {
		const method = parent.expression.name.text;
		const path = stringValue(parent.arguments[0]);
		if (ROUTE_METHODS.has(method) && path !== undefined && path.startsWith('/')) return `the ${method.toUpperCase()} ${path} handler`;
	}
	return undefined;
}

function isExported(node: ts.FunctionDeclaration | ts.VariableStatement): boolean {
	return node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword) ?? false;
}

/** The function itself (not its nested callbacks) sends a response: `res.json(…)`, `return Response.json(…)`, `new Response(…)`. */
function sendsToClient(fn: ts.FunctionLikeDeclaration): boolean {
	if (!fn.body) return false;
	return someDescendant(fn.body, (node) => {
		if (ts.isNewExpression(node)) return ts.isIdentifier(node.expression) && (node.expression.text === 'Response' || node.expression.text === 'NextResponse');
		if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
		const receiver = node.expression.expression;
		return SEND_METHODS.has(node.expression.name.text) && ts.isIdentifier(receiver) && SEND_RECEIVERS.has(receiver.text);
	});
}
