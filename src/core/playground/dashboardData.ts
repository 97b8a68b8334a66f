/**
 * The playground dashboard's numbers, computed from the usage log (one row per upstream attempt
 * and per cache hit). PURE: the webview renders what this returns, and tests pin its arithmetic.
 *
 * Conventions:
 * - A "request" is the set of rows sharing a `requestId`; it belongs to the time of its first row.
 *   Cost belongs to the time of each row (money is spent when an attempt runs).
 * - Unpriced rows (`costUsd === null`) are counted apart and never enter a sum as $0.
 * - Time buckets are aligned on `utcOffsetMinutes` (0 = UTC) so day bars start at local midnight
 *   when the caller passes its offset.
 */
import { EscalationMonitor, nearestRank, type Percentiles } from '../pipeline/summary';
import type { CacheOutcome, UsageRecord } from '../pipeline/types';
import { billedRates, costUsd } from '../pricing/cost';
import type { PriceTable } from '../pricing/types';

export type BucketSize = 'minute' | 'hour' | 'day';

export const BUCKET_MS: { readonly [K in BucketSize]: number } = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Rows shown in the recent-requests table. */
export const RECENT_LIMIT = 50;

/** USD by token class. `unsplitUsd` is logged cost of a model the price table does not know, so it cannot be split. */
export interface CostSplit {
	readonly inputUsd: number;
	readonly cachedInputUsd: number;
	readonly outputUsd: number;
	readonly unsplitUsd: number;
	readonly totalUsd: number;
	/** Rows whose cost is unknown (unpriced model): counted, not summed. */
	readonly unpricedRows: number;
}

export interface OutcomeCounts {
	readonly exact: number;
	readonly semantic: number;
	readonly prefix: number;
	readonly miss: number;
}

export interface HitRates {
	/** Requests that produced an answer (the denominator of the rates). */
	readonly answered: number;
	/** Requests whose every attempt failed; left out of the rates. */
	readonly failed: number;
	readonly counts: OutcomeCounts;
	/** Fractions in [0, 1] of `answered`; all 0 when nothing was answered. */
	readonly rates: OutcomeCounts;
}

export interface DashboardBucket {
	/** Start of the bucket, ms since the epoch. */
	readonly start: number;
	readonly cost: CostSplit;
	readonly hits: HitRates;
}

export interface EscalationStats {
	/** Cascade requests in the window (the last 100). */
	readonly window: number;
	readonly escalated: number;
	/** `escalated / window`, 0 when empty. */
	readonly rate: number;
	/** Over 50% escalated (with at least 20 cascade requests, as in the replay summary). */
	readonly flagged: boolean;
}

export interface SavingsStats {
	/** Model the baseline prices every request at, uncached; null when none could be chosen. */
	readonly strongModel: string | null;
	/** What the priced requests would have cost sent uncached to `strongModel`. */
	readonly baselineUsd: number;
	/** What those same requests cost. */
	readonly paidUsd: number;
	/** `baselineUsd − paidUsd`; negative when the layers cost more than they saved. */
	readonly savedUsd: number;
	/** `savedUsd` as a percentage of `baselineUsd`; null when the baseline is 0. */
	readonly savedPct: number | null;
	/** What the answers served from the exact and semantic caches cost when produced (known ones). */
	readonly cacheHitsOriginalUsd: number;
	/** Requests left out: an unpriced attempt, or no strong-model price. */
	readonly unpricedRequests: number;
}

export interface RecentRequest {
	readonly requestId: string;
	readonly ts: number;
	readonly tenant: string;
	/** Model of the answering attempt (or of the last attempt when all failed). */
	readonly model: string;
	readonly outcome: CacheOutcome | 'error';
	readonly inputTokens: number;
	readonly cachedInputTokens: number;
	readonly outputTokens: number;
	/** Sum over the request's attempts; null when any is unpriced. */
	readonly costUsd: number | null;
	readonly latencyMs: number;
	readonly ttftMs: number | null;
	readonly escalated: boolean;
	readonly attempts: number;
	readonly error: string | null;
}

export interface DashboardData {
	readonly rows: number;
	readonly requests: number;
	readonly bucketSize: BucketSize;
	/** Consecutive buckets from the first request to the last (empty ones included); empty when there are no rows. */
	readonly buckets: readonly DashboardBucket[];
	readonly cost: CostSplit;
	readonly hits: HitRates;
	/** Per request, nearest rank. */
	readonly latencyMs: Percentiles;
	readonly ttftMs: Percentiles;
	readonly escalation: EscalationStats;
	readonly savings: SavingsStats;
	/** Newest first, at most 50. */
	readonly recent: readonly RecentRequest[];
}

export interface DashboardOptions {
	readonly prices: PriceTable;
	/** The baseline's model; defaults to the model most often seen on `strong` rows, else each request's own model. */
	readonly strongModel?: string;
	/** Force a bucket size instead of choosing one from the time span. */
	readonly bucketSize?: BucketSize;
	/** Minutes east of UTC that buckets align on (`-new Date().getTimezoneOffset()` in a browser). */
	readonly utcOffsetMinutes?: number;
}

/** Minute buckets up to 2 hours of data, hour buckets up to 3 days, day buckets beyond. */
export function chooseBucketSize(spanMs: number): BucketSize {
	if (spanMs <= 2 * BUCKET_MS.hour) return 'minute';
	if (spanMs <= 3 * BUCKET_MS.day) return 'hour';
	return 'day';
}

const UPSTREAM: ReadonlySet<string> = new Set(['direct', 'cheap', 'strong']);
const isHit = (r: UsageRecord): boolean => r.cacheHit === 'exact' || r.cacheHit === 'semantic';

interface RequestView {
	readonly id: string;
	readonly rows: readonly UsageRecord[];
	readonly ts: number;
	/** The row whose answer was returned; undefined when every attempt failed. */
	readonly answer: UsageRecord | undefined;
	readonly outcome: CacheOutcome | 'error';
	readonly latencyMs: number;
	readonly ttftMs: number | null;
	readonly cascade: boolean;
	readonly escalated: boolean;
	readonly costUsd: number | null;
}

export function buildDashboardData(rows: readonly UsageRecord[], options: DashboardOptions): DashboardData {
	const requests = groupRequests(rows);
	const offset = (options.utcOffsetMinutes ?? 0) * 60_000;
	const times = rows.map((r) => r.ts);
	const first = times.length > 0 ? Math.min(...times) : 0;
	const last = times.length > 0 ? Math.max(...times) : 0;
	const bucketSize = options.bucketSize ?? chooseBucketSize(last - first);
	const size = BUCKET_MS[bucketSize];
	const bucketOf = (ts: number): number => Math.floor((ts + offset) / size) * size - offset;

	const bucketCosts = new Map<number, CostAccumulator>();
	const bucketRequests = new Map<number, RequestView[]>();
	const starts: number[] = [];
	if (rows.length > 0) for (let s = bucketOf(first); s <= bucketOf(last); s += size) {
		starts.push(s);
		bucketCosts.set(s, new CostAccumulator());
		bucketRequests.set(s, []);
	}
	const total = new CostAccumulator();
	for (const row of rows) {
		total.add(row, options.prices);
		bucketCosts.get(bucketOf(row.ts))?.add(row, options.prices);
	}
	for (const request of requests) bucketRequests.get(bucketOf(request.ts))?.push(request);

	const monitor = new EscalationMonitor();
	for (const request of requests) if (request.cascade) monitor.record(request.escalated);

	const latencies = requests.filter((r) => r.answer !== undefined).map((r) => r.latencyMs);
	const ttfts = requests.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]));
	return {
		rows: rows.length,
		requests: requests.length,
		bucketSize,
		buckets: starts.map((start) => ({ start, cost: (bucketCosts.get(start) ?? new CostAccumulator()).result(), hits: hitRates(bucketRequests.get(start) ?? []) })),
		cost: total.result(),
		hits: hitRates(requests),
		latencyMs: { p50: nearestRank(latencies, 50), p95: nearestRank(latencies, 95) },
		ttftMs: { p50: nearestRank(ttfts, 50), p95: nearestRank(ttfts, 95) },
		escalation: { window: monitor.count, escalated: Math.round(monitor.rate * monitor.count), rate: monitor.rate, flagged: monitor.warning },
		savings: savings(requests, options.prices, options.strongModel ?? usualStrongModel(rows)),
		recent: [...requests].reverse().slice(0, RECENT_LIMIT).map(recentRow),
	};
}

/** Requests in order of their first row (ties keep log order). */
function groupRequests(rows: readonly UsageRecord[]): RequestView[] {
	const groups = new Map<string, UsageRecord[]>();
	for (const row of rows) {
		const list = groups.get(row.requestId);
		if (list) list.push(row);
		else groups.set(row.requestId, [row]);
	}
	const views = [...groups.entries()].map(([id, list]) => viewOf(id, [...list].sort((a, b) => a.attempt - b.attempt)));
	return views.map((v, i) => ({ v, i })).sort((a, b) => a.v.ts - b.v.ts || a.i - b.i).map(({ v }) => v);
}

function viewOf(id: string, rows: readonly UsageRecord[]): RequestView {
	const hit = rows.find(isHit);
	const answer = hit ?? [...rows].reverse().find((r) => UPSTREAM.has(r.stage) && r.error === null);
	const outcome: RequestView['outcome'] = answer === undefined ? 'error' : hit ? hit.cacheHit : answer.cacheHit === 'prefix' ? 'prefix' : 'miss';
	let latencyMs: number;
	let ttftMs: number | null;
	if (hit) {
		// A hit row's timings run from the request's start: earlier rows (the embedding) are inside them.
		latencyMs = hit.latencyMs;
		ttftMs = hit.ttftMs;
	} else {
		// Attempts run one after another; their timings run from each attempt's start (retry back-off excluded).
		latencyMs = rows.reduce((sum, r) => sum + r.latencyMs, 0);
		const index = answer ? rows.indexOf(answer) : -1;
		ttftMs = answer && answer.ttftMs !== null ? rows.slice(0, index).reduce((sum, r) => sum + r.latencyMs, 0) + answer.ttftMs : null;
	}
	let costUsd: number | null = 0;
	for (const r of rows) costUsd = costUsd === null || r.costUsd === null ? null : costUsd + r.costUsd;
	return {
		id,
		rows,
		ts: Math.min(...rows.map((r) => r.ts)),
		answer,
		outcome,
		latencyMs,
		ttftMs,
		cascade: rows.some((r) => r.stage === 'cheap'),
		escalated: rows.some((r) => r.stage === 'strong'),
		costUsd,
	};
}

class CostAccumulator {
	private input = 0;
	private cached = 0;
	private output = 0;
	private unsplit = 0;
	private unpriced = 0;

	/**
	 * Splits the row's logged cost by token class in proportion to tokens × the model's rates, so
	 * the parts add up to what the log says was paid even if the table's prices changed since.
	 */
	add(row: UsageRecord, prices: PriceTable): void {
		if (row.costUsd === null) {
			this.unpriced++;
			return;
		}
		if (row.costUsd === 0) return;
		const price = prices.lookup(row.model);
		if (!price) {
			this.unsplit += row.costUsd;
			return;
		}
		const rates = billedRates(price, row.inputTokens);
		const uncached = Math.max(0, row.inputTokens - row.cachedInputTokens - row.cacheWriteTokens);
		// Cache writes are prompt tokens billed at a premium: they belong to "input".
		const input = uncached * rates.input + row.cacheWriteTokens * rates.cacheWrite5m;
		const cached = row.cachedInputTokens * rates.cacheRead;
		const output = row.outputTokens * rates.output;
		const sum = input + cached + output;
		if (sum <= 0) {
			this.unsplit += row.costUsd;
			return;
		}
		const scale = row.costUsd / sum;
		this.input += input * scale;
		this.cached += cached * scale;
		this.output += output * scale;
	}

	result(): CostSplit {
		return {
			inputUsd: this.input,
			cachedInputUsd: this.cached,
			outputUsd: this.output,
			unsplitUsd: this.unsplit,
			totalUsd: this.input + this.cached + this.output + this.unsplit,
			unpricedRows: this.unpriced,
		};
	}
}

function hitRates(requests: readonly RequestView[]): HitRates {
	const counts = { exact: 0, semantic: 0, prefix: 0, miss: 0 };
	let failed = 0;
	for (const r of requests) {
		if (r.outcome === 'error') failed++;
		else counts[r.outcome]++;
	}
	const answered = requests.length - failed;
	const rate = (n: number): number => (answered === 0 ? 0 : n / answered);
	return { answered, failed, counts, rates: { exact: rate(counts.exact), semantic: rate(counts.semantic), prefix: rate(counts.prefix), miss: rate(counts.miss) } };
}

function usualStrongModel(rows: readonly UsageRecord[]): string | undefined {
	const counts = new Map<string, number>();
	for (const r of rows) if (r.stage === 'strong') counts.set(r.model, (counts.get(r.model) ?? 0) + 1);
	let best: string | undefined;
	let bestCount = 0;
	for (const [model, n] of counts) if (n > bestCount) [best, bestCount] = [model, n];
	return best;
}

/**
 * Per request: the strong model's uncached price of the answer's tokens (a hit's row carries the
 * served answer's tokens) against what the request's attempts cost.
 */
function savings(requests: readonly RequestView[], prices: PriceTable, strongModel: string | undefined): SavingsStats {
	let baseline = 0;
	let paid = 0;
	let original = 0;
	let unpriced = 0;
	let used: string | null = strongModel ?? null;
	for (const r of requests) {
		if (!r.answer) continue;
		const model = strongModel ?? r.answer.model;
		const price = prices.lookup(model);
		if (!price || r.costUsd === null) {
			unpriced++;
			continue;
		}
		if (used === null) used = model;
		baseline += costUsd(price, { inputTokens: r.answer.inputTokens, outputTokens: r.answer.outputTokens });
		paid += r.costUsd;
		if (isHit(r.answer)) {
			const own = prices.lookup(r.answer.model);
			if (own) original += costUsd(own, { inputTokens: r.answer.inputTokens, cacheReadTokens: r.answer.cachedInputTokens, cacheWriteTokens5m: r.answer.cacheWriteTokens, outputTokens: r.answer.outputTokens });
		}
	}
	// Without a configured strong model, each request is its own baseline: say so only when all agree.
	if (strongModel === undefined) {
		const models = new Set(requests.flatMap((r) => (r.answer ? [r.answer.model] : [])));
		used = models.size === 1 ? [...models][0] ?? null : null;
	}
	return {
		strongModel: used,
		baselineUsd: baseline,
		paidUsd: paid,
		savedUsd: baseline - paid,
		savedPct: baseline > 0 ? ((baseline - paid) / baseline) * 100 : null,
		cacheHitsOriginalUsd: original,
		unpricedRequests: unpriced,
	};
}

function recentRow(r: RequestView): RecentRequest {
	const shown = r.answer ?? r.rows[r.rows.length - 1];
	return {
		requestId: r.id,
		ts: r.ts,
		tenant: shown?.tenant ?? '',
		model: shown?.model ?? '',
		outcome: r.outcome,
		inputTokens: r.answer?.inputTokens ?? 0,
		cachedInputTokens: r.answer?.cachedInputTokens ?? 0,
		outputTokens: r.answer?.outputTokens ?? 0,
		costUsd: r.costUsd,
		latencyMs: r.latencyMs,
		ttftMs: r.ttftMs,
		escalated: r.escalated,
		attempts: r.rows.length,
		error: r.answer ? null : [...r.rows].reverse().find((row) => row.error !== null)?.error ?? null,
	};
}

// ---- CSV export ----

const CSV_COLUMNS = [
	'time', 'ts', 'requestId', 'attempt', 'tenant', 'provider', 'model', 'stage', 'cacheHit',
	'inputTokens', 'cachedInputTokens', 'cacheWriteTokens', 'outputTokens', 'costUsd',
	'latencyMs', 'ttftMs', 'escalated', 'gateVerdict', 'error',
] as const;

/**
 * A text cell as a spreadsheet will not run: cells starting with `=`, `+`, `-`, `@` (and tab or
 * carriage return, which some spreadsheets strip before parsing) get a leading `'` (OWASP CSV
 * injection). Model ids, tenants and error messages come from outside and may start with anything.
 */
function guardFormula(text: string): string {
	return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

/** RFC 4180: quote a field holding a comma, a quote, CR or LF; double the quotes inside. */
function quoteCsv(text: string): string {
	return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function cell(value: string | number | boolean | null): string {
	if (value === null) return '';
	if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	return quoteCsv(guardFormula(value));
}

/**
 * The usage rows as CSV (RFC 4180, CRLF line ends, a header row). Unpriced cost is an empty cell,
 * never 0. `time` is ISO 8601 UTC; `ts` keeps the epoch milliseconds.
 */
export function usageToCsv(rows: readonly UsageRecord[]): string {
	const lines = [CSV_COLUMNS.join(',')];
	for (const r of rows) {
		const values: { readonly [K in (typeof CSV_COLUMNS)[number]]: string | number | boolean | null } = {
			time: Number.isFinite(r.ts) ? new Date(r.ts).toISOString() : null,
			ts: r.ts,
			requestId: r.requestId,
			attempt: r.attempt,
			tenant: r.tenant,
			provider: r.provider,
			model: r.model,
			stage: r.stage,
			cacheHit: r.cacheHit,
			inputTokens: r.inputTokens,
			cachedInputTokens: r.cachedInputTokens,
			cacheWriteTokens: r.cacheWriteTokens,
			outputTokens: r.outputTokens,
			costUsd: r.costUsd,
			latencyMs: r.latencyMs,
			ttftMs: r.ttftMs,
			escalated: r.escalated,
			gateVerdict: r.gateVerdict,
			error: r.error,
		};
		lines.push(CSV_COLUMNS.map((c) => cell(values[c])).join(','));
	}
	return lines.join('\r\n') + '\r\n';
}
