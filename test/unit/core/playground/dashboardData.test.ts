import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildDashboardData, chooseBucketSize, usageToCsv } from '../../../../src/core/playground/dashboardData';
import type { CacheOutcome, Stage, UsageRecord } from '../../../../src/core/pipeline/types';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';

// Built-in prices, USD per Mtok: Sonnet 4.5 in 3 / read 0.30 / write 3.75 / out 15; Haiku 4.5 in 1 / read 0.10 / write 1.25 / out 5; Opus 4.5 in 5 / out 25.
const prices = createPriceTable();
const SONNET = 'claude-sonnet-4-5';
const HAIKU = 'claude-haiku-4-5';
const OPUS = 'claude-opus-4-5';
const T0 = Date.UTC(2025, 0, 1, 10, 0, 0);

interface RowSpec {
	id: string;
	ts?: number;
	stage?: Stage;
	model?: string;
	input?: number;
	cached?: number;
	write?: number;
	output?: number;
	cost: number | null;
	hit?: CacheOutcome;
	latency?: number;
	ttft?: number | null;
	error?: string | null;
	attempt?: number;
	tenant?: string;
}

function row(s: RowSpec): UsageRecord {
	const stage = s.stage ?? 'direct';
	return {
		requestId: s.id, attempt: s.attempt ?? 1, ts: s.ts ?? T0, tenant: s.tenant ?? 'acme', provider: 'anthropic', model: s.model ?? SONNET, stage,
		inputTokens: s.input ?? 0, cachedInputTokens: s.cached ?? 0, cacheWriteTokens: s.write ?? 0, outputTokens: s.output ?? 0,
		costUsd: s.cost, latencyMs: s.latency ?? 0, ttftMs: s.ttft ?? null, cacheHit: s.hit ?? 'miss', escalated: stage === 'strong', gateVerdict: null, error: s.error ?? null,
	};
}

const near = (actual: number | null | undefined, expected: number, what = ''): void => {
	assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-12, `${what}: ${String(actual)} ≠ ${expected}`);
};

/** One cascade request: a cheap Haiku attempt, plus a strong Sonnet one when escalated. */
function cascade(id: string, ts: number, escalated: boolean): UsageRecord[] {
	const rows = [row({ id, ts, stage: 'cheap', model: HAIKU, input: 100, output: 10, cost: 0.00015 })];
	if (escalated) rows.push(row({ id, ts: ts + 1, stage: 'strong', model: SONNET, input: 100, output: 10, cost: 0.00045, attempt: 2 }));
	return rows;
}

describe('buildDashboardData: cost over time', () => {
	const rows = [
		// 600 × 3 + 400 × 0.3 + 200 × 15 = 4920 µ$: input $0.0018, cached $0.00012, output $0.003.
		row({ id: 'r1', ts: T0, input: 1000, cached: 400, output: 200, cost: 0.00492, hit: 'prefix' }),
		// Haiku, 1900 × 1 + 100 × 1.25 (write, counted as input) = $0.002025; 50 × 5 = $0.00025.
		row({ id: 'r2', ts: T0 + 90_000, model: HAIKU, input: 2000, write: 100, output: 50, cost: 0.002275 }),
		row({ id: 'r3', ts: T0 + 100_000, model: 'my-local-model', input: 10, output: 10, cost: null }),
		row({ id: 'r4', ts: T0 + 150_000, stage: 'exact-cache', input: 1000, output: 200, cost: 0, hit: 'exact' }),
	];
	const data = buildDashboardData(rows, { prices });

	it('picks minute buckets for a 150-second span and fills every minute', () => {
		assert.equal(data.bucketSize, 'minute');
		assert.deepEqual(data.buckets.map((b) => b.start), [T0, T0 + 60_000, T0 + 120_000]);
	});

	it('splits each bucket by token class with real prices', () => {
		const [b0, b1, b2] = data.buckets;
		near(b0?.cost.inputUsd, 0.0018, 'b0 input');
		near(b0?.cost.cachedInputUsd, 0.00012, 'b0 cached');
		near(b0?.cost.outputUsd, 0.003, 'b0 output');
		near(b0?.cost.totalUsd, 0.00492, 'b0 total');
		near(b1?.cost.inputUsd, 0.002025, 'b1 input');
		near(b1?.cost.outputUsd, 0.00025, 'b1 output');
		near(b1?.cost.totalUsd, 0.002275, 'b1 total');
		near(b2?.cost.totalUsd, 0, 'b2 total (a hit costs nothing)');
	});

	it('counts unpriced rows apart instead of adding $0', () => {
		assert.equal(data.buckets[1]?.cost.unpricedRows, 1);
		assert.equal(data.buckets[0]?.cost.unpricedRows, 0);
		assert.equal(data.cost.unpricedRows, 1);
		near(data.cost.totalUsd, 0.007195, 'total');
		near(data.cost.inputUsd, 0.003825, 'total input');
		near(data.cost.cachedInputUsd, 0.00012, 'total cached');
		near(data.cost.outputUsd, 0.00325, 'total output');
	});

	it('scales the split to the logged cost, and keeps cost of an unknown model unsplit', () => {
		const d = buildDashboardData([
			// Table says $0.0045 (1000 × 3 + 100 × 15); the log says $0.009 (priced when rates were double).
			row({ id: 'a', input: 1000, output: 100, cost: 0.009 }),
			row({ id: 'b', model: 'custom-priced-by-sidecar', input: 5, output: 5, cost: 0.01 }),
		], { prices });
		near(d.cost.inputUsd, 0.006, 'input');
		near(d.cost.outputUsd, 0.003, 'output');
		near(d.cost.unsplitUsd, 0.01, 'unsplit');
		near(d.cost.totalUsd, 0.019, 'total');
		assert.equal(d.cost.unpricedRows, 0);
	});

	it('hit rates by layer per bucket and overall, failed requests left out', () => {
		const withFailure = [...rows, row({ id: 'r5', ts: T0 + 10_000, cost: 0.001, input: 100, error: 'HTTP 500' })];
		const d = buildDashboardData(withFailure, { prices });
		assert.deepEqual(d.hits.counts, { exact: 1, semantic: 0, prefix: 1, miss: 2 });
		assert.equal(d.hits.answered, 4);
		assert.equal(d.hits.failed, 1);
		assert.deepEqual(d.hits.rates, { exact: 0.25, semantic: 0, prefix: 0.25, miss: 0.5 });
		assert.deepEqual(d.buckets[0]?.hits.counts, { exact: 0, semantic: 0, prefix: 1, miss: 0 });
		assert.equal(d.buckets[0]?.hits.failed, 1);
		assert.deepEqual(d.buckets[1]?.hits.rates, { exact: 0, semantic: 0, prefix: 0, miss: 1 });
		assert.deepEqual(d.buckets[2]?.hits.rates, { exact: 1, semantic: 0, prefix: 0, miss: 0 });
		assert.equal(d.recent[0]?.outcome, 'exact');
		assert.equal(d.recent.find((r) => r.requestId === 'r5')?.outcome, 'error');
		assert.equal(d.recent.find((r) => r.requestId === 'r5')?.error, 'HTTP 500');
	});

	it('a semantic hit whose embedding was billed counts as one semantic request', () => {
		const d = buildDashboardData([
			row({ id: 's', stage: 'semantic-cache', model: 'text-embedding-3-small', input: 20, cost: 0.0000004 }),
			row({ id: 's', stage: 'semantic-cache', attempt: 2, input: 700, output: 100, cost: 0, hit: 'semantic', latency: 40, ttft: 30 }),
		], { prices });
		assert.equal(d.requests, 1);
		assert.deepEqual(d.hits.counts, { exact: 0, semantic: 1, prefix: 0, miss: 0 });
		assert.equal(d.latencyMs.p50, 40);
		assert.equal(d.ttftMs.p50, 30);
	});

	it('chooses minute / hour / day by span and aligns days on the given UTC offset', () => {
		assert.equal(chooseBucketSize(2 * 3_600_000), 'minute');
		assert.equal(chooseBucketSize(2 * 3_600_000 + 1), 'hour');
		assert.equal(chooseBucketSize(3 * 86_400_000), 'hour');
		assert.equal(chooseBucketSize(3 * 86_400_000 + 1), 'day');
		const late = Date.UTC(2025, 0, 1, 23, 30);
		const d = buildDashboardData([row({ id: 'x', ts: late, cost: 0 }), row({ id: 'y', ts: late + 4 * 86_400_000, cost: 0 })], { prices, utcOffsetMinutes: 60 });
		assert.equal(d.bucketSize, 'day');
		// 23:30 UTC is 00:30 on 2 January at UTC+1: its day starts at 23:00 UTC on 1 January.
		assert.equal(d.buckets[0]?.start, Date.UTC(2025, 0, 1, 23, 0));
		assert.equal(d.buckets.length, 5);
	});

	it('returns empty figures for an empty log', () => {
		const d = buildDashboardData([], { prices });
		assert.equal(d.buckets.length, 0);
		assert.equal(d.requests, 0);
		assert.equal(d.latencyMs.p50, null);
		assert.equal(d.savings.savedPct, null);
		assert.equal(d.escalation.flagged, false);
	});
});

describe('buildDashboardData: latency', () => {
	it('nearest-rank p50 / p95 over requests', () => {
		const rows = Array.from({ length: 10 }, (_, i) => row({ id: `r${i}`, ts: T0 + i, cost: 0, latency: (i + 1) * 10, ttft: i + 1 }));
		const d = buildDashboardData(rows, { prices });
		assert.equal(d.latencyMs.p50, 50);
		assert.equal(d.latencyMs.p95, 100);
		assert.equal(d.ttftMs.p50, 5);
		assert.equal(d.ttftMs.p95, 10);
	});

	it('a retried request adds its attempts; TTFT counts from the request start', () => {
		const d = buildDashboardData([
			row({ id: 'r', latency: 100, cost: 0, error: 'HTTP 529 overloaded' }),
			row({ id: 'r', attempt: 2, latency: 300, ttft: 40, cost: 0.001, input: 100 }),
		], { prices });
		assert.equal(d.latencyMs.p50, 400);
		assert.equal(d.ttftMs.p50, 140);
		assert.equal(d.recent[0]?.attempts, 2);
		assert.equal(d.recent[0]?.outcome, 'miss');
	});
});

describe('buildDashboardData: escalation', () => {
	const workload = (escalated: number, total: number, start = 0): UsageRecord[] =>
		Array.from({ length: total }, (_, i) => cascade(`c${start + i}`, T0 + (start + i) * 10, i < escalated)).flat();

	it('flags 51 escalations of the last 100 cascade requests', () => {
		const d = buildDashboardData(workload(51, 100), { prices });
		assert.equal(d.escalation.window, 100);
		assert.equal(d.escalation.escalated, 51);
		near(d.escalation.rate, 0.51, 'rate');
		assert.equal(d.escalation.flagged, true);
	});

	it('does not flag exactly 50%', () => {
		const d = buildDashboardData(workload(50, 100), { prices });
		near(d.escalation.rate, 0.5, 'rate');
		assert.equal(d.escalation.flagged, false);
	});

	it('looks at the last 100 cascade requests only', () => {
		// 20 old escalations, then 100 requests with 40 escalated: the old ones have left the window.
		const d = buildDashboardData([...workload(20, 20), ...workload(40, 100, 20)], { prices });
		assert.equal(d.escalation.window, 100);
		near(d.escalation.rate, 0.4, 'rate');
		assert.equal(d.escalation.flagged, false);
	});

	it('ignores requests that did not run a cascade', () => {
		const d = buildDashboardData([...workload(1, 1), row({ id: 'plain', ts: T0 + 99, cost: 0.001, input: 10 })], { prices });
		assert.equal(d.escalation.window, 1);
	});
});

describe('buildDashboardData: savings against the uncached strong model', () => {
	const rows = [
		// Haiku miss: paid 1000 × 1 + 100 × 5 = $0.0015; Opus uncached 1000 × 5 + 100 × 25 = $0.0075.
		row({ id: 'm', ts: T0, model: HAIKU, input: 1000, output: 100, cost: 0.0015 }),
		// Exact hit of a Sonnet answer: paid $0; Opus 1000 × 5 + 200 × 25 = $0.01; it cost 3000 + 3000 µ$ = $0.006 when produced.
		row({ id: 'h', ts: T0 + 1, stage: 'exact-cache', input: 1000, output: 200, cost: 0, hit: 'exact' }),
		row({ id: 'u', ts: T0 + 2, model: 'my-local-model', input: 10, output: 10, cost: null }),
	];

	it('prices each request at the strong model, uncached, against what was paid', () => {
		const s = buildDashboardData(rows, { prices, strongModel: OPUS }).savings;
		assert.equal(s.strongModel, OPUS);
		near(s.baselineUsd, 0.0175, 'baseline');
		near(s.paidUsd, 0.0015, 'paid');
		near(s.savedUsd, 0.016, 'saved');
		near(s.savedPct, (0.016 / 0.0175) * 100, 'pct');
		near(s.cacheHitsOriginalUsd, 0.006, 'hits original');
		assert.equal(s.unpricedRequests, 1);
	});

	it('ignores the cache discount in the baseline', () => {
		// Sonnet with 800 of 1000 cached: paid 200 × 3 + 800 × 0.3 = $0.00084; uncached Sonnet $0.003.
		const s = buildDashboardData([row({ id: 'p', input: 1000, cached: 800, cost: 0.00084, hit: 'prefix' })], { prices, strongModel: SONNET }).savings;
		near(s.baselineUsd, 0.003, 'baseline');
		near(s.savedUsd, 0.00216, 'saved');
	});

	it('defaults the strong model to the one cascade escalations went to', () => {
		// Two cascade requests, one escalated to Sonnet: baseline 2 × (100 × 3 + 10 × 15) = $0.0009; paid 0.00015 × 2 + 0.00045.
		const s = buildDashboardData([...cascade('a', T0, true), ...cascade('b', T0 + 5, false)], { prices }).savings;
		assert.equal(s.strongModel, SONNET);
		near(s.baselineUsd, 0.0009, 'baseline');
		near(s.paidUsd, 0.00075, 'paid');
		near(s.savedUsd, 0.00015, 'saved');
	});
});

describe('buildDashboardData: recent requests', () => {
	it('keeps the 50 newest, newest first, summing each request', () => {
		const rows = Array.from({ length: 60 }, (_, i) => row({ id: `r${i}`, ts: T0 + i * 1000, input: 10, output: 1, cost: 0.000045 }));
		const d = buildDashboardData(rows, { prices });
		assert.equal(d.recent.length, 50);
		assert.equal(d.recent[0]?.requestId, 'r59');
		assert.equal(d.recent[49]?.requestId, 'r10');
		const c = buildDashboardData(cascade('e', T0, true), { prices }).recent[0];
		assert.equal(c?.model, SONNET);
		assert.equal(c?.escalated, true);
		near(c?.costUsd, 0.0006, 'cascade cost');
	});

	it('shows an unpriced attempt as an unpriced request, not $0', () => {
		const d = buildDashboardData([row({ id: 'u', model: 'mystery', cost: null, input: 5 })], { prices });
		assert.equal(d.recent[0]?.costUsd, null);
	});
});

describe('usageToCsv', () => {
	it('writes a header and RFC 4180 rows with CRLF line ends', () => {
		const csv = usageToCsv([row({ id: 'r1', ts: T0, input: 1000, cached: 400, output: 200, cost: 0.00492, latency: 812.5, ttft: 300 })]);
		const lines = csv.split('\r\n');
		assert.equal(lines[0], 'time,ts,requestId,attempt,tenant,provider,model,stage,cacheHit,inputTokens,cachedInputTokens,cacheWriteTokens,outputTokens,costUsd,latencyMs,ttftMs,escalated,gateVerdict,error');
		assert.equal(lines[1], `2025-01-01T10:00:00.000Z,${T0},r1,1,acme,anthropic,claude-sonnet-4-5,direct,miss,1000,400,0,200,0.00492,812.5,300,false,,`);
		assert.equal(lines[2], '');
		assert.equal(lines.length, 3);
	});

	it('quotes commas, quotes and newlines, and leaves unpriced cost empty', () => {
		const csv = usageToCsv([row({ id: 'q', model: 'a,b', cost: null, error: 'he said "no"\nthen left' })]);
		const body = csv.split('\r\n').slice(1).join('\r\n');
		assert.ok(body.includes(',"a,b",'), body);
		assert.ok(body.endsWith(',"he said ""no""\nthen left"\r\n'), body);
		assert.ok(body.includes(',miss,0,0,0,0,,0,,false,'), body);
	});

	it('defuses cells a spreadsheet would run as a formula', () => {
		const csv = usageToCsv([
			row({ id: '=HYPERLINK("http://x")', tenant: '+cmd|calc', model: '-2+3', cost: 1, error: '@SUM(A1)' }),
			row({ id: 'ok', tenant: '+a,b', cost: 0 }),
		]);
		const [, first, second] = csv.split('\r\n');
		assert.ok(first?.startsWith(`2025-01-01T10:00:00.000Z,${T0},"'=HYPERLINK(""http://x"")",1,'+cmd|calc,anthropic,'-2+3,`), first);
		assert.ok(first?.endsWith(",'@SUM(A1)"), first);
		assert.ok(second?.includes(`,"'+a,b",`), second);
		assert.ok(!/(^|,)[=+\-@]/.test(csv.split('\r\n').slice(1).join('\n').replace(/"'[=+\-@]/g, '')), 'no cell starts with a formula character');
	});
});
