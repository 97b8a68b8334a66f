import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createApproximateTokenCounter, createTokenCounter } from '../../../../src/core/tokens/tokenCounter';

void describe('createTokenCounter', () => {
	void it('counts known strings in o200k_base and cl100k_base', () => {
		const counter = createTokenCounter();
		assert.equal(counter.count('hello world', 'o200k_base'), 2);
		assert.equal(counter.count('hello world', 'cl100k_base'), 2);
		// The OpenAI cookbook's example: "tiktoken is great!" is 6 tokens in cl100k_base.
		assert.equal(counter.count('tiktoken is great!', 'cl100k_base'), 6);
		assert.equal(counter.count('', 'o200k_base'), 0);
	});

	void it('loads each encoding lazily, cl100k only when asked', () => {
		const counter = createTokenCounter();
		assert.deepEqual(counter.loadedEncodings(), []);
		counter.count('x', 'o200k_base');
		assert.deepEqual(counter.loadedEncodings(), ['o200k_base']);
		counter.count('x', 'cl100k_base');
		assert.deepEqual(counter.loadedEncodings(), ['o200k_base', 'cl100k_base']);
	});

	void it('memoised counts stay per encoding and match a fresh count', () => {
		const counter = createTokenCounter();
		// A text whose counts differ between the two encodings catches a memo keyed on text alone.
		const text = 'Ünïcödé façade — naïve coöperation 🙂 '.repeat(20);
		const o200k = createTokenCounter().count(text, 'o200k_base');
		const cl100k = createTokenCounter().count(text, 'cl100k_base');
		assert.notEqual(o200k, cl100k);
		for (let i = 0; i < 3; i++) {
			assert.equal(counter.count(text, 'o200k_base'), o200k);
			assert.equal(counter.count(text, 'cl100k_base'), cl100k);
		}
	});

	void it('counts special-token text as plain text instead of throwing', () => {
		const counter = createTokenCounter();
		assert.ok(counter.count('a <|endoftext|> b', 'o200k_base') > 3);
	});
});

void describe('createApproximateTokenCounter', () => {
	void it('is chars / 4 rounded up', () => {
		assert.equal(createApproximateTokenCounter().count('abcdefghi', 'o200k_base'), 3);
	});
});
