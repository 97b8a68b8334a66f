import type { PriceOverride } from '../core/pricing/priceTable';

/** The result of checking `costlens.pricing.overrides`: usable rows plus one message per problem. */
export interface CheckedOverrides {
	readonly overrides: Readonly<Record<string, PriceOverride>>;
	readonly warnings: readonly string[];
}

const NUMERIC_FIELDS = ['input', 'output', 'cachedInput', 'cacheWrite5m', 'cacheWrite1h', 'batchMultiplier', 'tokenFactor'] as const;
const STRING_FIELDS = ['asOf', 'source'] as const;
const KNOWN_FIELDS = new Set<string>([...NUMERIC_FIELDS, ...STRING_FIELDS, 'provider', 'encoding']);

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates user price overrides (USD per million tokens). An entry with a problem is dropped as a
 * whole and reported, rather than half-applied: a wrong price shown as right is worse than none.
 * Pure; used by the worker and unit-tested directly.
 */
export function checkPriceOverrides(raw: unknown): CheckedOverrides {
	if (raw === undefined || raw === null) return { overrides: {}, warnings: [] };
	if (!isRecord(raw)) return { overrides: {}, warnings: ['`costlens.pricing.overrides` must be an object mapping model ids to prices.'] };
	const overrides: Record<string, PriceOverride> = {};
	const warnings: string[] = [];
	for (const [model, value] of Object.entries(raw)) {
		const problems: string[] = [];
		if (model.trim() === '') problems.push('the model id is empty');
		if (!isRecord(value)) {
			warnings.push(`Price override for "${model}" ignored: expected an object like { "input": 3, "output": 15 }.`);
			continue;
		}
		for (const field of NUMERIC_FIELDS) {
			const v = value[field];
			const required = field === 'input' || field === 'output';
			if (v === undefined && !required) continue;
			if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`"${field}" must be a number ≥ 0 (USD per million tokens)`);
		}
		for (const field of STRING_FIELDS) {
			if (value[field] !== undefined && typeof value[field] !== 'string') problems.push(`"${field}" must be a string`);
		}
		if (value['provider'] !== undefined && value['provider'] !== 'anthropic' && value['provider'] !== 'openai') problems.push('"provider" must be "anthropic" or "openai"');
		if (value['encoding'] !== undefined && value['encoding'] !== 'o200k_base' && value['encoding'] !== 'cl100k_base') problems.push('"encoding" must be "o200k_base" or "cl100k_base"');
		const unknown = Object.keys(value).filter((key) => !KNOWN_FIELDS.has(key));
		if (unknown.length > 0) problems.push(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`);
		if (problems.length > 0) {
			warnings.push(`Price override for "${model}" ignored: ${problems.join('; ')}.`);
			continue;
		}
		overrides[model] = value as unknown as PriceOverride;
	}
	return { overrides, warnings };
}
