/**
 * Small SVG charts for the playground dashboard. Built with `createElementNS` and `textContent`
 * only (labels are model ids and tenants: untrusted). Colours come from CSS classes in
 * `media/dashboard.css` mapped to VS Code theme variables, since presentation attributes do not
 * resolve `var()` and the page's CSP forbids inline styles.
 *
 * Every chart is `role="img"` with an `aria-label` that states its numbers, plus a `<title>`; bars
 * carry their own `<title>` as a hover tooltip.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';

type SvgAttrs = Readonly<Record<string, string | number>>;

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: SvgAttrs = {}, text?: string): SVGElementTagNameMap[K] {
	const el = document.createElementNS(SVG_NS, tag);
	for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
	if (text !== undefined) el.textContent = text;
	return el;
}

export interface Series {
	readonly name: string;
	/** CSS class that colours the series (`cl-series-input`…). */
	readonly className: string;
}

export interface StackedBar {
	/** Shown in the bar's tooltip and the accessible summary. */
	readonly label: string;
	/** One value per series, in series order; negative values are drawn as 0. */
	readonly values: readonly number[];
	/** Extra tooltip line (e.g. "2 unpriced rows"). */
	readonly note?: string;
}

export interface StackedBarOptions {
	readonly series: readonly Series[];
	readonly bars: readonly StackedBar[];
	/** Spoken and shown as the chart's `<title>`, before the computed summary. */
	readonly title: string;
	readonly format: (value: number) => string;
	/** Summary sentence for screen readers; computed from the totals when absent. */
	readonly summary?: string;
}

const WIDTH = 300;
const HEIGHT = 100;

/**
 * Vertical stacked bars, one per bucket, scaled to the tallest bar. The SVG stretches to its
 * container (`preserveAspectRatio="none"`), so it holds no text: axis labels live in HTML.
 */
export function stackedBarChart(options: StackedBarOptions): SVGSVGElement {
	const { series, bars, format } = options;
	const totals = bars.map((b) => b.values.reduce((sum, v) => sum + Math.max(0, v), 0));
	const max = Math.max(0, ...totals);
	const seriesTotals = series.map((_, i) => bars.reduce((sum, b) => sum + Math.max(0, b.values[i] ?? 0), 0));
	const summary = options.summary ?? `${options.title}: ${series.map((s, i) => `${s.name} ${format(seriesTotals[i] ?? 0)}`).join(', ')} over ${bars.length} bar${bars.length === 1 ? '' : 's'}${max > 0 ? `; highest bar ${format(max)}` : ''}.`;
	const root = svg('svg', { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': summary, class: 'cl-chart' });
	root.appendChild(svg('title', {}, summary));
	root.appendChild(svg('line', { x1: 0, y1: HEIGHT - 0.5, x2: WIDTH, y2: HEIGHT - 0.5, class: 'cl-axis' }));
	if (bars.length === 0 || max <= 0) return root;
	const slot = WIDTH / bars.length;
	const barWidth = Math.max(0.5, slot * 0.8);
	bars.forEach((bar, i) => {
		const group = svg('g');
		group.appendChild(svg('title', {}, [`${bar.label}: ${format(totals[i] ?? 0)}`, ...series.map((s, k) => `${s.name} ${format(Math.max(0, bar.values[k] ?? 0))}`), ...(bar.note ? [bar.note] : [])].join('\n')));
		let y = HEIGHT;
		series.forEach((s, k) => {
			const value = Math.max(0, bar.values[k] ?? 0);
			if (value === 0) return;
			const height = (value / max) * (HEIGHT - 2);
			y -= height;
			group.appendChild(svg('rect', { x: i * slot + (slot - barWidth) / 2, y, width: barWidth, height, class: s.className }));
		});
		root.appendChild(group);
	});
	return root;
}

export interface RateBar {
	readonly label: string;
	/** Fraction in [0, 1]. */
	readonly rate: number;
	readonly className: string;
	/** Tooltip / spoken detail ("3 of 12 requests"). */
	readonly detail: string;
}

/** One horizontal track per item, filled to its rate. Labels and percentages are rendered beside it in HTML. */
export function rateBar(item: RateBar): SVGSVGElement {
	const rate = Math.min(1, Math.max(0, Number.isFinite(item.rate) ? item.rate : 0));
	const label = `${item.label}: ${(rate * 100).toFixed(1)}% (${item.detail})`;
	const root = svg('svg', { viewBox: '0 0 100 6', preserveAspectRatio: 'none', role: 'img', 'aria-label': label, class: 'cl-rate' });
	root.appendChild(svg('title', {}, label));
	root.appendChild(svg('rect', { x: 0, y: 0, width: 100, height: 6, class: 'cl-track' }));
	if (rate > 0) root.appendChild(svg('rect', { x: 0, y: 0, width: Math.max(0.5, rate * 100), height: 6, class: item.className }));
	return root;
}

/** A colour key for a chart's series (the colour is never the only cue: names are written). */
export function legend(series: readonly Series[]): HTMLElement {
	const list = document.createElement('ul');
	list.className = 'cl-legend';
	for (const s of series) {
		const item = document.createElement('li');
		const swatch = svg('svg', { viewBox: '0 0 10 10', width: 10, height: 10, 'aria-hidden': 'true' });
		swatch.appendChild(svg('rect', { x: 0, y: 0, width: 10, height: 10, class: s.className }));
		item.appendChild(swatch);
		item.appendChild(document.createTextNode(` ${s.name}`));
		list.appendChild(item);
	}
	return list;
}
