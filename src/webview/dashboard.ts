/**
 * The playground's usage dashboard: cost over time by token class, hit rates by layer, latency,
 * cascade escalation, savings against the uncached strong model, and the recent requests. Numbers
 * come from `buildDashboardData` (pure, unit-tested); this file only draws them. Every string from
 * the log goes in through `textContent` (model ids and tenants are untrusted).
 */
import type { UsageRecord } from '../core/pipeline/types';
import { buildDashboardData, type BucketSize, type DashboardData, type HitRates, type OutcomeCounts, type RecentRequest } from '../core/playground/dashboardData';
import { createPriceTable } from '../core/pricing/priceTable';
import type { PriceTable } from '../core/pricing/types';
import type { FromWebview } from '../protocol/playground';
import { legend, rateBar, stackedBarChart, type Series } from './charts';
import { h, replace, uid } from './dom';

export interface DashboardRenderOptions {
	/** Prices for the token-class split and the baseline (the user's overrides); the built-in table when absent. */
	readonly prices?: PriceTable;
	/** The savings baseline's model; see `DashboardOptions.strongModel`. */
	readonly strongModel?: string;
}

let builtinPrices: PriceTable | undefined;

const COST_SERIES: readonly Series[] = [
	{ name: 'Input', className: 'cl-series-input' },
	{ name: 'Cached input', className: 'cl-series-cached' },
	{ name: 'Output', className: 'cl-series-output' },
	{ name: 'Other (model not in the price table)', className: 'cl-series-other' },
];

const LAYERS: readonly { readonly key: keyof OutcomeCounts; readonly name: string; readonly className: string }[] = [
	{ key: 'exact', name: 'Exact cache', className: 'cl-series-exact' },
	{ key: 'semantic', name: 'Semantic cache', className: 'cl-series-semantic' },
	{ key: 'prefix', name: 'Provider prompt cache', className: 'cl-series-prefix' },
	{ key: 'miss', name: 'Miss', className: 'cl-series-miss' },
];

/** Renders (replacing `root`'s children) the dashboard for `rows` (the usage log, any order). */
export function renderDashboard(root: HTMLElement, rows: readonly UsageRecord[], post: (m: FromWebview) => void, options: DashboardRenderOptions = {}): void {
	const prices = options.prices ?? (builtinPrices ??= createPriceTable());
	const data = buildDashboardData(rows, {
		prices,
		...(options.strongModel !== undefined ? { strongModel: options.strongModel } : {}),
		utcOffsetMinutes: -new Date().getTimezoneOffset(),
	});
	root.classList.add('cl-dashboard');
	replace(
		root,
		actions(rows.length, post),
		rows.length === 0
			? h('p', { class: 'cl-muted' }, 'No usage yet. Run a request above, or replay a workload, and the dashboard fills in.')
			: h('div', { class: 'cl-dashboard-body' },
				overview(data),
				costSection(data),
				hitSection(data),
				latencySection(data),
				escalationSection(data),
				savingsSection(data),
				recentSection(data.recent),
			),
	);
}

function actions(rowCount: number, post: (m: FromWebview) => void): HTMLElement {
	const button = (label: string, message: FromWebview, disabled: boolean, title: string): HTMLButtonElement => {
		const b = h('button', { type: 'button', class: 'cl-button', disabled, title }, label);
		b.addEventListener('click', () => post(message));
		return b;
	};
	const none = rowCount === 0;
	return h('div', { class: 'cl-actions', role: 'toolbar', 'aria-label': 'Usage actions' },
		button('Export CSV', { type: 'export', format: 'csv' }, none, none ? 'No usage rows to export yet' : 'Save the usage log as CSV'),
		button('Export JSON', { type: 'export', format: 'json' }, none, none ? 'No usage rows to export yet' : 'Save the usage log as JSON'),
		button('Replay a workload…', { type: 'replay' }, false, 'Run a JSONL file of requests through the pipeline and summarize it'),
	);
}

function section(title: string, ...children: (Node | string | undefined | false)[]): HTMLElement {
	const id = uid('cl-dash');
	return h('section', { class: 'cl-card', 'aria-labelledby': id }, h('h3', { id }, title), ...children);
}

function overview(d: DashboardData): HTMLElement {
	const unpriced = d.cost.unpricedRows > 0 ? ` · ${d.cost.unpricedRows} unpriced row${d.cost.unpricedRows === 1 ? '' : 's'} (not counted as $0)` : '';
	return h('p', { class: 'cl-overview' }, `${d.requests} request${d.requests === 1 ? '' : 's'} · ${d.rows} usage row${d.rows === 1 ? '' : 's'} · ${usd(d.cost.totalUsd)} spent${unpriced}`);
}

function costSection(d: DashboardData): HTMLElement {
	const showOther = d.cost.unsplitUsd > 0;
	const series = showOther ? COST_SERIES : COST_SERIES.slice(0, 3);
	const bars = d.buckets.map((b) => ({
		label: bucketLabel(b.start, d.bucketSize),
		values: [b.cost.inputUsd, b.cost.cachedInputUsd, b.cost.outputUsd, ...(showOther ? [b.cost.unsplitUsd] : [])],
		...(b.cost.unpricedRows > 0 ? { note: `${b.cost.unpricedRows} unpriced row${b.cost.unpricedRows === 1 ? '' : 's'}` } : {}),
	}));
	const chart = stackedBarChart({ title: `Cost per ${d.bucketSize}`, series, bars, format: usd });
	const first = d.buckets[0];
	const last = d.buckets[d.buckets.length - 1];
	const axis = first && last ? h('div', { class: 'cl-axis-labels', 'aria-hidden': 'true' }, h('span', {}, bucketLabel(first.start, d.bucketSize)), h('span', {}, bucketLabel(last.start, d.bucketSize))) : undefined;
	const table = h('table', { class: 'cl-visually-hidden' },
		h('caption', {}, `Cost per ${d.bucketSize} by token class`),
		h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, d.bucketSize === 'day' ? 'Day' : 'Start'), ...series.map((s) => h('th', { scope: 'col' }, s.name)), h('th', { scope: 'col' }, 'Total'), h('th', { scope: 'col' }, 'Unpriced rows'))),
		h('tbody', {}, ...d.buckets.map((b, i) => h('tr', {},
			h('th', { scope: 'row' }, bars[i]?.label ?? ''),
			...(bars[i]?.values ?? []).map((v) => h('td', {}, usd(v))),
			h('td', {}, usd(b.cost.totalUsd)),
			h('td', {}, String(b.cost.unpricedRows)),
		))),
	);
	return section(`Cost over time (per ${d.bucketSize})`,
		h('p', { class: 'cl-figures' }, `Input ${usd(d.cost.inputUsd)} · cached input ${usd(d.cost.cachedInputUsd)} · output ${usd(d.cost.outputUsd)}${showOther ? ` · other ${usd(d.cost.unsplitUsd)}` : ''}`),
		h('div', { class: 'cl-chart-box' }, chart),
		axis,
		legend(series),
		table,
		d.cost.unpricedRows > 0 && h('p', { class: 'cl-muted' }, `${d.cost.unpricedRows} row${d.cost.unpricedRows === 1 ? '' : 's'} used a model without a price; ${d.cost.unpricedRows === 1 ? 'it is' : 'they are'} left out of the sums.`),
	);
}

function hitSection(d: DashboardData): HTMLElement {
	const list = h('ul', { class: 'cl-rates' }, ...LAYERS.map((layer) => rateRow(layer, d.hits)));
	const perBucket = stackedBarChart({
		title: `Requests per ${d.bucketSize} by where they were answered`,
		series: LAYERS.map((l) => ({ name: l.name, className: l.className })),
		bars: d.buckets.map((b) => ({ label: bucketLabel(b.start, d.bucketSize), values: LAYERS.map((l) => b.hits.counts[l.key]) })),
		format: (n) => `${n} request${n === 1 ? '' : 's'}`,
	});
	return section('Hit rate by layer',
		h('p', { class: 'cl-figures' }, `${d.hits.answered} answered request${d.hits.answered === 1 ? '' : 's'}${d.hits.failed > 0 ? ` · ${d.hits.failed} failed (left out of the rates)` : ''}`),
		list,
		d.buckets.length > 1 && h('div', { class: 'cl-chart-box cl-chart-small' }, perBucket),
		d.buckets.length > 1 && legend(LAYERS.map((l) => ({ name: l.name, className: l.className }))),
	);
}

function rateRow(layer: (typeof LAYERS)[number], hits: HitRates): HTMLElement {
	const count = hits.counts[layer.key];
	const rate = hits.rates[layer.key];
	return h('li', { class: 'cl-rate-row' },
		h('span', { class: 'cl-rate-label' }, layer.name),
		rateBar({ label: layer.name, rate, className: layer.className, detail: `${count} of ${hits.answered} requests` }),
		h('span', { class: 'cl-rate-value' }, `${pct(rate * 100)} (${count})`),
	);
}

function latencySection(d: DashboardData): HTMLElement {
	const item = (term: string, value: number | null): HTMLElement[] => [h('dt', {}, term), h('dd', {}, ms(value))];
	return section('Latency',
		h('dl', { class: 'cl-stats' },
			...item('Latency p50', d.latencyMs.p50),
			...item('Latency p95', d.latencyMs.p95),
			...item('Time to first token p50', d.ttftMs.p50),
			...item('Time to first token p95', d.ttftMs.p95),
		),
		h('p', { class: 'cl-muted' }, 'Per request, nearest rank. Retry back-off waits are not included.'),
	);
}

function escalationSection(d: DashboardData): HTMLElement {
	const e = d.escalation;
	if (e.window === 0) return section('Cascade escalation', h('p', { class: 'cl-muted' }, 'No cascade requests yet.'));
	const rate = `${pct(e.rate * 100)} escalated (${e.escalated} of the last ${e.window} cascade request${e.window === 1 ? '' : 's'})`;
	return section('Cascade escalation',
		h('p', { class: e.flagged ? 'cl-figures cl-flagged' : 'cl-figures' }, e.flagged ? `⚠ Flagged: ${rate}` : rate),
		e.flagged
			? h('p', { class: 'cl-flag-text', role: 'status' }, 'Over 50% of recent cascade requests escalated: the cascade now costs more than calling the strong model directly. The cheap model is wrong for this task; right-size instead.')
			: e.window < 20 && h('p', { class: 'cl-muted' }, 'The warning waits for 20 cascade requests.'),
	);
}

function savingsSection(d: DashboardData): HTMLElement {
	const s = d.savings;
	const target = s.strongModel ?? 'each request\'s own model';
	const verb = s.savedUsd >= 0 ? 'Saved' : 'Lost';
	return section('Savings',
		h('p', { class: 'cl-figures' }, `${verb} ${usd(Math.abs(s.savedUsd))}${s.savedPct === null ? '' : ` (${pct(Math.abs(s.savedPct))})`} against sending the same traffic uncached to ${target}`),
		h('dl', { class: 'cl-stats' },
			h('dt', {}, 'Uncached baseline'), h('dd', {}, usd(s.baselineUsd)),
			h('dt', {}, 'Actually paid'), h('dd', {}, usd(s.paidUsd)),
			h('dt', {}, 'Cache hits\' original cost'), h('dd', {}, usd(s.cacheHitsOriginalUsd)),
		),
		s.unpricedRequests > 0 && h('p', { class: 'cl-muted' }, `${s.unpricedRequests} request${s.unpricedRequests === 1 ? '' : 's'} left out (unpriced model).`),
	);
}

const OUTCOME_TEXT: Readonly<Record<RecentRequest['outcome'], string>> = { exact: 'exact hit', semantic: 'semantic hit', prefix: 'prompt cache', miss: 'miss', error: 'failed' };

function recentSection(recent: readonly RecentRequest[]): HTMLElement {
	const headers = ['Time', 'Tenant', 'Model', 'Outcome', 'Input', 'Cached', 'Output', 'Cost', 'Latency', 'TTFT', 'Escalated'];
	const table = h('table', { class: 'cl-table' },
		h('caption', {}, `Recent requests (newest first, ${recent.length} shown)`),
		h('thead', {}, h('tr', {}, ...headers.map((t) => h('th', { scope: 'col' }, t)))),
		h('tbody', {}, ...recent.map((r) => {
			const row = h('tr', { class: r.outcome === 'error' ? 'cl-row-error' : undefined },
				h('td', {}, new Date(r.ts).toLocaleString()),
				h('td', {}, r.tenant),
				h('td', {}, r.model),
				h('td', { title: r.error ?? undefined }, OUTCOME_TEXT[r.outcome]),
				h('td', { class: 'cl-num' }, String(r.inputTokens)),
				h('td', { class: 'cl-num' }, String(r.cachedInputTokens)),
				h('td', { class: 'cl-num' }, String(r.outputTokens)),
				h('td', { class: 'cl-num' }, r.costUsd === null ? 'unpriced' : usd(r.costUsd)),
				h('td', { class: 'cl-num' }, ms(r.latencyMs)),
				h('td', { class: 'cl-num' }, ms(r.ttftMs)),
				h('td', {}, r.escalated ? 'yes' : 'no'),
			);
			return row;
		})),
	);
	return section('Recent requests', h('div', { class: 'cl-table-scroll' }, table));
}

function usd(x: number): string {
	const sign = x < 0 ? '-' : '';
	const a = Math.abs(x);
	if (a === 0) return '$0';
	return `${sign}$${a.toFixed(a >= 1 ? 2 : a >= 0.01 ? 4 : 6)}`;
}

function pct(x: number): string {
	return `${x.toFixed(x === 0 || x === 100 ? 0 : 1)}%`;
}

function ms(x: number | null): string {
	return x === null ? '—' : `${Math.round(x)} ms`;
}

function bucketLabel(start: number, size: BucketSize): string {
	const d = new Date(start);
	return size === 'day' ? d.toLocaleDateString() : `${d.toLocaleDateString()} ${d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`;
}
