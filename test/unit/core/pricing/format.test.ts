import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateCallSite } from '../../../../src/core/pricing/estimate';
import { DEFAULT_ASSUMPTIONS, type CostEstimate, type PricedEstimate } from '../../../../src/core/pricing/estimateTypes';
import { escapeMarkdown, formatBreakdownMarkdown, formatInteger, formatLensTitle, formatTokens, formatUsd } from '../../../../src/core/pricing/format';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import { callSite, seg, SPAN, text, wordCounter, words } from './fixtures';

const prices = createPriceTable();
const estimate = (site: Parameters<typeof estimateCallSite>[0]): CostEstimate => estimateCallSite(site, { prices, tokens: wordCounter(), assumptions: DEFAULT_ASSUMPTIONS });

const sonnetSite = callSite({
	model: 'claude-sonnet-4-5',
	maxOutputTokens: { kind: 'literal', value: 1024, span: SPAN },
	maxOutputParam: 'max_tokens',
	segments: [seg('system', text(words(1000)), { cacheControl: { ttl: '5m' } }), seg('user', text(words(5), 1))],
});

void describe('formatUsd', () => {
	void it('keeps two significant digits under $1 and three above', () => {
		assert.equal(formatUsd(0.00612), '$0.0061');
		assert.equal(formatUsd(0.4234), '$0.42');
		assert.equal(formatUsd(183.4), '$183');
		assert.equal(formatUsd(1.5), '$1.5');
		assert.equal(formatUsd(0.99999), '$1');
	});

	void it('abbreviates thousands and millions', () => {
		assert.equal(formatUsd(1234), '$1.2k');
		assert.equal(formatUsd(12_345), '$12k');
		assert.equal(formatUsd(999.99), '$1k');
		assert.equal(formatUsd(999_999), '$1M');
	});

	void it('shows $0 only for exactly zero and a floor for tiny amounts', () => {
		assert.equal(formatUsd(0), '$0');
		assert.equal(formatUsd(0.00002), '<$0.0001');
		assert.equal(formatUsd(0.0001), '$0.0001');
	});
});

void describe('formatTokens', () => {
	void it('prints small counts as is and larger ones in k / M', () => {
		assert.deepEqual([512, 1024, 1234, 12_345, 1_500_000].map(formatTokens), ['512', '1k', '1.2k', '12k', '1.5M']);
	});
});

void describe('formatLensTitle', () => {
	const base = estimate(sonnetSite) as PricedEstimate;

	void it('matches the house style exactly', () => {
		const e: PricedEstimate = { ...base, costUsd: 0.0061, monthlyCostUsd: 183, inputTokens: 1200, cacheableInputTokens: 900 };
		assert.equal(formatLensTitle(e, DEFAULT_ASSUMPTIONS), '≈ $0.0061/call · in 1.2k (0.9k cacheable) · out ≤1k · $183/mo @ 1k/day');
	});

	void it('omits the cacheable part when 0 and marks an assumed output', () => {
		const e: PricedEstimate = { ...base, costUsd: 0.0061, monthlyCostUsd: 183, inputTokens: 1200, cacheableInputTokens: 0, outputCap: null };
		assert.equal(formatLensTitle(e, DEFAULT_ASSUMPTIONS), '≈ $0.0061/call · in 1.2k · out ~512 (assumed) · $183/mo @ 1k/day');
	});

	void it('renders the real Sonnet estimate', () => {
		assert.equal(formatLensTitle(base, DEFAULT_ASSUMPTIONS), '≈ $0.009/call · in 1.3k (1.2k cacheable) · out ≤1k · $271/mo @ 1k/day');
	});

	void it('names an unpriced model and why', () => {
		const e = estimate(callSite({ model: 'claude-foo-9', segments: [seg('user', text(words(1000)))] }));
		assert.equal(formatLensTitle(e, DEFAULT_ASSUMPTIONS), 'claude-foo-9: unpriced (no price for `claude-foo-9`) · in 1.2k · out ~512');
		const dynamic = estimate(callSite({ model: { kind: 'dynamic', span: SPAN } }));
		assert.equal(formatLensTitle(dynamic, DEFAULT_ASSUMPTIONS), 'unpriced (model is not static) · in 0 · out ~512');
	});

	void it('says countTokens is free, drops output for embeddings and flags batches', () => {
		assert.equal(formatLensTitle(estimate(callSite({ api: 'messages.countTokens', model: 'claude-haiku-4-5' })), DEFAULT_ASSUMPTIONS), '$0 · countTokens is free');
		const embed = estimate(callSite({ provider: 'openai', api: 'embeddings.create', model: 'text-embedding-3-large', segments: [seg('embedding-input', text(words(1000)))] }));
		assert.equal(formatLensTitle(embed, DEFAULT_ASSUMPTIONS), '≈ $0.00013/call · in 1k · $3.9/mo @ 1k/day');
		const batch = estimate(callSite({ api: 'messages.batches.create', model: 'claude-sonnet-4-5', segments: [seg('system', text(words(100)))] }));
		assert.equal(formatLensTitle(batch, DEFAULT_ASSUMPTIONS), '≈ $0.004/call · in 120 · out ~512 (assumed) · $121/mo @ 1k/day · batch 50% off');
	});
});

void describe('formatBreakdownMarkdown', () => {
	void it('shows tokens by role, cost split, cache effect, price provenance, tokenizer and assumptions', () => {
		const md = formatBreakdownMarkdown(sonnetSite, estimate(sonnetSite), DEFAULT_ASSUMPTIONS);
		assert.ok(md.startsWith('**CostLens** · ≈ $0.009/call'), md);
		assert.ok(md.includes('| system | 1,200 | 0 |'));
		assert.ok(md.includes('| user | 6 | 50 |'));
		assert.ok(md.includes('| **input** | **1,206** | **50** |'));
		assert.ok(md.includes('| output | – | 512 (cap 1,024) |'));
		assert.ok(md.includes('**Per call:** input $0.0014 (15%) · output $0.0077 (85%)'), md);
		assert.ok(md.includes('**Prompt cache** (cache_control, 5m TTL): cold call $0.012 (writes $3.75/Mtok) · warm call $0.0082 (reads $0.3/Mtok) · 80% warm assumed'), md);
		assert.ok(md.includes('as of 2026-11-26 · [source](https://docs.anthropic.com/en/docs/about-claude/pricing)'));
		assert.ok(md.includes('**Tokenizer:** o200k_base × 1.2 (estimate)'));
		assert.ok(md.includes('**Assumptions**\n- 1 dynamic part'));
		assert.ok(md.includes('**Notes**\n- Claude tokens are an estimate'));
	});

	void it('escapes model names so no HTML or link can be injected', () => {
		const evil = '<img src=x onerror=alert(1)>[click](javascript:alert(1))';
		const site = callSite({ model: evil });
		const md = formatBreakdownMarkdown(site, estimate(site), DEFAULT_ASSUMPTIONS);
		assert.ok(!md.includes('<img'));
		assert.ok(!md.includes('[click]('));
		assert.ok(md.includes('&lt;img src=x onerror=alert\\(1\\)&gt;\\[click\\]\\(javascript:alert\\(1\\)\\)'), md);
		assert.equal(escapeMarkdown('a|b*c_d`e'), 'a\\|b\\*c\\_d\\`e');
	});

	void it('does not link a user-settings source', () => {
		const table = createPriceTable({ 'my-model': { input: 1, output: 2 } });
		const site = callSite({ provider: 'openai', api: 'chat.completions.create', model: 'my-model' });
		const md = formatBreakdownMarkdown(site, estimateCallSite(site, { prices: table, tokens: wordCounter(), assumptions: DEFAULT_ASSUMPTIONS }), DEFAULT_ASSUMPTIONS);
		assert.ok(md.includes('as of user · user settings'), md);
		assert.ok(!md.includes('[source]'));
	});
});

void describe('formatLensTitle edge cases', () => {
	void it('shows no output for an unpriced countTokens call', () => {
		const e = estimate(callSite({ api: 'messages.countTokens', model: 'claude-foo-9', segments: [seg('user', text(words(10)))] }));
		assert.equal(formatLensTitle(e, DEFAULT_ASSUMPTIONS), 'claude-foo-9: unpriced (no price for `claude-foo-9`) · in 12');
	});
});

void describe('formatInteger', () => {
	void it('groups thousands like en-US and rounds', () => {
		for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 1_234_567_890, -1234, 2.5, 1499.49]) {
			assert.equal(formatInteger(n), Math.round(n).toLocaleString('en-US'), String(n));
		}
		assert.equal(formatInteger(Number.NaN), 'NaN');
	});
});
