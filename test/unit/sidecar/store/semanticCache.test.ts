import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CandidatePartition } from '../../../../src/sidecar/store/candidateIndex';
import { openStore, type OpenStoreOptions } from '../../../../src/sidecar/store/sqliteStore';
import { answer, BruteForceIndex, vec } from './storeHelpers';

const base = { tenant: 'acme', scope: 'scope-1', embedder: 'test:emb@3' };

function withIndex(extra: Partial<OpenStoreOptions> = {}): { indexes: Map<string, BruteForceIndex>; options: OpenStoreOptions } {
	const indexes = new Map<string, BruteForceIndex>();
	const options: OpenStoreOptions = {
		file: ':memory:',
		indexMinEntries: 0,
		candidateIndex: (p: CandidatePartition) => {
			const index = new BruteForceIndex();
			indexes.set(`${p.tenant}|${p.scope}|${p.embedder}|${p.dims}`, index);
			return index;
		},
		...extra,
	};
	return { indexes, options };
}

for (const mode of ['sql scan', 'candidate index'] as const) {
	void describe(`semantic cache (${mode})`, () => {
		const open = (): ReturnType<typeof openStore> => (mode === 'sql scan' ? openStore({ file: ':memory:' }) : openStore(withIndex().options));

		void it('returns the nearest entry of the partition with its cosine similarity', () => {
			const { store } = open();
			store.putSemantic({ ...base, vector: vec(1, 0, 0), cacheText: 'what is x', answer: answer('X'), ttlMs: 1e9 }, 1_000);
			store.putSemantic({ ...base, vector: vec(0, 1, 0), cacheText: 'what is y', answer: answer('Y'), ttlMs: 1e9 }, 1_000);
			const match = store.nearestSemantic({ ...base, vector: vec(0.9, 0.1, 0) }, 2_000);
			assert.ok(match);
			assert.equal(match.cacheText, 'what is x');
			assert.equal(match.answer.completion.text, 'X');
			const expected = 0.9 / Math.sqrt(0.82);
			assert.ok(Math.abs(match.similarity - expected) < 1e-6, `similarity ${match.similarity} vs ${expected}`);
			store.close();
		});

		void it('never returns an identical vector of another tenant, scope or embedder', () => {
			const { store } = open();
			const v = vec(0.3, 0.4, 0.5);
			store.putSemantic({ ...base, tenant: 'other-tenant', vector: v, cacheText: 'q', answer: answer('leak-tenant'), ttlMs: 1e9 }, 1_000);
			store.putSemantic({ ...base, scope: 'other-scope', vector: v, cacheText: 'q', answer: answer('leak-scope'), ttlMs: 1e9 }, 1_000);
			store.putSemantic({ ...base, embedder: 'other:emb@3', vector: v, cacheText: 'q', answer: answer('leak-embedder'), ttlMs: 1e9 }, 1_000);
			assert.equal(store.nearestSemantic({ ...base, vector: v }, 2_000), undefined);
			// A far-away entry in the right partition is returned instead of the identical foreign ones.
			store.putSemantic({ ...base, vector: vec(-0.3, 0.4, -0.5), cacheText: 'far', answer: answer('own'), ttlMs: 1e9 }, 1_000);
			const match = store.nearestSemantic({ ...base, vector: v }, 2_000);
			assert.equal(match?.answer.completion.text, 'own');
			assert.ok(match.similarity < 0.5);
			store.close();
		});

		void it('skips expired entries and a vector of another dimension', () => {
			const { store } = open();
			store.putSemantic({ ...base, vector: vec(1, 0, 0), cacheText: 'short-lived', answer: answer('old', 1_000), ttlMs: 100 }, 1_000);
			assert.ok(store.nearestSemantic({ ...base, vector: vec(1, 0, 0) }, 1_050));
			assert.equal(store.nearestSemantic({ ...base, vector: vec(1, 0, 0) }, 1_100), undefined);
			assert.equal(store.nearestSemantic({ ...base, vector: vec(1, 0, 0, 0) }, 1_050), undefined);
			assert.equal(store.nearestSemantic({ ...base, vector: vec(0, 0, 0) }, 1_050), undefined);
			store.close();
		});

		void it('a repeated cache text replaces its entry', () => {
			const { store } = open();
			store.putSemantic({ ...base, vector: vec(1, 0, 0), cacheText: 'same question', answer: answer('first'), ttlMs: 1e9 }, 1_000);
			store.putSemantic({ ...base, vector: vec(1, 0.01, 0), cacheText: 'same question', answer: answer('second'), ttlMs: 1e9 }, 1_001);
			assert.equal(store.stats().semanticEntries, 1);
			assert.equal(store.nearestSemantic({ ...base, vector: vec(1, 0, 0) }, 2_000)?.answer.completion.text, 'second');
			store.close();
		});
	});
}

void describe('semantic cache candidate index', () => {
	void it('is only used from indexMinEntries on, built lazily from the table', () => {
		const { indexes, options } = withIndex({ indexMinEntries: 3 });
		const { store } = openStore(options);
		store.putSemantic({ ...base, vector: vec(1, 0, 0), cacheText: 'a', answer: answer('A'), ttlMs: 1e9 }, 1_000);
		store.putSemantic({ ...base, vector: vec(0, 1, 0), cacheText: 'b', answer: answer('B'), ttlMs: 1e9 }, 1_000);
		assert.equal(store.nearestSemantic({ ...base, vector: vec(0, 1, 0) }, 2_000)?.answer.completion.text, 'B');
		assert.equal(indexes.size, 0, 'a 2-entry partition is scanned in SQL');
		store.putSemantic({ ...base, vector: vec(0, 0, 1), cacheText: 'c', answer: answer('C'), ttlMs: 1e9 }, 1_000);
		assert.equal(store.nearestSemantic({ ...base, vector: vec(0, 0.1, 1) }, 2_000)?.answer.completion.text, 'C');
		const index = [...indexes.values()][0];
		assert.ok(index);
		assert.equal(index.size, 3);
		assert.equal(index.calls, 1);
		store.close();
	});

	void it('keeps one index per partition, and the SQL re-rank ignores foreign ids the index proposes', () => {
		const { indexes, options } = withIndex();
		const { store } = openStore(options);
		store.putSemantic({ ...base, vector: vec(1, 0, 0), cacheText: 'mine', answer: answer('mine'), ttlMs: 1e9 }, 1_000);
		store.putSemantic({ ...base, tenant: 'evil', vector: vec(0, 1, 0), cacheText: 'theirs', answer: answer('theirs'), ttlMs: 1e9 }, 1_000);
		assert.equal(store.nearestSemantic({ ...base, vector: vec(1, 0, 0) }, 2_000)?.answer.completion.text, 'mine');
		assert.equal(store.nearestSemantic({ ...base, tenant: 'evil', vector: vec(1, 0, 0) }, 2_000)?.answer.completion.text, 'theirs');
		assert.equal(indexes.size, 2);
		// Poison acme's index with the other tenant's id and vector: SQL must still refuse it.
		const acme = indexes.get('acme|scope-1|test:emb@3|3');
		const evil = indexes.get('evil|scope-1|test:emb@3|3');
		assert.ok(acme && evil);
		const [evilId, evilVector] = [...evil.vectors][0] ?? [];
		assert.ok(evilId !== undefined && evilVector);
		acme.vectors.clear();
		acme.add(evilId, evilVector);
		assert.equal(store.nearestSemantic({ ...base, vector: vec(0, 1, 0) }, 2_000), undefined);
		store.close();
	});

	void it('stays in sync with puts, TTL and size-cap eviction, and clear', () => {
		const { indexes, options } = withIndex({ maxSemanticEntries: 3 });
		const { store } = openStore(options);
		store.putSemantic({ ...base, vector: vec(1, 0, 0), cacheText: 'a', answer: answer('A'), ttlMs: 1e9 }, 1_000);
		assert.ok(store.nearestSemantic({ ...base, vector: vec(1, 0, 0) }, 1_001));
		const index = indexes.get('acme|scope-1|test:emb@3|3');
		assert.ok(index);
		store.putSemantic({ ...base, vector: vec(0, 1, 0), cacheText: 'b', answer: answer('B', 1_000), ttlMs: 50 }, 1_002);
		store.putSemantic({ ...base, vector: vec(0, 0, 1), cacheText: 'c', answer: answer('C'), ttlMs: 1e9 }, 1_003);
		store.putSemantic({ ...base, vector: vec(1, 1, 0), cacheText: 'd', answer: answer('D'), ttlMs: 1e9 }, 1_004);
		store.putSemantic({ ...base, vector: vec(0, 1, 1), cacheText: 'e', answer: answer('E'), ttlMs: 1e9 }, 1_005);
		assert.equal(index.size, 5);
		// b expired; then 4 remain over a cap of 3: a (last hit 1_001) is the least recently used.
		const counts = store.evict(2_000);
		assert.equal(counts.semanticExpired, 1);
		assert.equal(counts.semanticOverCap, 1);
		assert.equal(index.size, 3);
		assert.equal(store.stats().semanticEntries, 3);
		assert.notEqual(store.nearestSemantic({ ...base, vector: vec(1, 0, 0) }, 2_001)?.cacheText, 'a');
		assert.deepEqual(store.clear({ layer: 'semantic', tenant: 'acme' }), { exact: 0, semantic: 3 });
		assert.equal(store.nearestSemantic({ ...base, vector: vec(0, 0, 1) }, 2_002), undefined);
		store.putSemantic({ ...base, vector: vec(0, 0, 1), cacheText: 'f', answer: answer('F'), ttlMs: 1e9 }, 2_003);
		assert.equal(store.nearestSemantic({ ...base, vector: vec(0, 0, 1) }, 2_004)?.answer.completion.text, 'F');
		const rebuilt = indexes.get('acme|scope-1|test:emb@3|3');
		assert.ok(rebuilt && rebuilt !== index, 'the cleared partition got a fresh index');
		assert.equal(rebuilt.size, 1);
		store.close();
	});

	void it('refuses an unusable vector on put', () => {
		const { store } = openStore({ file: ':memory:' });
		assert.throws(() => store.putSemantic({ ...base, vector: vec(0, 0, 0), cacheText: 'z', answer: answer('Z'), ttlMs: 1e9 }, 1_000), /non-zero norm/);
		assert.throws(() => store.putSemantic({ ...base, vector: vec(1, Number.NaN, 0), cacheText: 'z', answer: answer('Z'), ttlMs: 1e9 }, 1_000), /finite/);
		assert.equal(store.stats().semanticEntries, 0);
		store.close();
	});
});
