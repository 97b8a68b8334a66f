import type Database from 'better-sqlite3';

/**
 * Schema history, tracked with `PRAGMA user_version`. Append new steps; never edit a shipped one.
 * Each step runs in its own transaction together with the version bump, so a crash mid-migration
 * leaves the previous version intact.
 */
export interface Migration {
	readonly version: number;
	readonly description: string;
	readonly sql: string;
}

/** Marks the file as CostLens's (`PRAGMA application_id`), so a foreign SQLite file is refused instead of altered. */
export const APPLICATION_ID = 0x436f4c6e; // 'CoLn'

export const MIGRATIONS: readonly Migration[] = [
	{
		version: 1,
		description: 'exact cache, semantic cache, usage log',
		sql: `
			-- (tenant, key) rather than key alone: the same key under two tenants are two entries, so one
			-- tenant's put can never overwrite or evict another tenant's answer.
			CREATE TABLE exact_cache (
				tenant TEXT NOT NULL,
				key TEXT NOT NULL,
				provider TEXT NOT NULL,
				model TEXT NOT NULL,
				answer_json TEXT NOT NULL,
				original_cost_usd REAL,
				bytes INTEGER NOT NULL,
				created_at INTEGER NOT NULL,
				expires_at INTEGER NOT NULL,
				last_hit_at INTEGER NOT NULL,
				hits INTEGER NOT NULL DEFAULT 0,
				PRIMARY KEY (tenant, key)
			);
			CREATE INDEX exact_cache_expires ON exact_cache(expires_at);
			CREATE INDEX exact_cache_lru ON exact_cache(last_hit_at);

			-- dims is redundant with the embedder id but lets the query skip a vector of another length
			-- instead of failing inside vec_distance_cosine.
			CREATE TABLE semantic_entry (
				id INTEGER PRIMARY KEY,
				tenant TEXT NOT NULL,
				scope TEXT NOT NULL,
				embedder TEXT NOT NULL,
				dims INTEGER NOT NULL,
				cache_text TEXT NOT NULL,
				embedding BLOB NOT NULL,
				answer_json TEXT NOT NULL,
				original_cost_usd REAL,
				bytes INTEGER NOT NULL,
				created_at INTEGER NOT NULL,
				expires_at INTEGER NOT NULL,
				last_hit_at INTEGER NOT NULL,
				hits INTEGER NOT NULL DEFAULT 0
			);
			CREATE INDEX semantic_entry_partition ON semantic_entry(tenant, scope, embedder, cache_text);
			CREATE INDEX semantic_entry_expires ON semantic_entry(expires_at);
			CREATE INDEX semantic_entry_lru ON semantic_entry(last_hit_at);

			CREATE TABLE usage_log (
				id INTEGER PRIMARY KEY,
				request_id TEXT NOT NULL,
				attempt INTEGER NOT NULL,
				ts INTEGER NOT NULL,
				tenant TEXT NOT NULL,
				provider TEXT NOT NULL,
				model TEXT NOT NULL,
				stage TEXT NOT NULL,
				input_tokens INTEGER NOT NULL,
				cached_input_tokens INTEGER NOT NULL,
				cache_write_tokens INTEGER NOT NULL,
				output_tokens INTEGER NOT NULL,
				cost_usd REAL,
				latency_ms REAL NOT NULL,
				ttft_ms REAL,
				cache_hit TEXT NOT NULL,
				escalated INTEGER NOT NULL,
				gate_verdict TEXT,
				error TEXT,
				row_check TEXT NOT NULL
			);
			CREATE INDEX usage_log_ts ON usage_log(ts);
			CREATE INDEX usage_log_tenant_ts ON usage_log(tenant, ts);

			-- Append-only in the database itself, not just by convention. clearUsage() drops and
			-- recreates the delete trigger inside its own transaction.
			CREATE TRIGGER usage_log_no_update BEFORE UPDATE ON usage_log
			BEGIN SELECT RAISE(ABORT, 'usage_log is append-only'); END;
			CREATE TRIGGER usage_log_no_delete BEFORE DELETE ON usage_log
			BEGIN SELECT RAISE(ABORT, 'usage_log is append-only'); END;
		`,
	},
];

/** The newest schema this build knows. */
export const SCHEMA_VERSION: number = MIGRATIONS.reduce((max, m) => Math.max(max, m.version), 0);

/** SQL that recreates the usage_log delete guard (used by clearUsage). */
export const USAGE_DELETE_TRIGGER = `CREATE TRIGGER usage_log_no_delete BEFORE DELETE ON usage_log
BEGIN SELECT RAISE(ABORT, 'usage_log is append-only'); END;`;

/**
 * Brings the database from its `user_version` up to `SCHEMA_VERSION`. The caller has already
 * refused files with a newer version. Returns the versions before and after.
 */
export function migrate(db: Database.Database): { from: number; to: number } {
	const from = db.pragma('user_version', { simple: true }) as number;
	for (const migration of MIGRATIONS) {
		if (migration.version <= from) continue;
		db.transaction(() => {
			db.exec(migration.sql);
			// Both pragmas write the header page inside the open transaction, so they commit or roll back with the DDL.
			db.pragma(`application_id = ${APPLICATION_ID}`);
			db.pragma(`user_version = ${migration.version}`);
		}).immediate();
	}
	return { from, to: db.pragma('user_version', { simple: true }) as number };
}
