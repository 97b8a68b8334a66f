import type { UsageGroup, UsageRecord } from './types';

/** Nearest-rank percentile of an ascending array; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
	if (sorted.length === 0) return null;
	const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
	return sorted[rank - 1] ?? null;
}

/** The usage log summarized by model, by tenant and by cache outcome (`costlens usage`, the dashboard). */
export function groupUsage(rows: readonly UsageRecord[]): { byModel: UsageGroup[]; byTenant: UsageGroup[]; byOutcome: UsageGroup[] } {
	return { byModel: groupBy(rows, (r) => r.model), byTenant: groupBy(rows, (r) => r.tenant), byOutcome: groupBy(rows, (r) => r.cacheHit) };
}

function groupBy(rows: readonly UsageRecord[], keyOf: (row: UsageRecord) => string): UsageGroup[] {
	const groups = new Map<string, UsageRecord[]>();
	for (const row of rows) {
		const key = keyOf(row);
		const list = groups.get(key);
		if (list) list.push(row);
		else groups.set(key, [row]);
	}
	return [...groups.entries()]
		.map(([key, list]) => {
			const latencies = list.map((r) => r.latencyMs).sort((a, b) => a - b);
			return {
				key,
				requests: list.length,
				inputTokens: sum(list, (r) => r.inputTokens),
				cachedInputTokens: sum(list, (r) => r.cachedInputTokens),
				outputTokens: sum(list, (r) => r.outputTokens),
				costUsd: sum(list, (r) => r.costUsd ?? 0),
				unpricedRequests: list.filter((r) => r.costUsd === null).length,
				p50LatencyMs: percentile(latencies, 50),
				p95LatencyMs: percentile(latencies, 95),
			};
		})
		.sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests || a.key.localeCompare(b.key));
}

function sum(rows: readonly UsageRecord[], value: (row: UsageRecord) => number): number {
	return rows.reduce((total, row) => total + value(row), 0);
}
