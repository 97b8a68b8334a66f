import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { AnswerTooLargeError, openStore } from '../../../../src/sidecar/store/sqliteStore';
import { answer, tempDir } from './storeHelpers';

void describe('exact cache', () => {
	void it('stores and returns an answer, counting the hit', () => {
		const dir = tempDir();
		const { store, notices } = openStore({ file: path.join(dir, 'cache.db'), now: () => 1_000 });
		try {
			assert.deepEqual(notices, []);
			assert.equal(store.getExact('k1', 'acme', 1_000), undefined);
			store.putExact({ key: 'k1', tenant: 'acme', answer: answer('hello', 1_000, 0.5), ttlMs: 60_000 }, 1_000);
			const hit = store.getExact('k1', 'acme', 2_000);
			assert.ok(hit);
			assert.equal(hit.completion.text, 'hello');
			assert.deepEqual(hit.completion.raw, { id: 'msg_1', content: [{ type: 'text', text: 'hello' }] });
			assert.equal(hit.originalCostUsd, 0.5);
			assert.equal(hit.createdAt, 1_000);
			assert.equal(store.stats().exactEntries, 1);
		} finally {
			store.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	void it('misses once createdAt + ttl has passed, and evict() removes the row', () => {
		const { store } = openStore({ file: ':memory:' });
		store.putExact({ key: 'k', tenant: 't', answer: answer('x', 1_000), ttlMs: 500 }, 1_000);
		assert.ok(store.getExact('k', 't', 1_499));
		assert.equal(store.getExact('k', 't', 1_500), undefined);
		assert.equal(store.stats().exactEntries, 1);
		assert.deepEqual(store.evict(1_500), { exactExpired: 1, exactOverCap: 0, semanticExpired: 0, semanticOverCap: 0 });
		assert.equal(store.stats().exactEntries, 0);
		store.close();
	});

	void it('the same key under another tenant misses, and both tenants can hold it', () => {
		const { store } = openStore({ file: ':memory:' });
		store.putExact({ key: 'shared-key', tenant: 'alice', answer: answer('alice answer'), ttlMs: 60_000 }, 1_000);
		assert.equal(store.getExact('shared-key', 'bob', 1_001), undefined);
		store.putExact({ key: 'shared-key', tenant: 'bob', answer: answer('bob answer'), ttlMs: 60_000 }, 1_000);
		assert.equal(store.getExact('shared-key', 'alice', 1_001)?.completion.text, 'alice answer');
		assert.equal(store.getExact('shared-key', 'bob', 1_001)?.completion.text, 'bob answer');
		assert.equal(store.stats().exactEntries, 2);
		store.close();
	});

	void it('put on an existing key replaces the answer (upsert)', () => {
		const { store } = openStore({ file: ':memory:' });
		store.putExact({ key: 'k', tenant: 't', answer: answer('old'), ttlMs: 60_000 }, 1_000);
		store.putExact({ key: 'k', tenant: 't', answer: answer('new', 2_000, null), ttlMs: 60_000 }, 2_000);
		const hit = store.getExact('k', 't', 2_001);
		assert.equal(hit?.completion.text, 'new');
		assert.equal(hit?.originalCostUsd, null);
		assert.equal(store.stats().exactEntries, 1);
		store.close();
	});

	void it('refuses an answer over the size cap with a clear error and stores nothing', () => {
		const { store } = openStore({ file: ':memory:', maxAnswerBytes: 2_000 });
		assert.throws(() => store.putExact({ key: 'big', tenant: 't', answer: answer('y'.repeat(5_000)), ttlMs: 60_000 }, 1_000), (error: unknown) => {
			assert.ok(error instanceof AnswerTooLargeError);
			assert.match(error.message, /over the cache's 2000-byte limit/);
			return true;
		});
		assert.equal(store.stats().exactEntries, 0);
		store.close();
	});

	void it('evicts the least recently hit entries above maxExactEntries', () => {
		const { store } = openStore({ file: ':memory:', maxExactEntries: 3 });
		for (let i = 0; i < 5; i++) store.putExact({ key: `k${i}`, tenant: 't', answer: answer(`a${i}`), ttlMs: 1e9 }, 1_000 + i);
		// A hit on the oldest entry makes it recent, so k1 and k2 are the least recently used.
		assert.ok(store.getExact('k0', 't', 2_000));
		const counts = store.evict(2_001);
		assert.equal(counts.exactOverCap, 2);
		assert.equal(store.stats().exactEntries, 3);
		assert.ok(store.getExact('k0', 't', 2_002));
		assert.equal(store.getExact('k1', 't', 2_002), undefined);
		assert.equal(store.getExact('k2', 't', 2_002), undefined);
		assert.ok(store.getExact('k4', 't', 2_002));
		store.close();
	});

	void it('clear() by layer and tenant returns counts', () => {
		const { store } = openStore({ file: ':memory:' });
		store.putExact({ key: 'a', tenant: 't1', answer: answer('1'), ttlMs: 1e9 }, 1_000);
		store.putExact({ key: 'b', tenant: 't1', answer: answer('2'), ttlMs: 1e9 }, 1_000);
		store.putExact({ key: 'c', tenant: 't2', answer: answer('3'), ttlMs: 1e9 }, 1_000);
		assert.deepEqual(store.clear({ layer: 'exact', tenant: 't1' }), { exact: 2, semantic: 0 });
		assert.ok(store.getExact('c', 't2', 1_001));
		assert.deepEqual(store.clear(), { exact: 1, semantic: 0 });
		assert.equal(store.stats().exactEntries, 0);
		store.close();
	});
});
