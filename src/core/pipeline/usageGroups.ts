import { nearestRank } from './summary';
import type { UsageGroup, UsageRecord } from './types';

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
			const latencies = list.map((r) => r.latencyMs);
			return {
				key,
				requests: list.length,
				inputTokens: sum(list, (r) => r.inputTokens),
				cachedInputTokens: sum(list, (r) => r.cachedInputTokens),
				outputTokens: sum(list, (r) => r.outputTokens),
				costUsd: sum(list, (r) => r.costUsd ?? 0),
				unpricedRequests: list.filter((r) => r.costUsd === null).length,
				p50LatencyMs: nearestRank(latencies, 50),
				p95LatencyMs: nearestRank(latencies, 95),
			};
		})
		.sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests || a.key.localeCompare(b.key));
}

function sum(rows: readonly UsageRecord[], value: (row: UsageRecord) => number): number {
	return rows.reduce((total, row) => total + value(row), 0);
}
