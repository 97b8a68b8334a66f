/** Prices are USD per million tokens. Every row carries where it came from and when. */
export interface ModelPrice {
	readonly model: string;
	readonly provider: 'anthropic' | 'openai';
	readonly input: number;
	readonly output: number;
	/** Price of a cache read (Anthropic) or of cached input (OpenAI). */
	readonly cachedInput?: number;
	/** Anthropic 5-minute cache write. */
	readonly cacheWrite5m?: number;
	/** Anthropic 1-hour cache write. */
	readonly cacheWrite1h?: number;
	/** Above `thresholdTokens` input, the whole request bills at these rates. */
	readonly longContext?: { readonly thresholdTokens: number; readonly input: number; readonly output: number };
	/** Batch APIs bill this fraction of the base rates (0.5). */
	readonly batchMultiplier?: number;
	/** Caching behaviour of this model. */
	readonly caching: CachingRule;
	/** Tokenizer used for local counts. `o200k_base` is also the base of the Claude estimate. */
	readonly encoding: 'o200k_base' | 'cl100k_base';
	/** Claude: local counts are o200k × this factor (no public Claude 3+ tokenizer). */
	readonly tokenFactor?: number;
	/** Embedding models price input only. */
	readonly kind?: 'chat' | 'embedding';
	readonly asOf: string;
	readonly source: string;
	/** Other ids that map to this row (dated snapshots, `-latest`). */
	readonly aliases?: readonly string[];
	/** Reasoning models bill hidden reasoning tokens as output, which a static estimate cannot see. */
	readonly reasoning?: boolean;
}

export type CachingRule =
	| { readonly mode: 'marked'; readonly minTokens: number; readonly minTokensNote?: string }
	| { readonly mode: 'automatic'; readonly minTokens: number; readonly incrementTokens: number }
	| { readonly mode: 'none' };

export interface PriceTable {
	lookup(model: string): ModelPrice | undefined;
	all(): readonly ModelPrice[];
	/** Overrides that were rejected (bad numbers, unknown model without input/output); the adapter shows them. */
	readonly warnings?: readonly string[];
}
