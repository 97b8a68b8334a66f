import * as ts from 'typescript';
import type { CallSite } from '../analysis/types';
import { formatInteger, formatUsd } from '../pricing/format';
import { BATCH_MULTIPLIER } from '../pricing/prices';
import { handlerKind } from './nonStreamedLongOutput';
import { ancestry, boundNames, contains, enclosingStatement, isFunctionLike, pricedOrUndefined, references, ruleLink, unwrapExpression } from './shapes';
import type { Finding, Rule, RuleContext, RuleId, RuleInputs } from './types';
import { type CallsContext, perCallSite } from './util';

/** Items a loop is assumed to run over when the source cannot say (`RuleSettings.batchAssumedItems`). */
export const DEFAULT_BATCH_ASSUMED_ITEMS = 1000;

/** APIs that are already batch submissions, or free: never a candidate. */
const NOT_CANDIDATES: ReadonlySet<CallSite['api']> = new Set(['messages.batches.create', 'batches.create', 'messages.countTokens', 'messages.stream', 'chat.completions.stream', 'responses.stream']);

/** A loop header naming its counter like this is a retry loop, not a loop over a collection. */
export const RETRY_HEADER = /attempt|retr(y|ies)|tries|tried|backoff/i;
/** A loop that looks at these is an agent/tool-use loop: each turn needs the previous reply, so it cannot be batched. */
export const AGENT_LOOP = /stop_reason|finish_reason|tool_calls|tool_use|function_call|requires_action/;

/**
 * `batch-candidate` (info): an LLM call awaited once per item of a loop (or per element of
 * `.forEach` / `Promise.all(items.map(…))`) outside any request handler, i.e. in a script or job
 * where nobody waits for the answer. The provider's batch API bills about half; the price is results
 * within 24 hours instead of now. No edit: moving to a batch changes how results are collected.
 */
export const batchCandidate: Rule = batchCandidateRule<RuleContext>(perItemLoop, handlerKind);

/**
 * The rule in any language: `perItemLoopOf` describes the per-item construct the call node runs in
 * (`a for…of loop`), `handlerOf` the request handler it runs in (then it is not a candidate).
 * Shared with the Python twin.
 */
export function batchCandidateRule<C extends CallsContext>(
	perItemLoopOf: (context: C, call: C['calls'][number]) => string | undefined,
	handlerOf: (context: C, call: C['calls'][number]) => string | undefined,
): { readonly id: RuleId; check(context: C): Finding[] } {
	return perCallSite<C>('batch-candidate', (context, site, index) => {
		if (!isBatchableSite(site)) return undefined;
		const call = context.calls[index];
		if (call === undefined) return undefined;
		const loop = perItemLoopOf(context, call);
		if (!loop || handlerOf(context, call)) return undefined;
		return {
			ruleId: 'batch-candidate',
			severity: 'info',
			message: batchCandidateMessage(context, site, index, loop, context.settings.batchAssumedItems ?? DEFAULT_BATCH_ASSUMED_ITEMS),
			span: site.calleeSpan,
			callSiteIndex: index,
			// No monthly figure: how often the script runs is not something the source or the settings say.
			fixes: [],
		};
	});
}

/** A call the batch APIs could take: a generation or embedding request to Anthropic/OpenAI proper, not streamed. */
export function isBatchableSite(site: CallSite): boolean {
	if (NOT_CANDIDATES.has(site.api) || site.provider === 'openai-compatible' || site.baseURL !== undefined) return false;
	// A streamed reply in a loop is being shown as it arrives: not something to collect tomorrow.
	return !(site.stream?.kind === 'literal' && site.stream.value);
}

/** The finding's message: `loop` names the per-item construct (`a for…of loop`), priced at `items` per run. Shared with the Python twin. */
export function batchCandidateMessage(context: RuleInputs, site: CallSite, index: number, loop: string, items: number): string {
	const [api, method] = site.provider === 'anthropic' ? ['Message Batches API', 'messages.batches.create'] : ['Batch API', 'batches.create'];
	const estimate = pricedOrUndefined(context.estimates[index]);
	const multiplier = estimate?.price.batchMultiplier ?? BATCH_MULTIPLIER;
	const off = `${formatInteger((1 - multiplier) * 100)}% off`;
	const head = `One call per item in ${loop}, outside any request handler`;
	const tail = `results arrive asynchronously within 24 h. See ${ruleLink('batch-candidate')}`;
	if (!estimate) return `${head}: the ${api} (\`${method}\`) bills the same requests ${off}; ${tail}`;
	const perRun = estimate.costUsd * items;
	return `${head}: ~${formatUsd(perRun)} per run of ${formatInteger(items)} items (assumed) would be ~${formatUsd(perRun * multiplier)} with the ${api} (\`${method}\`, ${off}); ${tail}`;
}

/**
 * Describes the per-item loop the call runs in (`a for…of loop`, `.forEach`), or undefined. Climbs
 * from the call only as far as the nearest function: a loop outside it runs the function, not the
 * call (unless the function is the `.forEach` / `.map` callback itself).
 */
function perItemLoop(context: RuleContext, call: ts.CallExpression): string | undefined {
	const chain = ancestry(context, call);
	let i = chain.length - 2;
	while (i >= 0 && (ts.isParenthesizedExpression(chain[i]!) || ts.isAsExpression(chain[i]!) || ts.isNonNullExpression(chain[i]!))) i--;
	const parent = chain[i];
	const awaited = parent !== undefined && ts.isAwaitExpression(parent);
	const returned = parent !== undefined && (ts.isReturnStatement(parent) || (ts.isArrowFunction(parent) && parent.body !== undefined && contains(parent.body, call) && unwrapExpression(parent.body as ts.Expression) === call));
	for (let k = chain.length - 2; k >= 0; k--) {
		const n = chain[k]!;
		if (isLoop(n)) {
			// In the loop's header (`for (const x of await list())`) the call runs once per loop, not per item.
			if (!contains(n.statement, call)) continue;
			if (!awaited || isRetryOrAgentLoop(context, n, chain, call)) return undefined;
			return loopName(n);
		}
		if (isFunctionLike(n)) return awaited || returned ? iterationCallback(n, chain[k - 1], chain[k - 2]) : undefined;
	}
	return undefined;
}

type Loop = ts.ForStatement | ts.ForOfStatement | ts.ForInStatement | ts.WhileStatement | ts.DoStatement;

function isLoop(node: ts.Node): node is Loop {
	return ts.isForStatement(node) || ts.isForOfStatement(node) || ts.isForInStatement(node) || ts.isWhileStatement(node) || ts.isDoStatement(node);
}

function loopName(loop: Loop): string {
	if (ts.isForOfStatement(loop)) return loop.awaitModifier ? 'a for await…of loop' : 'a for…of loop';
	if (ts.isForInStatement(loop)) return 'a for…in loop';
	if (ts.isForStatement(loop)) return 'a for loop';
	return ts.isWhileStatement(loop) ? 'a while loop' : 'a do…while loop';
}

/**
 * Loops that are not over a collection: a retry loop (counter named `attempt`/`retries`, or the call
 * in a `try` that returns or breaks on success) and an agent loop (it reads `stop_reason` /
 * `tool_calls`, or its condition reads the reply), where each call needs the one before.
 */
function isRetryOrAgentLoop(context: RuleContext, loop: Loop, chain: readonly ts.Node[], call: ts.CallExpression): boolean {
	const sf = context.sourceFile;
	const header = context.text.slice(loop.getStart(sf), loop.statement.getStart(sf));
	if (RETRY_HEADER.test(header)) return true;
	if (AGENT_LOOP.test(context.text.slice(loop.getStart(sf), loop.getEnd()))) return true;
	const condition = ts.isWhileStatement(loop) || ts.isDoStatement(loop) ? loop.expression : ts.isForStatement(loop) ? loop.condition : undefined;
	const statement = enclosingStatement(chain)?.statement;
	if (condition && statement && ts.isVariableStatement(statement)) {
		const names = new Set<string>();
		for (const d of statement.declarationList.declarations) boundNames(d.name, names);
		if (references(condition, names)) return true;
	}
	for (const n of chain) {
		if (!contains(loop.statement, n) || !ts.isTryStatement(n) || !contains(n.tryBlock, call)) continue;
		if (n.tryBlock.statements.some((s) => ts.isReturnStatement(s) || ts.isBreakStatement(s))) return true;
	}
	return false;
}

/** `items.forEach(fn)`, or `Promise.all(items.map(fn))` / `allSettled`: `fn` runs once per element. */
function iterationCallback(fn: ts.FunctionLikeDeclaration, parent: ts.Node | undefined, grandparent: ts.Node | undefined): string | undefined {
	if (!parent || !ts.isCallExpression(parent) || !parent.arguments.includes(fn as ts.Expression)) return undefined;
	const callee = parent.expression;
	if (!ts.isPropertyAccessExpression(callee)) return undefined;
	if (callee.name.text === 'forEach') return '.forEach';
	if (callee.name.text !== 'map' || !grandparent || !ts.isCallExpression(grandparent) || !grandparent.arguments.some((a) => unwrapExpression(a) === parent)) return undefined;
	const outer = grandparent.expression;
	if (ts.isPropertyAccessExpression(outer) && ts.isIdentifier(outer.expression) && outer.expression.text === 'Promise' && (outer.name.text === 'all' || outer.name.text === 'allSettled')) return `Promise.${outer.name.text} over .map`;
	return undefined;
}
