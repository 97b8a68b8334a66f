import { createHash } from 'node:crypto';
import { nearestRank } from '../../core/pipeline/summary';
import type { CacheOutcome, ProviderId, Stage, UsageRecord } from '../../core/pipeline/types';

/** A usage_log row as SQLite returns it. */
export interface UsageRow {
	readonly id: number;
	readonly request_id: string;
	readonly attempt: number;
	readonly ts: number;
	readonly tenant: string;
	readonly provider: string;
	readonly model: string;
	readonly stage: string;
	readonly input_tokens: number;
	readonly cached_input_tokens: number;
	readonly cache_write_tokens: number;
	readonly output_tokens: number;
	readonly cost_usd: number | null;
	readonly latency_ms: number;
	readonly ttft_ms: number | null;
	readonly cache_hit: string;
	readonly escalated: number;
	readonly gate_verdict: string | null;
	readonly error: string | null;
	readonly row_check: string;
}

/**
 * 16 hex chars of sha256 over every field of the record in a fixed order. Stored with the row so a
 * crash test (or a user) can prove each row reads back exactly as it was written.
 */
export function usageRowCheck(r: UsageRecord): string {
	const fields = [
		r.requestId, r.attempt, r.ts, r.tenant, r.provider, r.model, r.stage,
		r.inputTokens, r.cachedInputTokens, r.cacheWriteTokens, r.outputTokens,
		r.costUsd, r.latencyMs, r.ttftMs, r.cacheHit, r.escalated, r.gateVerdict, r.error,
	];
	return createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);
}

export function recordFromRow(row: UsageRow): UsageRecord {
	return {
		requestId: row.request_id,
		attempt: row.attempt,
		ts: row.ts,
		tenant: row.tenant,
		provider: row.provider as ProviderId,
		model: row.model,
		stage: row.stage as Stage,
		inputTokens: row.input_tokens,
		cachedInputTokens: row.cached_input_tokens,
		cacheWriteTokens: row.cache_write_tokens,
		outputTokens: row.output_tokens,
		costUsd: row.cost_usd,
		latencyMs: row.latency_ms,
		ttftMs: row.ttft_ms,
		cacheHit: row.cache_hit as CacheOutcome,
		escalated: row.escalated !== 0,
		gateVerdict: row.gate_verdict,
		error: row.error,
	};
}

/** Named parameters for the insert statement; throws on a value SQLite would silently turn into NULL. */
export function paramsFromRecord(r: UsageRecord): Record<string, string | number | null> {
	const counts: [string, number][] = [
		['attempt', r.attempt], ['ts', r.ts], ['inputTokens', r.inputTokens], ['cachedInputTokens', r.cachedInputTokens],
		['cacheWriteTokens', r.cacheWriteTokens], ['outputTokens', r.outputTokens], ['latencyMs', r.latencyMs],
	];
	for (const [name, value] of counts) {
		if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`usage row ${r.requestId}#${r.attempt}: ${name} must be a finite number, got ${String(value)}`);
	}
	for (const [name, value] of [['costUsd', r.costUsd], ['ttftMs', r.ttftMs]] as const) {
		if (value !== null && (typeof value !== 'number' || !Number.isFinite(value))) throw new TypeError(`usage row ${r.requestId}#${r.attempt}: ${name} must be null or a finite number, got ${String(value)}`);
	}
	return {
		request_id: r.requestId,
		attempt: r.attempt,
		ts: r.ts,
		tenant: r.tenant,
		provider: r.provider,
		model: r.model,
		stage: r.stage,
		input_tokens: r.inputTokens,
		cached_input_tokens: r.cachedInputTokens,
		cache_write_tokens: r.cacheWriteTokens,
		output_tokens: r.outputTokens,
		cost_usd: r.costUsd,
		latency_ms: r.latencyMs,
		ttft_ms: r.ttftMs,
		cache_hit: r.cacheHit,
		escalated: r.escalated ? 1 : 0,
		gate_verdict: r.gateVerdict,
		error: r.error,
		row_check: usageRowCheck(r),
	};
}

/** Totals for one group of usage rows. */
export interface UsageTotals {
	/** Distinct request ids. */
	readonly requests: number;
	/** Rows (upstream attempts and cache hits). */
	readonly attempts: number;
	readonly inputTokens: number;
	readonly cachedInputTokens: number;
	readonly cacheWriteTokens: number;
	readonly outputTokens: number;
	/** Sum over priced rows only. */
	readonly costUsd: number;
	/** Rows whose cost is unknown (unpriced model); not counted in `costUsd`, never as $0. */
	readonly unpricedAttempts: number;
	readonly errors: number;
	/** Nearest-rank percentiles of per-row latency; null for an empty group. */
	readonly latencyP50Ms: number | null;
	readonly latencyP95Ms: number | null;
}

export interface UsageSummary {
	readonly total: UsageTotals;
	readonly byModel: Readonly<Record<string, UsageTotals>>;
	readonly byTenant: Readonly<Record<string, UsageTotals>>;
	readonly byCacheOutcome: Readonly<Partial<Record<CacheOutcome, UsageTotals>>>;
}

class Accumulator {
	private readonly requestIds = new Set<string>();
	private readonly latencies: number[] = [];
	private attempts = 0;
	private inputTokens = 0;
	private cachedInputTokens = 0;
	private cacheWriteTokens = 0;
	private outputTokens = 0;
	private costUsd = 0;
	private unpricedAttempts = 0;
	private errors = 0;

	add(r: UsageRecord): void {
		this.requestIds.add(r.requestId);
		this.latencies.push(r.latencyMs);
		this.attempts++;
		this.inputTokens += r.inputTokens;
		this.cachedInputTokens += r.cachedInputTokens;
		this.cacheWriteTokens += r.cacheWriteTokens;
		this.outputTokens += r.outputTokens;
		if (r.costUsd === null) this.unpricedAttempts++;
		else this.costUsd += r.costUsd;
		if (r.error !== null) this.errors++;
	}

	totals(): UsageTotals {
		return {
			requests: this.requestIds.size,
			attempts: this.attempts,
			inputTokens: this.inputTokens,
			cachedInputTokens: this.cachedInputTokens,
			cacheWriteTokens: this.cacheWriteTokens,
			outputTokens: this.outputTokens,
			costUsd: this.costUsd,
			unpricedAttempts: this.unpricedAttempts,
			errors: this.errors,
			latencyP50Ms: nearestRank(this.latencies, 50),
			latencyP95Ms: nearestRank(this.latencies, 95),
		};
	}
}

/** Groups records by model, tenant and cache outcome (a request with several attempts counts once per group it touches). */
export function summarize(records: Iterable<UsageRecord>): UsageSummary {
	const total = new Accumulator();
	const byModel = new Map<string, Accumulator>();
	const byTenant = new Map<string, Accumulator>();
	const byOutcome = new Map<CacheOutcome, Accumulator>();
	const bump = <K>(map: Map<K, Accumulator>, key: K, r: UsageRecord): void => {
		let acc = map.get(key);
		if (!acc) map.set(key, (acc = new Accumulator()));
		acc.add(r);
	};
	for (const r of records) {
		total.add(r);
		bump(byModel, r.model, r);
		bump(byTenant, r.tenant, r);
		bump(byOutcome, r.cacheHit, r);
	}
	const done = <K extends string>(map: Map<K, Accumulator>): Record<K, UsageTotals> => {
		// No prototype: a tenant or model literally named `__proto__` must stay a plain key.
		const out = Object.create(null) as Record<K, UsageTotals>;
		for (const [key, acc] of [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) out[key] = acc.totals();
		return out;
	};
	return { total: total.totals(), byModel: done(byModel), byTenant: done(byTenant), byCacheOutcome: done(byOutcome) };
}
