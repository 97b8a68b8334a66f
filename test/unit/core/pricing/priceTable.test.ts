import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import { ANTHROPIC_PRICING_URL, BUILTIN_PRICES, OPENAI_PRICING_URL } from '../../../../src/core/pricing/prices';

const table = createPriceTable();

void describe('built-in price table', () => {
	void it('pins Claude Sonnet 4.5 at 3 / 15 with 0.30 reads and 3.75 / 6 writes', () => {
		const p = table.lookup('claude-sonnet-4-5');
		assert.ok(p);
		assert.deepEqual([p.input, p.output, p.cachedInput, p.cacheWrite5m, p.cacheWrite1h], [3, 15, 0.3, 3.75, 6]);
		assert.deepEqual(p.longContext, { thresholdTokens: 200_000, input: 6, output: 22.5 });
		assert.deepEqual(p.caching, { mode: 'marked', minTokens: 1024 });
		assert.equal(p.tokenFactor, 1.2);
		assert.equal(p.source, ANTHROPIC_PRICING_URL);
		assert.match(p.asOf, /^\d{4}-\d{2}-\d{2}$/);
	});

	void it('pins gpt-5 at 1.25 / 0.125 cached / 10 and gpt-4o cached input at 1.25', () => {
		const gpt5 = table.lookup('gpt-5');
		assert.deepEqual([gpt5?.input, gpt5?.cachedInput, gpt5?.output], [1.25, 0.125, 10]);
		assert.equal(table.lookup('gpt-4o')?.cachedInput, 1.25);
		assert.deepEqual(gpt5?.caching, { mode: 'automatic', minTokens: 1024, incrementTokens: 128 });
		assert.equal(gpt5?.encoding, 'o200k_base');
		assert.equal(gpt5?.source, OPENAI_PRICING_URL);
	});

	void it('pins Haiku 3, Opus 4.1, Haiku 4.5 and the embedding models', () => {
		assert.deepEqual([table.lookup('claude-3-haiku-20240307')?.input, table.lookup('claude-3-haiku-20240307')?.output], [0.25, 1.25]);
		assert.equal(table.lookup('claude-opus-4-1')?.output, 75);
		assert.deepEqual(table.lookup('claude-haiku-4-5')?.caching, { mode: 'marked', minTokens: 4096 });
		const small = table.lookup('text-embedding-3-small');
		assert.deepEqual([small?.input, small?.encoding, small?.kind, small?.caching.mode], [0.02, 'cl100k_base', 'embedding', 'none']);
	});

	void it('treats Sonnet 4.6 as a 2,048-token minimum and says why', () => {
		const caching = table.lookup('claude-sonnet-4-6')?.caching;
		assert.equal(caching?.mode, 'marked');
		assert.equal(caching?.mode === 'marked' && caching.minTokens, 2048);
		assert.match(caching?.mode === 'marked' ? caching.minTokensNote ?? '' : '', /1,024 vs 2,048/);
	});

	void it('gives every row a date, a source and a batch multiplier of 0.5, with no duplicate ids', () => {
		const ids = BUILTIN_PRICES.flatMap((p) => [p.model, ...(p.aliases ?? [])]);
		assert.equal(new Set(ids).size, ids.length);
		for (const p of BUILTIN_PRICES) {
			assert.match(p.asOf, /^\d{4}-\d{2}-\d{2}$/, p.model);
			assert.match(p.source, /^https:\/\//, p.model);
			assert.equal(p.batchMultiplier, 0.5, p.model);
		}
		assert.equal(BUILTIN_PRICES.length, 24);
	});
});

void describe('price lookup', () => {
	void it('resolves aliases and dated snapshots to their row', () => {
		assert.equal(table.lookup('claude-sonnet-4-20250514')?.model, 'claude-sonnet-4-0');
		assert.equal(table.lookup('claude-sonnet-4-5-20250929')?.model, 'claude-sonnet-4-5');
		assert.equal(table.lookup('claude-haiku-4-5-20251001')?.model, 'claude-haiku-4-5');
		assert.equal(table.lookup('claude-3-5-haiku-latest')?.model, 'claude-3-5-haiku-20241022');
		assert.equal(table.lookup('claude-opus-4-20250514')?.model, 'claude-opus-4-0');
	});

	void it('strips an OpenAI date suffix to the base row', () => {
		assert.equal(table.lookup('gpt-4o-2024-08-06')?.model, 'gpt-4o');
		assert.equal(table.lookup('gpt-4o-mini-2024-07-18')?.model, 'gpt-4o-mini');
		assert.equal(table.lookup('gpt-5-2025-08-07')?.model, 'gpt-5');
	});

	void it('never guesses: unknown, near-miss and differently-priced snapshots are undefined', () => {
		assert.equal(table.lookup('foo-9'), undefined);
		assert.equal(table.lookup('gpt-4o-2024-05-13'), undefined);
		assert.equal(table.lookup('gpt-4'), undefined);
		assert.equal(table.lookup('claude-sonnet-4'), undefined);
		assert.equal(table.lookup('GPT-4O'), undefined);
		assert.equal(table.lookup('claude-3-7-sonnet-20250219'), undefined);
		// A date suffix in the wrong provider's format does not match.
		assert.equal(table.lookup('gpt-4o-20240806'), undefined);
	});
});

void describe('price overrides', () => {
	void it('overrides fields of a built-in row and marks its provenance', () => {
		const t = createPriceTable({ 'gpt-4o': { input: 2, asOf: '2026-12-01' } });
		const p = t.lookup('gpt-4o-2024-08-06');
		assert.deepEqual([p?.input, p?.output, p?.cachedInput, p?.source, p?.asOf], [2, 10, 1.25, 'user settings', '2026-12-01']);
		assert.deepEqual(t.warnings, []);
	});

	void it('applies an override keyed by an alias to the row it names', () => {
		const p = createPriceTable({ 'claude-sonnet-4-20250514': { output: 16 } }).lookup('claude-sonnet-4-0');
		assert.deepEqual([p?.output, p?.input, p?.asOf], [16, 3, 'user']);
	});

	void it('adds a new model when input and output are given', () => {
		const t = createPriceTable({ 'llama-3-70b': { input: 0.6, output: 0.8 }, 'claude-next': { input: 4, output: 20 } });
		const llama = t.lookup('llama-3-70b');
		assert.deepEqual([llama?.provider, llama?.input, llama?.output, llama?.caching.mode, llama?.source], ['openai', 0.6, 0.8, 'none', 'user settings']);
		assert.equal(t.lookup('claude-next')?.tokenFactor, 1.2);
		assert.equal(t.lookup('claude-next')?.provider, 'anthropic');
	});

	void it('skips invalid overrides with a warning naming the model and field', () => {
		const t = createPriceTable({
			'gpt-4o': { input: -1 },
			'gpt-5': { output: Number.NaN, cachedInput: -0.1 },
			'new-model': { input: 1 },
			'gpt-4.1': { input: 'cheap' as unknown as number },
		});
		assert.equal(t.lookup('gpt-4o')?.input, 2.5);
		assert.equal(t.lookup('gpt-5')?.output, 10);
		assert.equal(t.lookup('new-model'), undefined);
		assert.equal(t.lookup('gpt-4.1')?.input, 2);
		assert.deepEqual(t.warnings, [
			'price override for "gpt-4o" ignored: input must be a non-negative number',
			'price override for "gpt-5" ignored: output, cachedInput must be non-negative numbers',
			'price override for "new-model" ignored: a model without a built-in price needs both "input" and "output"',
			'price override for "gpt-4.1" ignored: input must be a non-negative number',
		]);
	});
});

void describe('createPriceTable with untyped settings JSON', () => {
	void it('keeps valid rows, names each ignored entry, and reports misspelt fields', () => {
		const table = createPriceTable({
			'my-model': { input: 0.5, output: 1.5 },
			'claude-sonnet-4-5': { cachedInput: 0.2, asOf: '2026-12-01' },
			'bad-negative': { input: -1, output: 1 },
			'bad-missing': { input: 1 },
			'bad-type': 'cheap',
			'bad-field': { input: 1, output: 2, inptu: 3 },
		} as unknown as Parameters<typeof createPriceTable>[0]);
		assert.equal(table.lookup('my-model')?.output, 1.5);
		assert.equal(table.lookup('claude-sonnet-4-5')?.cachedInput, 0.2, 'a partial override of a built-in row');
		assert.equal(table.lookup('claude-sonnet-4-5')?.input, 3, 'the rest of the row stays');
		for (const model of ['bad-negative', 'bad-missing', 'bad-type', 'bad-field']) {
			assert.equal(table.lookup(model), undefined, model);
			assert.ok(table.warnings?.some((w) => w.includes(`"${model}"`)), model);
		}
		assert.ok(table.warnings?.some((w) => w.includes('"inptu"')));
		assert.equal(table.warnings?.length, 4);
	});
});
