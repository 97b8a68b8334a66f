import { BATCH_MULTIPLIER } from './prices';
import type { ModelPrice } from './types';

/**
 * Token counts of one request. `inputTokens` is the TOTAL prompt, cached parts included (OpenAI's
 * `prompt_tokens` convention and the seed article's `inTok`); `cacheReadTokens` and the cache-write
 * counts are the parts of it billed at other rates. Anthropic usage reports the uncached remainder
 * as `input_tokens`, so callers converting Anthropic usage must add the three up first.
 */
export interface TokenUsage {
	readonly inputTokens: number;
	readonly cacheReadTokens?: number;
	readonly cacheWriteTokens5m?: number;
	readonly cacheWriteTokens1h?: number;
	readonly outputTokens: number;
}

/** Per-Mtok rates actually billed for one request (after the long-context tier and batch discount). */
export interface BilledRates {
	readonly input: number;
	readonly output: number;
	readonly cacheRead: number;
	readonly cacheWrite5m: number;
	readonly cacheWrite1h: number;
	/** Whether the long-context tier applied. */
	readonly longContext: boolean;
	/** The batch multiplier applied (1 when not a batch). */
	readonly multiplier: number;
}

/**
 * Rates for a request of `inputTokens` total input. Above the long-context threshold the whole
 * request bills at the tier's rates, and cache prices keep their ratio to input (1.25×, 2×, 0.1×).
 * A missing cache price falls back to the input rate (no discount, no surcharge).
 */
export function billedRates(price: ModelPrice, inputTokens: number, options: { readonly batch?: boolean } = {}): BilledRates {
	const tier = price.longContext !== undefined && inputTokens > price.longContext.thresholdTokens ? price.longContext : undefined;
	const inputScale = tier && price.input > 0 ? tier.input / price.input : 1;
	const multiplier = options.batch ? price.batchMultiplier ?? BATCH_MULTIPLIER : 1;
	const input = tier ? tier.input : price.input;
	return {
		input: input * multiplier,
		output: (tier ? tier.output : price.output) * multiplier,
		cacheRead: (price.cachedInput !== undefined ? price.cachedInput * inputScale : input) * multiplier,
		cacheWrite5m: (price.cacheWrite5m !== undefined ? price.cacheWrite5m * inputScale : input) * multiplier,
		cacheWrite1h: (price.cacheWrite1h !== undefined ? price.cacheWrite1h * inputScale : input) * multiplier,
		longContext: tier !== undefined,
		multiplier,
	};
}

/**
 * USD for one request: the seed article's
 * `((inTok − cachedTok) × in + cachedTok × cachedIn + outTok × out) / 1e6`, extended with Anthropic
 * cache writes (billed at their own rate instead of input) and the long-context tier.
 */
export function costUsd(price: ModelPrice, usage: TokenUsage, options: { readonly batch?: boolean } = {}): number {
	const rates = billedRates(price, usage.inputTokens, options);
	const read = usage.cacheReadTokens ?? 0;
	const write5m = usage.cacheWriteTokens5m ?? 0;
	const write1h = usage.cacheWriteTokens1h ?? 0;
	const uncached = Math.max(0, usage.inputTokens - read - write5m - write1h);
	return (uncached * rates.input + read * rates.cacheRead + write5m * rates.cacheWrite5m + write1h * rates.cacheWrite1h + usage.outputTokens * rates.output) / 1_000_000;
}
