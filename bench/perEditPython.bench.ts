// Per-edit cost of a Python file in the editor, against the floor any tree-sitter tool pays: a bare
// full parse of the same text with web-tree-sitter + tree-sitter-python (`parseDetached` + `delete`).
// `npm run build && npm run compile-tests && node out/bench/perEditPython.bench.js`
//
// - Input: bench/fixtures/supportService.py, ~330 lines with 5 SDK call sites (both providers,
//   f-strings with holes, a module-constant system prompt with cache_control, a JSON schema), the
//   Python twin of perEdit.bench.ts's generated module.
// - Full path (what the first analysis of a file, or a scan, pays): the file's remembered tree is
//   dropped before each run, so `analyzePythonSource` parses from scratch; each iteration also
//   changes a comment in the middle, as perEdit does, so no cache keyed on the text serves it.
// - Incremental path (what a keystroke pays in the worker): the parser keeps the previous tree of
//   the file and the text alternates between two versions one character apart.
// - "Per edit" mirrors perEdit.bench.ts: analyse + resolve + count + estimate every call site; "with
//   all rules" is `checkFile`.
// - Warm before measuring; the sides run in turn with the order rotating every iteration; medians.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkFile } from '../src/core/check';
import { estimateCallSite } from '../src/core/pricing/estimate';
import { DEFAULT_ASSUMPTIONS } from '../src/core/pricing/estimateTypes';
import { createPriceTable } from '../src/core/pricing/priceTable';
import { analyzePythonSource } from '../src/core/python/analysis/analyze';
import type { PythonParser } from '../src/core/python/parser';
import { createTokenCounter } from '../src/core/tokens/tokenCounter';
import { loadPythonParser } from '../src/node/pythonParser';
import { median, printFigures, printTable, quantile, repoRoot, round } from './benchUtil';

const ITERATIONS = Number(process.env.BENCH_PER_EDIT_ITERATIONS ?? 400);
const WARMUP = 100;
const EXPECTED_SITES = 5;

export function perEditPythonSource(): string {
	return fs.readFileSync(path.join(repoRoot, 'bench', 'fixtures', 'supportService.py'), 'utf8');
}

/** The text after the n-th keystroke on the full path: a comment in the middle changes each time. */
function edited(base: string, n: number): string {
	const middle = base.indexOf('def summarise');
	return `${base.slice(0, middle)}# edit ${n}\n${base.slice(middle)}`;
}

/** Two texts one character apart (a digit in a comment in the middle), for the incremental path. */
function keystrokePair(base: string): [string, string] {
	const middle = base.indexOf('def summarise');
	return [`${base.slice(0, middle)}# edit 1\n${base.slice(middle)}`, `${base.slice(0, middle)}# edit 2\n${base.slice(middle)}`];
}

function row(label: string, values: readonly number[]): string[] {
	return [label, quantile(values, 0.1).toFixed(3), median(values).toFixed(3), quantile(values, 0.9).toFixed(3)];
}

async function main(): Promise<void> {
	const parser: PythonParser = await loadPythonParser();
	const base = perEditPythonSource();
	const lineCount = base.split('\n').length;
	const prices = createPriceTable();
	const tokens = createTokenCounter();
	const context = { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS, python: parser };
	const FULL = '/bench/full/supportService.py';
	const FULL_RULES = '/bench/fullRules/supportService.py';
	const INC = '/bench/incremental/supportService.py';
	const INC_RULES = '/bench/incrementalRules/supportService.py';
	const INC_PARSE = '/bench/incrementalParse/supportService.py';
	const [keyA, keyB] = keystrokePair(base);

	let sink = 0;
	const bareParse = (text: string): void => {
		const tree = parser.parseDetached(text);
		sink += tree.rootNode.endIndex;
		tree.delete();
	};
	const analyseAndEstimate = (text: string, fileName: string): void => {
		const { analysis } = analyzePythonSource(text, fileName, parser);
		for (const site of analysis.callSites) sink += estimateCallSite(site, context).inputTokens;
		sink += analysis.callSites.length;
	};
	const perEditFull = (text: string): void => {
		parser.forget(FULL);
		analyseAndEstimate(text, FULL);
	};
	const withRulesFull = (text: string): void => {
		parser.forget(FULL_RULES);
		sink += checkFile(text, FULL_RULES, context).findings.length;
	};
	// The incremental sides ignore the full path's text: each alternates its own two keystroke texts,
	// so every run is a one-character edit of that side's previous text.
	const keystrokes = (): (() => string) => {
		let flip = 0;
		return () => ((flip++ & 1) === 0 ? keyA : keyB);
	};
	const parseKeys = keystrokes();
	const analyseKeys = keystrokes();
	const rulesKeys = keystrokes();
	const incrementalParse = (): void => {
		sink += parser.parse(INC_PARSE, parseKeys()).rootNode.endIndex;
	};
	const perEditIncremental = (): void => analyseAndEstimate(analyseKeys(), INC);
	const withRulesIncremental = (): void => {
		sink += checkFile(rulesKeys(), INC_RULES, context).findings.length;
	};

	const sites = analyzePythonSource(base, '/bench/check.py', parser).analysis.callSites.length;
	parser.forget('/bench/check.py');
	if (sites !== EXPECTED_SITES) throw new Error(`perEditPython: expected ${EXPECTED_SITES} call sites in the fixture, found ${sites}`);

	const sides: [string, (t: string) => void, number[]][] = [
		['bare', bareParse, []],
		['full', perEditFull, []],
		['fullRules', withRulesFull, []],
		['incParse', incrementalParse, []],
		['inc', perEditIncremental, []],
		['incRules', withRulesIncremental, []],
	];
	for (let i = 0; i < WARMUP; i++) for (const [, fn] of sides) fn(edited(base, -i - 1));
	// Every incremental side must really be incremental (the parser says how its last parse was done).
	incrementalParse();
	if (parser.lastParse !== 'incremental') throw new Error('perEditPython: the keystroke reparse was not incremental');

	for (let i = 0; i < ITERATIONS; i++) {
		const text = edited(base, i);
		for (let k = 0; k < sides.length; k++) {
			const [, fn, into] = sides[(i + k) % sides.length] as [string, (t: string) => void, number[]];
			const t0 = process.hrtime.bigint();
			fn(text);
			into.push(Number(process.hrtime.bigint() - t0) / 1e6);
		}
	}
	const times = Object.fromEntries(sides.map(([name, , values]) => [name, values])) as Record<string, number[]>;
	const m = (name: string): number => median(times[name] ?? []);
	const vsBare = (name: string): number => m(name) / m('bare');

	console.log(`perEditPython: ${lineCount}-line file, ${sites} call sites, ${ITERATIONS} interleaved iterations each, warm (sink ${sink % 10})`);
	printTable(
		['', 'p10 ms', 'median ms', 'p90 ms', '× bare parse'],
		[
			[...row('(a) bare full parse (parseDetached + delete)', times['bare'] ?? []), '1.00'],
			[...row('(b) per edit, full parse: analyse + price 5 sites', times['full'] ?? []), vsBare('full').toFixed(2)],
			[...row('    with all rules (checkFile)', times['fullRules'] ?? []), vsBare('fullRules').toFixed(2)],
			[...row('(c) incremental reparse, one-character edit', times['incParse'] ?? []), vsBare('incParse').toFixed(2)],
			[...row('    per edit, incremental: analyse + price', times['inc'] ?? []), vsBare('inc').toFixed(2)],
			[...row('    with all rules (checkFile)', times['incRules'] ?? []), vsBare('incRules').toFixed(2)],
		],
	);
	console.log(`per-edit analysis on a full parse: ${vsBare('full').toFixed(2)}× the bare parse (target ≤ 1.5×); rules add ${((m('fullRules') / m('full') - 1) * 100).toFixed(1)}%`);
	const peer = 'tree-sitter-python full parse';
	printFigures([
		{ bench: 'perEditPython', metric: 'median time ratio vs bare parse', value: round(vsBare('full')), unit: '×', peer, peerValue: 1 },
		{ bench: 'perEditPython', metric: 'median time ratio with all rules vs bare parse', value: round(vsBare('fullRules')), unit: '×', peer, peerValue: 1 },
		{ bench: 'perEditPython', metric: 'median time ratio with all rules vs analysis + estimate', value: round(m('fullRules') / m('full')), unit: '×', peer: 'analyzePythonSource + estimateCallSite', peerValue: 1 },
		{ bench: 'perEditPython', metric: 'median per-edit time', value: round(m('full')), unit: 'ms', peer, peerValue: round(m('bare')) },
		{ bench: 'perEditPython', metric: 'median incremental reparse time (one-character edit)', value: round(m('incParse')), unit: 'ms', peer, peerValue: round(m('bare')) },
		{ bench: 'perEditPython', metric: 'median incremental reparse ratio vs bare parse', value: round(vsBare('incParse')), unit: '×', peer, peerValue: 1 },
		{ bench: 'perEditPython', metric: 'median per-edit time, incremental path', value: round(m('inc')), unit: 'ms', peer, peerValue: round(m('bare')) },
		{ bench: 'perEditPython', metric: 'median per-edit ratio vs bare parse, incremental path', value: round(vsBare('inc')), unit: '×', peer, peerValue: 1 },
		{ bench: 'perEditPython', metric: 'median per-edit ratio with all rules vs bare parse, incremental path', value: round(vsBare('incRules')), unit: '×', peer, peerValue: 1 },
	]);
	parser.dispose();
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exitCode = 1;
	});
}
