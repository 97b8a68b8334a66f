import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costShares, escapeHtml, renderBreakdownHtml } from '../../../src/extension/breakdownHtml';
import { assumptions, priced, site, unpriced } from './sampleData';

const base = { cspSource: 'https://webview.example', styleUri: 'https://webview.example/media/breakdown.css', fileLabel: 'src/chat.ts', line: 12, assumptions };

function cspOf(html: string): string {
	const match = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
	assert.ok(match, 'CSP meta tag present');
	return match[1]!;
}

void describe('renderBreakdownHtml', () => {
	void it('declares a CSP that allows no script and only the webview source for styles', () => {
		const html = renderBreakdownHtml({ ...base, site: site(), estimate: priced() });
		const csp = cspOf(html);
		assert.match(csp, /default-src 'none'/);
		assert.match(csp, /style-src https:\/\/webview\.example(;|\s)/);
		assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|script-src/);
		assert.doesNotMatch(html, /<script/i);
		assert.doesNotMatch(html, /\sstyle="/i, 'inline style attributes would be blocked by the CSP');
		assert.doesNotMatch(html, /\son[a-z]+=/i);
	});

	void it('escapes hostile strings from user code and settings', () => {
		const hostile = '"><img src=x onerror=alert(1)><script>alert(2)</script>';
		const estimate = priced({
			model: hostile,
			notes: [hostile],
			assumptions: ['<script>alert(3)</script>'],
			price: { ...priced().price, model: hostile, source: `javascript:${hostile}`, asOf: hostile },
		});
		const html = renderBreakdownHtml({ ...base, fileLabel: `src/<script>x</script>.ts`, site: site({ baseURL: hostile, provider: 'openai-compatible' }), estimate });
		assert.doesNotMatch(html, /<script/i);
		assert.doesNotMatch(html, /<img/i);
		assert.ok(html.includes('&lt;script&gt;alert(2)&lt;/script&gt;'));
		assert.ok(html.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'));
		assert.doesNotMatch(html, /href="javascript:/i);
	});

	void it('shows the price row with its asOf date and one bar per prompt role', () => {
		const html = renderBreakdownHtml({ ...base, site: site(), estimate: priced() });
		assert.ok(html.includes('2026-11-26'));
		assert.ok(html.includes('claude-sonnet-4-5'));
		assert.equal((html.match(/class="role-bar"/g) ?? []).length, 3);
		assert.equal((html.match(/class="stacked"/g) ?? []).length, 1);
		assert.ok(html.includes('Examples / history'));
	});

	void it('says unpriced with the reason and never $0 for an unknown model', () => {
		const html = renderBreakdownHtml({ ...base, site: site(), estimate: unpriced() });
		assert.ok(html.includes('Unpriced'));
		assert.ok(html.includes('claude-foo-9'));
		assert.doesNotMatch(html, /\$0(?![.\d])/);
		assert.doesNotMatch(html, /class="stacked"/);
	});
});

void describe('costShares', () => {
	void it('splits the per-call cost into input, cached prefix and output summing to costUsd', () => {
		// 1,200 input tokens of which 900 cacheable; 300 uncached at $3/Mtok = $0.0009.
		const estimate = priced({ costUsd: 0.01, inputCostUsd: 0.002, outputCostUsd: 0.008 });
		const shares = costShares(estimate);
		assert.deepEqual(
			shares.map((s) => s.key),
			['input', 'cache', 'output'],
		);
		assert.ok(Math.abs(shares[0]!.usd - 0.0009) < 1e-12);
		assert.ok(Math.abs(shares[1]!.usd - 0.0011) < 1e-12);
		assert.ok(Math.abs(shares.reduce((sum, s) => sum + s.usd, 0) - estimate.costUsd) < 1e-12);
		assert.ok(Math.abs(shares.reduce((sum, s) => sum + s.percent, 0) - 100) < 1e-9);
	});

	void it('puts all input in the input share when nothing is cacheable', () => {
		const shares = costShares(priced({ cacheableInputTokens: 0, inputCostUsd: 0.002, outputCostUsd: 0.008, costUsd: 0.01 }));
		assert.equal(shares[1]!.usd, 0);
		assert.equal(shares[0]!.usd, 0.002);
	});

	void it('gives 0% everywhere for a free call instead of dividing by zero', () => {
		const shares = costShares(priced({ costUsd: 0, inputCostUsd: 0, outputCostUsd: 0 }));
		assert.ok(shares.every((s) => s.percent === 0));
	});
});

void describe('escapeHtml', () => {
	void it('escapes the five HTML-significant characters', () => {
		assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
	});
});
