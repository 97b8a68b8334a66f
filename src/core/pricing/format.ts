import type { CallSite, SegmentRole } from '../analysis/types';
import type { Assumptions, CostEstimate, PricedEstimate } from './estimateTypes';

/**
 * `12,345`: a whole number with thousands separators. Hand-written because it runs a dozen times per
 * estimate on every edit: `toLocaleString` built a new Intl formatter each call (most of the
 * estimate's time), and even a cached `Intl.NumberFormat` cost several microseconds a call.
 */
export function formatInteger(n: number): string {
	const rounded = Math.round(n);
	if (!Number.isFinite(rounded)) return String(rounded);
	const digits = String(Math.abs(rounded));
	let out = '';
	for (let i = 0; i < digits.length; i++) {
		if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
		out += digits[i];
	}
	return rounded < 0 ? '-' + out : out;
}

const int = formatInteger;

/** 1,234 → `1.2`, 12,345 → `12`: one decimal below 10, none above, trailing `.0` dropped. */
function compact(value: number, units: readonly [number, string][]): string {
	for (let i = 0; i < units.length; i++) {
		const [size, suffix] = units[i]!;
		const next = units[i + 1];
		const scaled = value / size;
		const rounded = scaled < 10 ? Math.round(scaled * 10) / 10 : Math.round(scaled);
		// 999,960 rounds to 1000k: hand it to the next unit instead.
		if (next && rounded * size >= next[0]) continue;
		return `${rounded}${suffix}`;
	}
	return String(value);
}

const BIG_UNITS: readonly [number, string][] = [[1e3, 'k'], [1e6, 'M'], [1e9, 'B']];

/**
 * Money with a sensible number of significant digits: `$0.0061`, `$0.42`, `$183`, `$1.2k`, `$12k`.
 * `$0` only for exactly zero; anything smaller than a hundredth of a cent is `<$0.0001`.
 */
export function formatUsd(value: number): string {
	if (Number.isNaN(value)) return '$?';
	if (value === 0) return '$0';
	if (value < 0) return `-${formatUsd(-value)}`;
	if (value < 0.0001) return '<$0.0001';
	let v = value;
	if (v < 1) {
		v = Number(v.toPrecision(2));
		if (v < 1) return `$${v}`;
	}
	if (v < 1000) {
		v = Number(v.toPrecision(3));
		if (v < 1000) return `$${v}`;
	}
	return `$${compact(v, BIG_UNITS)}`;
}

/** Token (or call) counts: `512`, `1.2k`, `12k`, `1.5M`. */
export function formatTokens(value: number): string {
	const n = Math.round(value);
	return n < 1000 ? String(n) : compact(n, BIG_UNITS);
}

/** A part shown next to a total in thousands keeps the unit (`in 1.2k (0.9k cacheable)`). */
function formatTokensBeside(value: number, total: number): string {
	return total >= 1000 && value >= 100 && value < 1000 ? `${Math.round(value / 100) / 10}k` : formatTokens(value);
}

/** Per-Mtok rates keep up to 4 significant digits: `$3`, `$0.075`, `$22.5`. */
function formatRate(perMtok: number): string {
	return `$${Number(perMtok.toPrecision(4))}`;
}

function outputPart(estimate: CostEstimate, unpriced: boolean): string | undefined {
	if (estimate.api === 'embeddings.create' || estimate.api === 'messages.countTokens' || (estimate.priced && estimate.price.kind === 'embedding')) return undefined;
	if (estimate.outputCap !== null) return `out ≤${formatTokens(estimate.outputCap)}`;
	return `out ~${formatTokens(estimate.outputTokens)}${unpriced ? '' : ' (assumed)'}`;
}

/** `≈ $0.0061/call · in 1.2k (0.9k cacheable) · out ≤1k · $183/mo @ 1k/day`, or an unpriced title. */
export function formatLensTitle(estimate: CostEstimate, assumptions: Assumptions): string {
	const input = `in ${formatTokens(estimate.inputTokens)}`;
	if (!estimate.priced) {
		const out = outputPart(estimate, true);
		return [`${estimate.model !== null ? `${estimate.model}: ` : ''}unpriced (${estimate.reason})`, input, ...(out ? [out] : [])].join(' · ');
	}
	if (estimate.api === 'messages.countTokens') return '$0 · countTokens is free';
	const cacheable = estimate.cacheableInputTokens > 0 ? ` (${formatTokensBeside(estimate.cacheableInputTokens, estimate.inputTokens)} cacheable)` : '';
	const out = outputPart(estimate, false);
	const parts = [`≈ ${formatUsd(estimate.costUsd)}/call`, `${input}${cacheable}`, ...(out ? [out] : []), `${formatUsd(estimate.monthlyCostUsd)}/mo @ ${formatTokens(assumptions.callsPerDay)}/day`];
	if (estimate.rates && estimate.rates.multiplier !== 1) parts.push(`batch ${Math.round((1 - estimate.rates.multiplier) * 100)}% off`);
	return parts.join(' · ');
}

/**
 * Escapes text that came from user code (model ids, reasons that quote them) for a Markdown hover:
 * HTML-significant characters become entities and inline Markdown punctuation is backslash-escaped,
 * so no link, image, emphasis, code span, table break or raw HTML can be injected. Block markers
 * (`#`, `-`, `.`) are left alone: escaped text is never placed at the start of a line.
 */
export function escapeMarkdown(text: string): string {
	return text
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/[\\`*_{}[\]()|~]/g, '\\$&')
		.replace(/\r?\n/g, ' ');
}

const ROLE_LABELS: Record<SegmentRole, string> = {
	tools: 'tools',
	system: 'system',
	example: 'few-shot examples',
	user: 'user',
	assistant: 'assistant',
	schema: 'schema',
	'embedding-input': 'embedding input',
};

function safeUrl(url: string): string | undefined {
	return /^https:\/\/[^\s<>"]+$/.test(url) ? url.replace(/\(/g, '%28').replace(/\)/g, '%29') : undefined;
}

/** Our own sentences may use `code`; they never contain user text, but HTML is still neutralised. */
function ownText(text: string): string {
	return text.replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function tokenTable(site: CallSite, estimate: CostEstimate): string[] {
	void site;
	const rows = ['| tokens by role | static | assumed |', '|:--|--:|--:|'];
	for (const r of estimate.byRole) rows.push(`| ${ROLE_LABELS[r.role]} | ${int(r.staticTokens)} | ${int(r.assumedTokens)} |`);
	if (estimate.framingTokens) rows.push(`| chat framing | ${int(estimate.framingTokens)} | – |`);
	const assumedIn = estimate.byRole.reduce((n, r) => n + r.assumedTokens, 0);
	rows.push(`| **input** | **${int(estimate.inputTokens - assumedIn)}** | **${int(assumedIn)}** |`);
	const isEmbedding = estimate.api === 'embeddings.create' || (estimate.priced && estimate.price.kind === 'embedding');
	if (!isEmbedding && estimate.api !== 'messages.countTokens') {
		rows.push(`| output | – | ${int(estimate.outputTokens)}${estimate.outputCap !== null ? ` (cap ${int(estimate.outputCap)})` : ''} |`);
	}
	return rows;
}

function cacheSection(estimate: PricedEstimate, assumptions: Assumptions): string[] {
	const cache = estimate.cache;
	if (!cache) return [];
	const rates = estimate.rates;
	if (cache.mode === 'automatic') {
		const head = `**Prompt cache** (automatic, OpenAI): cold call ${formatUsd(cache.coldCallUsd)} · warm call ${formatUsd(cache.warmCallUsd)}`
			+ (rates ? ` (cached input ${formatRate(rates.cacheRead)} vs ${formatRate(rates.input)}/Mtok, no write surcharge)` : '');
		return [head + '  ', ownText(cache.note)];
	}
	const w5 = cache.writeTokens5m ?? 0;
	const w1 = cache.writeTokens1h ?? 0;
	const ttl = w5 > 0 && w1 > 0 ? '5m + 1h TTL' : w1 > 0 ? '1h TTL' : '5m TTL';
	if (cache.cacheableTokens === 0) return [`**Prompt cache** (cache_control): ${ownText(cache.note)}`];
	const write = rates ? (w1 > 0 && w5 === 0 ? rates.cacheWrite1h : rates.cacheWrite5m) : undefined;
	const writeText = rates && w5 > 0 && w1 > 0 ? `writes ${formatRate(rates.cacheWrite5m)} (5m) / ${formatRate(rates.cacheWrite1h)} (1h)/Mtok` : write !== undefined ? `writes ${formatRate(write)}/Mtok` : 'writes';
	return [
		`**Prompt cache** (cache_control, ${ttl}): cold call ${formatUsd(cache.coldCallUsd)} (${writeText}) · warm call ${formatUsd(cache.warmCallUsd)}`
			+ (rates ? ` (reads ${formatRate(rates.cacheRead)}/Mtok)` : '') + ` · ${Math.round(assumptions.warmCacheShare * 100)}% warm assumed  `,
		ownText(cache.note),
	];
}

function priceLine(estimate: PricedEstimate): string {
	const p = estimate.price;
	const parts = [`input ${formatRate(p.input)}`];
	if (p.kind !== 'embedding') parts.push(`output ${formatRate(p.output)}`);
	if (p.cachedInput !== undefined) parts.push(`${p.provider === 'anthropic' ? 'cache read' : 'cached input'} ${formatRate(p.cachedInput)}`);
	if (p.cacheWrite5m !== undefined) parts.push(`cache write ${formatRate(p.cacheWrite5m)} (5m)${p.cacheWrite1h !== undefined ? ` / ${formatRate(p.cacheWrite1h)} (1h)` : ''}`);
	if (p.longContext) parts.push(`above ${int(p.longContext.thresholdTokens)} in: ${formatRate(p.longContext.input)} / ${formatRate(p.longContext.output)}`);
	const url = safeUrl(p.source);
	const source = url ? `[source](${url})` : escapeMarkdown(p.source);
	return `**Price** (${escapeMarkdown(p.model)}, per Mtok): ${parts.join(' · ')} · as of ${escapeMarkdown(p.asOf)} · ${source}`;
}

/** The hover / breakdown text as Markdown (no HTML; user-derived text escaped). */
export function formatBreakdownMarkdown(site: CallSite, estimate: CostEstimate, assumptions: Assumptions): string {
	const out: string[] = [`**CostLens** · ${escapeMarkdown(formatLensTitle(estimate, assumptions))}`, ''];
	out.push(...tokenTable(site, estimate), '');
	if (estimate.priced) {
		if (estimate.costUsd > 0) {
			const inShare = Math.round((estimate.inputCostUsd / estimate.costUsd) * 100);
			out.push(`**Per call:** input ${formatUsd(estimate.inputCostUsd)} (${inShare}%) · output ${formatUsd(estimate.outputCostUsd)} (${100 - inShare}%)`, '');
		}
		const cache = cacheSection(estimate, assumptions);
		if (cache.length > 0) out.push(...cache, '');
		out.push(priceLine(estimate), '');
	} else {
		out.push(`**Unpriced:** ${escapeMarkdown(estimate.reason)}. Add a price override in the CostLens settings to price this model.`, '');
	}
	const t = estimate.tokenizer;
	out.push(`**Tokenizer:** ${t.encoding}${t.exact ? ' (exact)' : t.factor !== 1 ? ` × ${t.factor} (estimate)` : ' (estimate)'}`, '');
	if (estimate.assumptions.length > 0) out.push('**Assumptions**', ...estimate.assumptions.map((a) => `- ${ownText(a)}`), '');
	if (estimate.notes.length > 0) out.push('**Notes**', ...estimate.notes.map((n) => `- ${ownText(n)}`), '');
	return out.join('\n').trimEnd() + '\n';
}
