import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../../../src/core/analysis/analyze';
import { MAX_BRACKET_DEPTH, checkSkip, mayContainCalls } from '../../../../src/core/analysis/skip';

const CALL = "import OpenAI from 'openai';\nconst openai = new OpenAI();\nopenai.chat.completions.create({ model: 'gpt-4o', messages: [] });\n";

test('a file over 2 MB is skipped before parsing, with a reason', () => {
	const filler = '// generated\n'.repeat(Math.ceil((2 * 1024 * 1024) / 13) + 10);
	const text = CALL + filler;
	assert.ok(text.length > 2 * 1024 * 1024);
	const r = analyzeFile(text, 'big.ts');
	assert.deepEqual(r.callSites, []);
	assert.match(r.skipped?.reason ?? '', /larger than 2 MB/);
});

test('options.maxBytes lowers the cap, counted in UTF-8 bytes', () => {
	assert.match(analyzeFile(CALL, 'a.ts', undefined, { maxBytes: 64 }).skipped?.reason ?? '', /larger than 64 bytes/);
	// 60 UTF-16 units, 180 UTF-8 bytes.
	assert.ok(checkSkip('€'.repeat(60), 100));
	assert.equal(checkSkip('€'.repeat(60), 200), undefined);
	assert.equal(analyzeFile(CALL, 'a.ts', undefined, { maxBytes: 10_000 }).callSites.length, 1);
});

test('a minified one-line bundle is skipped', () => {
	const chunk = 'var a=function(b){return b.chat.completions.create({model:"gpt-4o",messages:[]})};';
	const text = chunk.repeat(200);
	assert.equal(text.includes('\n'), false);
	const r = analyzeFile(text, 'bundle.min.js');
	assert.deepEqual(r.callSites, []);
	assert.match(r.skipped?.reason ?? '', /minified/);
});

test('a long prompt on one line in an otherwise normal file is not mistaken for minified', () => {
	const text = CALL + `const PROMPT = '${'x'.repeat(6000)}';\n` + '// line\n'.repeat(100);
	const r = analyzeFile(text, 'long.ts');
	assert.equal(r.skipped, undefined);
	assert.equal(r.callSites.length, 1);
});

test('text with NUL bytes is skipped as binary', () => {
	const r = analyzeFile(CALL + '\0\0\x01binary', 'blob.js');
	assert.deepEqual(r.callSites, []);
	assert.match(r.skipped?.reason ?? '', /binary/);
});

test('5,000-deep nesting (parens, arrays, objects, calls, blocks) is skipped without crashing', () => {
	const depth = 5000;
	const shapes = [
		// One level per line, so the minified-line heuristic does not catch them first.
		'const x = ' + '(\n'.repeat(depth) + 'openai.chat.completions.create({})' + ')\n'.repeat(depth) + ';',
		'const x = ' + '[\n'.repeat(depth) + ']\n'.repeat(depth) + '; openai.chat.completions.create({});',
		'const x = ' + '{a:\n'.repeat(depth) + '1' + '}\n'.repeat(depth) + '; openai.chat.completions.create({});',
		'f(\n'.repeat(depth) + 'openai.chat.completions.create({})' + ')\n'.repeat(depth) + ';',
		'function f() {' + '{\n'.repeat(depth) + 'openai.chat.completions.create({});' + '}\n'.repeat(depth) + '}',
	];
	for (const text of shapes) {
		const r = analyzeFile(CALL + text, 'deep.ts');
		assert.deepEqual(r.callSites, []);
		assert.match(r.skipped?.reason ?? '', new RegExp(`nesting deeper than ${MAX_BRACKET_DEPTH}`));
	}
});

test('deep nesting without brackets overflows the parser and is reported as a skip, not a crash', () => {
	const depth = 5000;
	const arrows = 'const f = ' + 'a =>\n'.repeat(depth) + 'openai.chat.completions.create({ model: "gpt-4o" });';
	const conditionals = 'const v = ' + 'c ? 1 :\n'.repeat(depth) + 'openai.chat.completions.create({ model: "gpt-4o" });';
	for (const text of [arrows, conditionals]) {
		const r = analyzeFile(CALL + text, 'deep.ts');
		assert.match(r.skipped?.reason ?? '', /stack overflow/);
		assert.deepEqual(r.callSites, []);
	}
	// The parser still works after an overflow was caught.
	assert.equal(analyzeFile(CALL, 'after.ts').callSites.length, 1);
});

test('a 5,000-operand + chain and a 40-level doubling const chain resolve without blow-up', () => {
	const operands = Array.from({ length: 5000 }, () => "'ab'").join(' +\n');
	const chain = ['const c0 = "x";', ...Array.from({ length: 40 }, (_, i) => `const c${i + 1} = c${i} + c${i};`)].join('\n');
	const text = `${CALL}${chain}\nconst LONG = ${operands};\nopenai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: c40 }, { role: 'user', content: LONG }] });\n`;
	const r = analyzeFile(text, 'chain.ts');
	assert.equal(r.skipped, undefined);
	const site = r.callSites[1];
	assert.ok(site);
	const [system, user] = site.segments;
	assert.equal(user?.content?.text, 'ab'.repeat(5000));
	assert.equal(user?.content?.holes, 0);
	// 2^40 characters cannot be materialised: the text is capped and the excess counted as holes.
	assert.ok((system?.content?.text.length ?? 0) <= 1_000_000);
	assert.ok((system?.content?.holes ?? 0) > 0);
});

test('cyclic constants and cyclic module imports end as holes', () => {
	const text = `${CALL}const A = B + '!'; const B = A + '?';\nopenai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: A }] });\n`;
	const r = analyzeFile(text, 'cycle.ts');
	const content = r.callSites[1]?.segments[0]?.content;
	assert.equal(content?.text, '?!');
	assert.equal(content?.holes, 1);

	const files: Record<string, string> = {
		'/p/a.ts': "export { X } from './b';",
		'/p/b.ts': "export { X } from './a';",
	};
	const resolver = {
		resolveModule: (_from: string, spec: string) => {
			const fileName = '/p/' + spec.slice(2) + '.ts';
			const t = files[fileName];
			return t === undefined ? undefined : { fileName, text: t };
		},
		readTextFile: () => undefined,
	};
	const main = `import { X } from './a';\n${CALL}openai.chat.completions.create({ model: X, messages: [] });\n`;
	const site = analyzeFile(main, '/p/main.ts', resolver).callSites[1];
	assert.equal(site?.model?.kind, 'dynamic');
	assert.equal(main.slice(site?.model?.span.start, site?.model?.span.end), 'X');
});

test('a throwing resolver only makes imported values dynamic', () => {
	const resolver = {
		resolveModule: () => { throw new Error('disk on fire'); },
		readTextFile: () => { throw new Error('disk on fire'); },
	};
	const text = `import { SYSTEM } from './prompts';\nimport { readFileSync } from 'fs';\n${CALL}openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: readFileSync('./q.txt', 'utf8') }] });\n`;
	const r = analyzeFile(text, '/p/main.ts', resolver);
	assert.equal(r.skipped, undefined);
	assert.deepEqual(r.callSites[1]?.segments.map((s) => [s.content?.text, s.content?.holes]), [['', 1], ['', 1]]);
});

test('the prefilter rejects files with no SDK-shaped call text, without parsing', () => {
	assert.equal(mayContainCalls('const messages = []; messages.push(1); create();'), false);
	assert.equal(mayContainCalls('client.messages\n\t.create({})'), true);
	assert.equal(mayContainCalls('openai.embeddings?.create({})'), true);
	// Broken syntax: never parsed because nothing matches, and never throws.
	assert.deepEqual(analyzeFile('function ( { [[[ <<< ', 'broken.ts'), { callSites: [], skipped: undefined });
});

test('syntax errors around a call do not hide it', () => {
	const text = `${CALL}const broken = ;\nlet x = (1 + ;\nopenai.responses.create({ model: 'gpt-5', input: 'hi' });\n`;
	const r = analyzeFile(text, 'broken.ts');
	assert.equal(r.skipped, undefined);
	assert.ok(r.callSites.some((s) => s.api === 'responses.create'));
});
