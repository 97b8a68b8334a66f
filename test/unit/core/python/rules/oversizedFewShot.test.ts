import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, RuleSettings } from '../../../../../src/core/rules/types';
import { readFixture } from '../../../helpers';
import { applyFixPy, findingsPy, singlePy, usePythonParser } from '../pyTestUtil';

const ID = 'oversized-few-shot';
const HEADER = 'import anthropic\nfrom openai import OpenAI\n\nclient = anthropic.Anthropic()\nopenai_client = OpenAI()\n\n';

usePythonParser();

const findings = (text: string, settings: Partial<RuleSettings> = {}): Finding[] => findingsPy(ID, text, settings);
const single = (text: string): Finding => singlePy(ID, text);

/** Applies a fix, asserts the result parses and no longer has the finding. */
function fix(text: string, finding: Finding, title?: RegExp): string {
	const fixed = applyFixPy(text, finding, title);
	assert.deepEqual(findings(fixed), [], 'the finding is still there after the fix');
	return fixed;
}

/** Sentences of about 10 tokens, one per line. */
const long = (sentences: number): string => Array.from({ length: sentences }, () => 'The quick brown fox jumps over the lazy dog again.').join('\n');

/** An Anthropic call with `pairs` example pairs whose user turns hold `sentences` sentences each (triple-quoted). */
function anthropicCall(pairs: number, sentences: number, lastAssistant = '"ok"'): string {
	const examples = Array.from({ length: pairs }, (_, i) => `        {"role": "user", "content": """${long(sentences)} ${i}"""},\n        {"role": "assistant", "content": ${i === pairs - 1 ? lastAssistant : '"ok"'}},\n`).join('');
	return `${HEADER}reply = client.messages.create(\n    model="claude-sonnet-4-5",\n    max_tokens=100,\n    messages=[\n${examples}        {"role": "user", "content": "the real question"},\n    ],\n)\n`;
}

void describe('oversized-few-shot (Python): positives and fixes', () => {
	void it('flags six example pairs, prices them, and the trim fix keeps the first two (whole text compared)', () => {
		const text = readFixture('python/rules/oversized-few-shot/sixPairs.py');
		const finding = single(text);
		assert.equal(finding.severity, 'warning');
		assert.equal(finding.callSiteIndex, 0);
		assert.match(finding.message, /^6 example pairs \(more than 4\)/);
		assert.match(finding.message, /\/mo of input/);
		assert.ok((finding.monthlyImpactUsd ?? 0) > 0);
		// OpenAI: no cache_control fix, and trimming examples changes behaviour, so it is not preferred.
		assert.equal(finding.fixes.length, 1);
		assert.notEqual(finding.fixes[0]?.preferred, true);
		assert.equal(fix(text, finding, /^Keep the first 2 examples/), readFixture('python/rules/oversized-few-shot/sixPairs.fixed.py'));
	});

	void it('Responses `input=[…]` after `instructions=`: the trim fix removes the later pairs', () => {
		const pairs = [['I love it', 'positive'], ['Broke in a day', 'negative'], ['It is fine', 'neutral'], ['Best purchase ever', 'positive'], ['Never again', 'negative']];
		const turns = (n: number) => pairs.slice(0, n).map(([u, a]) => `            {"role": "user", "content": "${u}"},\n            {"role": "assistant", "content": "${a}"},\n`).join('');
		const call = (n: number) => `${HEADER}def f(review):\n    return openai_client.responses.create(\n        model="gpt-4o-mini",\n        max_output_tokens=5,\n        instructions="Label the sentiment.",\n        input=[\n${turns(n)}            {"role": "user", "content": review},\n        ],\n    )\n`;
		const finding = single(call(5));
		assert.match(finding.message, /^5 example pairs/);
		assert.equal(fix(call(5), finding, /^Keep the first 2 examples \(remove 6 messages\)/), call(2));
	});

	void it('honours fewShotMaxPairs from settings', () => {
		assert.deepEqual(findings(readFixture('python/rules/oversized-few-shot/sixPairs.py'), { fewShotMaxPairs: 6 }), []);
	});

	void it('flags two pairs over the token budget; Anthropic gets a preferred cache_control fix that converts the string content', () => {
		const text = anthropicCall(2, 100);
		const finding = single(text);
		assert.match(finding.message, /tokens of examples \(more than 1\.5k\)/);
		assert.match(finding.message, /or a cache_control breakpoint after them/);
		assert.equal(finding.fixes.length, 1);
		assert.equal(finding.fixes[0]?.preferred, true);
		const fixed = fix(text, finding);
		assert.equal(fixed, text.replace('        {"role": "assistant", "content": "ok"},\n        {"role": "user", "content": "the real question"}', '        {"role": "assistant", "content": [{"type": "text", "text": "ok", "cache_control": {"type": "ephemeral"}}]},\n        {"role": "user", "content": "the real question"}'));
	});

	void it('adds cache_control to the last block when the last example content is a block list', () => {
		const text = anthropicCall(2, 100, '[\n            {"type": "text", "text": "ok"}\n        ]');
		const fixed = fix(text, single(text));
		assert.equal(fixed, text.replace('{"type": "text", "text": "ok"}\n', '{"type": "text", "text": "ok", "cache_control": {"type": "ephemeral"}}\n'));
	});

	void it('writes the marker in the file\'s quote style', () => {
		const text = anthropicCall(2, 100).replace(/"ok"/g, '\'ok\'').replace(/"role"/g, '\'role\'').replace(/"(user|assistant|content|model|claude-sonnet-4-5|the real question)"/g, '\'$1\'');
		const fixed = fix(text, single(text));
		assert.ok(fixed.includes(`'content': [{'type': 'text', 'text': 'ok', 'cache_control': {'type': 'ephemeral'}}]`), fixed);
	});

	void it('offers both fixes on six long Anthropic pairs: cache (preferred) and trim', () => {
		const text = anthropicCall(6, 20);
		const finding = single(text);
		assert.deepEqual(finding.fixes.map((f) => [f.title.split(':')[0]?.split(' (')[0], f.preferred === true]), [['Cache the examples', true], ['Keep the first 2 examples', false]]);
		const trimmed = fix(text, finding, /^Keep the first/);
		assert.equal((trimmed.match(/"role": "assistant"/g) ?? []).length, 2);
		assert.ok(trimmed.includes(`${long(20)} 1"""}`) && !trimmed.includes(`${long(20)} 2"""}`));
	});

	void it('offers no cache fix when the prefix is below the model minimum (the marker would do nothing)', () => {
		const finding = single(anthropicCall(5, 1));
		assert.deepEqual(finding.fixes.map((f) => f.title.startsWith('Keep the first')), [true]);
	});
});

void describe('oversized-few-shot (Python): negatives', () => {
	void it('does not flag four short pairs, nor a runtime history (its size is unknown)', () => {
		assert.deepEqual(findings(anthropicCall(4, 1)), []);
		const text = `${HEADER}def chat(history, q):\n    return openai_client.chat.completions.create(model="gpt-4o", max_tokens=10, messages=[*history, {"role": "user", "content": q}])\n`;
		assert.deepEqual(findings(text), []);
	});

	void it('does not flag Anthropic examples already behind a cache_control breakpoint', () => {
		assert.deepEqual(findings(anthropicCall(6, 20, '[{"type": "text", "text": "ok", "cache_control": {"type": "ephemeral"}}]')), []);
	});
});
