/**
 * The seed article's "Putting numbers to it" table, computed from a replayed workload instead of
 * quoted: how many requests each layer served, what they cost, and what each layer avoided.
 *
 * Cost avoided per layer, each measured against the same request without that layer:
 * - exact / semantic cache: what the cached answer cost when it was produced (`originalCostUsd`
 *   when the result carries it, else the cached completion's own usage priced at its model);
 * - provider prompt cache: cached tokens × (input − cache-read rate), MINUS the cache-write
 *   premium (write tokens × (write − input rate)), so a layer that only writes shows a loss;
 * - cascade: the strong model's price for the answer's token counts minus what the cascade paid
 *   (cheap + strong). Negative when escalations pay twice. Token counts of the cheap model stand
 *   in for the strong one's, an approximation (tokenizers differ a little).
 * "Cost without any layer" is the actual cost plus every layer's avoided cost. Unpriced requests
 * are counted apart and never enter a sum as $0.
 */
import { billedRates, costUsd } from '../pricing/cost';
import type { PriceTable } from '../pricing/types';
import type { PipelineResult, UsageRecord } from './types';

export const ESCALATION_WINDOW = 100;
export const ESCALATION_WARNING_RATE = 0.5;
export const ESCALATION_MIN_SAMPLES = 20;

/**
 * Escalation rate over the last 100 cascade requests. The seed article's warning: past ~50% a
 * cascade costs more than calling the strong model directly, and the cheap model is wrong for the
 * task. `warning` waits for 20 samples so the first few escalations do not raise it.
 */
export class EscalationMonitor {
	private readonly window: boolean[] = [];
	private escalations = 0;

	constructor(private readonly size: number = ESCALATION_WINDOW) {}

	record(escalated: boolean): void {
		this.window.push(escalated);
		if (escalated) this.escalations++;
		if (this.window.length > this.size && this.window.shift()) this.escalations--;
	}

	/** Requests currently in the window. */
	get count(): number {
		return this.window.length;
	}

	/** Escalated share of the window; 0 when empty. */
	get rate(): number {
		return this.window.length === 0 ? 0 : this.escalations / this.window.length;
	}

	get warning(): boolean {
		return this.window.length >= ESCALATION_MIN_SAMPLES && this.rate > ESCALATION_WARNING_RATE;
	}
}

export type LayerId = 'exact-cache' | 'semantic-cache' | 'prompt-cache' | 'cascade';

export interface LayerSummary {
	readonly layer: LayerId;
	readonly label: string;
	/** Requests this layer answered (cache hits) or acted on (prompt-cache reads, cascade runs). */
	readonly requests: number;
	/** What those requests actually cost (priced ones). */
	readonly costUsd: number;
	/** Cost avoided by this layer; negative when it cost more than it saved. */
	readonly avoidedUsd: number;
	/** `avoidedUsd` as a percentage of the whole workload's cost without any layer; null when that is 0. */
	readonly savingsPct: number | null;
	/** Requests whose avoided cost could not be priced (left out of `avoidedUsd`). */
	readonly unpriced: number;
}

export interface Percentiles {
	readonly p50: number | null;
	readonly p95: number | null;
}

/** JSON-serialisable. Rates are fractions in [0, 1] of the requests that produced a result. */
export interface ReplaySummary {
	readonly requests: number;
	readonly errors: number;
	/** Upstream attempts that failed (retried or not) across all results. */
	readonly failedAttempts: number;
	readonly exactHits: number;
	readonly exactHitRate: number;
	readonly semanticHits: number;
	readonly semanticHitRate: number;
	readonly prefixHits: number;
	readonly prefixHitRate: number;
	readonly cascadeRequests: number;
	readonly escalations: number;
	readonly escalationRate: number;
	/** Escalation rate over the last 100 cascade requests > 50% (with at least 20 of them). */
	readonly escalationWarning: boolean;
	readonly actualCostUsd: number;
	readonly costWithoutLayersUsd: number;
	readonly avoidedUsd: number;
	readonly savingsPct: number | null;
	readonly unpricedRequests: number;
	readonly layers: readonly LayerSummary[];
	readonly latencyMs: Percentiles;
	readonly ttftMs: Percentiles;
}

/** A result, optionally with what a cache hit's answer originally cost (more exact than re-pricing it). */
export type ReplayResult = PipelineResult & { readonly originalCostUsd?: number | null };

export interface SummaryOptions {
	readonly prices: PriceTable;
	/** The cascade's strong model; defaults to the model of each request's `strong` row. */
	readonly strongModel?: string;
	/** Requests that produced no result at all (the replayer caught an error). */
	readonly errors?: number;
}

const UPSTREAM_STAGES: ReadonlySet<string> = new Set(['direct', 'cheap', 'strong']);

export function summarizeReplay(results: readonly ReplayResult[], options: SummaryOptions): ReplaySummary {
	const { prices } = options;
	const n = results.length;
	const errors = options.errors ?? 0;
	let actual = 0;
	let unpricedRequests = 0;
	let failedAttempts = 0;
	const layer = {
		exact: { requests: 0, cost: 0, avoided: 0, unpriced: 0 },
		semantic: { requests: 0, cost: 0, avoided: 0, unpriced: 0 },
		prompt: { requests: 0, cost: 0, avoided: 0, unpriced: 0 },
		cascade: { requests: 0, cost: 0, avoided: 0, unpriced: 0 },
	};
	const monitor = new EscalationMonitor();
	let escalations = 0;

	for (const result of results) {
		const cost = result.costUsd;
		if (cost === null) unpricedRequests++;
		else actual += cost;
		failedAttempts += result.rows.filter((r) => r.error !== null).length;

		if (result.outcome === 'exact' || result.outcome === 'semantic') {
			const bucket = result.outcome === 'exact' ? layer.exact : layer.semantic;
			bucket.requests++;
			bucket.cost += cost ?? 0;
			const original = result.originalCostUsd !== undefined ? result.originalCostUsd : priceUsage(prices, result.completion.model, result.completion.usage);
			if (original === null) bucket.unpriced++;
			else bucket.avoided += original;
			continue;
		}

		const upstream = result.rows.filter((r) => UPSTREAM_STAGES.has(r.stage));
		if (result.outcome === 'prefix') {
			layer.prompt.requests++;
			layer.prompt.cost += cost ?? 0;
		}
		for (const row of upstream) {
			if (row.cachedInputTokens === 0 && row.cacheWriteTokens === 0) continue;
			const saved = promptCacheSaving(prices, row);
			if (saved === null) layer.prompt.unpriced++;
			else layer.prompt.avoided += saved;
		}

		if (upstream.some((r) => r.stage === 'cheap')) {
			layer.cascade.requests++;
			layer.cascade.cost += cost ?? 0;
			monitor.record(result.escalated);
			if (result.escalated) escalations++;
			const saved = cascadeSaving(prices, upstream, options.strongModel);
			if (saved === null) layer.cascade.unpriced++;
			else layer.cascade.avoided += saved;
		}
	}

	const avoided = layer.exact.avoided + layer.semantic.avoided + layer.prompt.avoided + layer.cascade.avoided;
	const without = actual + avoided;
	const pct = (x: number): number | null => (without > 0 ? (x / without) * 100 : null);
	const summarizeLayer = (id: LayerId, label: string, b: { requests: number; cost: number; avoided: number; unpriced: number }): LayerSummary => ({
		layer: id, label, requests: b.requests, costUsd: b.cost, avoidedUsd: b.avoided, savingsPct: pct(b.avoided), unpriced: b.unpriced,
	});
	const rate = (x: number, of: number): number => (of === 0 ? 0 : x / of);
	const prefixHits = results.filter((r) => r.outcome === 'prefix').length;
	return {
		requests: n + errors,
		errors,
		failedAttempts,
		exactHits: layer.exact.requests,
		exactHitRate: rate(layer.exact.requests, n),
		semanticHits: layer.semantic.requests,
		semanticHitRate: rate(layer.semantic.requests, n),
		prefixHits,
		prefixHitRate: rate(prefixHits, n),
		cascadeRequests: layer.cascade.requests,
		escalations,
		escalationRate: rate(escalations, layer.cascade.requests),
		escalationWarning: monitor.warning,
		actualCostUsd: actual,
		costWithoutLayersUsd: without,
		avoidedUsd: avoided,
		savingsPct: pct(avoided),
		unpricedRequests,
		layers: [
			summarizeLayer('exact-cache', 'Exact-match cache', layer.exact),
			summarizeLayer('semantic-cache', 'Semantic cache', layer.semantic),
			summarizeLayer('prompt-cache', 'Provider prompt caching', layer.prompt),
			summarizeLayer('cascade', 'Cheap-to-strong cascade', layer.cascade),
		],
		latencyMs: percentiles(results.map((r) => r.latencyMs)),
		ttftMs: percentiles(results.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]))),
	};
}

function priceUsage(prices: PriceTable, model: string, usage: { readonly inputTokens: number; readonly cachedInputTokens: number; readonly cacheWriteTokens: number; readonly outputTokens: number }): number | null {
	const price = prices.lookup(model);
	if (!price) return null;
	return costUsd(price, { inputTokens: usage.inputTokens, cacheReadTokens: usage.cachedInputTokens, cacheWriteTokens5m: usage.cacheWriteTokens, outputTokens: usage.outputTokens });
}

/** Reads saved (input − read rate) minus the write premium (write − input rate), for one attempt. */
function promptCacheSaving(prices: PriceTable, row: UsageRecord): number | null {
	const price = prices.lookup(row.model);
	if (!price) return null;
	const rates = billedRates(price, row.inputTokens);
	return (row.cachedInputTokens * (rates.input - rates.cacheRead) - row.cacheWriteTokens * (rates.cacheWrite5m - rates.input)) / 1_000_000;
}

/**
 * Strong-model price of the answer's tokens (the successful strong attempt's, else the successful
 * cheap attempt's) minus everything the cascade's attempts cost.
 */
function cascadeSaving(prices: PriceTable, upstream: readonly UsageRecord[], strongModel: string | undefined): number | null {
	const ok = upstream.filter((r) => r.error === null);
	const answer = [...ok].reverse().find((r) => r.stage === 'strong') ?? [...ok].reverse().find((r) => r.stage === 'cheap');
	const model = strongModel ?? upstream.find((r) => r.stage === 'strong')?.model;
	if (!answer || model === undefined) return null;
	const baseline = priceUsage(prices, model, answer);
	if (baseline === null) return null;
	let paid = 0;
	for (const row of upstream) {
		if (row.stage !== 'cheap' && row.stage !== 'strong') continue;
		if (row.costUsd === null) return null;
		paid += row.costUsd;
	}
	return baseline - paid;
}

/** Nearest-rank: the value at rank ⌈p/100 × n⌉ of the ascending list. */
export function nearestRank(values: readonly number[], p: number): number | null {
	if (values.length === 0) return null;
	const sorted = [...values].sort((a, b) => a - b);
	const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
	return sorted[rank - 1] ?? null;
}

function percentiles(values: readonly number[]): Percentiles {
	return { p50: nearestRank(values, 50), p95: nearestRank(values, 95) };
}

/** Plain-text table for the terminal: one line per layer, a total, then latency. */
export function formatSummaryTable(s: ReplaySummary): string {
	const usd = (x: number): string => `${x < 0 ? '-' : ''}$${Math.abs(x).toFixed(Math.abs(x) >= 1 ? 2 : 4)}`;
	const pct = (x: number | null): string => (x === null ? '—' : `${x.toFixed(1)}%`);
	const header = ['Layer', 'Requests served', 'Cost with', 'Cost avoided', 'Savings %'];
	const body = s.layers.map((l) => [l.label + (l.unpriced > 0 ? ` (${l.unpriced} unpriced)` : ''), String(l.requests), usd(l.costUsd), usd(l.avoidedUsd), pct(l.savingsPct)]);
	body.push(['All layers', String(s.requests), usd(s.actualCostUsd), usd(s.avoidedUsd), pct(s.savingsPct)]);
	const rows = [header, ...body];
	const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
	const line = (r: readonly string[]): string => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join(' | ');
	const ms = (x: number | null): string => (x === null ? '—' : `${Math.round(x)} ms`);
	const out = [
		line(header),
		widths.map((w) => '-'.repeat(w)).join('-+-'),
		...body.map(line),
		'',
		`Cost without any layer: ${usd(s.costWithoutLayersUsd)}; actual: ${usd(s.actualCostUsd)}${s.unpricedRequests > 0 ? ` (${s.unpricedRequests} unpriced request(s) not included)` : ''}`,
		`Hits: exact ${s.exactHits} (${pct(s.exactHitRate * 100)}), semantic ${s.semanticHits} (${pct(s.semanticHitRate * 100)}), prompt cache ${s.prefixHits} (${pct(s.prefixHitRate * 100)})`,
		`Escalations: ${s.escalations} of ${s.cascadeRequests} cascade requests (${pct(s.escalationRate * 100)})${s.escalationWarning ? ' — WARNING: over 50% of recent cascade requests escalated; the cheap model is wrong for this task, right-size instead' : ''}`,
		`Latency: p50 ${ms(s.latencyMs.p50)}, p95 ${ms(s.latencyMs.p95)}; TTFT: p50 ${ms(s.ttftMs.p50)}, p95 ${ms(s.ttftMs.p95)}`,
	];
	if (s.errors > 0 || s.failedAttempts > 0) out.push(`Errors: ${s.errors} request(s) failed; ${s.failedAttempts} failed attempt(s)`);
	return out.join('\n');
}
