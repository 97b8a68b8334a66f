import * as ts from 'typescript';
import type { CallSite } from '../analysis/types';
import { formatUsd } from '../pricing/format';
import { ancestry, boundNames, contains, enclosingFunction, enclosingStatement, hasForcedToolChoice, hasSchemaOutput, isFunctionLike, isGenerationApi, pricedOrUndefined, references, requestObject, ruleLink, someDescendant } from './shapes';
import type { Finding, Rule, RuleContext, RuleInputs } from './types';

/**
 * `parse-retry-instead-of-structured-output` (warning): the reply goes through `JSON.parse` and a
 * parse failure makes the code call the model again (a retry loop whose catch carries on, or a catch
 * that calls the model). Every retry pays the whole call again; structured outputs make the reply
 * valid JSON in one call. No automatic fix: the schema has to be written by someone who knows it.
 */
export const parseRetryInsteadOfStructuredOutput: Rule = {
	id: 'parse-retry-instead-of-structured-output',
	check(context) {
		if (!context.text.includes('JSON.parse')) return [];
		const findings: Finding[] = [];
		context.callSites.forEach((site, index) => {
			const call = context.calls[index];
			if (!call || !isGenerationApi(site.api)) return;
			const object = requestObject(context, index);
			if (hasForcedToolChoice(object) || hasSchemaOutput(object)) return;
			const match = findParseRetry(context, call);
			if (!match) return;
			const sf = context.sourceFile;
			findings.push({
				ruleId: 'parse-retry-instead-of-structured-output',
				severity: 'warning',
				message: parseRetryMessage(context, index, 'JSON.parse', match.kind, structuredHint(site)),
				span: { start: match.parse.getStart(sf), end: match.parse.getEnd() },
				callSiteIndex: index,
				fixes: [],
			});
		});
		return findings;
	},
};

/**
 * The finding's message: `parser` is how the reply is parsed (`JSON.parse`, `json.loads`), `hint` the
 * structured-output construct to use instead, written in the file's language. Shared with the Python twin.
 */
export function parseRetryMessage(context: RuleInputs, index: number, parser: string, kind: 'loop' | 'catch', hint: string): string {
	const estimate = pricedOrUndefined(context.estimates[index]);
	const cost = estimate ? ` (~${formatUsd(estimate.costUsd)} per call at the estimate)` : '';
	return `The reply is parsed with ${parser} and ${kind === 'loop' ? 'the call retried in a loop' : 'the model called again'} when that fails: every retry pays for the whole call again${cost}. ${hint} would return valid JSON in one call. See ${ruleLink('parse-retry-instead-of-structured-output')}`;
}

function structuredHint(site: CallSite): string {
	if (site.provider === 'anthropic') return 'A forced tool with an input_schema (`tools: [{ name, input_schema }]`, `tool_choice: { type: \'tool\', name }`)';
	if (site.api.startsWith('responses.')) return 'Structured outputs (`text: { format: { type: \'json_schema\', … } }` or `responses.parse`)';
	return 'Structured outputs (`response_format: { type: \'json_schema\', … }` or `chat.completions.parse` with a zod schema)';
}

interface Match {
	readonly parse: ts.CallExpression;
	readonly kind: 'loop' | 'catch';
}

/**
 * Looks in the nearest loop around the call (or, outside a loop, the enclosing function) for a
 * `try { … JSON.parse(<the reply>) … } catch { … }` whose catch either lets the loop go round again
 * or calls the model itself.
 */
function findParseRetry(context: RuleContext, call: ts.CallExpression): Match | undefined {
	const chain = ancestry(context, call);
	const loop = enclosingLoop(chain);
	const fn = enclosingFunction(chain);
	const scope: ts.Node = loop ?? fn?.body ?? context.sourceFile;
	// Cheap reject before walking the scope: no JSON.parse or no try in it.
	const parseAt = context.text.indexOf('JSON.parse', scope.pos);
	const tryAt = context.text.indexOf('try', scope.pos);
	if (parseAt < 0 || parseAt >= scope.end || tryAt < 0 || tryAt >= scope.end) return undefined;
	const statement = enclosingStatement(chain)?.statement;
	const tainted = new Set<string>();
	if (statement && ts.isVariableStatement(statement)) for (const d of statement.declarationList.declarations) boundNames(d.name, tainted);
	const fromReply = (node: ts.Node): boolean => contains(node, call) || references(node, tainted);

	let found: Match | undefined;
	someDescendant(scope, (node) => {
		// Bindings derived from the reply (`const text = reply.choices[0].message.content`) carry it on.
		if (ts.isVariableDeclaration(node) && node.initializer && node.pos > call.pos && fromReply(node.initializer)) boundNames(node.name, tainted);
		if (!ts.isTryStatement(node) || !node.catchClause) return false;
		const parse = jsonParseOf(node.tryBlock, fromReply);
		if (!parse) return false;
		const catchBlock = node.catchClause.block;
		if (loop && !exitsLoop(catchBlock)) found = { parse, kind: 'loop' };
		else if (context.calls.some((other) => other !== call && contains(catchBlock, other))) found = { parse, kind: 'catch' };
		return found !== undefined;
	});
	return found;
}

function jsonParseOf(block: ts.Block, fromReply: (node: ts.Node) => boolean): ts.CallExpression | undefined {
	let parse: ts.CallExpression | undefined;
	someDescendant(block, (node) => {
		if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) return false;
		const target = node.expression;
		if (target.name.text !== 'parse' || !ts.isIdentifier(target.expression) || target.expression.text !== 'JSON') return false;
		const arg = node.arguments[0];
		if (arg && fromReply(arg)) parse = node;
		return parse !== undefined;
	});
	return parse;
}

function enclosingLoop(chain: readonly ts.Node[]): ts.IterationStatement | undefined {
	for (let i = chain.length - 2; i >= 0; i--) {
		const n = chain[i]!;
		if (isFunctionLike(n)) return undefined;
		if (ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n) || ts.isWhileStatement(n) || ts.isDoStatement(n)) return n;
	}
	return undefined;
}

/** The catch block leaves the loop on every path through its last statement (throw, return, break). */
function exitsLoop(block: ts.Block): boolean {
	const last = block.statements[block.statements.length - 1];
	return last !== undefined && (ts.isThrowStatement(last) || ts.isReturnStatement(last) || ts.isBreakStatement(last));
}
