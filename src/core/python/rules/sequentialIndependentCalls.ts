import { formatInteger } from '../../pricing/format';
import { independentGroups, sequentialCallsMessage } from '../../rules/sequentialIndependentCalls';
import type { Finding, Fix, PythonRule, PythonRuleContext, TextEdit } from '../../rules/types';
import type { PyNode } from '../parser';
import { lineIndent } from '../../rules/shapes';
import { enclosingFunction, enclosingStatement, pythonIndentUnit, sameNode, unparen } from '../syntax';
import { awaitOf, isAsyncStatement, namesBoundBy, parentThroughParens, referencesAny, statementsOf, textOf } from './flowHelpers';

/** Line length up to which the `asyncio.gather` rewrite stays on one line: black's default… */
const ONE_LINE_LIMIT = 88;
/** …or the file's own longest line when it already goes past that, up to the TypeScript rule's limit. */
const ONE_LINE_MAX = 120;

interface AwaitedCall {
	readonly index: number;
	readonly call: PyNode;
	readonly statement: PyNode;
	readonly container: PyNode;
	readonly position: number;
	/** Names the statement binds from the result (`a = await …`, `a, b = await …`, `self.a = await …`). */
	readonly names: ReadonlySet<string>;
	/** How the statement can be rewritten: `name = await x()` / `await x()`; undefined: not mechanically. */
	readonly shape: { readonly name: string } | { readonly name: undefined } | undefined;
}

/**
 * `sequential-independent-calls` (info), Python: awaited LLM calls in one block of an `async def`,
 * none using another's result, so the caller waits for the sum of their latencies instead of the
 * longest. The fix joins consecutive ones into one `asyncio.gather` with the same bindings (and adds
 * `import asyncio` when the module lacks it).
 */
export const sequentialIndependentCalls: PythonRule = {
	id: 'sequential-independent-calls',
	check(context) {
		const byContainer = new Map<number, { container: PyNode; list: AwaitedCall[] }>();
		const statementCache = new Map<number, PyNode[]>();
		context.calls.forEach((call, index) => {
			const awaited = awaitedCall(context, call, index, statementCache);
			if (!awaited) return;
			const key = awaited.container.id;
			const entry = byContainer.get(key) ?? { container: awaited.container, list: [] };
			entry.list.push(awaited);
			byContainer.set(key, entry);
		});
		const findings: Finding[] = [];
		// How `gather` is reached is the same for every group of the file: looked up once, on first need.
		let gather: Gather | undefined | null = null;
		const gatherOnce = (): Gather | undefined => (gather === null ? (gather = gatherName(context)) : gather);
		for (const { container, list } of byContainer.values()) {
			if (list.length < 2) continue;
			const statements = statementCache.get(container.id) ?? statementsOf(container);
			list.sort((a, b) => a.position - b.position);
			for (const group of independentGroups(list, statements, (statement, names) => referencesAny(context.text, statement, names), isBarrier)) findings.push(finding(context, group, statements, gatherOnce));
		}
		return findings;
	},
};

function awaitedCall(context: PythonRuleContext, call: PyNode, index: number, cache: Map<number, PyNode[]>): AwaitedCall | undefined {
	const awaitNode = awaitOf(call);
	if (!awaitNode) return undefined;
	// `await x()` / `a = await x()` / `a = (await x())`: a few parents up is the statement, or it is no candidate.
	let up = parentThroughParens(awaitNode).parent;
	if (up?.type === 'assignment' || up?.type === 'augmented_assignment') up = up.parent;
	const statement = up?.type === 'expression_statement' ? up : undefined;
	const container = statement?.parent;
	if (!statement || !container || (container.type !== 'block' && container.type !== 'module')) return undefined;
	// Cheap shape checks first (every node access crosses into wasm).
	const expression = statement.namedChildren[0];
	if (!expression) return undefined;
	let shape: AwaitedCall['shape'];
	if (sameNode(unparen(expression), awaitNode)) shape = { name: undefined };
	else if (expression.type === 'assignment' || expression.type === 'augmented_assignment') {
		const right = expression.childForFieldName('right');
		// `a = await x()` only: not `a = f(await x())`, nor a call inside a comprehension.
		if (!right || !sameNode(unparen(right), awaitNode)) return undefined;
		const left = expression.childForFieldName('left');
		if (expression.type === 'assignment' && left?.type === 'identifier' && !expression.childForFieldName('type')) shape = { name: left.text };
	} else return undefined;
	// Only in an `async def` (a top-level await is not Python outside notebooks).
	const opener = container.type === 'block' ? container.parent : undefined;
	const fn = opener?.type === 'function_definition' ? opener : opener ? enclosingFunction(opener) : undefined;
	if (!isAsyncDef(context.text, fn)) return undefined;
	// One await in the statement: the text says so unless the word appears more than once (then ask the tree).
	const awaits = textOf(context.text, statement).match(/\bawait\b/g)?.length ?? 0;
	if (awaits > 1 && statement.descendantsOfType('await').filter((n) => n?.isNamed).length !== 1) return undefined;

	let statements = cache.get(container.id);
	if (!statements) {
		statements = statementsOf(container);
		cache.set(container.id, statements);
	}
	const start = statement.startIndex;
	const position = statements.findIndex((s) => s.startIndex === start);
	if (position < 0) return undefined;
	return { index, call, statement, container, position, names: namesBoundBy(statement), shape };
}

/**
 * `async def` (the function's text starts with `async`: no wasm round trip). For a block of a compound
 * statement, the caller passes the function around it; blocks of a nested class or lambda never get here.
 */
function isAsyncDef(text: string, fn: PyNode | null | undefined): boolean {
	return !!fn && fn.type === 'function_definition' && text.startsWith('async', fn.startIndex);
}

const BARRIERS = ['await', 'return_statement', 'raise_statement', 'break_statement', 'continue_statement', 'yield'];

function isBarrier(statement: PyNode): boolean {
	if (BARRIERS.includes(statement.type) || isAsyncStatement(statement)) return true;
	if (statement.descendantsOfType(BARRIERS).length > 0) return true;
	// `async for` / `async with` await implicitly.
	return statement.descendantsOfType(['for_statement', 'with_statement']).some((s) => !!s && isAsyncStatement(s));
}

function finding(context: PythonRuleContext, group: readonly AwaitedCall[], statements: readonly PyNode[], gatherOnce: () => Gather | undefined): Finding {
	const first = group[0]!;
	const last = group[group.length - 1]!;
	const fix = gatherFix(context, group, statements, gatherOnce);
	return {
		ruleId: 'sequential-independent-calls',
		severity: 'info',
		message: sequentialCallsMessage(group.length),
		span: { start: first.statement.startIndex, end: last.statement.endIndex },
		callSiteIndex: first.index,
		fixes: fix ? [fix] : [],
	};
}

/** `a = await x(…)\nb = await y(…)` → `a, b = await asyncio.gather(x(…), y(…))`. */
function gatherFix(context: PythonRuleContext, group: readonly AwaitedCall[], statements: readonly PyNode[], gatherOnce: () => Gather | undefined): Fix | undefined {
	const { text } = context;
	for (let i = 0; i < group.length; i++) {
		const member = group[i]!;
		if (!member.shape) return undefined;
		// Consecutive statements only, with nothing (not even a comment or a `;`) between them or around the call.
		if (i > 0 && member.position !== group[i - 1]!.position + 1) return undefined;
		const previous = statements[member.position - 1];
		if (i > 0 && previous && text.slice(previous.endIndex, member.statement.startIndex).trim() !== '') return undefined;
		const outside = text.slice(member.statement.startIndex, member.call.startIndex) + text.slice(member.call.endIndex, member.statement.endIndex);
		if (outside.includes('#') || outside.includes('\\')) return undefined;
	}
	const firstStatement = group[0]!.statement;
	const lastStatement = group[group.length - 1]!.statement;
	// A statement ending in `;` on the same line as the next: leave it alone.
	const after = text.slice(lastStatement.endIndex, text.indexOf('\n', lastStatement.endIndex) >= 0 ? text.indexOf('\n', lastStatement.endIndex) : text.length);
	if (after.trim().startsWith(';')) return undefined;
	const gather = gatherOnce();
	if (!gather) return undefined;
	const names = group.map((m) => (m.shape?.name ?? ''));
	const bound = names.some((n) => n !== '');
	if (bound && names.includes('')) {
		// A placeholder `_` would make `_` local to the whole function: not when the function already uses it (gettext).
		const fn = enclosingFunction(firstStatement);
		if (!fn || /(?<![\w.])_(?!\w)/.test(textOf(text, fn))) return undefined;
	}
	const prefix = bound ? `${names.map((n) => n || '_').join(', ')} = await ` : 'await ';
	const indent = lineIndent(text, firstStatement.startIndex);
	const calls = group.map((m) => callText(text, m.call));
	const oneLine = `${prefix}${gather.callee}(${calls.map((c) => c.text).join(', ')})`;
	let newText: string;
	if (!calls.some((c) => c.text.includes('\n')) && indent.length + oneLine.length <= lineLimit(text)) newText = oneLine;
	else {
		const unit = indentUnitOf(context, group[0]!.container, indent);
		const items = calls.map((c) => `${indent}${unit}${reindent(c, unit)},`).join('\n');
		newText = `${prefix}${gather.callee}(\n${items}\n${indent})`;
	}
	const edits: TextEdit[] = [];
	if (gather.importEdit) edits.push(gather.importEdit);
	edits.push({ span: { start: firstStatement.startIndex, end: lastStatement.endIndex }, newText });
	return {
		title: `Run the ${formatInteger(group.length)} calls in parallel with asyncio.gather`,
		edits,
		preferred: true,
	};
}

/** The longest line the rewrite may write on one line, from the file's own style (lines read: bounded). */
function lineLimit(text: string): number {
	let longest = 0;
	let start = 0;
	for (let n = 0; start < text.length && n < 5000; n++) {
		const nl = text.indexOf('\n', start);
		const end = nl < 0 ? text.length : nl;
		if (end - start > longest) longest = end - start;
		start = end + 1;
	}
	return Math.max(ONE_LINE_LIMIT, Math.min(ONE_LINE_MAX, longest));
}

interface CallText {
	readonly text: string;
	/** Offsets (within `text`) of line starts that lie inside a multi-line string: never re-indented. */
	readonly frozenLines: ReadonlySet<number>;
}

function callText(text: string, call: PyNode): CallText {
	const source = textOf(text, call);
	const frozenLines = new Set<number>();
	if (source.includes('\n')) {
		const strings = call.descendantsOfType('string').filter((s): s is PyNode => !!s && s.startPosition.row !== s.endPosition.row);
		for (let at = source.indexOf('\n'); at >= 0; at = source.indexOf('\n', at + 1)) {
			const offset = call.startIndex + at + 1;
			if (strings.some((s) => s.startIndex < offset && offset < s.endIndex)) frozenLines.add(at + 1);
		}
	}
	return { text: source, frozenLines };
}

/** The call's continuation lines one level deeper, except lines inside a multi-line string (their text would change). */
function reindent(call: CallText, unit: string): string {
	let out = '';
	let from = 0;
	for (let at = call.text.indexOf('\n'); at >= 0; at = call.text.indexOf('\n', at + 1)) {
		out += call.text.slice(from, at + 1);
		from = at + 1;
		const blank = call.text[from] === '\n' || call.text[from] === '\r' || from >= call.text.length;
		if (!blank && !call.frozenLines.has(from)) out += unit;
	}
	return out + call.text.slice(from);
}

/** One indentation step: what the block adds to the statement that opens it, else the file's unit. */
function indentUnitOf(context: PythonRuleContext, container: PyNode, indent: string): string {
	const opener = container.parent;
	if (opener && container.type === 'block') {
		const outer = lineIndent(context.text, opener.startIndex);
		if (indent.startsWith(outer) && indent.length > outer.length) return indent.slice(outer.length);
	}
	return pythonIndentUnit(context.text);
}

interface Gather {
	/** `asyncio.gather`, `aio.gather`, `gather`. */
	readonly callee: string;
	/** Adds `import asyncio` when nothing imports it. */
	readonly importEdit?: TextEdit;
}

/** How `gather` is reached in this module, plus the edit adding `import asyncio` when nothing imports it. */
function gatherName(context: PythonRuleContext): Gather | undefined {
	const { text } = context;
	const root = context.tree.rootNode;
	const re = /^(?:import|from)[ \t]+/gm;
	let n = 0;
	for (let m = re.exec(text); m && n < 200; m = re.exec(text), n++) {
		const eol = text.indexOf('\n', m.index);
		if (!/\basyncio\b/.test(text.slice(m.index, eol >= 0 ? eol : text.length))) continue;
		const node = root.descendantForIndex(m.index);
		const statement = node ? enclosingStatement(node) : undefined;
		if (!statement || statement.parent?.type !== 'module' || statement.startIndex !== m.index) continue;
		const found = importedGather(statement);
		if (found) return { callee: found };
	}
	const importEdit = importAsyncioEdit(context);
	return importEdit ? { callee: 'asyncio.gather', importEdit } : undefined;
}

/** `import asyncio [as aio]` → `aio.gather`; `from asyncio import gather [as g]` / `*` → `g`. */
function importedGather(statement: PyNode): string | undefined {
	if (statement.type === 'import_statement') {
		for (const c of statement.namedChildren) {
			if (c?.type === 'dotted_name' && c.text === 'asyncio') return 'asyncio.gather';
			if (c?.type === 'aliased_import' && c.childForFieldName('name')?.text === 'asyncio') {
				const alias = c.childForFieldName('alias')?.text;
				if (alias) return `${alias}.gather`;
			}
		}
		return undefined;
	}
	if (statement.type !== 'import_from_statement' || statement.childForFieldName('module_name')?.text !== 'asyncio') return undefined;
	for (const c of statement.namedChildren) {
		if (c?.type === 'wildcard_import') return 'gather';
		if (c?.type === 'dotted_name' && c.text === 'gather' && !sameNode(c, statement.childForFieldName('module_name'))) return 'gather';
		if (c?.type === 'aliased_import' && c.childForFieldName('name')?.text === 'gather') return c.childForFieldName('alias')?.text;
	}
	return undefined;
}

/**
 * `import asyncio` on its own line: before the module's first import (after the docstring and any
 * `from __future__` imports), else after the docstring / `__future__` imports, else before the first
 * statement (leading comments such as a shebang stay first).
 */
function importAsyncioEdit(context: PythonRuleContext): TextEdit | undefined {
	const root = context.tree.rootNode;
	const top = root.namedChildren;
	let afterHeader: PyNode | undefined;
	let firstCode: PyNode | undefined;
	for (let i = 0; i < top.length && i < 2000; i++) {
		const s = top[i];
		if (!s || s.type === 'comment') continue;
		firstCode ??= s;
		if (s.type === 'future_import_statement' || (sameNode(s, firstCode) && isDocstring(s))) {
			afterHeader = s;
			continue;
		}
		if (s.type === 'import_statement' || s.type === 'import_from_statement') {
			if (lineIndent(context.text, s.startIndex) !== '') return undefined;
			return { span: { start: s.startIndex, end: s.startIndex }, newText: 'import asyncio\n' };
		}
	}
	if (afterHeader) {
		const nl = context.text.indexOf('\n', afterHeader.endIndex);
		if (nl < 0) return { span: { start: context.text.length, end: context.text.length }, newText: '\nimport asyncio\n' };
		return { span: { start: nl + 1, end: nl + 1 }, newText: 'import asyncio\n' };
	}
	if (!firstCode) return undefined;
	return { span: { start: firstCode.startIndex, end: firstCode.startIndex }, newText: 'import asyncio\n\n' };
}

function isDocstring(statement: PyNode): boolean {
	const only = statement.type === 'expression_statement' && statement.namedChildCount === 1 ? statement.namedChildren[0] : undefined;
	return only?.type === 'string' || only?.type === 'concatenated_string';
}
