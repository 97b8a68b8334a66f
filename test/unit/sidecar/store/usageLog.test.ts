import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../../../src/sidecar/store/sqliteStore';
import { usageRowCheck } from '../../../../src/sidecar/store/usageRows';
import { tempDir, usage } from './storeHelpers';

void describe('usage log', () => {
	void it('appends rows and reads them back exactly, oldest first, with filters and limit', () => {
		const { store } = openStore({ file: ':memory:' });
		const rows = [
			usage({ requestId: 'r3', ts: 3_000, tenant: 'b', costUsd: null, ttftMs: null, gateVerdict: 'confidence 0.4 < 0.7', escalated: true, stage: 'cheap', latencyMs: 12.5 }),
			usage({ requestId: 'r1', ts: 1_000 }),
			usage({ requestId: 'r2', ts: 2_000, cacheHit: 'exact', stage: 'exact-cache', costUsd: 0, error: null }),
		];
		store.appendUsage(rows);
		const all = store.queryUsage();
		assert.deepEqual(all.map((r) => r.requestId), ['r1', 'r2', 'r3']);
		assert.deepEqual(all[2], rows[0]);
		assert.deepEqual(store.queryUsage({ since: 2_000 }).map((r) => r.requestId), ['r2', 'r3']);
		assert.deepEqual(store.queryUsage({ until: 2_000 }).map((r) => r.requestId), ['r1']);
		assert.deepEqual(store.queryUsage({ tenant: 'b' }).map((r) => r.requestId), ['r3']);
		assert.deepEqual(store.queryUsage({ limit: 2 }).map((r) => r.requestId), ['r2', 'r3']);
		assert.deepEqual(store.verifyUsage(), { rows: 3, bad: [] });
		store.close();
	});

	void it('summarizes by model, tenant and cache outcome; unpriced rows are counted apart, never as $0', () => {
		const { store } = openStore({ file: ':memory:' });
		store.appendUsage([
			usage({ requestId: 'a', attempt: 1, model: 'cheap', stage: 'cheap', costUsd: 0.001, latencyMs: 100, inputTokens: 10, outputTokens: 1 }),
			usage({ requestId: 'a', attempt: 2, model: 'strong', stage: 'strong', escalated: true, costUsd: 0.01, latencyMs: 300, inputTokens: 10, outputTokens: 2 }),
			usage({ requestId: 'b', model: 'local', tenant: 'other', costUsd: null, latencyMs: 50, inputTokens: 5, outputTokens: 3 }),
			usage({ requestId: 'c', model: 'cheap', cacheHit: 'exact', stage: 'exact-cache', costUsd: 0, latencyMs: 1, inputTokens: 0, outputTokens: 0, error: null }),
			usage({ requestId: 'd', model: 'cheap', costUsd: 0.002, latencyMs: 200, error: 'overloaded', inputTokens: 7, outputTokens: 0 }),
		]);
		const s = store.summarizeUsage();
		assert.equal(s.total.requests, 4);
		assert.equal(s.total.attempts, 5);
		assert.equal(s.total.inputTokens, 32);
		assert.equal(s.total.outputTokens, 6);
		assert.ok(Math.abs(s.total.costUsd - 0.013) < 1e-12);
		assert.equal(s.total.unpricedAttempts, 1);
		assert.equal(s.total.errors, 1);
		assert.equal(s.total.latencyP50Ms, 100);
		assert.equal(s.total.latencyP95Ms, 300);
		assert.deepEqual(Object.keys(s.byModel), ['cheap', 'local', 'strong']);
		assert.equal(s.byModel.cheap?.attempts, 3);
		assert.equal(s.byModel.local?.costUsd, 0);
		assert.equal(s.byModel.local?.unpricedAttempts, 1);
		assert.equal(s.byTenant.other?.requests, 1);
		assert.equal(s.byTenant.acme?.requests, 3);
		assert.equal(s.byCacheOutcome.exact?.attempts, 1);
		assert.equal(s.byCacheOutcome.miss?.attempts, 4);
		assert.equal(store.summarizeUsage({ tenant: 'other' }).total.attempts, 1);
		assert.equal(store.summarizeUsage({ since: 10_000 }).total.latencyP50Ms, null);
		store.close();
	});

	void it('is append-only in the database, and clearUsage is the one way out', () => {
		const dir = tempDir();
		const file = path.join(dir, 'usage.db');
		const { store } = openStore({ file });
		try {
			store.appendUsage([usage({ requestId: 'x' }), usage({ requestId: 'y' })]);
			const raw = new Database(file);
			try {
				assert.throws(() => raw.prepare('UPDATE usage_log SET cost_usd = 0').run(), /append-only/);
				assert.throws(() => raw.prepare('DELETE FROM usage_log').run(), /append-only/);
			} finally {
				raw.close();
			}
			assert.equal(store.clearUsage(), 2);
			assert.equal(store.stats().usageRows, 0);
			store.appendUsage([usage({ requestId: 'z' })]);
			const again = new Database(file);
			try {
				assert.throws(() => again.prepare('DELETE FROM usage_log').run(), /append-only/, 'the guard is back after clearUsage');
			} finally {
				again.close();
			}
		} finally {
			store.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	void it('row_check exposes a row changed behind the store’s back', () => {
		const dir = tempDir();
		const file = path.join(dir, 'usage.db');
		const { store } = openStore({ file });
		try {
			store.appendUsage([usage({ requestId: 'p' }), usage({ requestId: 'q' })]);
			const raw = new Database(file);
			try {
				const stored = raw.prepare(`SELECT row_check FROM usage_log WHERE request_id = 'p'`).get() as { row_check: string };
				assert.equal(stored.row_check, usageRowCheck(usage({ requestId: 'p' })));
				raw.exec('DROP TRIGGER usage_log_no_update');
				raw.prepare(`UPDATE usage_log SET output_tokens = 1 WHERE request_id = 'q'`).run();
			} finally {
				raw.close();
			}
			const verdict = store.verifyUsage();
			assert.equal(verdict.rows, 2);
			assert.equal(verdict.bad.length, 1);
		} finally {
			store.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});

	void it('a batch with one malformed row writes nothing', () => {
		const { store } = openStore({ file: ':memory:' });
		assert.throws(() => store.appendUsage([usage({ requestId: 'ok' }), usage({ requestId: 'bad', inputTokens: Number.NaN })]), /inputTokens must be a finite number/);
		assert.equal(store.stats().usageRows, 0);
		store.close();
	});
});
