import { AGENT_LOOP, RETRY_HEADER, batchCandidateRule } from '../../rules/batchCandidate';
import type { PythonRule, PythonRuleContext } from '../../rules/types';
import type { PyNode } from '../parser';
import { dottedName, enclosingFunction, enclosingStatement, isAsyncFunction, sameNode } from '../syntax';
import { awaitOf, isAsyncStatement, lastStatement, namesBoundBy, pythonHandlerKind, referencesAny, statementsOf, textOf, within } from './flowHelpers';

const MAX_DEPTH = 400;

const COMPREHENSIONS: Readonly<Record<string, string>> = {
	list_comprehension: 'a list comprehension',
	set_comprehension: 'a set comprehension',
	dictionary_comprehension: 'a dict comprehension',
	generator_expression: 'a generator expression',
};

/**
 * `batch-candidate` (info), Python: an LLM call made once per item of a `for`/`while` loop, a
 * comprehension or `map(lambda …)` outside any web request handler, i.e. in a script or job where
 * nobody waits for the answer. The provider's batch API bills about half; the price is results within
 * 24 hours instead of now. No edit: moving to a batch changes how results are collected. Same
 * judgement and message as the TypeScript rule.
 */
export const batchCandidate: PythonRule = batchCandidateRule<PythonRuleContext>(perItemLoop, pythonHandlerKind);

/**
 * Describes the per-item construct the call runs in (`a for loop`, `a list comprehension`), or
 * undefined. Climbs from the call only as far as the nearest function: a loop outside it runs the
 * function, not the call (unless the function is the lambda given to `map`).
 */
function perItemLoop(context: PythonRuleContext, call: PyNode): string | undefined {
	const awaited = awaitOf(call) !== undefined;
	let prev: PyNode = call;
	let depth = 0;
	for (let n = call.parent; n && depth < MAX_DEPTH; prev = n, n = n.parent, depth++) {
		if (n.type === 'for_statement' || n.type === 'while_statement') {
			// In the header (`for doc in client.files.list()`) or the `else:` the call runs once per loop, not per item.
			const body = n.childForFieldName('body');
			if (!body || !within(prev, body)) continue;
			// An async client's call not awaited in the loop is a coroutine collected for later (the
			// twin of pushing promises into an array): not a sequential per-item call.
			const fn = enclosingFunction(call);
			if (!awaited && fn && isAsyncFunction(fn)) return undefined;
			if (isRetryOrAgentLoop(context, n, call)) return undefined;
			if (n.type === 'while_statement') return 'a while loop';
			return isAsyncStatement(n) ? 'an async for loop' : 'a for loop';
		}
		const comprehension = COMPREHENSIONS[n.type];
		if (comprehension) {
			// The first `for … in <iterable>` is evaluated once.
			const first = n.namedChildren.find((c) => c?.type === 'for_in_clause');
			const iterable = first?.childForFieldName('right');
			if (iterable && within(prev, iterable)) continue;
			return gatheredOver(n) ?? comprehension;
		}
		if (n.type === 'lambda') return sameNode(n.childForFieldName('body'), prev) ? mapCallback(n) : undefined;
		if (n.type === 'function_definition' || n.type === 'class_definition') return undefined;
	}
	return undefined;
}

/** `asyncio.gather(*[… for …])` / `gather(*(… for …))`: the twin of `Promise.all(items.map(…))`. */
function gatheredOver(comprehension: PyNode): string | undefined {
	const splat = comprehension.parent;
	if (splat?.type !== 'list_splat') return undefined;
	const call = splat.parent?.type === 'argument_list' ? splat.parent.parent : undefined;
	const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
	const name = callee ? dottedName(callee) : undefined;
	if (name !== 'asyncio.gather' && name !== 'gather') return undefined;
	return `asyncio.gather over ${COMPREHENSIONS[comprehension.type]!}`;
}

/** `map(lambda d: client…(d), docs)` / `executor.map(lambda …, docs)`: the lambda runs once per element. */
function mapCallback(lambda: PyNode): string | undefined {
	const args = lambda.parent;
	if (args?.type !== 'argument_list') return undefined;
	const call = args.parent;
	const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
	const name = callee ? dottedName(callee) : undefined;
	if (!name) return undefined;
	if (name === 'map') return 'map()';
	if (name.endsWith('.map')) return `${name.slice(name.lastIndexOf('.', name.length - 5) + 1)}()`;
	return undefined;
}

/**
 * Loops that are not over a collection: a retry loop (counter named `attempt`/`retries`, or the call
 * in a `try` whose body or `else:` returns or breaks on success) and an agent loop (it reads
 * `stop_reason` / `tool_calls`, or its condition reads the reply), where each call needs the one before.
 */
function isRetryOrAgentLoop(context: PythonRuleContext, loop: PyNode, call: PyNode): boolean {
	const text = context.text;
	const body = loop.childForFieldName('body');
	if (!body) return true;
	if (RETRY_HEADER.test(text.slice(loop.startIndex, body.startIndex))) return true;
	if (AGENT_LOOP.test(textOf(text, loop))) return true;
	const condition = loop.type === 'while_statement' ? loop.childForFieldName('condition') : undefined;
	const statement = enclosingStatement(call);
	if (condition && statement && referencesAny(text, condition, namesBoundBy(statement))) return true;
	let depth = 0;
	for (let n = call.parent; n && depth < MAX_DEPTH && !sameNode(n, loop); n = n.parent, depth++) {
		if (n.type !== 'try_statement') continue;
		const tryBody = n.childForFieldName('body');
		if (!tryBody || !within(call, tryBody)) continue;
		if (statementsOf(tryBody).some(exitsOnSuccess)) return true;
		const elseClause = n.namedChildren.find((c) => c?.type === 'else_clause');
		const last = lastStatement(elseClause?.childForFieldName('body') ?? elseClause?.namedChildren.find((c) => c?.type === 'block'));
		if (last && exitsOnSuccess(last)) return true;
	}
	return false;
}

function exitsOnSuccess(statement: PyNode): boolean {
	return statement.type === 'return_statement' || statement.type === 'break_statement';
}
