// Hand-built core values for the extension's pure modules; they do not depend on the analyser or the price table.
import type { CallSite } from '../../../src/core/analysis/types';
import type { Assumptions, PricedEstimate, UnpricedEstimate } from '../../../src/core/pricing/estimateTypes';
import { DEFAULT_ASSUMPTIONS } from '../../../src/core/pricing/estimateTypes';

export const assumptions: Assumptions = DEFAULT_ASSUMPTIONS;

export function site(overrides: Partial<CallSite> = {}): CallSite {
	return {
		provider: 'anthropic',
		api: 'messages.create',
		span: { start: 100, end: 300 },
		calleeSpan: { start: 106, end: 130 },
		argsSpan: { start: 131, end: 299 },
		providerEvidence: 'import',
		model: { kind: 'literal', value: 'claude-sonnet-4-5', span: { start: 140, end: 159 } },
		maxOutputTokens: { kind: 'literal', value: 1024, span: { start: 170, end: 174 } },
		maxOutputParam: 'max_tokens',
		stream: undefined,
		segments: [],
		hasTools: false,
		hasResponseFormat: false,
		topLevelCacheControl: false,
		...overrides,
	};
}

export function priced(overrides: Partial<PricedEstimate> = {}): PricedEstimate {
	return {
		priced: true,
		model: 'claude-sonnet-4-5',
		inputTokens: 1200,
		cacheableInputTokens: 900,
		outputTokens: 512,
		outputCap: 1024,
		byRole: [
			{ role: 'system', staticTokens: 900, assumedTokens: 0 },
			{ role: 'user', staticTokens: 20, assumedTokens: 50 },
			{ role: 'example', staticTokens: 0, assumedTokens: 200 },
		],
		tokenizer: { encoding: 'o200k_base', exact: false, factor: 1.2 },
		assumptions: ['output: assumed 512 tokens'],
		notes: ['Claude counts are estimates'],
		price: {
			model: 'claude-sonnet-4-5',
			provider: 'anthropic',
			input: 3,
			output: 15,
			cachedInput: 0.3,
			cacheWrite5m: 3.75,
			cacheWrite1h: 6,
			caching: { mode: 'marked', minTokens: 1024 },
			encoding: 'o200k_base',
			tokenFactor: 1.2,
			asOf: '2026-11-26',
			source: 'https://docs.anthropic.com/en/docs/about-claude/pricing',
		},
		costUsd: 0.01,
		monthlyCostUsd: 300,
		inputCostUsd: 0.002,
		outputCostUsd: 0.00768,
		cache: undefined,
		...overrides,
	};
}

export function unpriced(overrides: Partial<UnpricedEstimate> = {}): UnpricedEstimate {
	return {
		priced: false,
		model: 'claude-foo-9',
		inputTokens: 30,
		cacheableInputTokens: 0,
		outputTokens: 300,
		outputCap: 300,
		byRole: [{ role: 'user', staticTokens: 10, assumedTokens: 50 }],
		tokenizer: { encoding: 'o200k_base', exact: false, factor: 1.2 },
		assumptions: [],
		notes: [],
		reason: 'no price for `claude-foo-9`',
		costUsd: null,
		monthlyCostUsd: null,
		...overrides,
	};
}
