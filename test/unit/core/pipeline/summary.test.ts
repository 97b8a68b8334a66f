import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EscalationMonitor, formatSummaryTable, nearestRank, summarizeReplay, type ReplayResult } from '../../../../src/core/pipeline/summary';
import type { CacheOutcome, NormalizedUsage, Stage, UsageRecord } from '../../../../src/core/pipeline/types';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';

const prices = createPriceTable();
const SONNET = 'claude-sonnet-4-5';
const HAIKU = 'claude-haiku-4-5';

function usage(inputTokens: number, outputTokens: number, cachedInputTokens = 0, cacheWriteTokens = 0): NormalizedUsage {
	return { inputTokens, cachedInputTokens, cacheWriteTokens, outputTokens };
}

function row(stage: Stage, model: string, u: NormalizedUsage, costUsd: number | null, cacheHit: CacheOutcome = 'miss', error: string | null = null): UsageRecord {
	return { requestId: 'r', attempt: 1, ts: 0, tenant: 't', provider: 'anthropic', model, stage, ...u, costUsd, latencyMs: 0, ttftMs: null, cacheHit, escalated: stage === 'strong', gateVerdict: null, error };
}

function result(outcome: CacheOutcome, model: string, u: NormalizedUsage, costUsd: number | null, rows: UsageRecord[], latencyMs: number, ttftMs: number | null, extra: Partial<ReplayResult> = {}): ReplayResult {
	return {
		requestId: 'r', outcome, model, escalated: false, costUsd, usage: u, latencyMs, ttftMs, rows,
		completion: { provider: 'anthropic', wire: 'anthropic-messages', model, text: 'ok', stop: 'end', rawStop: 'end_turn', usage: u, raw: null },
		...extra,
	};
}

const near = (actual: number | null, expected: number, what = ''): void => {
	assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${what} ${actual} ≠ ${expected}`);
};

// Hand-computed with the built-in prices (USD per Mtok): Sonnet 4.5 in 3 / read 0.30 / write 3.75 / out 15; Haiku 4.5 in 1 / out 5.
const workload: ReplayResult[] = [
	// Miss on Sonnet: 1000 × 3 + 200 × 15 = $0.006.
	result('miss', SONNET, usage(1000, 200), 0.006, [row('direct', SONNET, usage(1000, 200), 0.006)], 800, 300),
	// Exact hit of it: avoided $0.006 (re-priced from the cached completion's usage).
	result('exact', SONNET, usage(0, 0), 0, [row('exact-cache', SONNET, usage(1000, 200), 0, 'exact')], 5, 2, { completion: { provider: 'anthropic', wire: 'anthropic-messages', model: SONNET, text: 'ok', stop: 'end', rawStop: 'end_turn', usage: usage(1000, 200), raw: null } }),
	// Semantic hit whose answer originally cost $0.004.
	result('semantic', SONNET, usage(0, 0), 0, [row('semantic-cache', SONNET, usage(700, 100), 0, 'semantic')], 40, 30, { originalCostUsd: 0.004 }),
	// Prompt-cache read: 1000 × 3 + 4000 × 0.3 + 100 × 15 = $0.0057 paid; 4000 × (3 − 0.3) = $0.0108 avoided.
	result('prefix', SONNET, usage(5000, 100, 4000), 0.0057, [row('direct', SONNET, usage(5000, 100, 4000), 0.0057)], 900, 250),
	// Cascade kept on Haiku: paid 1000 × 1 + 100 × 5 = $0.0015; Sonnet would be 1000 × 3 + 100 × 15 = $0.0045 → avoided $0.003.
	result('miss', HAIKU, usage(1000, 100), 0.0015, [row('cheap', HAIKU, usage(1000, 100), 0.0015)], 400, 100, { gateVerdict: { pass: true, failures: [] } }),
	// Cascade escalated: paid $0.0015 + (1000 × 3 + 300 × 15 = $0.0075) = $0.009; Sonnet alone $0.0075 → avoided −$0.0015.
	result('miss', SONNET, usage(1000, 300), 0.009, [row('cheap', HAIKU, usage(1000, 100), 0.0015), row('strong', SONNET, usage(1000, 300), 0.0075)], 2000, 1500, { escalated: true, gateVerdict: { pass: false, failures: [{ kind: 'truncated', reason: 'truncated: empty answer' }] } }),
	// An unpriced model: counted apart, never $0.
	result('miss', 'my-model', usage(100, 10), null, [row('direct', 'my-model', usage(100, 10), null)], 700, null),
];

void describe('summarizeReplay', () => {
	const s = summarizeReplay(workload, { prices, strongModel: SONNET, errors: 1 });

	void it('counts requests, hits and escalations', () => {
		assert.equal(s.requests, 8);
		assert.equal(s.errors, 1);
		assert.equal(s.exactHits, 1);
		assert.equal(s.exactHitRate, 1 / 7);
		assert.equal(s.semanticHits, 1);
		assert.equal(s.prefixHits, 1);
		assert.equal(s.cascadeRequests, 2);
		assert.equal(s.escalations, 1);
		assert.equal(s.escalationRate, 0.5);
		assert.equal(s.escalationWarning, false);
		assert.equal(s.unpricedRequests, 1);
	});

	void it('computes actual cost and the cost avoided per layer', () => {
		near(s.actualCostUsd, 0.0222, 'actual');
		const byLayer = Object.fromEntries(s.layers.map((l) => [l.layer, l]));
		near(byLayer['exact-cache']?.avoidedUsd ?? null, 0.006, 'exact');
		near(byLayer['semantic-cache']?.avoidedUsd ?? null, 0.004, 'semantic');
		near(byLayer['prompt-cache']?.avoidedUsd ?? null, 0.0108, 'prompt');
		near(byLayer['cascade']?.avoidedUsd ?? null, 0.0015, 'cascade');
		near(byLayer['cascade']?.costUsd ?? null, 0.0105, 'cascade paid');
		near(s.avoidedUsd, 0.0223, 'avoided');
		near(s.costWithoutLayersUsd, 0.0445, 'without');
		near(s.savingsPct, (0.0223 / 0.0445) * 100, 'savings %');
		near(byLayer['exact-cache']?.savingsPct ?? null, (0.006 / 0.0445) * 100, 'exact %');
	});

	void it('reports nearest-rank latency and TTFT percentiles, hits included', () => {
		// Latencies sorted: 5 40 400 700 800 900 2000 → p50 rank 4, p95 rank 7.
		assert.deepEqual(s.latencyMs, { p50: 700, p95: 2000 });
		// TTFT sorted: 2 30 100 250 300 1500 → p50 rank 3, p95 rank 6.
		assert.deepEqual(s.ttftMs, { p50: 100, p95: 1500 });
	});

	void it('is JSON-serialisable', () => {
		assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
	});

	void it('counts a cache write premium against the prompt-cache layer', () => {
		// 5000 tokens written at 3.75 instead of 3: −5000 × 0.75 / 1e6 = −$0.00375.
		const w = summarizeReplay([result('miss', SONNET, usage(5000, 0, 0, 5000), 0.01875, [row('direct', SONNET, usage(5000, 0, 0, 5000), 0.01875)], 100, null)], { prices });
		near(w.layers.find((l) => l.layer === 'prompt-cache')?.avoidedUsd ?? null, -0.00375);
	});

	void it('warns when most of the last 100 cascade requests escalated', () => {
		const escalated = result('miss', SONNET, usage(1000, 300), 0.009, [row('cheap', HAIKU, usage(1000, 100), 0.0015), row('strong', SONNET, usage(1000, 300), 0.0075)], 10, null, { escalated: true });
		const kept = workload[4] as ReplayResult;
		const many = [...Array.from({ length: 100 }, () => kept), ...Array.from({ length: 60 }, () => escalated), ...Array.from({ length: 40 }, () => kept)];
		const sum = summarizeReplay(many, { prices, strongModel: SONNET });
		assert.equal(sum.escalationRate, 60 / 200);
		assert.equal(sum.escalationWarning, true);
		// 60 escalations × −$0.0015 + 140 kept × $0.003 = $0.33.
		near(sum.layers.find((l) => l.layer === 'cascade')?.avoidedUsd ?? null, 0.33);
		// Without the strong model id, requests that never escalated have no strong price to compare with.
		const blind = summarizeReplay(many, { prices });
		assert.equal(blind.layers.find((l) => l.layer === 'cascade')?.unpriced, 140);
	});

	void it('handles an empty workload', () => {
		const e = summarizeReplay([], { prices });
		assert.equal(e.requests, 0);
		assert.equal(e.savingsPct, null);
		assert.deepEqual(e.latencyMs, { p50: null, p95: null });
	});
});

void describe('formatSummaryTable', () => {
	void it('prints one line per layer, a total and the latency lines', () => {
		const text = formatSummaryTable(summarizeReplay(workload, { prices, strongModel: SONNET, errors: 1 }));
		const lines = text.split('\n');
		assert.match(lines[0] ?? '', /^Layer\s+\| Requests served \| Cost with \| Cost avoided \| Savings %$/);
		assert.ok(lines.some((l) => /^Exact-match cache\s+\|\s+1 \|\s+\$0\.0000 \|\s+\$0\.0060 \|\s+13\.5%$/.test(l)), text);
		assert.ok(lines.some((l) => /^Cheap-to-strong cascade\s+\|\s+2 \|\s+\$0\.0105 \|\s+\$0\.0015 \|\s+3\.4%$/.test(l)), text);
		assert.ok(lines.some((l) => /^All layers\s+\|\s+8 \|\s+\$0\.0222 \|\s+\$0\.0223 \|\s+50\.1%$/.test(l)), text);
		assert.ok(lines.includes('Latency: p50 700 ms, p95 2000 ms; TTFT: p50 100 ms, p95 1500 ms'), text);
		assert.match(text, /1 unpriced request\(s\) not included/);
	});
});

void describe('EscalationMonitor', () => {
	void it('rates the last 100 and warns above 50% once 20 are recorded', () => {
		const m = new EscalationMonitor();
		for (let i = 0; i < 19; i++) m.record(true);
		assert.equal(m.rate, 1);
		assert.equal(m.warning, false);
		m.record(true);
		assert.equal(m.warning, true);
		for (let i = 0; i < 100; i++) m.record(i % 2 === 0);
		assert.equal(m.count, 100);
		assert.equal(m.rate, 0.5);
		assert.equal(m.warning, false);
		m.record(true); // pushes out an escalation: still 50 of 100
		assert.equal(m.rate, 0.5);
		m.record(true); // pushes out a non-escalation
		assert.equal(m.rate, 0.51);
		assert.equal(m.warning, true);
	});
});

void describe('nearestRank', () => {
	void it('picks the ceil(p × n)-th smallest', () => {
		assert.equal(nearestRank([15, 20, 35, 40, 50], 30), 20);
		assert.equal(nearestRank([15, 20, 35, 40, 50], 100), 50);
		assert.equal(nearestRank([3], 50), 3);
		assert.equal(nearestRank([], 50), null);
	});
});
