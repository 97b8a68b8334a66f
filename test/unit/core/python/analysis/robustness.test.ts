import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { MAX_BRACKET_DEPTH } from '../../../../../src/core/analysis/skip';
import type { FileAnalysis, SourceResolver } from '../../../../../src/core/analysis/types';
import { analyzePythonFile, analyzePythonSource, mayContainPythonCalls } from '../../../../../src/core/python/analysis/analyze';
import type { PythonParser } from '../../../../../src/core/python/parser';
import { pythonParser } from '../pyTestUtil';

let parser: PythonParser;
before(async () => {
	parser = await pythonParser();
});

const CALL = 'from openai import OpenAI\nopenai = OpenAI()\nopenai.chat.completions.create(model="gpt-4o", messages=[])\n';

function analyse(text: string, fileName = '/p/a.py', resolver?: SourceResolver, maxBytes?: number): FileAnalysis {
	return analyzePythonFile(text, fileName, parser, resolver, maxBytes !== undefined ? { maxBytes } : undefined);
}

test('a file over 2 MB, NUL bytes and a minified one-liner are skipped before parsing, with a reason', () => {
	const big = CALL + '# generated\n'.repeat(Math.ceil((2 * 1024 * 1024) / 12) + 10);
	assert.match(analyse(big).skipped?.reason ?? '', /larger than 2 MB/);
	assert.match(analyse(CALL, '/p/a.py', undefined, 64).skipped?.reason ?? '', /larger than 64 bytes/);
	assert.match(analyse(CALL + '\0\0binary').skipped?.reason ?? '', /binary/);
	const line = 'x = openai.chat.completions.create(model="gpt-4o", messages=[]); '.repeat(200);
	assert.match(analyse(line).skipped?.reason ?? '', /minified/);
	const out = analyzePythonSource(big, '/p/big.py', parser);
	assert.equal(out.tree, undefined);
});

test('5,000-deep bracket nesting is skipped; deep indentation and long chains are analysed without crashing', () => {
	const depth = 5000;
	const brackets = CALL + 'x = ' + '(\n'.repeat(depth) + '1' + ')\n'.repeat(depth);
	assert.match(analyse(brackets).skipped?.reason ?? '', new RegExp(`nesting deeper than ${MAX_BRACKET_DEPTH}`));

	const ifs = Array.from({ length: 300 }, (_, i) => ' '.repeat(i) + 'if x:\n').join('') + ' '.repeat(300) + 'openai.chat.completions.create(model="gpt-4o", messages=[])\n';
	const r = analyse(CALL + 'x = 1\n' + ifs);
	assert.equal(r.skipped, undefined);
	assert.equal(r.callSites.length, 2);

	const nots = CALL + 'y = ' + 'not \\\n'.repeat(depth) + 'x\nz = ' + 'a if b else \\\n'.repeat(depth) + 'c\n';
	assert.equal(analyse(nots).callSites.length, 1);
});

test('a 5,000-operand + chain and a 40-level doubling constant chain resolve without blow-up', () => {
	const operands = Array.from({ length: 5000 }, () => '"ab"').join(' + \\\n');
	const chain = ['c0 = "x"', ...Array.from({ length: 40 }, (_, i) => `c${i + 1} = c${i} + c${i}`)].join('\n');
	const text = `${CALL}${chain}\nLONG = ${operands}\nopenai.chat.completions.create(model="gpt-4o", messages=[{"role": "system", "content": c40}, {"role": "user", "content": LONG}])\n`;
	const r = analyse(text);
	assert.equal(r.skipped, undefined);
	const [system, user] = r.callSites[1]?.segments ?? [];
	assert.equal(user?.content?.text, 'ab'.repeat(5000));
	assert.equal(user?.content?.holes, 0);
	assert.ok((system?.content?.text.length ?? 0) <= 1_000_000);
	assert.ok((system?.content?.holes ?? 0) > 0);
});

test('cyclic constants and cyclic module imports end as holes', () => {
	const r = analyse(`${CALL}A = B + "!"\nB = A + "?"\nopenai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": A}])\n`);
	const content = r.callSites[1]?.segments[0]?.content;
	assert.equal(content?.text, '?!');
	assert.equal(content?.holes, 1);

	const files: Record<string, string> = { '/p/a.py': 'from .b import X\n', '/p/b.py': 'from .a import X\n' };
	const resolver: SourceResolver = {
		resolveModule: (_from, spec) => {
			const fileName = '/p/' + spec.slice(2);
			const t = files[fileName];
			return t === undefined ? undefined : { fileName, text: t };
		},
		readTextFile: () => undefined,
	};
	const main = `from .a import X\n${CALL}openai.chat.completions.create(model=X, messages=[])\n`;
	const site = analyse(main, '/p/main.py', resolver).callSites[1];
	assert.equal(site?.model?.kind, 'dynamic');
	assert.equal(main.slice(site?.model?.span.start, site?.model?.span.end), 'X');
});

test('a throwing resolver only makes imported values dynamic', () => {
	const resolver: SourceResolver = {
		resolveModule: () => { throw new Error('disk on fire'); },
		readTextFile: () => { throw new Error('disk on fire'); },
	};
	const text = `from .prompts import SYSTEM\n${CALL}openai.chat.completions.create(model="gpt-4o", messages=[{"role": "system", "content": SYSTEM}, {"role": "user", "content": open("q.txt").read()}])\n`;
	const r = analyse(text, '/p/main.py', resolver);
	assert.equal(r.skipped, undefined);
	assert.deepEqual(r.callSites[1]?.segments.map((s) => [s.content?.text, s.content?.holes]), [['', 1], ['', 1]]);
});

test('the prefilter rejects files with no SDK-shaped call text, without parsing', () => {
	assert.equal(mayContainPythonCalls('messages = []\nmessages.append(1)\ncreate()'), false);
	assert.equal(mayContainPythonCalls('client.messages \\\n    .create(model="m")'), true);
	assert.equal(mayContainPythonCalls('client.messages.count_tokens(model="m")'), true);
	const out = analyzePythonSource('def ( [[[ <<< ', '/p/broken.py', parser);
	assert.deepEqual(out.analysis, { callSites: [], skipped: undefined });
	assert.equal(out.tree, undefined);
});

test('syntax errors around a call do not hide it', () => {
	const text = `${CALL}broken = \ndef f(:\n    x = (1 +\nopenai.responses.create(model="gpt-5", input="hi")\nclass :\n`;
	const out = analyzePythonSource(text, '/p/broken.py', parser);
	assert.equal(out.analysis.skipped, undefined);
	assert.ok(out.tree, 'the tree is returned for the rules');
	assert.ok(out.analysis.callSites.some((s) => s.api === 'responses.create'));
	assert.ok(out.analysis.callSites.some((s) => s.api === 'chat.completions.create' && s.providerEvidence === 'constructor'));
});

test('non-ASCII text before the call: spans are UTF-16 offsets', () => {
	const text = '# Ünïcödé 😀 — 日本語\nPROMPT = "Réponds en français 🇫🇷"\n' + CALL.replace('messages=[]', 'messages=[{"role": "user", "content": PROMPT}]');
	const site = analyse(text).callSites[0];
	assert.ok(site);
	assert.equal(text.slice(site.calleeSpan.start, site.calleeSpan.end), 'openai.chat.completions.create');
	assert.equal(text.slice(site.model!.span.start, site.model!.span.end), '"gpt-4o"');
	assert.equal(site.segments[0]?.content?.text, 'Réponds en français 🇫🇷');
});

test('a 5,000-line file with calls at both ends', () => {
	const filler = Array.from({ length: 5000 }, (_, i) => (i % 50 === 0 ? `def f${i}(x):\n    return x + ${i}\n` : `v${i} = "line ${i}"\n`)).join('');
	const text = CALL + filler + 'openai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": v4999}])\n';
	const r = analyse(text);
	assert.deepEqual(r.callSites.map((s) => s.model?.kind === 'literal' ? s.model.value : undefined), ['gpt-4o', 'gpt-4o-mini']);
	assert.equal(r.callSites[1]?.segments[0]?.content?.text, 'line 4999');
});

test('incremental reparse after an edit gives the new spans; calls[i] is the call node of callSites[i]', () => {
	const before = CALL + 'openai.embeddings.create(model="text-embedding-3-small", input="a")\n';
	const first = analyzePythonSource(before, '/p/inc.py', parser);
	assert.equal(first.analysis.callSites.length, 2);
	const after = '# a new first line\n' + before;
	const second = analyzePythonSource(after, '/p/inc.py', parser);
	assert.equal(parser.lastParse, 'incremental');
	second.analysis.callSites.forEach((s, i) => {
		const call = second.calls[i]!;
		assert.equal(call.type, 'call');
		assert.deepEqual({ start: call.startIndex, end: call.endIndex }, s.span);
		assert.ok(after.slice(s.span.start, s.span.end).startsWith('openai.'));
	});
});

test('an SDK-shaped call with no attribution still returns the tree', () => {
	const out = analyzePythonSource('import groq\ng = groq.Groq()\ng.chat.completions.create(model="x", messages=[])\n', '/p/g.py', parser);
	assert.deepEqual(out.analysis.callSites, []);
	assert.ok(out.tree);
});
