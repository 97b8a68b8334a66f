import type Database from 'better-sqlite3';
import * as fs from 'node:fs';
import type { CachedAnswer, ExactPut, PipelineStore, SemanticMatch, SemanticPut, SemanticQuery } from '../../core/pipeline/ports';
import type { Completion, UsageRecord } from '../../core/pipeline/types';
import type { CandidateIndex, CandidateIndexFactory } from './candidateIndex';
import { AnswerTooLargeError } from './errors';
import type { LockHandle } from './lockFile';
import { USAGE_DELETE_TRIGGER } from './migrations';
import { openDatabase } from './openDatabase';
import { paramsFromRecord, recordFromRow, summarize, usageRowCheck, type UsageRow, type UsageSummary } from './usageRows';

export { StoreUnavailableError, AnswerTooLargeError } from './errors';
export type { UsageSummary, UsageTotals } from './usageRows';

export interface OpenStoreOptions {
	/** Database path, or `':memory:'` for tests. */
	readonly file: string;
	readonly log?: (msg: string) => void;
	/** Clock for the eviction run at open and for quarantine names. */
	readonly now?: () => number;
	/** Cap on exact-cache rows; the least recently hit go first. Default 100,000. */
	readonly maxExactEntries?: number;
	/** Cap on semantic-cache rows; the least recently hit go first. Default 50,000. */
	readonly maxSemanticEntries?: number;
	/** Makes one candidate index per partition; without it every lookup is an exact SQL scan. */
	readonly candidateIndex?: CandidateIndexFactory;
	/** Partitions with fewer rows than this are scanned in SQL even when an index factory is given. Default 1,000. */
	readonly indexMinEntries?: number;
	/** Candidate ids re-ranked exactly per lookup. Default 16. */
	readonly indexCandidates?: number;
	/** Largest answer JSON stored, in bytes. Default 1 MiB. */
	readonly maxAnswerBytes?: number;
}

export interface EvictionCounts {
	readonly exactExpired: number;
	readonly exactOverCap: number;
	readonly semanticExpired: number;
	readonly semanticOverCap: number;
}

export interface ClearOptions {
	readonly layer?: 'exact' | 'semantic' | 'all';
	/** Only this tenant's entries; all tenants when absent. */
	readonly tenant?: string;
}

export interface ClearCounts {
	readonly exact: number;
	readonly semantic: number;
}

export interface UsageFilter {
	/** Inclusive, ms since the epoch. */
	readonly since?: number;
	/** Exclusive, ms since the epoch. */
	readonly until?: number;
	readonly tenant?: string;
	/** Keep only the newest `limit` rows (queryUsage only). */
	readonly limit?: number;
}

export interface StoreStats {
	readonly exactEntries: number;
	readonly semanticEntries: number;
	readonly usageRows: number;
	readonly fileBytes: number;
	readonly walBytes: number;
	readonly schemaVersion: number;
	readonly file: string;
}

interface AnswerRow {
	readonly answer_json: string;
	readonly original_cost_usd: number | null;
	readonly created_at: number;
}

interface SemanticRow extends AnswerRow {
	readonly id: number;
	readonly cache_text: string;
	readonly similarity: number;
}

interface PartitionRow {
	readonly id: number;
	readonly tenant: string;
	readonly scope: string;
	readonly embedder: string;
	readonly dims: number;
}

interface PartitionState {
	count: number;
	index: CandidateIndex | undefined;
}

const DEFAULTS = { maxExactEntries: 100_000, maxSemanticEntries: 50_000, indexMinEntries: 1_000, indexCandidates: 16, maxAnswerBytes: 1024 * 1024 };
/** A put every this many triggers an eviction run, so a burst cannot outgrow the caps until the next timer. */
const EVICT_EVERY_PUTS = 256;

function partitionKey(p: { tenant: string; scope: string; embedder: string; dims: number }): string {
	return JSON.stringify([p.tenant, p.scope, p.embedder, p.dims]);
}

/** A view of the vector's own bytes (a Float32Array may be a window on a larger buffer). */
function vectorBlob(vector: Float32Array): Buffer {
	return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
}

/** Copies: SQLite's Buffer may sit at an offset that is not a multiple of 4. */
function blobVector(blob: Buffer): Float32Array {
	const copy = new Uint8Array(blob.byteLength);
	copy.set(blob);
	return new Float32Array(copy.buffer);
}

/** Cosine similarity is undefined for a zero vector and poisoned by NaN/Infinity. */
function usableVector(vector: Float32Array): boolean {
	if (!(vector instanceof Float32Array) || vector.length === 0) return false;
	let norm = 0;
	for (const x of vector) {
		if (!Number.isFinite(x)) return false;
		norm += x * x;
	}
	return norm > 0;
}

function positiveInt(value: number | undefined, fallback: number, name: string): number {
	if (value === undefined) return fallback;
	if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
	return value;
}

/**
 * The pipeline's SQLite storage: exact cache, semantic cache (sqlite-vec cosine, optional
 * per-partition candidate index) and the append-only usage log. Tenant, scope and embedder are
 * predicates in every query that reads an answer. One process owns the file (see lockFile.ts).
 */
export class SqliteStore implements PipelineStore {
	private readonly partitions = new Map<string, PartitionState>();
	private readonly stmts: ReturnType<typeof prepareStatements>;
	private readonly max: typeof DEFAULTS;
	private putsSinceEvict = 0;
	private closed = false;

	/** Use `openStore`. */
	constructor(
		private readonly db: Database.Database,
		/** Absolute path, or `':memory:'`. */
		readonly file: string,
		readonly schemaVersion: number,
		private readonly lock: LockHandle | undefined,
		private readonly options: OpenStoreOptions,
	) {
		this.max = {
			maxExactEntries: positiveInt(options.maxExactEntries, DEFAULTS.maxExactEntries, 'maxExactEntries'),
			maxSemanticEntries: positiveInt(options.maxSemanticEntries, DEFAULTS.maxSemanticEntries, 'maxSemanticEntries'),
			indexMinEntries: positiveInt(options.indexMinEntries, DEFAULTS.indexMinEntries, 'indexMinEntries'),
			indexCandidates: Math.max(1, positiveInt(options.indexCandidates, DEFAULTS.indexCandidates, 'indexCandidates')),
			maxAnswerBytes: positiveInt(options.maxAnswerBytes, DEFAULTS.maxAnswerBytes, 'maxAnswerBytes'),
		};
		this.stmts = prepareStatements(db);
	}

	private log(msg: string): void {
		this.options.log?.(msg);
	}

	/** The columns both caches store for an answer; throws on a bad TTL or an answer that cannot be stored. */
	private answerColumns(answer: CachedAnswer, ttlMs: number, now: number) {
		if (!Number.isFinite(ttlMs) || ttlMs < 0) throw new RangeError(`ttlMs must be a finite non-negative number, got ${ttlMs}`);
		const json = this.serialize(answer.completion);
		return {
			answer_json: json,
			original_cost_usd: answer.originalCostUsd,
			bytes: Buffer.byteLength(json, 'utf8'),
			created_at: answer.createdAt,
			expires_at: answer.createdAt + ttlMs,
			now,
		};
	}

	private serialize(completion: Completion): string {
		let json: string | undefined;
		try {
			json = JSON.stringify(completion);
		} catch (error) {
			throw new TypeError(`The answer cannot be cached: it is not JSON-serializable (${(error as Error).message}).`);
		}
		if (json === undefined) throw new TypeError('The answer cannot be cached: it serialized to nothing.');
		const bytes = Buffer.byteLength(json, 'utf8');
		if (bytes > this.max.maxAnswerBytes) throw new AnswerTooLargeError(bytes, this.max.maxAnswerBytes);
		return json;
	}

	private maybeEvict(now: number): void {
		if (++this.putsSinceEvict >= EVICT_EVERY_PUTS) this.evict(now);
	}

	// ── exact cache ──────────────────────────────────────────────────────────────

	getExact(key: string, tenant: string, now: number): CachedAnswer | undefined {
		const row = this.stmts.getExact.get({ key, tenant, now }) as AnswerRow | undefined;
		if (!row) return undefined;
		let completion: Completion;
		try {
			completion = JSON.parse(row.answer_json) as Completion;
		} catch {
			// A row that no longer parses can only be served wrong; drop it and report a miss.
			this.stmts.deleteExact.run({ key, tenant });
			this.log(`Dropped an unreadable exact-cache entry for tenant ${tenant}.`);
			return undefined;
		}
		this.stmts.touchExact.run({ key, tenant, now });
		return { completion, originalCostUsd: row.original_cost_usd, createdAt: row.created_at };
	}

	putExact(entry: ExactPut, now: number): void {
		const columns = this.answerColumns(entry.answer, entry.ttlMs, now);
		this.stmts.putExact.run({ key: entry.key, tenant: entry.tenant, provider: entry.answer.completion.provider, model: entry.answer.completion.model, ...columns });
		this.maybeEvict(now);
	}

	// ── semantic cache ───────────────────────────────────────────────────────────

	/** Loads the partition's row count once; afterwards puts, evictions and clears keep it current. */
	private partition(q: SemanticQuery): PartitionState {
		const p = { tenant: q.tenant, scope: q.scope, embedder: q.embedder, dims: q.vector.length };
		const key = partitionKey(p);
		let state = this.partitions.get(key);
		if (!state) {
			const { n } = this.stmts.countPartition.get(p) as { n: number };
			state = { count: n, index: undefined };
			this.partitions.set(key, state);
		}
		return state;
	}

	private buildIndex(q: SemanticQuery, factory: CandidateIndexFactory): CandidateIndex {
		const p = { tenant: q.tenant, scope: q.scope, embedder: q.embedder, dims: q.vector.length };
		const index = factory(p);
		for (const row of this.stmts.partitionVectors.iterate(p) as IterableIterator<{ id: number; embedding: Buffer }>) {
			index.add(row.id, blobVector(row.embedding));
		}
		this.log(`Built a candidate index of ${index.size} entries for a semantic partition of tenant ${q.tenant}.`);
		return index;
	}

	/** Keeps partition counts and indexes in step with rows deleted in SQL. */
	private forget(rows: readonly PartitionRow[]): void {
		for (const row of rows) {
			const state = this.partitions.get(partitionKey(row));
			if (!state) continue;
			state.count = Math.max(0, state.count - 1);
			state.index?.remove(row.id);
		}
	}

	nearestSemantic(query: SemanticQuery, now: number): SemanticMatch | undefined {
		if (!usableVector(query.vector)) return undefined;
		const state = this.partition(query);
		if (state.count === 0) return undefined;
		const params = { tenant: query.tenant, scope: query.scope, embedder: query.embedder, dims: query.vector.length, q: vectorBlob(query.vector), now };
		let row: SemanticRow | undefined;
		const factory = this.options.candidateIndex;
		if (factory && (state.index || state.count >= this.max.indexMinEntries)) {
			state.index ??= this.buildIndex(query, factory);
			const ids = state.index.candidates(query.vector, this.max.indexCandidates);
			if (ids.length === 0) return undefined;
			row = this.stmts.rerank.get({ ...params, ids: JSON.stringify(ids) }) as SemanticRow | undefined;
		} else {
			row = this.stmts.scan.get(params) as SemanticRow | undefined;
		}
		if (!row) return undefined;
		let completion: Completion;
		try {
			completion = JSON.parse(row.answer_json) as Completion;
		} catch {
			this.forget(this.stmts.deleteSemanticById.all({ id: row.id }) as PartitionRow[]);
			this.log(`Dropped an unreadable semantic-cache entry for tenant ${query.tenant}.`);
			return undefined;
		}
		// Counted as a hit when returned, even if the pipeline's guard then rejects it: the store cannot tell.
		this.stmts.touchSemantic.run({ id: row.id, now });
		return {
			entryId: row.id,
			similarity: row.similarity,
			cacheText: row.cache_text,
			answer: { completion, originalCostUsd: row.original_cost_usd, createdAt: row.created_at },
		};
	}

	putSemantic(entry: SemanticPut, now: number): void {
		if (!usableVector(entry.vector)) throw new RangeError('The embedding must be a non-empty Float32Array of finite numbers with a non-zero norm.');
		const columns = this.answerColumns(entry.answer, entry.ttlMs, now);
		const p = { tenant: entry.tenant, scope: entry.scope, embedder: entry.embedder, dims: entry.vector.length };
		// The same question asked again replaces its old entry instead of piling up near-identical rows.
		const { replaced, id } = this.db.transaction(() => {
			const replacedRows = this.stmts.deleteSemanticDuplicate.all({ ...p, cache_text: entry.cacheText }) as PartitionRow[];
			const info = this.stmts.putSemantic.run({
				...p,
				cache_text: entry.cacheText,
				embedding: vectorBlob(entry.vector),
				...columns,
			});
			return { replaced: replacedRows, id: Number(info.lastInsertRowid) };
		}).immediate();
		this.forget(replaced);
		const state = this.partitions.get(partitionKey(p));
		if (state) {
			state.count++;
			state.index?.add(id, Float32Array.from(entry.vector));
		}
		this.maybeEvict(now);
	}

	// ── eviction and clearing ────────────────────────────────────────────────────

	/** Drops expired entries, then the least recently hit ones above the caps. */
	evict(now: number): EvictionCounts {
		this.putsSinceEvict = 0;
		return this.db.transaction(() => {
			const exactExpired = this.stmts.evictExactExpired.run({ now }).changes;
			const exactCount = (this.stmts.countExact.get() as { n: number }).n;
			const exactOverCap = exactCount > this.max.maxExactEntries ? this.stmts.evictExactLru.run({ n: exactCount - this.max.maxExactEntries }).changes : 0;
			const expired = this.stmts.evictSemanticExpired.all({ now }) as PartitionRow[];
			this.forget(expired);
			const semanticCount = (this.stmts.countSemantic.get() as { n: number }).n;
			let semanticOverCap = 0;
			if (semanticCount > this.max.maxSemanticEntries) {
				const capped = this.stmts.evictSemanticLru.all({ n: semanticCount - this.max.maxSemanticEntries }) as PartitionRow[];
				this.forget(capped);
				semanticOverCap = capped.length;
			}
			return { exactExpired, exactOverCap, semanticExpired: expired.length, semanticOverCap };
		}).immediate();
	}

	clear(options: ClearOptions = {}): ClearCounts {
		const layer = options.layer ?? 'all';
		const tenant = options.tenant;
		return this.db.transaction(() => {
			let exact = 0;
			let semantic = 0;
			if (layer === 'exact' || layer === 'all') {
				exact = (tenant === undefined ? this.stmts.clearExactAll.run() : this.stmts.clearExactTenant.run({ tenant })).changes;
			}
			if (layer === 'semantic' || layer === 'all') {
				semantic = (tenant === undefined ? this.stmts.clearSemanticAll.run() : this.stmts.clearSemanticTenant.run({ tenant })).changes;
				// Whole partitions went; forget their state and let the next lookup recount.
				for (const key of [...this.partitions.keys()]) {
					if (tenant === undefined || (JSON.parse(key) as unknown[])[0] === tenant) this.partitions.delete(key);
				}
			}
			return { exact, semantic };
		}).immediate();
	}

	// ── usage log ────────────────────────────────────────────────────────────────

	appendUsage(rows: readonly UsageRecord[]): void {
		if (rows.length === 0) return;
		const params = rows.map(paramsFromRecord);
		// Rows of upstream attempts (money) commit with synchronous=FULL: the WAL is fsynced before
		// appendUsage returns, so they survive power loss too. A cache hit's row costs $0 and commits at
		// NORMAL, which WAL keeps across any process crash (kill -9 included) and only a power cut can
		// lose; an fsync per hit would triple the hit latency (bench/sidecar.bench.ts).
		const durable = this.file !== ':memory:' && rows.some((r) => r.cacheHit !== 'exact' && r.cacheHit !== 'semantic');
		if (durable) this.db.pragma('synchronous = FULL');
		try {
			this.db.transaction(() => {
				for (const p of params) this.stmts.insertUsage.run(p);
			}).immediate();
		} finally {
			if (durable) this.db.pragma('synchronous = NORMAL');
		}
	}

	private usageWhere(filter: UsageFilter): { where: string; params: Record<string, string | number> } {
		const clauses: string[] = [];
		const params: Record<string, string | number> = {};
		if (filter.since !== undefined) {
			clauses.push('ts >= @since');
			params.since = filter.since;
		}
		if (filter.until !== undefined) {
			clauses.push('ts < @until');
			params.until = filter.until;
		}
		if (filter.tenant !== undefined) {
			clauses.push('tenant = @tenant');
			params.tenant = filter.tenant;
		}
		return { where: clauses.length > 0 ? `WHERE ${clauses.join(' AND ')}` : '', params };
	}

	/** Rows in the filter, oldest first; with `limit`, the newest `limit` of them. */
	queryUsage(filter: UsageFilter = {}): UsageRecord[] {
		const { where, params } = this.usageWhere(filter);
		let sql = `SELECT * FROM usage_log ${where} ORDER BY ts ASC, id ASC`;
		if (filter.limit !== undefined) {
			params.limit = positiveInt(filter.limit, 0, 'limit');
			sql = `SELECT * FROM (SELECT * FROM usage_log ${where} ORDER BY ts DESC, id DESC LIMIT @limit) ORDER BY ts ASC, id ASC`;
		}
		return (this.db.prepare(sql).all(params) as UsageRow[]).map(recordFromRow);
	}

	/** Totals by model, tenant and cache outcome; `limit` is ignored. */
	summarizeUsage(filter: UsageFilter = {}): UsageSummary {
		const { where, params } = this.usageWhere(filter);
		const rows = this.db.prepare(`SELECT * FROM usage_log ${where}`).iterate(params) as IterableIterator<UsageRow>;
		return summarize((function* () {
			for (const row of rows) yield recordFromRow(row);
		})());
	}

	/** Recomputes every row's `row_check`; `bad` lists the ids of rows that no longer match. */
	verifyUsage(): { rows: number; bad: number[] } {
		let count = 0;
		const bad: number[] = [];
		for (const row of this.stmts.allUsage.iterate() as IterableIterator<UsageRow>) {
			count++;
			if (usageRowCheck(recordFromRow(row)) !== row.row_check) bad.push(row.id);
		}
		return { rows: count, bad };
	}

	/** The only way rows leave the usage log. Returns how many were deleted. */
	clearUsage(): number {
		return this.db.transaction(() => {
			this.db.exec('DROP TRIGGER IF EXISTS usage_log_no_delete');
			const { changes } = this.db.prepare('DELETE FROM usage_log').run();
			this.db.exec(USAGE_DELETE_TRIGGER);
			return changes;
		}).immediate();
	}

	// ── housekeeping ─────────────────────────────────────────────────────────────

	stats(): StoreStats {
		const size = (path: string): number => {
			try {
				return fs.statSync(path).size;
			} catch {
				return 0;
			}
		};
		const memory = this.file === ':memory:';
		return {
			exactEntries: (this.stmts.countExact.get() as { n: number }).n,
			semanticEntries: (this.stmts.countSemantic.get() as { n: number }).n,
			usageRows: (this.stmts.countUsage.get() as { n: number }).n,
			fileBytes: memory ? 0 : size(this.file),
			walBytes: memory ? 0 : size(`${this.file}-wal`),
			schemaVersion: this.schemaVersion,
			file: this.file,
		};
	}

	/** The connection's durability settings, for logs and tests. */
	pragmas(): { journalMode: string; synchronous: number; busyTimeout: number; foreignKeys: number } {
		return {
			journalMode: String(this.db.pragma('journal_mode', { simple: true })),
			synchronous: Number(this.db.pragma('synchronous', { simple: true })),
			busyTimeout: Number(this.db.pragma('busy_timeout', { simple: true })),
			foreignKeys: Number(this.db.pragma('foreign_keys', { simple: true })),
		};
	}

	/** Checkpoints the WAL into the main file, closes, and releases the lock. Safe to call twice. */
	close(): void {
		if (this.closed) return;
		this.closed = true;
		try {
			if (this.file !== ':memory:') this.db.pragma('wal_checkpoint(TRUNCATE)');
		} catch (error) {
			this.log(`WAL checkpoint on close failed: ${(error as Error).message}`);
		} finally {
			try {
				this.db.close();
			} finally {
				this.lock?.release();
			}
		}
	}
}

function prepareStatements(db: Database.Database) {
	const partitionWhere = 'tenant = @tenant AND scope = @scope AND embedder = @embedder AND dims = @dims';
	const semanticCols = 'id, cache_text, answer_json, original_cost_usd, created_at, 1 - vec_distance_cosine(embedding, @q) AS similarity';
	return {
		getExact: db.prepare('SELECT answer_json, original_cost_usd, created_at FROM exact_cache WHERE key = @key AND tenant = @tenant AND expires_at > @now'),
		touchExact: db.prepare('UPDATE exact_cache SET last_hit_at = @now, hits = hits + 1 WHERE key = @key AND tenant = @tenant'),
		deleteExact: db.prepare('DELETE FROM exact_cache WHERE key = @key AND tenant = @tenant'),
		putExact: db.prepare(`INSERT INTO exact_cache (tenant, key, provider, model, answer_json, original_cost_usd, bytes, created_at, expires_at, last_hit_at, hits)
			VALUES (@tenant, @key, @provider, @model, @answer_json, @original_cost_usd, @bytes, @created_at, @expires_at, @now, 0)
			ON CONFLICT (tenant, key) DO UPDATE SET provider = excluded.provider, model = excluded.model, answer_json = excluded.answer_json,
				original_cost_usd = excluded.original_cost_usd, bytes = excluded.bytes, created_at = excluded.created_at,
				expires_at = excluded.expires_at, last_hit_at = excluded.last_hit_at, hits = 0`),
		countPartition: db.prepare(`SELECT count(*) AS n FROM semantic_entry WHERE ${partitionWhere}`),
		partitionVectors: db.prepare(`SELECT id, embedding FROM semantic_entry WHERE ${partitionWhere}`),
		scan: db.prepare(`SELECT ${semanticCols} FROM semantic_entry WHERE ${partitionWhere} AND expires_at > @now
			ORDER BY vec_distance_cosine(embedding, @q) ASC, id DESC LIMIT 1`),
		// The unary `+` keeps the planner off the partition index: with it SQLite walked every row of
		// the partition (8 ms at 20k entries) instead of fetching the k candidates by rowid. The
		// predicates still filter every candidate, so isolation stays inside the query.
		rerank: db.prepare(`SELECT ${semanticCols} FROM semantic_entry
			WHERE id IN (SELECT value FROM json_each(@ids)) AND +tenant = @tenant AND +scope = @scope AND +embedder = @embedder AND +dims = @dims AND +expires_at > @now
			ORDER BY vec_distance_cosine(embedding, @q) ASC, id DESC LIMIT 1`),
		touchSemantic: db.prepare('UPDATE semantic_entry SET last_hit_at = @now, hits = hits + 1 WHERE id = @id'),
		deleteSemanticById: db.prepare('DELETE FROM semantic_entry WHERE id = @id RETURNING id, tenant, scope, embedder, dims'),
		deleteSemanticDuplicate: db.prepare(`DELETE FROM semantic_entry WHERE ${partitionWhere} AND cache_text = @cache_text RETURNING id, tenant, scope, embedder, dims`),
		putSemantic: db.prepare(`INSERT INTO semantic_entry (tenant, scope, embedder, dims, cache_text, embedding, answer_json, original_cost_usd, bytes, created_at, expires_at, last_hit_at, hits)
			VALUES (@tenant, @scope, @embedder, @dims, @cache_text, @embedding, @answer_json, @original_cost_usd, @bytes, @created_at, @expires_at, @now, 0)`),
		countExact: db.prepare('SELECT count(*) AS n FROM exact_cache'),
		countSemantic: db.prepare('SELECT count(*) AS n FROM semantic_entry'),
		countUsage: db.prepare('SELECT count(*) AS n FROM usage_log'),
		evictExactExpired: db.prepare('DELETE FROM exact_cache WHERE expires_at <= @now'),
		evictExactLru: db.prepare('DELETE FROM exact_cache WHERE rowid IN (SELECT rowid FROM exact_cache ORDER BY last_hit_at ASC, rowid ASC LIMIT @n)'),
		evictSemanticExpired: db.prepare('DELETE FROM semantic_entry WHERE expires_at <= @now RETURNING id, tenant, scope, embedder, dims'),
		evictSemanticLru: db.prepare(`DELETE FROM semantic_entry WHERE id IN (SELECT id FROM semantic_entry ORDER BY last_hit_at ASC, id ASC LIMIT @n)
			RETURNING id, tenant, scope, embedder, dims`),
		clearExactAll: db.prepare('DELETE FROM exact_cache'),
		clearExactTenant: db.prepare('DELETE FROM exact_cache WHERE tenant = @tenant'),
		clearSemanticAll: db.prepare('DELETE FROM semantic_entry'),
		clearSemanticTenant: db.prepare('DELETE FROM semantic_entry WHERE tenant = @tenant'),
		insertUsage: db.prepare(`INSERT INTO usage_log (request_id, attempt, ts, tenant, provider, model, stage, input_tokens, cached_input_tokens, cache_write_tokens,
				output_tokens, cost_usd, latency_ms, ttft_ms, cache_hit, escalated, gate_verdict, error, row_check)
			VALUES (@request_id, @attempt, @ts, @tenant, @provider, @model, @stage, @input_tokens, @cached_input_tokens, @cache_write_tokens,
				@output_tokens, @cost_usd, @latency_ms, @ttft_ms, @cache_hit, @escalated, @gate_verdict, @error, @row_check)`),
		allUsage: db.prepare('SELECT * FROM usage_log ORDER BY id'),
	};
}

/**
 * Opens the store (see `openDatabase` for locking, quarantine and migrations) and runs one eviction.
 * Throws `StoreUnavailableError` when the file cannot be used; the sidecar then runs without a cache.
 */
export function openStore(options: OpenStoreOptions): { store: SqliteStore; notices: string[] } {
	const opened = openDatabase({ file: options.file, log: options.log, now: options.now });
	let store: SqliteStore;
	try {
		store = new SqliteStore(opened.db, opened.file, opened.schemaVersion, opened.lock, options);
		store.evict((options.now ?? Date.now)());
	} catch (error) {
		opened.db.close();
		opened.lock?.release();
		throw error;
	}
	return { store, notices: opened.notices };
}
