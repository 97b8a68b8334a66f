import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { billedRates, costUsd } from '../../../../src/core/pricing/cost';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import type { ModelPrice } from '../../../../src/core/pricing/types';
import { near } from './fixtures';

const table = createPriceTable();
function price(model: string): ModelPrice {
	const p = table.lookup(model);
	assert.ok(p, model);
	return p;
}
const sonnet = price('claude-sonnet-4-5');

/** The seed article's formula, verbatim in spirit: `inTok` includes `cachedTok`. */
function seedCostUsd(p: { in: number; cachedIn: number; out: number }, inTok: number, cachedTok: number, outTok: number): number {
	const billedIn = inTok - cachedTok;
	return (billedIn * p.in + cachedTok * p.cachedIn + outTok * p.out) / 1_000_000;
}

void describe('costUsd', () => {
	void it('4,000 in / 200 out on Sonnet 4.5 is $0.015', () => {
		near(costUsd(sonnet, { inputTokens: 4000, outputTokens: 200 }), 0.015);
	});

	void it('reduces to the seed article formula when there are no cache writes', () => {
		const gpt5 = price('gpt-5');
		near(costUsd(gpt5, { inputTokens: 10_000, cacheReadTokens: 8000, outputTokens: 1000 }), 0.0135);
		for (const [inTok, cached, out] of [[10_000, 8000, 1000], [5000, 0, 77], [1024, 1024, 0]] as const) {
			for (const p of [gpt5, sonnet, price('gpt-4o-mini')]) {
				near(costUsd(p, { inputTokens: inTok, cacheReadTokens: cached, outputTokens: out }), seedCostUsd({ in: p.input, cachedIn: p.cachedInput ?? p.input, out: p.output }, inTok, cached, out), p.model);
			}
		}
	});

	void it('bills 5-minute and 1-hour cache writes at 1.25× and 2× input, reads at 0.1×', () => {
		// 4,000 input of which 3,000 are written: 1,000 × $3 + 3,000 × $3.75 + 100 × $15.
		near(costUsd(sonnet, { inputTokens: 4000, cacheWriteTokens5m: 3000, outputTokens: 100 }), 0.01575);
		near(costUsd(sonnet, { inputTokens: 4000, cacheWriteTokens1h: 3000, outputTokens: 100 }), 0.0225);
		near(costUsd(sonnet, { inputTokens: 4000, cacheReadTokens: 3000, outputTokens: 100 }), 0.0054);
		near(costUsd(price('claude-haiku-4-5'), { inputTokens: 10_000, cacheReadTokens: 8000, outputTokens: 0 }), (2000 * 1 + 8000 * 0.1) / 1e6);
	});

	void it('bills the whole request at the long-context tier above 200k input', () => {
		near(costUsd(sonnet, { inputTokens: 200_000, outputTokens: 1000 }), (200_000 * 3 + 1000 * 15) / 1e6);
		near(costUsd(sonnet, { inputTokens: 250_000, outputTokens: 1000 }), 1.5225);
		// Cache reads keep their 0.1× ratio to the tier's $6 input.
		near(costUsd(sonnet, { inputTokens: 250_000, cacheReadTokens: 100_000, outputTokens: 1000 }), 0.9825);
		assert.equal(billedRates(price('claude-sonnet-4-6'), 250_000).longContext, false);
	});

	void it('halves every rate for batches and bills embeddings input only', () => {
		near(costUsd(sonnet, { inputTokens: 4000, outputTokens: 200 }, { batch: true }), 0.0075);
		near(costUsd(price('text-embedding-3-small'), { inputTokens: 1_000_000, outputTokens: 0 }), 0.02);
		assert.equal(billedRates(sonnet, 10, { batch: true }).cacheWrite5m, 1.875);
	});
});
