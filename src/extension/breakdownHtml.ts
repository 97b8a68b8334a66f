/**
 * The Cost Breakdown webview's HTML, as a PURE function (no `vscode` import) so its CSP and escaping
 * are unit-tested in plain Node. The page has no script at all: it is a static rendering, re-rendered
 * by the extension when the data changes. Every string that can come from user code or settings
 * (model ids, file names, notes, override sources) goes through `escapeHtml`.
 */
import type { CallSite, SegmentRole } from '../core/analysis/types';
import type { Assumptions, CostEstimate, PricedEstimate } from '../core/pricing/estimateTypes';
import { formatInteger, formatUsd } from '../core/pricing/format';

export interface BreakdownHtmlInput {
	/** `webview.cspSource` */
	readonly cspSource: string;
	/** `webview.asWebviewUri(media/breakdown.css)` as a string */
	readonly styleUri: string;
	/** Workspace-relative path shown in the heading. */
	readonly fileLabel: string;
	/** 1-based line of the call. */
	readonly line: number;
	readonly site: CallSite;
	readonly estimate: CostEstimate;
	readonly assumptions: Assumptions;
}

/** One segment of the per-call cost bar. */
export interface CostShare {
	readonly key: 'input' | 'cache' | 'output';
	readonly label: string;
	readonly usd: number;
	/** 0..100 */
	readonly percent: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: string): string {
	return value.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

function usd(value: number): string {
	return escapeHtml(formatUsd(value));
}

function perMtok(value: number | undefined): string {
	return value === undefined ? '—' : `$${escapeHtml(String(value))}`;
}

function count(value: number): string {
	return escapeHtml(formatInteger(value));
}

/**
 * Splits one call's expected cost into uncached input, the cacheable prefix (its blended cache
 * write/read cost) and output. The core's `inputCostUsd` already blends the cache in; the uncached
 * part is re-derived from the billed input rate so the two add back up to `costUsd`.
 */
export function costShares(estimate: PricedEstimate): CostShare[] {
	const output = Math.max(0, estimate.outputCostUsd);
	const inputTotal = Math.max(0, estimate.inputCostUsd);
	const inputRate = estimate.rates?.input ?? estimate.price.input;
	const uncachedTokens = Math.max(0, estimate.inputTokens - estimate.cacheableInputTokens);
	const input = estimate.cacheableInputTokens > 0 ? Math.min(inputTotal, (uncachedTokens * inputRate) / 1_000_000) : inputTotal;
	const cache = inputTotal - input;
	const total = input + output + cache;
	const parts: Array<Omit<CostShare, 'percent'>> = [
		{ key: 'input', label: 'Input', usd: input },
		{ key: 'cache', label: 'Cached prefix', usd: cache },
		{ key: 'output', label: 'Output', usd: output },
	];
	return parts.map((p) => ({ ...p, percent: total > 0 ? (p.usd / total) * 100 : 0 }));
}

const SVG_HEIGHT = 10;

function stackedBar(shares: readonly CostShare[]): string {
	let x = 0;
	const rects: string[] = [];
	for (const share of shares) {
		if (share.percent <= 0) continue;
		rects.push(`<rect class="seg-${share.key}" x="${x.toFixed(3)}" y="0" width="${share.percent.toFixed(3)}" height="${SVG_HEIGHT}"><title>${escapeHtml(share.label)} ${share.percent.toFixed(0)}%</title></rect>`);
		x += share.percent;
	}
	const label = shares.map((s) => `${s.label} ${s.percent.toFixed(0)}%`).join(', ');
	return `<svg class="stacked" viewBox="0 0 100 ${SVG_HEIGHT}" preserveAspectRatio="none" width="100%" height="18" role="img" aria-label="${escapeHtml(label)}">${rects.join('')}</svg>`;
}

function roleBar(staticTokens: number, assumedTokens: number, max: number): string {
	const s = max > 0 ? (staticTokens / max) * 100 : 0;
	const a = max > 0 ? (assumedTokens / max) * 100 : 0;
	return (
		`<svg class="role-bar" viewBox="0 0 100 ${SVG_HEIGHT}" preserveAspectRatio="none" width="100%" height="12" aria-hidden="true">` +
		`<rect class="seg-static" x="0" y="0" width="${s.toFixed(3)}" height="${SVG_HEIGHT}"/>` +
		`<rect class="seg-assumed" x="${s.toFixed(3)}" y="0" width="${a.toFixed(3)}" height="${SVG_HEIGHT}"/></svg>`
	);
}

const ROLE_LABELS: Record<SegmentRole, string> = {
	tools: 'Tools',
	system: 'System',
	example: 'Examples / history',
	user: 'User',
	assistant: 'Assistant',
	schema: 'Response schema',
	'embedding-input': 'Embedding input',
};

function list(items: readonly string[], empty: string): string {
	return items.length === 0 ? `<p class="muted">${escapeHtml(empty)}</p>` : `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
}

function priceSection(estimate: PricedEstimate): string {
	const p = estimate.price;
	return `<section><h2>Price</h2><table class="grid"><thead><tr><th>Model</th><th>Input</th><th>Output</th><th>Cached input</th><th>Cache write 5m</th><th>As of</th><th>Source</th></tr></thead>
<tbody><tr><td><code>${escapeHtml(p.model)}</code></td><td>${perMtok(p.input)}</td><td>${perMtok(p.output)}</td><td>${perMtok(p.cachedInput)}</td><td>${perMtok(p.cacheWrite5m)}</td><td>${escapeHtml(p.asOf)}</td><td class="source">${escapeHtml(p.source)}</td></tr></tbody></table>
<p class="muted">USD per million tokens.</p></section>`;
}

function costSection(estimate: PricedEstimate, assumptions: Assumptions): string {
	const shares = costShares(estimate);
	const legend = shares
		.map((s) => `<li><span class="swatch seg-${s.key}" aria-hidden="true"></span>${escapeHtml(s.label)} ${usd(s.usd)} (${s.percent.toFixed(0)}%)</li>`)
		.join('');
	const cache = estimate.cache
		? `<p>${escapeHtml(estimate.cache.note)}</p><p>Cold call (cache write): ${usd(estimate.cache.coldCallUsd)} · warm call (cache read): ${usd(estimate.cache.warmCallUsd)} · blended at ${escapeHtml(
				String(Math.round(assumptions.warmCacheShare * 100)),
			)}% warm.</p>`
		: '';
	return `<section><h2>Cost</h2>
<p class="headline"><strong>${usd(estimate.costUsd)}</strong> per call · <strong>${usd(estimate.monthlyCostUsd)}</strong>/mo at ${count(assumptions.callsPerDay)} calls/day</p>
${stackedBar(shares)}<ul class="legend">${legend}</ul>${cache}</section>`;
}

function tokensSection(estimate: CostEstimate): string {
	const t = estimate.tokenizer;
	const tokenizer = t.exact ? `${t.encoding} (exact)` : `${t.encoding} × ${t.factor} (estimate)`;
	const max = Math.max(0, ...estimate.byRole.map((r) => r.staticTokens + r.assumedTokens));
	const rows = estimate.byRole
		.map(
			(r) =>
				`<tr><th scope="row">${escapeHtml(ROLE_LABELS[r.role] ?? r.role)}</th><td class="num">${count(r.staticTokens)}</td><td class="num">${count(r.assumedTokens)}</td><td class="bar-cell">${roleBar(r.staticTokens, r.assumedTokens, max)}</td></tr>`,
		)
		.join('');
	const cap = estimate.outputCap === null ? 'no static cap' : `cap ${count(estimate.outputCap)}`;
	return `<section><h2>Tokens</h2>
<p>Input ${count(estimate.inputTokens)} (${count(estimate.cacheableInputTokens)} cacheable) · output ${count(estimate.outputTokens)} (${cap}) · tokenizer ${escapeHtml(tokenizer)}</p>
<table class="grid roles"><thead><tr><th>Prompt role</th><th>Counted</th><th>Assumed</th><th><span class="swatch seg-static" aria-hidden="true"></span>counted <span class="swatch seg-assumed" aria-hidden="true"></span>assumed</th></tr></thead><tbody>${
		rows || '<tr><td colspan="4" class="muted">No prompt text found statically.</td></tr>'
	}</tbody></table></section>`;
}

/** The complete document for the Cost Breakdown panel. */
export function renderBreakdownHtml(input: BreakdownHtmlInput): string {
	const { site, estimate, assumptions } = input;
	// cspSource comes from VS Code, not from user code; no script-src at all: the page runs no script.
	const csp = `default-src 'none'; style-src ${input.cspSource}; img-src ${input.cspSource};`;
	const model = estimate.model ?? (site.model?.kind === 'literal' ? site.model.value : 'dynamic model');
	const provider = site.provider === 'openai-compatible' && site.baseURL ? `openai-compatible (${site.baseURL})` : site.provider;
	const summary = estimate.priced
		? costSection(estimate, assumptions) + priceSection(estimate)
		: `<section><h2>Cost</h2><p class="headline"><strong>Unpriced</strong>: ${escapeHtml(estimate.reason)}</p><p class="muted">Add the model to <code>costlens.pricing.overrides</code> to price it.</p></section>`;
	return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeHtml(input.styleUri)}">
<title>Cost Breakdown</title>
</head>
<body>
<header><h1>Cost Breakdown</h1>
<p class="subtitle"><code>${escapeHtml(model)}</code> · ${escapeHtml(provider)} <code>${escapeHtml(site.api)}</code> · ${escapeHtml(input.fileLabel)}:${escapeHtml(String(input.line))}</p></header>
${summary}
${tokensSection(estimate)}
<section><h2>Assumptions</h2>${list(estimate.assumptions, 'None: every number came from the source.')}</section>
<section><h2>Notes</h2>${list(estimate.notes, 'None.')}</section>
<footer class="muted">Estimates, not bills: token counts are local and prices come from a dated table.</footer>
</body>
</html>
`;
}
