import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { SCHEMA_VERSION, APPLICATION_ID } from '../../../../src/sidecar/store/migrations';
import { openStore, StoreUnavailableError } from '../../../../src/sidecar/store/sqliteStore';
import { answer, tempDir, usage } from './storeHelpers';

const FIXED_NOW = Date.UTC(2025, 0, 2, 3, 4, 5, 6);
const STORE_MODULE = path.resolve(__dirname, '../../../../src/sidecar/store/sqliteStore.js');

function unavailable(reason: string, pattern: RegExp): (error: unknown) => boolean {
	return (error: unknown) => {
		assert.ok(error instanceof StoreUnavailableError, `expected StoreUnavailableError, got ${String(error)}`);
		assert.equal(error.reason, reason);
		assert.match(error.message, pattern);
		return true;
	};
}

function withDir(fn: (dir: string) => void | Promise<void>): () => Promise<void> {
	return async () => {
		const dir = tempDir();
		try {
			await fn(dir);
		} finally {
			fs.chmodSync(dir, 0o755);
			fs.rmSync(dir, { recursive: true, force: true });
		}
	};
}

/** Writes a real database with some content through the store, closed cleanly. */
function writeRealDatabase(file: string, rows: number): void {
	const { store } = openStore({ file });
	store.appendUsage(Array.from({ length: rows }, (_, i) => usage({ requestId: `r${i}`, error: 'x'.repeat(200) })));
	for (let i = 0; i < 50; i++) store.putExact({ key: `k${i}`, tenant: 't', answer: answer(`answer ${i}`), ttlMs: 1e13 }, 1_000);
	store.close();
}

void describe('openStore: files, pragmas, migrations', () => {
	void it('creates a WAL database at the current schema version with the documented pragmas', withDir((dir) => {
		const file = path.join(dir, 'nested', 'cache.db');
		const { store, notices } = openStore({ file });
		try {
			assert.deepEqual(notices, []);
			assert.deepEqual(store.pragmas(), { journalMode: 'wal', synchronous: 1, busyTimeout: 5000, foreignKeys: 1 });
			store.appendUsage([usage()]);
			assert.equal(store.pragmas().synchronous, 1, 'appendUsage restores NORMAL after its FULL commit');
			const stats = store.stats();
			assert.equal(stats.schemaVersion, SCHEMA_VERSION);
			assert.equal(stats.file, file);
			assert.ok(stats.fileBytes > 0);
			assert.equal(stats.usageRows, 1);
			assert.ok(fs.existsSync(`${file}.lock`));
		} finally {
			store.close();
		}
		assert.equal(fs.existsSync(`${file}.lock`), false, 'close releases the lock');
		const raw = new Database(file, { readonly: true });
		assert.equal(raw.pragma('user_version', { simple: true }), SCHEMA_VERSION);
		assert.equal(raw.pragma('application_id', { simple: true }), APPLICATION_ID);
		raw.close();
		const reopened = openStore({ file }).store;
		assert.equal(reopened.stats().usageRows, 1, 'data survives a reopen; no second migration');
		reopened.close();
	}));

	void it('moves a garbage file (and its -wal) aside, creates a fresh database and says so', withDir((dir) => {
		const file = path.join(dir, 'cache.db');
		fs.writeFileSync(file, 'this is not a database '.repeat(500));
		fs.writeFileSync(`${file}-wal`, 'stale wal');
		const logs: string[] = [];
		const { store, notices } = openStore({ file, now: () => FIXED_NOW, log: (m) => logs.push(m) });
		try {
			const moved = `${file}.corrupt-2025-01-02T03-04-05-006Z`;
			assert.equal(notices.length, 1);
			assert.match(notices[0] ?? '', /was damaged .* was moved to .*cache\.db\.corrupt-2025-01-02T03-04-05-006Z; a new one was created\. Usage history before this point is in the moved file\./);
			assert.ok(fs.readFileSync(moved, 'utf8').startsWith('this is not a database'));
			assert.equal(fs.readFileSync(`${moved}-wal`, 'utf8'), 'stale wal');
			assert.ok(logs.some((m) => m.includes('was damaged')));
			store.putExact({ key: 'k', tenant: 't', answer: answer('fresh'), ttlMs: 1e13 }, 1_000);
			assert.equal(store.getExact('k', 't', 1_001)?.completion.text, 'fresh');
		} finally {
			store.close();
		}
	}));

	void it('moves a truncated real database aside; the next open is clean', withDir((dir) => {
		const file = path.join(dir, 'cache.db');
		writeRealDatabase(file, 3_000);
		const size = fs.statSync(file).size;
		assert.ok(size > 8 * 4096, `database too small to truncate meaningfully (${size} bytes)`);
		fs.truncateSync(file, Math.floor(size / 2) + 100); // mid-page
		const first = openStore({ file, now: () => FIXED_NOW });
		assert.equal(first.notices.length, 1);
		assert.match(first.notices[0] ?? '', /damaged/);
		const moved = fs.readdirSync(dir).filter((name) => name.startsWith('cache.db.corrupt-'));
		assert.deepEqual(moved, ['cache.db.corrupt-2025-01-02T03-04-05-006Z']);
		assert.equal(fs.statSync(path.join(dir, moved[0] ?? '')).size, Math.floor(size / 2) + 100);
		assert.equal(first.store.stats().usageRows, 0);
		first.store.appendUsage([usage()]);
		first.store.close();
		const second = openStore({ file, now: () => FIXED_NOW + 1 });
		assert.deepEqual(second.notices, [], 'no crash loop: the fresh file is healthy');
		assert.equal(second.store.stats().usageRows, 1);
		second.store.close();
	}));

	void it('refuses a file with a newer schema version and leaves it byte-for-byte untouched', withDir((dir) => {
		const file = path.join(dir, 'cache.db');
		const raw = new Database(file);
		raw.exec('CREATE TABLE future_thing (x)');
		raw.pragma(`application_id = ${APPLICATION_ID}`);
		raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
		raw.close();
		const before = fs.readFileSync(file);
		assert.throws(() => openStore({ file }), unavailable('newer-schema', new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this CostLens understands`)));
		assert.ok(fs.readFileSync(file).equals(before));
		assert.equal(fs.existsSync(`${file}.lock`), false, 'a failed open releases the lock');
		assert.deepEqual(fs.readdirSync(dir), ['cache.db']);
	}));

	void it('refuses a SQLite file that belongs to something else', withDir((dir) => {
		const file = path.join(dir, 'app.db');
		const raw = new Database(file);
		raw.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
		raw.close();
		assert.throws(() => openStore({ file }), unavailable('foreign-database', /does not belong to CostLens/));
		const check = new Database(file, { readonly: true });
		assert.deepEqual(check.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table'`).all(), [{ name: 'customers' }]);
		check.close();
	}));

	void it('a second open of a locked file fails clearly; a lock left by a dead process is taken over', withDir((dir) => {
		const file = path.join(dir, 'cache.db');
		const first = openStore({ file }).store;
		assert.throws(() => openStore({ file }), unavailable('locked', /is in use: this process \(pid \d+\) already has it open/));
		first.putExact({ key: 'k', tenant: 't', answer: answer('still fine'), ttlMs: 1e13 }, 1_000);
		assert.equal(first.getExact('k', 't', 1_001)?.completion.text, 'still fine');
		first.close();

		const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
		const deadPid = Number(dead.stdout);
		assert.ok(deadPid > 0);
		fs.writeFileSync(`${file}.lock`, JSON.stringify({ pid: deadPid, host: require('node:os').hostname(), createdAt: 1 }));
		const logs: string[] = [];
		const second = openStore({ file, log: (m) => logs.push(m) });
		assert.ok(logs.some((m) => m.includes(`process ${deadPid} is no longer running`)), logs.join('\n'));
		assert.equal(second.store.getExact('k', 't', 1_002)?.completion.text, 'still fine');
		assert.equal(JSON.parse(fs.readFileSync(`${file}.lock`, 'utf8')).pid, process.pid);
		second.store.close();
	}));

	void it('an unwritable location gives StoreUnavailableError, never a crash', withDir((dir) => {
		const notADir = path.join(dir, 'plain-file');
		fs.writeFileSync(notADir, 'x');
		assert.throws(() => openStore({ file: path.join(notADir, 'cache.db') }), unavailable('read-only', /cache\.db/));

		const isADir = path.join(dir, 'dir.db');
		fs.mkdirSync(isADir);
		assert.throws(() => openStore({ file: isADir }), (error: unknown) => error instanceof StoreUnavailableError && /dir\.db/.test(error.message));

		const readonlyDir = path.join(dir, 'ro');
		fs.mkdirSync(readonlyDir);
		const file = path.join(readonlyDir, 'cache.db');
		writeRealDatabase(file, 10);
		fs.chmodSync(file, 0o444);
		fs.chmodSync(readonlyDir, 0o555);
		const isRoot = process.getuid?.() === 0;
		if (isRoot) {
			// root ignores permission bits, so chmod cannot make the file unwritable here: the store must
			// simply work. The read-only cases above (ENOTDIR, EISDIR) cover the error path for root.
			const { store } = openStore({ file });
			assert.equal(store.stats().usageRows, 10);
			store.close();
		} else {
			try {
				assert.throws(() => openStore({ file }), unavailable('read-only', /not writable|cannot be opened for writing/));
				assert.deepEqual(fs.readdirSync(readonlyDir), ['cache.db'], 'nothing was moved or created');
			} finally {
				fs.chmodSync(readonlyDir, 0o755);
			}
		}
	}));
});

void describe('crash safety', () => {
	void it('kill -9 while writing leaves integrity ok and every committed usage row intact; the dead lock is taken over', withDir(async (dir) => {
		const file = path.join(dir, 'crash.db');
		const script = `
			const { openStore } = require(${JSON.stringify(STORE_MODULE)});
			const fs = require('node:fs');
			const { store } = openStore({ file: ${JSON.stringify(file)} });
			let n = 0;
			const row = (i) => ({ requestId: 'r' + i, attempt: 1, ts: 1000 + i, tenant: 't', provider: 'openai', model: 'm', stage: 'direct',
				inputTokens: i, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: i % 7, costUsd: i % 5 === 0 ? null : i / 1e6,
				latencyMs: i % 300, ttftMs: null, cacheHit: 'miss', escalated: false, gateVerdict: null, error: null });
			const ans = { completion: { provider: 'openai', wire: 'openai-chat', model: 'm', text: 'x'.repeat(500), stop: 'end', rawStop: 'stop',
				usage: { inputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1 }, raw: null }, originalCostUsd: 0.1, createdAt: 1 };
			for (;;) {
				store.appendUsage([row(n), row(n + 1)]);
				n += 2;
				fs.writeSync(1, 'committed ' + n + '\\n');
				store.putExact({ key: 'k' + n, tenant: 't', answer: ans, ttlMs: 1e13 }, 1);
			}
		`;
		const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
		let committed = 0;
		let stderr = '';
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
		const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
		await new Promise<void>((resolve, reject) => {
			let buffer = '';
			child.stdout.on('data', (d: Buffer) => {
				buffer += d.toString();
				for (const m of buffer.matchAll(/committed (\d+)\n/g)) committed = Math.max(committed, Number(m[1]));
				buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
				if (committed >= 400) resolve();
			});
			child.on('exit', () => reject(new Error(`writer exited early: ${stderr}`)));
		});
		// A second sidecar while the first is alive is refused.
		assert.throws(() => openStore({ file }), unavailable('locked', new RegExp(`process ${child.pid} holds it`)));
		child.kill('SIGKILL');
		await exited;
		// Rows reported after the kill signal was sent may also be present; never fewer than reported.
		const raw = new Database(file);
		assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
		const count = (raw.prepare('SELECT count(*) AS n FROM usage_log').get() as { n: number }).n;
		raw.close();
		assert.ok(count >= committed, `${count} rows on disk, ${committed} reported committed`);
		const { store, notices } = openStore({ file });
		try {
			assert.deepEqual(notices, []);
			const verdict = store.verifyUsage();
			assert.equal(verdict.rows, count);
			assert.deepEqual(verdict.bad, []);
			const ids = store.queryUsage().map((r) => r.requestId);
			for (let i = 0; i < committed; i++) assert.equal(ids[i], `r${i}`);
		} finally {
			store.close();
		}
	}));
});
