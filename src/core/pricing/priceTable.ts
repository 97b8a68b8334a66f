import { BUILTIN_PRICES, CLAUDE_TOKEN_FACTOR, SNAPSHOTS_PRICED_APART } from './prices';
import type { CachingRule, ModelPrice, PriceTable } from './types';

/**
 * A user's override for one model (from settings). For a built-in model any subset of fields may be
 * given and the rest come from the built-in row; a model the table does not know needs `input` and
 * `output` (checked at runtime, since settings are untyped JSON).
 */
export type PriceOverride = Partial<Omit<ModelPrice, 'model'>>;

/** OpenAI snapshots end in `-YYYY-MM-DD`, Anthropic ones in `-YYYYMMDD`. */
const OPENAI_DATE_SUFFIX = /-\d{4}-\d{2}-\d{2}$/;
const ANTHROPIC_DATE_SUFFIX = /-\d{8}$/;

const PRICE_FIELDS = ['input', 'output', 'cachedInput', 'cacheWrite5m', 'cacheWrite1h', 'batchMultiplier'] as const;
/** Every field an override may set; anything else is most likely a typo (`ouput`) and is reported. */
const OVERRIDE_FIELDS: ReadonlySet<string> = new Set([...PRICE_FIELDS, 'provider', 'longContext', 'caching', 'encoding', 'tokenFactor', 'kind', 'reasoning', 'asOf', 'source', 'aliases']);

/**
 * The built-in table plus user overrides. Unknown models return undefined (unpriced, never $0).
 *
 * Lookup order: exact id → alias → the id with its date suffix removed, only when that names a row
 * of the same provider and the snapshot is not in `SNAPSHOTS_PRICED_APART`. Nothing else: a
 * near-miss id is unpriced, never matched to a different model.
 *
 * Invalid overrides (negative or non-numeric prices, an unknown model without input and output) are
 * skipped, not thrown: one typo in settings must not take every estimate down. Each skipped entry
 * is listed in `warnings`, which the adapter shows.
 */
export function createPriceTable(overrides?: Readonly<Record<string, PriceOverride>>): PriceTable {
	const rows = new Map<string, ModelPrice>(BUILTIN_PRICES.map((row) => [row.model, row]));
	const warnings: string[] = [];
	for (const [key, override] of Object.entries(overrides ?? {})) {
		const problem = validateOverride(key, override);
		if (problem) {
			warnings.push(`price override for "${key}" ignored: ${problem}`);
			continue;
		}
		// An override keyed by an alias or dated id changes the row it resolves to, for every alias.
		const base = resolve(rows, key);
		if (base === undefined && (override.input === undefined || override.output === undefined)) {
			warnings.push(`price override for "${key}" ignored: a model without a built-in price needs both "input" and "output"`);
			continue;
		}
		const row = base ? mergeOverride(base, override) : newRow(key, override);
		rows.set(row.model, row);
	}
	const all = [...rows.values()];
	return {
		lookup: (model) => resolve(rows, model),
		all: () => all,
		warnings,
	};
}

function resolve(rows: ReadonlyMap<string, ModelPrice>, model: string): ModelPrice | undefined {
	const exact = rows.get(model);
	if (exact) return exact;
	for (const row of rows.values()) if (row.aliases?.includes(model)) return row;
	if (SNAPSHOTS_PRICED_APART.has(model)) return undefined;
	for (const [suffix, provider] of [[OPENAI_DATE_SUFFIX, 'openai'], [ANTHROPIC_DATE_SUFFIX, 'anthropic']] as const) {
		if (!suffix.test(model)) continue;
		const base = model.replace(suffix, '');
		const row = rows.get(base) ?? [...rows.values()].find((r) => r.aliases?.includes(base));
		if (row?.provider === provider) return row;
	}
	return undefined;
}

function isBadNumber(value: unknown): boolean {
	return typeof value !== 'number' || !Number.isFinite(value) || value < 0;
}

function validateOverride(key: string, override: unknown): string | undefined {
	if (key.trim() === '') return 'empty model id';
	if (typeof override !== 'object' || override === null || Array.isArray(override)) return 'expected an object such as { "input": 3, "output": 15 } (USD per million tokens)';
	const o = override as Record<string, unknown>;
	const unknown = Object.keys(o).filter((field) => !OVERRIDE_FIELDS.has(field));
	if (unknown.length > 0) return `unknown field${unknown.length === 1 ? '' : 's'} ${unknown.map((f) => `"${f}"`).join(', ')}`;
	const bad: string[] = PRICE_FIELDS.filter((field) => o[field] !== undefined && isBadNumber(o[field]));
	if (o.tokenFactor !== undefined && (isBadNumber(o.tokenFactor) || o.tokenFactor === 0)) bad.push('tokenFactor');
	if (o.longContext !== undefined) {
		const lc = o.longContext as Record<string, unknown> | null;
		if (typeof lc !== 'object' || lc === null || isBadNumber(lc.thresholdTokens) || isBadNumber(lc.input) || isBadNumber(lc.output)) bad.push('longContext');
	}
	if (bad.length > 0) return `${bad.join(', ')} must be ${bad.length === 1 ? 'a non-negative number' : 'non-negative numbers'}`;
	if (o.provider !== undefined && o.provider !== 'anthropic' && o.provider !== 'openai') return 'provider must be "anthropic" or "openai"';
	if (o.encoding !== undefined && o.encoding !== 'o200k_base' && o.encoding !== 'cl100k_base') return 'encoding must be "o200k_base" or "cl100k_base"';
	return undefined;
}

function mergeOverride(base: ModelPrice, override: PriceOverride): ModelPrice {
	return { ...base, ...definedFields(override), model: base.model, source: 'user settings', asOf: override.asOf ?? 'user' };
}

/** A model the table does not know: provider guessed from the id when not given, caching off unless described. */
function newRow(model: string, override: PriceOverride): ModelPrice {
	const provider = override.provider ?? (model.startsWith('claude') ? 'anthropic' : 'openai');
	const caching: CachingRule = override.caching ?? { mode: 'none' };
	return {
		provider,
		encoding: 'o200k_base',
		...(provider === 'anthropic' ? { tokenFactor: CLAUDE_TOKEN_FACTOR } : {}),
		kind: 'chat',
		...definedFields(override),
		input: override.input ?? 0,
		output: override.output ?? 0,
		caching,
		model,
		source: 'user settings',
		asOf: override.asOf ?? 'user',
	};
}

/** JSON settings may carry explicit `undefined`/`null`; those must not erase built-in fields. */
function definedFields(override: PriceOverride): PriceOverride {
	return Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined && v !== null)) as PriceOverride;
}
