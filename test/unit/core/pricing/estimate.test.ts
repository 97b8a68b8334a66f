import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallSite } from '../../../../src/core/analysis/types';
import { estimateCallSite } from '../../../../src/core/pricing/estimate';
import { DEFAULT_ASSUMPTIONS, type Assumptions, type CostEstimate, type PricedEstimate } from '../../../../src/core/pricing/estimateTypes';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import { createTokenCounter } from '../../../../src/core/tokens/tokenCounter';
import { callSite, near, seg, SPAN, text, wordCounter, words } from './fixtures';

const prices = createPriceTable();

function estimate(site: CallSite, assumptions: Assumptions = DEFAULT_ASSUMPTIONS, tokens = wordCounter()): CostEstimate {
	return estimateCallSite(site, { prices, tokens, assumptions });
}

function priced(e: CostEstimate): PricedEstimate {
	assert.equal(e.priced, true, e.priced ? '' : e.reason);
	return e as PricedEstimate;
}

const cap = (value: number): CallSite['maxOutputTokens'] => ({ kind: 'literal', value, span: SPAN });

/** Sonnet 4.5: system of 1,000 words (1,200 tokens at ×1.2) with a breakpoint, user of 5 words + 1 hole. */
function sonnetSite(ttl: '5m' | '1h', systemWords = 1000, model = 'claude-sonnet-4-5'): CallSite {
	return callSite({
		model,
		maxOutputTokens: cap(1024),
		maxOutputParam: 'max_tokens',
		segments: [seg('system', text(words(systemWords)), { cacheControl: { ttl } }), seg('user', text(words(5), 1))],
	});
}

void describe('estimateCallSite: Anthropic prompt caching', () => {
	void it('caches a 5m prefix above the 1,024 minimum and blends warm and cold calls', () => {
		const e = priced(estimate(sonnetSite('5m')));
		// 1,200 system + 6 user + 50 for the hole.
		assert.equal(e.inputTokens, 1256);
		assert.equal(e.cacheableInputTokens, 1200);
		assert.deepEqual(e.byRole, [{ role: 'system', staticTokens: 1200, assumedTokens: 0 }, { role: 'user', staticTokens: 6, assumedTokens: 50 }]);
		assert.equal(e.outputTokens, 512);
		assert.equal(e.outputCap, 1024);
		// cold: 56 × 3 + 1,200 × 3.75 + 512 × 15; warm: 56 × 3 + 1,200 × 0.30 + 512 × 15.
		near(e.cache?.coldCallUsd ?? null, 0.012348, 'cold');
		near(e.cache?.warmCallUsd ?? null, 0.008208, 'warm');
		near(e.costUsd, 0.8 * 0.008208 + 0.2 * 0.012348, 'blended');
		near(e.monthlyCostUsd, 0.009036 * 1000 * 30, 'monthly');
		near(e.outputCostUsd, 0.00768, 'output');
		near(e.inputCostUsd, 0.009036 - 0.00768, 'input');
		assert.equal(e.tokenizer.exact, false);
		assert.equal(e.tokenizer.factor, 1.2);
		assert.ok(e.assumptions.some((a) => a.includes('80%')));
	});

	void it('writes at 2× for a 1h breakpoint', () => {
		const e = priced(estimate(sonnetSite('1h')));
		near(e.cache?.coldCallUsd ?? null, (56 * 3 + 1200 * 6 + 512 * 15) / 1e6);
		assert.equal(e.cache?.writeTokens1h, 1200);
		assert.equal(e.cache?.writeTokens5m, 0);
	});

	void it('skips caching silently below the minimum, and says so', () => {
		const e = priced(estimate(sonnetSite('5m', 500)));
		assert.equal(e.cacheableInputTokens, 0);
		assert.match(e.cache?.note ?? '', /600 tokens, below the 1,024-token minimum: caching silently skipped/);
		near(e.costUsd, ((600 + 6 + 50) * 3 + 512 * 15) / 1e6);
	});

	void it('uses the model minimum: 1,200 tokens do not cache on Haiku 4.5 (4,096)', () => {
		const e = priced(estimate(sonnetSite('5m', 1000, 'claude-haiku-4-5-20251001')));
		assert.equal(e.cacheableInputTokens, 0);
		assert.match(e.cache?.note ?? '', /below the 4,096-token minimum/);
	});

	void it('caches the whole prompt for a top-level cache_control', () => {
		const e = priced(estimate(callSite({ model: 'claude-sonnet-4-5', topLevelCacheControl: true, segments: [seg('system', text(words(1000))), seg('user', text(words(50)))] })));
		assert.equal(e.cacheableInputTokens, 1260);
		assert.equal(e.inputTokens, 1260);
	});

	void it('reports no caching when nothing is marked', () => {
		const e = priced(estimate(callSite({ model: 'claude-sonnet-4-5', segments: [seg('system', text(words(2000)))] })));
		assert.equal(e.cacheableInputTokens, 0);
		assert.match(e.cache?.note ?? '', /no `cache_control`/);
		near(e.costUsd, (2400 * 3 + 512 * 15) / 1e6);
	});
});

void describe('estimateCallSite: OpenAI', () => {
	function chat(systemText = text(words(1500)), model = 'gpt-4o'): CallSite {
		return callSite({
			provider: 'openai',
			api: 'chat.completions.create',
			model,
			segments: [seg('system', systemText), seg('example', text(words(100))), seg('user', text(words(10), 1))],
		});
	}

	void it('caches the static prefix in 128-token steps and adds chat framing', () => {
		const e = priced(estimate(chat()));
		// 1,500 + 100 + 10 + 50 (hole) + 3 messages × 3 + 3.
		assert.equal(e.framingTokens, 12);
		assert.equal(e.inputTokens, 1672);
		assert.equal(e.cacheableInputTokens, 1536);
		assert.equal(e.tokenizer.exact, true);
		near(e.cache?.coldCallUsd ?? null, 0.0093, 'cold');
		near(e.cache?.warmCallUsd ?? null, 0.00738, 'warm');
		near(e.costUsd, 0.007764);
	});

	void it('does not cache a static prefix under 1,024 tokens', () => {
		const e = priced(estimate(chat(text(words(900)))));
		assert.equal(e.cacheableInputTokens, 0);
		assert.match(e.cache?.note ?? '', /1,000 tokens, below the 1,024-token minimum/);
		near(e.costUsd, ((1000 + 60 + 12) * 2.5 + 512 * 10) / 1e6);
	});

	void it('stops the prefix at the first dynamic part (conservative)', () => {
		const e = priced(estimate(chat(text(words(1500), 1))));
		assert.equal(e.cacheableInputTokens, 0);
		assert.match(e.cache?.note ?? '', /stops at the first dynamic part \(in system\)/);
	});

	void it('counts an unknown message list as one message of the assumed size', () => {
		const e = estimate(callSite({ provider: 'openai', api: 'chat.completions.create', model: 'gpt-4o-mini', segments: [seg('example', undefined, { unknownMessages: true })] }));
		assert.equal(e.inputTokens, 200 + 3 + 3);
		assert.deepEqual(e.byRole, [{ role: 'example', staticTokens: 0, assumedTokens: 200 }]);
		assert.ok(e.assumptions.some((a) => a.includes('counted as 1 message of 200 tokens')));
	});

	void it('prices embeddings on input only, with cl100k', () => {
		const counter = wordCounter();
		const e = priced(estimate(callSite({ provider: 'openai', api: 'embeddings.create', model: 'text-embedding-3-small', segments: [seg('embedding-input', text(words(1000)))] }), DEFAULT_ASSUMPTIONS, counter));
		assert.deepEqual(counter.encodings, ['cl100k_base']);
		assert.equal(e.inputTokens, 1000);
		assert.equal(e.outputTokens, 0);
		assert.equal(e.cache, undefined);
		near(e.costUsd, 0.00002);
		near(e.monthlyCostUsd, 0.6);
	});

	void it('halves a batch', () => {
		const e = priced(estimate(callSite({ provider: 'openai', api: 'batches.create', model: 'gpt-4.1-mini', segments: [seg('user', text(words(100)))] })));
		near(e.costUsd, (100 * 0.4 + 512 * 1.6) * 0.5 / 1e6);
	});
});

void describe('estimateCallSite: special APIs, caps and unpriced models', () => {
	void it('prices countTokens at $0', () => {
		const e = priced(estimate(callSite({ api: 'messages.countTokens', model: 'claude-sonnet-4-5', segments: [seg('user', text(words(100)))] })));
		assert.equal(e.costUsd, 0);
		assert.equal(e.monthlyCostUsd, 0);
		assert.equal(e.inputTokens, 120);
		assert.ok(e.notes.includes('countTokens is free'));
	});

	void it('halves a message batch and notes it', () => {
		const e = priced(estimate(callSite({ api: 'messages.batches.create', model: 'claude-sonnet-4-5', segments: [seg('system', text(words(100)))] })));
		near(e.costUsd, 0.00402);
		assert.ok(e.notes.some((n) => n.startsWith('batch: 50% off')));
	});

	void it('switches Sonnet 4.5 to the long-context tier above 200k input', () => {
		const e = priced(estimate(callSite({ model: 'claude-sonnet-4-5', segments: [seg('user', text(words(170_000)))] })));
		assert.equal(e.inputTokens, 204_000);
		near(e.costUsd, (204_000 * 6 + 512 * 22.5) / 1e6);
		assert.ok(e.notes.some((n) => n.startsWith('long-context tier')));
	});

	void it('uses min(max_tokens, assumption) and shows the static cap', () => {
		const low = estimate(callSite({ model: 'claude-haiku-4-5', maxOutputTokens: cap(100), maxOutputParam: 'max_tokens' }));
		assert.deepEqual([low.outputTokens, low.outputCap], [100, 100]);
		const dynamic = estimate(callSite({ model: 'claude-haiku-4-5', maxOutputTokens: { kind: 'dynamic', span: SPAN }, maxOutputParam: 'max_tokens' }));
		assert.deepEqual([dynamic.outputTokens, dynamic.outputCap], [512, null]);
		const high = estimate(callSite({ model: 'claude-haiku-4-5', maxOutputTokens: cap(4096) }), { ...DEFAULT_ASSUMPTIONS, assumedOutputTokens: 1000 });
		assert.deepEqual([high.outputTokens, high.outputCap], [1000, 4096]);
	});

	void it('leaves a dynamic model unpriced but still counts tokens', () => {
		const e = estimate(callSite({ model: { kind: 'dynamic', span: SPAN }, segments: [seg('user', text(words(10)))] }));
		assert.equal(e.priced, false);
		assert.equal(e.priced === false && e.reason, 'model is not static');
		assert.equal(e.costUsd, null);
		assert.equal(e.monthlyCostUsd, null);
		assert.equal(e.inputTokens, 12);
	});

	void it('leaves an unknown model unpriced with its name, never $0', () => {
		const e = estimate(callSite({ provider: 'openai', api: 'chat.completions.create', model: 'foo-9', segments: [seg('user', text(words(10)))] }));
		assert.equal(e.priced === false && e.reason, 'no price for `foo-9`');
		assert.equal(e.costUsd, null);
		assert.equal(e.inputTokens, 10 + 6);
		assert.equal(e.tokenizer.encoding, 'o200k_base');
	});

	void it('counts real text with the real tokenizer', () => {
		const tokens = createTokenCounter();
		const gpt = estimateCallSite(callSite({ provider: 'openai', api: 'chat.completions.create', model: 'gpt-4o', segments: [seg('user', text('hello world'))] }), { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS });
		assert.equal(gpt.inputTokens, 2 + 3 + 3);
		const claude = estimateCallSite(callSite({ model: 'claude-sonnet-4-5', segments: [seg('user', text('hello world '.repeat(50)))] }), { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS });
		const o200k = tokens.count('hello world '.repeat(50), 'o200k_base');
		assert.equal(claude.inputTokens, Math.round(o200k * 1.2));
	});
});
