import type { CachingRule, ModelPrice } from './types';

/**
 * The built-in price table, as data. USD per million tokens.
 *
 * Every figure is transcribed from the shared notes, pricing-and-caching-rules.md, which records the
 * providers' pricing pages "as captured in 2026" without a day. `AS_OF` is the day the rows were
 * transcribed and checked against those notes (2026-11-26), the one honest date we have; a unit test
 * pins a sample of rows so a silent edit shows up.
 */
export const AS_OF = '2026-11-26';
export const ANTHROPIC_PRICING_URL = 'https://docs.anthropic.com/en/docs/about-claude/pricing';
export const OPENAI_PRICING_URL = 'https://platform.openai.com/docs/pricing';

/**
 * Claude 3+ has no public tokenizer, so Claude counts are o200k × this factor. The notes give
 * 1.15-1.3 for models up to 4.6 (≈1.16 on English, ≈1.3 on Python for Claude 3.5): 1.2 sits in the
 * middle of that range and leans neither way. Always shown as an estimate.
 */
export const CLAUDE_TOKEN_FACTOR = 1.2;

/** Anthropic and OpenAI batch APIs both bill half the base rates. */
export const BATCH_MULTIPLIER = 0.5;

const SONNET_LONG_CONTEXT = { thresholdTokens: 200_000, input: 6, output: 22.5 } as const;

function marked(minTokens: number, minTokensNote?: string): CachingRule {
	return minTokensNote === undefined ? { mode: 'marked', minTokens } : { mode: 'marked', minTokens, minTokensNote };
}

/** OpenAI caches prompts of ≥1,024 tokens automatically; hits come in 128-token steps. */
const OPENAI_AUTOMATIC: CachingRule = { mode: 'automatic', minTokens: 1024, incrementTokens: 128 };

interface ClaudeRow {
	readonly model: string;
	readonly aliases?: readonly string[];
	readonly input: number;
	readonly output: number;
	readonly cacheWrite5m: number;
	readonly cacheWrite1h: number;
	readonly cachedInput: number;
	readonly caching: CachingRule;
	readonly longContext?: ModelPrice['longContext'];
}

function claude(row: ClaudeRow): ModelPrice {
	return {
		...row,
		provider: 'anthropic',
		batchMultiplier: BATCH_MULTIPLIER,
		encoding: 'o200k_base',
		tokenFactor: CLAUDE_TOKEN_FACTOR,
		kind: 'chat',
		asOf: AS_OF,
		source: ANTHROPIC_PRICING_URL,
	};
}

function openai(model: string, input: number, cachedInput: number, output: number, extra: Partial<ModelPrice> = {}): ModelPrice {
	return {
		model,
		provider: 'openai',
		input,
		cachedInput,
		output,
		batchMultiplier: BATCH_MULTIPLIER,
		caching: OPENAI_AUTOMATIC,
		encoding: 'o200k_base',
		kind: 'chat',
		asOf: AS_OF,
		source: OPENAI_PRICING_URL,
		...extra,
	};
}

function embedding(model: string, input: number): ModelPrice {
	return {
		model,
		provider: 'openai',
		input,
		output: 0,
		batchMultiplier: BATCH_MULTIPLIER,
		caching: { mode: 'none' },
		encoding: 'cl100k_base',
		kind: 'embedding',
		asOf: AS_OF,
		source: OPENAI_PRICING_URL,
	};
}

/** Opus 4.5/4.6 and Haiku 4.5 need a 4,096-token prefix; Sonnet 4/4.5 and Opus 4/4.1 1,024; Haiku 3/3.5 2,048. */
export const BUILTIN_PRICES: readonly ModelPrice[] = [
	claude({ model: 'claude-opus-4-6', input: 5, cacheWrite5m: 6.25, cacheWrite1h: 10, cachedInput: 0.5, output: 25, caching: marked(4096) }),
	claude({ model: 'claude-opus-4-5', aliases: ['claude-opus-4-5-20251101'], input: 5, cacheWrite5m: 6.25, cacheWrite1h: 10, cachedInput: 0.5, output: 25, caching: marked(4096) }),
	claude({ model: 'claude-opus-4-1', aliases: ['claude-opus-4-1-20250805'], input: 15, cacheWrite5m: 18.75, cacheWrite1h: 30, cachedInput: 1.5, output: 75, caching: marked(1024) }),
	claude({ model: 'claude-opus-4-0', aliases: ['claude-opus-4-20250514'], input: 15, cacheWrite5m: 18.75, cacheWrite1h: 30, cachedInput: 1.5, output: 75, caching: marked(1024) }),
	claude({
		model: 'claude-sonnet-4-6', input: 3, cacheWrite5m: 3.75, cacheWrite1h: 6, cachedInput: 0.3, output: 15,
		// Sources disagree (1,024 vs 2,048). Assuming the larger one never promises a saving that may not happen.
		caching: marked(2048, 'sources disagree on Sonnet 4.6 (1,024 vs 2,048 tokens); 2,048 is assumed'),
	}),
	claude({ model: 'claude-sonnet-4-5', aliases: ['claude-sonnet-4-5-20250929'], input: 3, cacheWrite5m: 3.75, cacheWrite1h: 6, cachedInput: 0.3, output: 15, caching: marked(1024), longContext: SONNET_LONG_CONTEXT }),
	claude({ model: 'claude-sonnet-4-0', aliases: ['claude-sonnet-4-20250514'], input: 3, cacheWrite5m: 3.75, cacheWrite1h: 6, cachedInput: 0.3, output: 15, caching: marked(1024), longContext: SONNET_LONG_CONTEXT }),
	claude({ model: 'claude-haiku-4-5', aliases: ['claude-haiku-4-5-20251001'], input: 1, cacheWrite5m: 1.25, cacheWrite1h: 2, cachedInput: 0.1, output: 5, caching: marked(4096) }),
	claude({ model: 'claude-3-5-haiku-20241022', aliases: ['claude-3-5-haiku-latest'], input: 0.8, cacheWrite5m: 1, cacheWrite1h: 1.6, cachedInput: 0.08, output: 4, caching: marked(2048) }),
	claude({ model: 'claude-3-haiku-20240307', input: 0.25, cacheWrite5m: 0.3, cacheWrite1h: 0.5, cachedInput: 0.03, output: 1.25, caching: marked(2048) }),

	openai('gpt-5', 1.25, 0.125, 10, { reasoning: true }),
	openai('gpt-5-mini', 0.25, 0.025, 2, { reasoning: true }),
	openai('gpt-5-nano', 0.05, 0.005, 0.4, { reasoning: true }),
	openai('gpt-4.1', 2, 0.5, 8),
	openai('gpt-4.1-mini', 0.4, 0.1, 1.6),
	openai('gpt-4.1-nano', 0.1, 0.025, 0.4),
	openai('o3', 2, 0.5, 8, { reasoning: true }),
	openai('o4-mini', 1.1, 0.275, 4.4, { reasoning: true }),
	openai('gpt-4o', 2.5, 1.25, 10),
	openai('gpt-4o-mini', 0.15, 0.075, 0.6),
	openai('o1', 15, 7.5, 60, { reasoning: true }),
	openai('o3-mini', 1.1, 0.55, 4.4, { reasoning: true }),
	embedding('text-embedding-3-small', 0.02),
	embedding('text-embedding-3-large', 0.13),
];

/**
 * Dated ids that must NOT fall back to their base row by dropping the date: OpenAI prices
 * `gpt-4o-2024-05-13` differently from `gpt-4o`, and our notes have no figure for it, so it stays
 * unpriced rather than shown at the wrong price.
 */
export const SNAPSHOTS_PRICED_APART: ReadonlySet<string> = new Set(['gpt-4o-2024-05-13']);
