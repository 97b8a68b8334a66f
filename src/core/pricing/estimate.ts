import type { Api, CallSite, PromptSegment, SegmentRole } from '../analysis/types';
import type { EncodingName, TokenCounter } from '../tokens/tokenCounter';
import { billedRates, costUsd } from './cost';
import type { Assumptions, CacheEffect, CostEstimate, RoleTokens } from './estimateTypes';
import { formatInteger } from './format';
import { CLAUDE_TOKEN_FACTOR } from './prices';
import type { ModelPrice, PriceTable } from './types';

export interface EstimateContext {
	readonly prices: PriceTable;
	readonly tokens: TokenCounter;
	readonly assumptions: Assumptions;
}

/**
 * OpenAI chat framing, from the OpenAI cookbook "How to count tokens with tiktoken"
 * (num_tokens_from_messages): every message costs 3 tokens on top of its content and every reply
 * is primed with 3 more. Applied to Chat Completions and, for lack of a published figure, Responses.
 */
export const TOKENS_PER_MESSAGE = 3;
export const REPLY_PRIMING_TOKENS = 3;

const MESSAGE_ROLES: ReadonlySet<SegmentRole> = new Set(['system', 'example', 'user', 'assistant']);
const BATCH_APIS: ReadonlySet<Api> = new Set(['messages.batches.create', 'batches.create']);
const DAYS_PER_MONTH = 30;

const int = formatInteger;
const percent = (share: number): string => `${Math.round(share * 1000) / 10}%`;

interface CountedSegment {
	readonly segment: PromptSegment;
	readonly staticTokens: number;
	readonly assumedTokens: number;
	/** Holes, unknown text or unknown messages: the text changes between calls. */
	readonly dynamic: boolean;
}

/**
 * Estimated tokens and cost of one call and of a month of calls.
 *
 * Counting: static text with the model's encoding (Claude: o200k × `tokenFactor`, an estimate);
 * each hole `tokensPerHole`; a segment whose text is unknown counts as one hole; a group of unknown
 * messages (`messages: history`) counts as ONE message of `tokensPerUnknownMessage` tokens. Tools
 * and schema text are counted as written. See `estimateCache*` for the caching rules.
 */
export function estimateCallSite(site: CallSite, context: EstimateContext): CostEstimate {
	const { prices, tokens, assumptions: a } = context;
	const modelId = site.model?.kind === 'literal' ? site.model.value : null;
	const price = modelId !== null ? prices.lookup(modelId) : undefined;
	const isClaude = price ? price.provider === 'anthropic' : site.provider === 'anthropic';
	const encoding: EncodingName = price?.encoding ?? 'o200k_base';
	const factor = price?.tokenFactor ?? (isClaude ? CLAUDE_TOKEN_FACTOR : 1);
	// Exact only when the row names the model's own tokenizer; an unknown model's tokenizer is unknown.
	const exact = price !== undefined && price.tokenFactor === undefined;

	const assumptionList: string[] = [];
	const notes: string[] = [];

	const counted = site.segments.map((segment): CountedSegment => {
		const content = segment.content;
		const staticTokens = content ? Math.round(tokens.count(content.text, encoding) * factor) : 0;
		let assumedTokens = content ? content.holes * a.tokensPerHole : segment.unknownMessages ? 0 : a.tokensPerHole;
		if (segment.unknownMessages) assumedTokens += a.tokensPerUnknownMessage;
		return { segment, staticTokens, assumedTokens, dynamic: !content || content.holes > 0 || segment.unknownMessages === true };
	});

	const holes = site.segments.reduce((n, s) => n + (s.content ? s.content.holes : s.unknownMessages ? 0 : 1), 0);
	if (holes > 0) assumptionList.push(`${int(holes)} dynamic part${holes === 1 ? '' : 's'} (\${…} or unresolved text): ${int(a.tokensPerHole)} tokens each`);
	const unknownGroups = site.segments.filter((s) => s.unknownMessages).length;
	if (unknownGroups > 0) assumptionList.push(`${int(unknownGroups)} unknown message list${unknownGroups === 1 ? '' : 's'} (e.g. \`messages: history\`): each counted as 1 message of ${int(a.tokensPerUnknownMessage)} tokens`);

	const framingTokens = chatFraming(site, counted);
	if (framingTokens > 0) notes.push(`chat framing: ${TOKENS_PER_MESSAGE} tokens per message + ${REPLY_PRIMING_TOKENS} reply priming (OpenAI cookbook "How to count tokens")`);
	if (site.segments.some((s) => s.role === 'tools')) notes.push('tool definitions are counted as written; the provider\'s own tool formatting adds some tokens');

	const inputTokens = counted.reduce((n, c) => n + c.staticTokens + c.assumedTokens, 0) + framingTokens;
	const byRole = groupByRole(counted);

	const isEmbedding = site.api === 'embeddings.create' || price?.kind === 'embedding';
	const isCountTokens = site.api === 'messages.countTokens';
	const isBatch = BATCH_APIS.has(site.api);
	const outputCap = !isEmbedding && !isCountTokens && site.maxOutputTokens?.kind === 'literal' ? site.maxOutputTokens.value : null;
	let outputTokens = 0;
	if (!isEmbedding && !isCountTokens) {
		const param = site.maxOutputParam ?? (site.provider === 'anthropic' ? 'max_tokens' : site.api.startsWith('responses.') ? 'max_output_tokens' : 'max_completion_tokens');
		if (outputCap === null) {
			outputTokens = a.assumedOutputTokens;
			assumptionList.push(`output: assumed ${int(a.assumedOutputTokens)} tokens per call (no static ${param})`);
		} else if (outputCap <= a.assumedOutputTokens) {
			outputTokens = outputCap;
			assumptionList.push(`output: the ${param} cap of ${int(outputCap)} tokens (below the assumed ${int(a.assumedOutputTokens)})`);
		} else {
			outputTokens = a.assumedOutputTokens;
			assumptionList.push(`output: assumed ${int(a.assumedOutputTokens)} tokens per call (${param} caps it at ${int(outputCap)})`);
		}
	}
	if (!exact) notes.push(isClaude
		? `Claude tokens are an estimate: o200k_base × ${factor} (Claude's tokenizer is not public; \`messages.countTokens\` gives the exact count)`
		: 'token counts use o200k_base; this model\'s own tokenizer is unknown');
	if (site.provider === 'openai-compatible' || site.baseURL !== undefined) notes.push('the client points at another baseURL: the host\'s prices may differ from the provider\'s table');
	if (isCountTokens) notes.push('countTokens is free');

	const base = {
		model: modelId,
		api: site.api,
		inputTokens,
		outputTokens,
		outputCap,
		byRole,
		framingTokens,
		tokenizer: { encoding, exact, factor },
	};

	if (!price) {
		const reason = modelId === null ? (site.model === undefined ? 'no model argument' : 'model is not static') : `no price for \`${modelId}\``;
		return { ...base, priced: false, reason, cacheableInputTokens: 0, costUsd: null, monthlyCostUsd: null, assumptions: assumptionList, notes };
	}

	if (isCountTokens) {
		return {
			...base, priced: true, price, cacheableInputTokens: 0, costUsd: 0, monthlyCostUsd: 0, inputCostUsd: 0, outputCostUsd: 0, cache: undefined,
			assumptions: assumptionList, notes,
		};
	}

	const rates = billedRates(price, inputTokens, { batch: isBatch });
	if (rates.longContext && price.longContext) notes.push(`long-context tier: input above ${int(price.longContext.thresholdTokens)} tokens bills the whole request at $${price.longContext.input} in / $${price.longContext.output} out per Mtok`);
	if (isBatch) notes.push(`batch: ${Math.round((1 - rates.multiplier) * 100)}% off base rates; results arrive asynchronously`);
	if (price.reasoning) notes.push('reasoning tokens bill as output and are not in the output assumption');

	const plain = costUsd(price, { inputTokens, outputTokens }, { batch: isBatch });
	const cache = isEmbedding ? undefined
		: price.caching.mode === 'marked' ? markedCache(site, counted, price, inputTokens, outputTokens, isBatch, plain)
		: price.caching.mode === 'automatic' ? automaticCache(counted, price, inputTokens, outputTokens, isBatch)
		: undefined;
	const cacheableInputTokens = cache?.cacheableTokens ?? 0;
	const cost = cache && cacheableInputTokens > 0 ? a.warmCacheShare * cache.warmCallUsd + (1 - a.warmCacheShare) * cache.coldCallUsd : plain;
	if (cache && cacheableInputTokens > 0) assumptionList.push(`warm cache: ${percent(a.warmCacheShare)} of calls read the cached prefix, the rest miss it`);
	const outputCostUsd = (outputTokens * rates.output) / 1_000_000;
	assumptionList.push(`${int(a.callsPerDay)} calls/day × ${DAYS_PER_MONTH} days for the monthly figure`);

	return {
		...base,
		priced: true,
		price,
		rates,
		cacheableInputTokens,
		costUsd: cost,
		monthlyCostUsd: cost * a.callsPerDay * DAYS_PER_MONTH,
		inputCostUsd: cost - outputCostUsd,
		outputCostUsd,
		cache,
		assumptions: assumptionList,
		notes,
	};
}

function chatFraming(site: CallSite, counted: readonly CountedSegment[]): number {
	if (site.provider === 'anthropic') return 0;
	const chat = site.api.startsWith('chat.') || site.api.startsWith('beta.chat.') || site.api.startsWith('responses.');
	if (!chat) return 0;
	const messages = counted.filter((c) => MESSAGE_ROLES.has(c.segment.role) || c.segment.unknownMessages).length;
	return messages * TOKENS_PER_MESSAGE + REPLY_PRIMING_TOKENS;
}

function groupByRole(counted: readonly CountedSegment[]): RoleTokens[] {
	const roles = new Map<SegmentRole, { staticTokens: number; assumedTokens: number }>();
	for (const c of counted) {
		const row = roles.get(c.segment.role) ?? { staticTokens: 0, assumedTokens: 0 };
		row.staticTokens += c.staticTokens;
		row.assumedTokens += c.assumedTokens;
		roles.set(c.segment.role, row);
	}
	return [...roles].map(([role, t]) => ({ role, ...t }));
}

/**
 * Anthropic: the cache covers the prefix up to the LAST breakpoint (`cache_control`, or the end of
 * the prompt for a top-level `cache_control`, taken as 5m since the call site does not carry its
 * TTL). A breakpoint whose prefix is below the model's minimum does not cache by itself; its tokens
 * are written with the next breakpoint that qualifies, at that breakpoint's TTL. Cold call: writes
 * at 1.25× (5m) / 2× (1h); warm call: reads at 0.1×.
 */
function markedCache(site: CallSite, counted: readonly CountedSegment[], price: ModelPrice, inputTokens: number, outputTokens: number, batch: boolean, plain: number): CacheEffect {
	const minTokens = price.caching.mode === 'marked' ? price.caching.minTokens : 0;
	const minNote = price.caching.mode === 'marked' && price.caching.minTokensNote ? ` (${price.caching.minTokensNote})` : '';
	const breakpoints: { index: number; ttl: '5m' | '1h' }[] = [];
	counted.forEach((c, index) => { if (c.segment.cacheControl) breakpoints.push({ index, ttl: c.segment.cacheControl.ttl }); });
	if (site.topLevelCacheControl && counted.length > 0 && breakpoints.at(-1)?.index !== counted.length - 1) breakpoints.push({ index: counted.length - 1, ttl: '5m' });
	if (breakpoints.length === 0) {
		return { mode: 'marked', cacheableTokens: 0, minTokens, note: 'no `cache_control` breakpoint: nothing is cached', coldCallUsd: plain, warmCallUsd: plain };
	}
	const cumulative: number[] = [];
	counted.reduce((n, c) => { const next = n + c.staticTokens + c.assumedTokens; cumulative.push(next); return next; }, 0);
	let assigned = 0;
	let write5m = 0;
	let write1h = 0;
	for (const { index, ttl } of breakpoints) {
		const prefix = cumulative[index] ?? 0;
		if (prefix < minTokens || prefix <= assigned) continue;
		if (ttl === '1h') write1h += prefix - assigned;
		else write5m += prefix - assigned;
		assigned = prefix;
	}
	const lastPrefix = cumulative[breakpoints.at(-1)?.index ?? 0] ?? 0;
	const tooMany = breakpoints.length > 4 ? '; more than 4 breakpoints: the API rejects the request' : '';
	if (assigned === 0) {
		return {
			mode: 'marked', cacheableTokens: 0, minTokens, coldCallUsd: plain, warmCallUsd: plain,
			note: `prefix up to the last cache_control is ${int(lastPrefix)} tokens, below the ${int(minTokens)}-token minimum: caching silently skipped${minNote}${tooMany}`,
		};
	}
	const dynamicInPrefix = counted.slice(0, (breakpoints.at(-1)?.index ?? 0) + 1).some((c) => c.dynamic);
	return {
		mode: 'marked',
		cacheableTokens: assigned,
		minTokens,
		writeTokens5m: write5m,
		writeTokens1h: write1h,
		coldCallUsd: costUsd(price, { inputTokens, cacheWriteTokens5m: write5m, cacheWriteTokens1h: write1h, outputTokens }, { batch }),
		warmCallUsd: costUsd(price, { inputTokens, cacheReadTokens: assigned, outputTokens }, { batch }),
		note: `the ${int(assigned)}-token prefix up to the last cache_control caches (minimum ${int(minTokens)})${minNote}`
			+ (dynamicInPrefix ? '; it contains dynamic parts, so it only hits when they repeat' : '') + tooMany,
	};
}

/**
 * OpenAI: automatic caching of the static prefix, i.e. the segments before the last user message,
 * stopping at the first segment with any dynamic part (the hole's position inside the text is not
 * known, so that whole segment is left out: conservative). Chat framing is left out too. Cached
 * tokens come in 128-token steps and only from 1,024 on (OpenAI reports 0 or ≥1,024 cached tokens).
 * No write surcharge for these models: a cold call is a plain call.
 */
function automaticCache(counted: readonly CountedSegment[], price: ModelPrice, inputTokens: number, outputTokens: number, batch: boolean): CacheEffect {
	const rule = price.caching.mode === 'automatic' ? price.caching : { minTokens: 1024, incrementTokens: 128 };
	let lastUser = -1;
	counted.forEach((c, i) => { if (c.segment.role === 'user') lastUser = i; });
	const region = lastUser >= 0 ? counted.slice(0, lastUser) : counted;
	let prefix = 0;
	let brokenBy: SegmentRole | undefined;
	for (const c of region) {
		if (c.dynamic) { brokenBy = c.segment.role; break; }
		prefix += c.staticTokens;
	}
	const cacheable = prefix >= rule.minTokens ? Math.floor(prefix / rule.incrementTokens) * rule.incrementTokens : 0;
	const broken = brokenBy ? `; it stops at the first dynamic part (in ${brokenBy})` : '';
	const cold = costUsd(price, { inputTokens, outputTokens }, { batch });
	return {
		mode: 'automatic',
		cacheableTokens: cacheable,
		minTokens: rule.minTokens,
		coldCallUsd: cold,
		warmCallUsd: cacheable > 0 ? costUsd(price, { inputTokens, cacheReadTokens: cacheable, outputTokens }, { batch }) : cold,
		note: cacheable > 0
			? `automatic caching: ${int(cacheable)} of the ${int(prefix)}-token static prefix (${int(rule.incrementTokens)}-token steps)${broken}`
			: `static prefix is ${int(prefix)} tokens, below the ${int(rule.minTokens)}-token minimum: nothing caches${broken}`,
	};
}
