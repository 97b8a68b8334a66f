import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { anthropicUsage, openaiUsage, stopKindAnthropic, stopKindOpenAI, usageCostUsd } from '../../../../src/core/pipeline/usage';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';

const prices = createPriceTable();
const near = (actual: number | null, expected: number): void => {
	assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${actual} ≠ ${expected}`);
};

void describe('anthropicUsage', () => {
	void it('adds cache reads and writes to input_tokens (Anthropic excludes them)', () => {
		const u = anthropicUsage({ input_tokens: 100, cache_read_input_tokens: 5000, cache_creation_input_tokens: 1000, output_tokens: 200 });
		assert.deepEqual(u, { inputTokens: 6100, cachedInputTokens: 5000, cacheWriteTokens: 1000, outputTokens: 200 });
		// Sonnet 4.5: 100 × $3 + 5000 × $0.30 + 1000 × $3.75 (5-minute write) + 200 × $15, per million.
		near(usageCostUsd(prices, 'claude-sonnet-4-5', u), 0.00855);
		// A dated snapshot prices like its base row.
		near(usageCostUsd(prices, 'claude-sonnet-4-5-20250929', u), 0.00855);
	});

	void it('tolerates missing and null fields', () => {
		assert.deepEqual(anthropicUsage({ input_tokens: 12, output_tokens: null, cache_read_input_tokens: null }), { inputTokens: 12, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 });
		assert.deepEqual(anthropicUsage(undefined), { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 });
	});
});

void describe('openaiUsage', () => {
	void it('keeps prompt_tokens as the whole prompt (it already includes cached_tokens)', () => {
		const u = openaiUsage({ prompt_tokens: 2000, completion_tokens: 300, prompt_tokens_details: { cached_tokens: 1536 } });
		assert.deepEqual(u, { inputTokens: 2000, cachedInputTokens: 1536, cacheWriteTokens: 0, outputTokens: 300 });
		// gpt-4o-mini: 464 × $0.15 + 1536 × $0.075 + 300 × $0.60, per million.
		near(usageCostUsd(prices, 'gpt-4o-mini', u), 0.0003648);
	});

	void it('reads the Responses API names too', () => {
		assert.deepEqual(openaiUsage({ input_tokens: 900, output_tokens: 50, input_tokens_details: { cached_tokens: 512 } }), { inputTokens: 900, cachedInputTokens: 512, cacheWriteTokens: 0, outputTokens: 50 });
	});

	void it('tolerates missing and null fields', () => {
		assert.deepEqual(openaiUsage({ prompt_tokens: 10, prompt_tokens_details: null }), { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 });
		assert.deepEqual(openaiUsage(null), { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 });
	});
});

void describe('usageCostUsd', () => {
	void it('is null for an unpriced model, never 0', () => {
		assert.equal(usageCostUsd(prices, 'my-fine-tune', { inputTokens: 1000, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 10 }), null);
	});
});

void describe('stop kinds', () => {
	void it('maps Anthropic stop_reason', () => {
		assert.deepEqual(['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal', 'pause_turn', null].map(stopKindAnthropic), ['end', 'end', 'max_tokens', 'tool_use', 'refusal', 'other', 'other']);
	});

	void it('maps OpenAI finish_reason', () => {
		assert.deepEqual(['stop', 'length', 'tool_calls', 'function_call', 'content_filter', null].map(stopKindOpenAI), ['end', 'max_tokens', 'tool_use', 'tool_use', 'content_filter', 'other']);
	});
});
