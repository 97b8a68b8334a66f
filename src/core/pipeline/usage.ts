/**
 * Provider usage objects → `NormalizedUsage` (the seed article's convention: `inputTokens` is the
 * whole prompt, cached parts included), stop reasons → `StopKind`, and the cost of a usage.
 */
import { costUsd } from '../pricing/cost';
import type { PriceTable } from '../pricing/types';
import type { NormalizedUsage, StopKind } from './types';

/** Anthropic `usage` (Messages API). Fields may be missing or null in stream events. */
export interface AnthropicUsageLike {
	readonly input_tokens?: number | null;
	readonly output_tokens?: number | null;
	readonly cache_read_input_tokens?: number | null;
	readonly cache_creation_input_tokens?: number | null;
}

/** OpenAI Chat Completions `usage`, or the Responses API's (`input_tokens`, `input_tokens_details`). */
export interface OpenAIUsageLike {
	readonly prompt_tokens?: number | null;
	readonly completion_tokens?: number | null;
	readonly prompt_tokens_details?: { readonly cached_tokens?: number | null } | null;
	readonly input_tokens?: number | null;
	readonly output_tokens?: number | null;
	readonly input_tokens_details?: { readonly cached_tokens?: number | null } | null;
}

export const ZERO_USAGE: NormalizedUsage = { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 };

function count(value: unknown): number {
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Anthropic's `input_tokens` EXCLUDES cache reads and cache writes, so the whole prompt is the sum
 * of the three.
 */
export function anthropicUsage(u: AnthropicUsageLike | null | undefined): NormalizedUsage {
	if (!u) return ZERO_USAGE;
	const read = count(u.cache_read_input_tokens);
	const write = count(u.cache_creation_input_tokens);
	return { inputTokens: count(u.input_tokens) + read + write, cachedInputTokens: read, cacheWriteTokens: write, outputTokens: count(u.output_tokens) };
}

/**
 * OpenAI's `prompt_tokens` (Responses: `input_tokens`) already INCLUDES the cached tokens. OpenAI
 * has no separately billed cache writes. Cached tokens are clamped to the prompt size so a
 * malformed object cannot yield a negative uncached part.
 */
export function openaiUsage(u: OpenAIUsageLike | null | undefined): NormalizedUsage {
	if (!u) return ZERO_USAGE;
	const input = count(u.prompt_tokens ?? u.input_tokens);
	const cached = count(u.prompt_tokens_details?.cached_tokens ?? u.input_tokens_details?.cached_tokens);
	return { inputTokens: input, cachedInputTokens: Math.min(cached, input), cacheWriteTokens: 0, outputTokens: count(u.completion_tokens ?? u.output_tokens) };
}

/**
 * USD for `usage` on `model`, or null when the model is unpriced (never 0). Cache writes are billed
 * at the 5-minute write rate: `NormalizedUsage` does not say which TTL was written, and 5 minutes
 * is the default (1-hour writes are under-counted by 0.75× input per written token).
 */
export function usageCostUsd(prices: PriceTable, model: string, usage: NormalizedUsage): number | null {
	const price = prices.lookup(model);
	if (!price) return null;
	return costUsd(price, { inputTokens: usage.inputTokens, cacheReadTokens: usage.cachedInputTokens, cacheWriteTokens5m: usage.cacheWriteTokens, outputTokens: usage.outputTokens });
}

/** Anthropic `stop_reason`. `model_context_window_exceeded` is a cut-off answer like `max_tokens`. */
export function stopKindAnthropic(stopReason: string | null | undefined): StopKind {
	switch (stopReason) {
		case 'end_turn':
		case 'stop_sequence': return 'end';
		case 'max_tokens':
		case 'model_context_window_exceeded': return 'max_tokens';
		case 'tool_use': return 'tool_use';
		case 'refusal': return 'refusal';
		default: return 'other';
	}
}

/** OpenAI `finish_reason` (Chat Completions). */
export function stopKindOpenAI(finishReason: string | null | undefined): StopKind {
	switch (finishReason) {
		case 'stop': return 'end';
		case 'length': return 'max_tokens';
		case 'tool_calls':
		case 'function_call': return 'tool_use';
		case 'content_filter': return 'content_filter';
		default: return 'other';
	}
}
