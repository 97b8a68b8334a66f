import type { Api, SegmentRole } from '../analysis/types';
import type { BilledRates } from './cost';
import type { ModelPrice } from './types';

/** Numbers the estimate could not read from source; all come from settings and are shown as assumptions. */
export interface Assumptions {
	/** Tokens assumed for each `${…}` hole or unresolved operand. */
	readonly tokensPerHole: number;
	/** Tokens assumed for each message the analyser cannot see (`messages: history`). */
	readonly tokensPerUnknownMessage: number;
	/** Output tokens assumed per call; the estimate uses min(max_tokens, this). */
	readonly assumedOutputTokens: number;
	/** Calls per day used for the monthly figure (30 days a month). */
	readonly callsPerDay: number;
	/** Share (0..1) of calls that find the provider's prompt cache warm. */
	readonly warmCacheShare: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
	tokensPerHole: 50,
	tokensPerUnknownMessage: 200,
	assumedOutputTokens: 512,
	callsPerDay: 1000,
	warmCacheShare: 0.8,
};

export interface RoleTokens {
	readonly role: SegmentRole;
	/** Tokens counted from static text. */
	readonly staticTokens: number;
	/** Tokens assumed for holes and unknown messages. */
	readonly assumedTokens: number;
}

export interface CacheEffect {
	readonly mode: 'marked' | 'automatic';
	/** Tokens in the cacheable prefix (0 when below the model's minimum). */
	readonly cacheableTokens: number;
	/** The model's minimum cacheable prefix. */
	readonly minTokens: number;
	/** Why the prefix does or does not cache, in one sentence. */
	readonly note: string;
	/** Cost of one call when the prefix is written (cold) and when it is read (warm). */
	readonly coldCallUsd: number;
	readonly warmCallUsd: number;
	/** Anthropic: cacheable tokens written at the 5-minute and at the 1-hour rate on a cold call. */
	readonly writeTokens5m?: number;
	readonly writeTokens1h?: number;
}

export type CostEstimate = PricedEstimate | UnpricedEstimate;

interface EstimateBase {
	readonly model: string | null;
	/** The call's API, so formatting can tell countTokens, embeddings and batches apart. */
	readonly api?: Api;
	readonly inputTokens: number;
	readonly cacheableInputTokens: number;
	readonly outputTokens: number;
	/** The static `max_tokens`, shown as the worst case; null when absent or dynamic. */
	readonly outputCap: number | null;
	readonly byRole: readonly RoleTokens[];
	/** Chat framing added on top of `byRole` (OpenAI: 3 per message + 3 reply priming); 0 when none. */
	readonly framingTokens?: number;
	/** How the tokens were counted: exact encoding or an o200k-based estimate with a factor. */
	readonly tokenizer: { readonly encoding: 'o200k_base' | 'cl100k_base'; readonly exact: boolean; readonly factor: number };
	/** Each number taken from settings rather than from source, in words ("output: assumed 512 tokens"). */
	readonly assumptions: readonly string[];
	/** Other caveats ("countTokens is free", "batch: 50% off", "long-context tier"). */
	readonly notes: readonly string[];
}

export interface PricedEstimate extends EstimateBase {
	readonly priced: true;
	readonly price: ModelPrice;
	/** Expected cost of one call, blending warm and cold cache at `warmCacheShare`. */
	readonly costUsd: number;
	readonly monthlyCostUsd: number;
	readonly inputCostUsd: number;
	readonly outputCostUsd: number;
	readonly cache: CacheEffect | undefined;
	/** Per-Mtok rates billed for this call (long-context tier and batch discount applied). */
	readonly rates?: BilledRates;
}

export interface UnpricedEstimate extends EstimateBase {
	readonly priced: false;
	/** Why: "no price for `foo-9`", "model is not static". Never shown as $0. */
	readonly reason: string;
	readonly costUsd: null;
	readonly monthlyCostUsd: null;
}
