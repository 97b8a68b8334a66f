import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../helpers';
import { applyFix, findings, single } from './shapesHelpers';

const ID = 'sequential-independent-calls';
const HEADER = `import OpenAI from 'openai';\nconst openai = new OpenAI();\n`;
const call = (content: string) => `openai.chat.completions.create({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: ${content} }] })`;

void describe('sequential-independent-calls', () => {
	void it('flags three independent awaited calls and joins them in one Promise.all (whole text compared)', () => {
		const text = readFixture('rules/sequential-independent-calls/threeCalls.ts');
		const finding = single(ID, text);
		assert.equal(finding.severity, 'info');
		assert.equal(finding.callSiteIndex, 0);
		assert.match(finding.message, /^These 3 calls run one after another.*in parallel the wait is the longest one, not the sum/);
		assert.equal(finding.fixes[0]?.preferred, true);
		assert.equal(applyFix(ID, text, finding), readFixture('rules/sequential-independent-calls/threeCalls.fixed.ts'));
	});

	void it('keeps a short rewrite on one line with the same bindings, let and no-semicolon style', () => {
		const text = `${HEADER}async function f() {\n  let a = await ${call("'a'")}\n  let b = await ${call("'b'")}\n  return [a, b]\n}\n`;
		const fixed = applyFix(ID, text, single(ID, text));
		assert.equal(fixed, `${HEADER}async function f() {\n  let [a, b] = await Promise.all([\n    ${call("'a'")},\n    ${call("'b'")},\n  ])\n  return [a, b]\n}\n`);
		const short = `${HEADER}const x = await openai.chat.completions.create({ model: 'gpt-4o', messages: [] });\nconst y = await openai.responses.create({ model: 'gpt-4o', input: 'y' });\n`;
		// Over 120 characters on one line: one call per line, a tab at top level.
		assert.equal(applyFix(ID, short, single(ID, short)), `${HEADER}const [x, y] = await Promise.all([\n\topenai.chat.completions.create({ model: 'gpt-4o', messages: [] }),\n\topenai.responses.create({ model: 'gpt-4o', input: 'y' }),\n]);\n`);
		const tiny = `${HEADER}const x = await openai.responses.create({ input: 'a' });\nawait openai.responses.create({ input: 'b' });\n`;
		assert.equal(applyFix(ID, tiny, single(ID, tiny)), `${HEADER}const [x] = await Promise.all([openai.responses.create({ input: 'a' }), openai.responses.create({ input: 'b' })]);\n`);
		const unbound = `${HEADER}await openai.responses.create({ input: 'a' });\nconst y = await openai.responses.create({ input: 'b' });\n`;
		assert.equal(applyFix(ID, unbound, single(ID, unbound)), `${HEADER}const [, y] = await Promise.all([openai.responses.create({ input: 'a' }), openai.responses.create({ input: 'b' })]);\n`);
	});

	void it('does not flag a second call that uses the first one\'s result, directly or through a statement between', () => {
		const direct = `${HEADER}async function f() {\n\tconst a = await ${call("'a'")};\n\tconst b = await ${call('a.choices[0]?.message.content ?? ""')};\n\treturn b;\n}\n`;
		assert.deepEqual(findings(ID, direct), []);
		const between = `${HEADER}async function f() {\n\tconst a = await ${call("'a'")};\n\tconst text = a.choices[0]?.message.content ?? '';\n\tconst b = await ${call('text')};\n\treturn b;\n}\n`;
		assert.deepEqual(findings(ID, between), []);
	});

	void it('does not flag calls separated by another await (a deliberate sleep) or in different blocks', () => {
		const sleep = `${HEADER}async function f() {\n\tconst a = await ${call("'a'")};\n\tawait new Promise((r) => setTimeout(r, 1000));\n\tconst b = await ${call("'b'")};\n\treturn [a, b];\n}\n`;
		assert.deepEqual(findings(ID, sleep), []);
		const blocks = `${HEADER}async function f(flag: boolean) {\n\tconst a = await ${call("'a'")};\n\tif (flag) {\n\t\tconst b = await ${call("'b'")};\n\t\treturn b;\n\t}\n\treturn a;\n}\n`;
		assert.deepEqual(findings(ID, blocks), []);
	});

	void it('flags but offers no fix when the calls are not consecutive or not plain declarations', () => {
		const gap = `${HEADER}async function f() {\n\tconst a = await ${call("'a'")};\n\tconsole.log('between');\n\tconst b = await ${call("'b'")};\n\treturn [a, b];\n}\n`;
		assert.deepEqual(single(ID, gap).fixes, []);
		const typed = `${HEADER}async function f() {\n\tconst a: unknown = await ${call("'a'")};\n\tconst b = await ${call("'b'")};\n\treturn [a, b];\n}\n`;
		assert.deepEqual(single(ID, typed).fixes, []);
	});

	void it('ignores calls in comments and calls already inside Promise.all', () => {
		const text = `${HEADER}async function f() {\n\t// const a = await ${call("'a'")};\n\tconst [b, c] = await Promise.all([${call("'b'")}, ${call("'c'")}]);\n\treturn [b, c];\n}\n`;
		assert.deepEqual(findings(ID, text), []);
	});
});
