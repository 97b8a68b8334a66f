import * as ts from 'typescript';
import { formatInteger } from '../pricing/format';
import { ancestry, boundNames, enclosingStatement, lineIndent, references, ruleLink, someDescendant } from './shapes';
import type { Finding, Fix, Rule, RuleContext } from './types';

/** Line length up to which the `Promise.all` rewrite stays on one line. */
const ONE_LINE_LIMIT = 120;

interface AwaitedCall {
	readonly index: number;
	readonly call: ts.CallExpression;
	readonly statement: ts.Statement;
	readonly container: ts.Node;
	readonly position: number;
	/** Names the statement binds from the result (`const a = await …`, `a = await …`). */
	readonly names: ReadonlySet<string>;
	/** How the statement can be rewritten: `const a = await x()` / `await x()`; undefined: not mechanically. */
	readonly shape: { readonly keyword: 'const' | 'let'; readonly name: ts.BindingName } | { readonly keyword: undefined } | undefined;
}

/**
 * `sequential-independent-calls` (info): awaited LLM calls in one block, none using another's
 * result, so the caller waits for the sum of their latencies instead of the longest. The fix joins
 * consecutive ones into one `Promise.all` with the same bindings.
 */
export const sequentialIndependentCalls: Rule = {
	id: 'sequential-independent-calls',
	check(context) {
		const byContainer = new Map<ts.Node, AwaitedCall[]>();
		context.calls.forEach((call, index) => {
			const awaited = awaitedCall(context, call, index);
			if (!awaited) return;
			const list = byContainer.get(awaited.container) ?? [];
			list.push(awaited);
			byContainer.set(awaited.container, list);
		});
		const findings: Finding[] = [];
		for (const [container, list] of byContainer) {
			if (list.length < 2) continue;
			const statements = statementsOf(container);
			list.sort((a, b) => a.position - b.position);
			for (const group of independentGroups(list, statements, references, isBarrier)) findings.push(finding(context, group, statements));
		}
		return findings;
	},
};

function statementsOf(container: ts.Node): readonly ts.Statement[] {
	if (ts.isBlock(container) || ts.isSourceFile(container) || ts.isModuleBlock(container) || ts.isCaseClause(container) || ts.isDefaultClause(container)) return container.statements;
	return [];
}

function awaitedCall(context: RuleContext, call: ts.CallExpression, index: number): AwaitedCall | undefined {
	const chain = ancestry(context, call);
	let i = chain.length - 2;
	while (i >= 0 && (ts.isParenthesizedExpression(chain[i]!) || ts.isAsExpression(chain[i]!) || ts.isNonNullExpression(chain[i]!))) i--;
	const awaitExpression = chain[i];
	if (!awaitExpression || !ts.isAwaitExpression(awaitExpression)) return undefined;
	const enclosing = enclosingStatement(chain.slice(0, i + 1));
	if (!enclosing) return undefined;
	const { statement, container } = enclosing;
	let awaits = 0;
	someDescendant(statement, (n) => ts.isAwaitExpression(n) && ++awaits > 1);
	if (awaits !== 1) return undefined;
	const position = statementsOf(container).indexOf(statement);
	if (position < 0) return undefined;

	let names = new Set<string>();
	let shape: AwaitedCall['shape'];
	if (ts.isVariableStatement(statement)) {
		const list = statement.declarationList;
		for (const d of list.declarations) boundNames(d.name, names);
		const keyword = list.flags & ts.NodeFlags.Const ? 'const' : list.flags & ts.NodeFlags.Let ? 'let' : undefined;
		const only = list.declarations.length === 1 ? list.declarations[0] : undefined;
		if (keyword && only && !only.type && only.initializer && unwrapParens(only.initializer) === awaitExpression && !statement.modifiers?.length) shape = { keyword, name: only.name };
	} else if (ts.isExpressionStatement(statement)) {
		const expression = unwrapParens(statement.expression);
		if (expression === awaitExpression) shape = { keyword: undefined };
		else if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(expression.left)) names = new Set([expression.left.text]);
	}
	return { index, call, statement, container, position, names, shape };
}

function unwrapParens(node: ts.Expression): ts.Expression {
	let n = node;
	while (ts.isParenthesizedExpression(n)) n = n.expression;
	return n;
}

/** What `independentGroups` needs of an awaited call, in any language. */
export interface OrderedCall<S> {
	/** The statement holding the call. */
	readonly statement: S;
	/** Its index among the statements of its block. */
	readonly position: number;
	/** Names the statement binds from the result. */
	readonly names: ReadonlySet<string>;
}

/**
 * Runs of calls in statement order where no later call (nor any statement between) reads a name an
 * earlier call bound. A statement between them that awaits, returns, throws, breaks or continues
 * (`isBarrier`) ends the run: the order may be deliberate (a rate-limit sleep) or the later call
 * conditional. `list` is sorted by position; shared with the Python twin.
 */
export function independentGroups<S, A extends OrderedCall<S>>(list: readonly A[], statements: readonly S[], reads: (statement: S, names: ReadonlySet<string>) => boolean, isBarrier: (statement: S) => boolean): A[][] {
	const groups: A[][] = [];
	let group: A[] = [];
	let names = new Set<string>();
	const close = (): void => { if (group.length >= 2) groups.push(group); };
	for (const next of list) {
		const previous = group[group.length - 1];
		let independent = previous !== undefined && !reads(next.statement, names);
		if (independent && previous) {
			for (let i = previous.position + 1; i < next.position && independent; i++) {
				const between = statements[i];
				if (between !== undefined && (reads(between, names) || isBarrier(between))) independent = false;
			}
		}
		if (independent) {
			group.push(next);
			for (const n of next.names) names.add(n);
		} else {
			close();
			group = [next];
			names = new Set(next.names);
		}
	}
	close();
	return groups;
}

function isBarrier(statement: ts.Statement): boolean {
	const stops = (n: ts.Node): boolean => ts.isAwaitExpression(n) || ts.isReturnStatement(n) || ts.isThrowStatement(n) || ts.isBreakStatement(n) || ts.isContinueStatement(n);
	return stops(statement) || someDescendant(statement, stops);
}

/** The finding's message for `count` independent awaited calls (shared with the Python twin). */
export function sequentialCallsMessage(count: number): string {
	return `These ${formatInteger(count)} calls run one after another, and none uses another's result; in parallel the wait is the longest one, not the sum. See ${ruleLink('sequential-independent-calls')}`;
}

function finding(context: RuleContext, group: readonly AwaitedCall[], statements: readonly ts.Statement[]): Finding {
	const first = group[0]!;
	const last = group[group.length - 1]!;
	const sf = context.sourceFile;
	const fix = promiseAllFix(context, group, statements);
	return {
		ruleId: 'sequential-independent-calls',
		severity: 'info',
		message: sequentialCallsMessage(group.length),
		span: { start: first.statement.getStart(sf), end: last.statement.getEnd() },
		callSiteIndex: first.index,
		fixes: fix ? [fix] : [],
	};
}

/** `const a = await x(…); const b = await y(…);` → `const [a, b] = await Promise.all([x(…), y(…)]);` */
function promiseAllFix(context: RuleContext, group: readonly AwaitedCall[], statements: readonly ts.Statement[]): Fix | undefined {
	const { text, sourceFile: sf } = context;
	const keywords = new Set<string>();
	for (let i = 0; i < group.length; i++) {
		const member = group[i]!;
		if (!member.shape) return undefined;
		if (member.shape.keyword) keywords.add(member.shape.keyword);
		// Consecutive statements only, with nothing (not even a comment) between them or around the call.
		if (i > 0 && member.position !== group[i - 1]!.position + 1) return undefined;
		const previous = statements[member.position - 1];
		if (i > 0 && previous && text.slice(previous.getEnd(), member.statement.getStart(sf)).trim() !== '') return undefined;
		const outside = text.slice(member.statement.getStart(sf), member.call.getStart(sf)) + text.slice(member.call.getEnd(), member.statement.getEnd());
		if (outside.includes('//') || outside.includes('/*')) return undefined;
	}
	if (keywords.size > 1) return undefined;
	const keyword = [...keywords][0];
	const first = group[0]!.statement;
	const last = group[group.length - 1]!.statement;
	const indent = lineIndent(text, first.getStart(sf));
	const calls = group.map((m) => text.slice(m.call.getStart(sf), m.call.getEnd()));
	const semicolon = text.slice(first.getStart(sf), first.getEnd()).trimEnd().endsWith(';') ? ';' : '';
	let prefix = 'await ';
	if (keyword) {
		const names = group.map((m) => (m.shape && m.shape.keyword ? text.slice(m.shape.name.getStart(sf), m.shape.name.getEnd()) : ''));
		while (names.length > 0 && names[names.length - 1] === '') names.pop();
		prefix = `${keyword} [${names.join(', ')}] = await `;
	}
	const oneLine = `${prefix}Promise.all([${calls.join(', ')}])${semicolon}`;
	let newText: string;
	if (!calls.some((c) => c.includes('\n')) && indent.length + oneLine.length <= ONE_LINE_LIMIT) newText = oneLine;
	else {
		const unit = indentUnit(indent, calls);
		const items = calls.map((c) => `${indent}${unit}${c.replace(/\n(?=[^\r\n])/g, `\n${unit}`)},`).join('\n');
		newText = `${prefix}Promise.all([\n${items}\n${indent}])${semicolon}`;
	}
	return {
		title: `Run the ${formatInteger(group.length)} calls in parallel with Promise.all`,
		edits: [{ span: { start: first.getStart(sf), end: last.getEnd() }, newText }],
		preferred: true,
	};
}

/** One indentation step in the surrounding style: a tab, or the spaces a call's continuation lines add. */
function indentUnit(indent: string, calls: readonly string[]): string {
	if (indent.includes('\t')) return '\t';
	for (const c of calls) {
		const match = /\n([ \t]+)/.exec(c);
		if (!match) continue;
		const inner = match[1]!;
		if (inner.startsWith('\t')) return '\t';
		if (inner.length > indent.length) return ' '.repeat(inner.length - indent.length);
	}
	return indent.length > 0 ? '  ' : '\t';
}
