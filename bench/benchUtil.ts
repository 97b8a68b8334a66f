// Shared by the benches: deterministic data, order statistics, the output convention.

export { repoRoot } from '../test/unit/helpers';

export { seededRandom } from '../test/support/seededRandom';

export function quantile(values: readonly number[], q: number): number {
	if (values.length === 0) return Number.NaN;
	const sorted = [...values].sort((a, b) => a - b);
	const index = (sorted.length - 1) * q;
	const low = Math.floor(index);
	const high = Math.ceil(index);
	return (sorted[low] as number) + ((sorted[high] as number) - (sorted[low] as number)) * (index - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

export interface Figure {
	readonly bench: string;
	readonly metric: string;
	readonly value: number;
	readonly unit: string;
	readonly peer?: string;
	readonly peerValue?: number;
}

/** One JSON line per figure, after the human table (the convention bench/runAll.mjs collects). */
export function printFigures(figures: readonly Figure[]): void {
	for (const figure of figures) console.log(JSON.stringify(figure));
}

export function printTable(headers: readonly string[], rows: readonly (readonly string[])[]): void {
	const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
	const line = (cells: readonly string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
	console.log(line(headers));
	console.log(widths.map((w) => '─'.repeat(w)).join('  '));
	for (const row of rows) console.log(line(row));
}

export function round(value: number, digits = 3): number {
	return Number(value.toPrecision(digits));
}
