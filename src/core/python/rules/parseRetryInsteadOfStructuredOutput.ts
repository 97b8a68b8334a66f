import type { CallSite } from '../../analysis/types';
import { parseRetryMessage } from '../../rules/parseRetryInsteadOfStructuredOutput';
import { isGenerationApi } from '../../rules/shapes';
import type { Finding, PythonRule, PythonRuleContext } from '../../rules/types';
import type { PyNode } from '../parser';
import { dottedName, enclosingFunction, enclosingStatement, keywordArguments, positionalArguments, splatArguments } from '../syntax';
import { pyHasForcedToolChoice, pyHasSchemaOutput } from './edits';
import { enclosingLoopBody, lastStatement, namesBoundBy, referencesAny, textOf, within } from './flowHelpers';

/** `json.loads(…)` and its drop-in twins; a bare `loads(…)` counts when the module imports it from one of these. */
const PARSERS: ReadonlySet<string> = new Set(['json.loads', 'orjson.loads', 'ujson.loads', 'simplejson.loads', 'rapidjson.loads']);
const PARSER_TEXT = /\bloads\s*\(/;
/** What a parse failure raises: `json.JSONDecodeError` is a `ValueError`; `Exception` / a bare `except` catch it too. */
const PARSE_ERRORS = /\b(?:JSONDecodeError|ValueError|Exception|BaseException|DecodeError)\b/;

/**
 * `parse-retry-instead-of-structured-output` (warning), Python: the reply goes through `json.loads`
 * inside a `try` whose `except` (JSONDecodeError / ValueError / Exception / bare) lets a retry loop go
 * round again, or calls the model itself. Every retry pays the whole call again; structured outputs
 * (`response_format=` a JSON schema or a Pydantic model with `.parse`, `text_format=`, a forced tool)
 * make the reply valid JSON in one call. No automatic fix, as in TypeScript.
 */
export const parseRetryInsteadOfStructuredOutput: PythonRule = {
	id: 'parse-retry-instead-of-structured-output',
	check(context) {
		if (!PARSER_TEXT.test(context.text)) return [];
		const findings: Finding[] = [];
		context.callSites.forEach((site, index) => {
			const call = context.calls[index];
			if (!call || !isGenerationApi(site.api) || site.unresolvedArgs) return;
			const match = findParseRetry(context, call);
			if (!match || pyHasForcedToolChoice(call) || pyHasSchemaOutput(call)) return;
			findings.push({
				ruleId: 'parse-retry-instead-of-structured-output',
				severity: 'warning',
				message: parseRetryMessage(context, index, match.parser, match.kind, structuredHint(site)),
				span: { start: match.parse.startIndex, end: match.parse.endIndex },
				callSiteIndex: index,
				fixes: [],
			});
		});
		return findings;
	},
};

function structuredHint(site: CallSite): string {
	if (site.provider === 'anthropic') return 'A forced tool with an input_schema (`tools=[{"name": …, "input_schema": …}]`, `tool_choice={"type": "tool", "name": …}`)';
	if (site.api.startsWith('responses.')) return 'Structured outputs (`responses.parse(text_format=YourModel)` or `text={"format": {"type": "json_schema", …}}`)';
	return 'Structured outputs (`chat.completions.parse(response_format=YourModel)` with a Pydantic model, or `response_format={"type": "json_schema", …}`)';
}

interface Match {
	readonly parse: PyNode;
	readonly parser: string;
	readonly kind: 'loop' | 'catch';
}

/**
 * Looks in the nearest loop around the call (or, outside a loop, the enclosing function) for a
 * `try: … json.loads(<the reply>) … except …:` whose handler either lets the loop go round again or
 * calls the model itself.
 */
function findParseRetry(context: PythonRuleContext, call: PyNode): Match | undefined {
	const text = context.text;
	const loop = enclosingLoopBody(call);
	const fn = enclosingFunction(call);
	const scope: PyNode = loop ?? fn?.childForFieldName('body') ?? context.tree.rootNode;
	// Cheap reject before reading the scope: no `loads(` or no `try` in it.
	const source = textOf(text, scope);
	if (!PARSER_TEXT.test(source) || !/\btry\s*:/.test(source)) return undefined;
	// Outside a loop only a handler that calls the model again counts: none in the scope, nothing to look for.
	if (!loop && !context.calls.some((other) => other.startIndex !== call.startIndex && within(other, scope) && inExceptClause(other, scope))) return undefined;
	const bareLoads = /^\s*from\s+(?:json|orjson|ujson|simplejson|rapidjson)\s+import\s+[^\n]*\bloads\b/m.test(text);

	// Names carrying the reply: bound by the call's statement, then by assignments after it that read one.
	const tainted = namesBoundBy(enclosingStatement(call));
	const fromReply = (node: PyNode): boolean => within(call, node) || referencesAny(text, node, tainted);
	const assignments = scope.descendantsOfType('assignment').filter((a): a is PyNode => !!a && a.startIndex > call.endIndex);
	for (const a of assignments.slice(0, 500)) {
		const right = a.childForFieldName('right');
		if (right && fromReply(right)) for (const n of namesBoundBy(a.parent?.type === 'expression_statement' ? a.parent : undefined)) tainted.add(n);
	}

	const tries = scope.descendantsOfType('try_statement');
	for (const t of tries.slice(0, 200)) {
		if (!t) continue;
		const body = t.childForFieldName('body');
		if (!body) continue;
		const parse = parseOf(body, fromReply, bareLoads);
		if (!parse) continue;
		for (const clause of t.namedChildren) {
			if (clause?.type !== 'except_clause' || !catchesParseError(text, clause)) continue;
			const block = clause.namedChildren.find((c) => c?.type === 'block');
			if (!block) continue;
			if (loop && !exitsLoop(block)) return { parse: parse.node, parser: parse.name, kind: 'loop' };
			if (context.calls.some((other) => other.startIndex !== call.startIndex && within(other, block))) return { parse: parse.node, parser: parse.name, kind: 'catch' };
		}
	}
	return undefined;
}

/** `node` sits in an `except` handler below `scope` (a short climb). */
function inExceptClause(node: PyNode, scope: PyNode): boolean {
	let depth = 0;
	for (let n = node.parent; n && depth < 200 && n.startIndex >= scope.startIndex; n = n.parent, depth++) {
		if (n.type === 'except_clause') return true;
		if (n.type === 'function_definition' || n.type === 'lambda') return false;
	}
	return false;
}

function parseOf(block: PyNode, fromReply: (node: PyNode) => boolean, bareLoads: boolean): { node: PyNode; name: string } | undefined {
	for (const c of block.descendantsOfType('call').slice(0, 500)) {
		const callee = c?.childForFieldName('function');
		const name = callee ? dottedName(callee) : undefined;
		if (!c || !name || !(PARSERS.has(name) || (bareLoads && name === 'loads'))) continue;
		const arg = positionalArguments(c)[0] ?? keywordArguments(c).get('s')?.value ?? splatArguments(c)[0];
		if (arg && fromReply(arg)) return { node: c, name };
	}
	return undefined;
}

/** `except:`, `except Exception:`, `except (json.JSONDecodeError, KeyError) as e:`, `except ValueError:`. */
function catchesParseError(text: string, clause: PyNode): boolean {
	const value = clause.childForFieldName('value') ?? clause.namedChildren.find((c) => c?.type !== 'block' && c?.type !== 'comment');
	if (!value) return true;
	const types = value.type === 'as_pattern' ? value.namedChildren[0] : value;
	return !!types && PARSE_ERRORS.test(textOf(text, types));
}

/** The handler leaves the loop through its last statement (raise, return, break). */
function exitsLoop(block: PyNode): boolean {
	const last = lastStatement(block);
	return last !== undefined && (last.type === 'raise_statement' || last.type === 'return_statement' || last.type === 'break_statement');
}
