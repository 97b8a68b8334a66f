import type { ModelPrice, PriceTable } from './types';

/** A user's override for one model (from settings); missing fields fall back to the built-in row, if any. */
export type PriceOverride = Partial<Omit<ModelPrice, 'model'>> & { readonly input: number; readonly output: number };

/** The built-in table plus user overrides. Unknown models return undefined (unpriced, never $0). */
export function createPriceTable(overrides?: Readonly<Record<string, PriceOverride>>): PriceTable {
	void overrides;
	throw new Error('createPriceTable: not implemented yet');
}
