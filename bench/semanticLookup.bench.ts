// Semantic-cache lookup at 100k entries × 1536 dims: our sign-bit index (wasm Hamming scan →
// top-K candidates → exact cosine re-rank) against sqlite-vec brute force, pgvector HNSW in PGlite
// and hnswlib-node, on the same vectors in one run.
// `npm run build && npm run compile-tests && node --expose-gc out/bench/semanticLookup.bench.js`
//
// - Data (seeded): 1,000 cluster centres; entry i = normalize(centre[i % 1000] + s·noise), s per
//   cluster in [0.4, 1.0], so in-cluster neighbours sit at cosine ≈ 0.5–0.86, like related texts.
// - Queries: 500 near-duplicates of stored entries (cosine 0.96–0.99 to their source), 200
//   borderline (0.93–0.97, straddling the 0.95 threshold), 250 new members of a cluster (related but
//   no duplicate) and 250 random vectors. Near-duplicate sources are drawn from the first
//   `PGVECTOR_N` entries so the same queries serve the smaller pgvector run.
// - Truth: exact cosine over every entry (pruned with a Cauchy–Schwarz bound, so still exact for
//   the decision). A hit is best similarity ≥ 0.95; "agreement" = share of queries whose hit/miss
//   decision (and, for hits, the entry) matches exact search.
// - Latency: per query, wall time of the whole lookup (code + scan + re-rank, or the engine's
//   query call), after warm-up; engines run one after another, not interleaved.
// Env: COSTLENS_BENCH_SEMANTIC_N (default 100000), COSTLENS_BENCH_PGVECTOR_N (default 25000, see
// below), COSTLENS_BENCH_SEMANTIC_SKIP (comma list of: sqlite, hnswlib, pgvector),
// COSTLENS_BENCH_SEMANTIC_PARAPHRASES (share of entries made near-copies of the previous entry).
import Database from 'better-sqlite3';
import { HierarchicalNSW } from 'hnswlib-node';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as sqliteVec from 'sqlite-vec';
import { BitIndex, jsHammingKernel, loadHammingKernel } from '../src/sidecar/semantic/bitIndex';
import { printFigures, printTable, quantile, round, seededRandom, type Figure } from './benchUtil';

const N = Number(process.env.COSTLENS_BENCH_SEMANTIC_N ?? 100_000);
// PGlite's HNSW build measured 53 s for 10k × 1536 here (m=16, ef_construction=64), so 100k would
// take well over 5 minutes (the build is super-linear); 25k builds in about 2–3 minutes.
const PGVECTOR_N = Math.min(N, Number(process.env.COSTLENS_BENCH_PGVECTOR_N ?? 25_000));
/** Share of entries that paraphrase the previous one (cosine 0.90–0.97); 0 by default. */
const PARAPHRASES = Number(process.env.COSTLENS_BENCH_SEMANTIC_PARAPHRASES ?? 0);
const SKIP = new Set((process.env.COSTLENS_BENCH_SEMANTIC_SKIP ?? '').split(',').filter(Boolean));
const D = 1536;
const CLUSTERS = 1000;
const THRESHOLD = 0.95;
const SQLITE_BRUTE_QUERIES = 30;
const HNSW_M = 16;
const HNSW_EF_CONSTRUCTION = 64;
const HNSW_EF_SEARCH = 40;

const random = seededRandom(20240611);
function gaussian(): number {
	// Box–Muller; the second value is dropped for simplicity.
	const u = random() || 1e-12;
	return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function normalizeInto(target: Float32Array, source: Float64Array): void {
	let norm = 0;
	for (let i = 0; i < source.length; i++) norm += (source[i] as number) ** 2;
	norm = Math.sqrt(norm);
	for (let i = 0; i < source.length; i++) target[i] = (source[i] as number) / norm;
}

/** normalize(v + sigma·g) with g a unit random direction: cosine to v ≈ 1/sqrt(1 + sigma²). */
function perturb(v: Float32Array, sigma: number): Float32Array {
	const g = new Float64Array(D);
	let gn = 0;
	for (let i = 0; i < D; i++) {
		g[i] = gaussian();
		gn += (g[i] as number) ** 2;
	}
	gn = Math.sqrt(gn);
	for (let i = 0; i < D; i++) g[i] = (v[i] as number) + (sigma * (g[i] as number)) / gn;
	const out = new Float32Array(D);
	normalizeInto(out, g);
	return out;
}

const sigmaFor = (cosine: number) => Math.sqrt(1 / (cosine * cosine) - 1);

// ── data ─────────────────────────────────────────────────────────────────────
const t0 = performance.now();
const centres: Float32Array[] = [];
const spread: number[] = [];
for (let c = 0; c < CLUSTERS; c++) {
	const g = new Float64Array(D);
	for (let i = 0; i < D; i++) g[i] = gaussian();
	const centre = new Float32Array(D);
	normalizeInto(centre, g);
	centres.push(centre);
	spread.push(0.4 + 0.6 * random());
}
const data = new Float32Array(N * D);
const vectorAt = (i: number) => data.subarray(i * D, (i + 1) * D);
for (let i = 0; i < N; i++) {
	// Optional paraphrase chains: an entry close to the previous one, so near-duplicate queries have
	// near-identical rivals and the candidate list must rank them right (a harder sweep).
	if (PARAPHRASES > 0 && i > 0 && random() < PARAPHRASES) vectorAt(i).set(perturb(vectorAt(i - 1), sigmaFor(0.9 + 0.07 * random())));
	else vectorAt(i).set(perturb(centres[i % CLUSTERS] as Float32Array, spread[i % CLUSTERS] as number));
}

interface Query {
	readonly kind: 'near-duplicate' | 'borderline' | 'related' | 'random';
	readonly vector: Float32Array;
}
const queries: Query[] = [];
const pick = () => Math.floor(random() * PGVECTOR_N);
for (let q = 0; q < 500; q++) queries.push({ kind: 'near-duplicate', vector: perturb(vectorAt(pick()), sigmaFor(0.96 + 0.03 * random())) });
for (let q = 0; q < 200; q++) queries.push({ kind: 'borderline', vector: perturb(vectorAt(pick()), sigmaFor(0.93 + 0.04 * random())) });
for (let q = 0; q < 250; q++) {
	const c = Math.floor(random() * CLUSTERS);
	queries.push({ kind: 'related', vector: perturb(centres[c] as Float32Array, spread[c] as number) });
}
for (let q = 0; q < 250; q++) {
	const g = new Float64Array(D);
	for (let i = 0; i < D; i++) g[i] = gaussian();
	const v = new Float32Array(D);
	normalizeInto(v, g);
	queries.push({ kind: 'random', vector: v });
}
console.log(`data: ${N} × ${D} entries (${PARAPHRASES} paraphrase share), ${queries.length} queries, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

// ── exact truth ──────────────────────────────────────────────────────────────
const norms = new Float64Array(N);
const PRUNE = 128;
const restNorms = new Float64Array(N);
for (let i = 0; i < N; i++) {
	const v = vectorAt(i);
	let head = 0;
	let rest = 0;
	for (let d = 0; d < D; d++) (d < PRUNE ? (head += (v[d] as number) ** 2) : (rest += (v[d] as number) ** 2));
	norms[i] = Math.sqrt(head + rest);
	restNorms[i] = Math.sqrt(rest);
}

function cosine(q: Float32Array, qNorm: number, i: number): number {
	const base = i * D;
	let s0 = 0;
	let s1 = 0;
	let s2 = 0;
	let s3 = 0;
	for (let d = 0; d < D; d += 4) {
		s0 += (q[d] as number) * (data[base + d] as number);
		s1 += (q[d + 1] as number) * (data[base + d + 1] as number);
		s2 += (q[d + 2] as number) * (data[base + d + 2] as number);
		s3 += (q[d + 3] as number) * (data[base + d + 3] as number);
	}
	return (s0 + s1 + s2 + s3) / (qNorm * (norms[i] as number));
}

const norm = (v: Float32Array) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

interface Truth {
	readonly hit: boolean;
	/** The best entry when it is a hit, else -1. */
	readonly best: number;
}

/** Exact hit decision over the first n entries: full cosine only where the bound can reach the threshold. */
function exactTruth(q: Float32Array, n: number): Truth {
	const qNorm = norm(q);
	let qRest = 0;
	for (let d = PRUNE; d < D; d++) qRest += (q[d] as number) ** 2;
	qRest = Math.sqrt(qRest);
	let best = -1;
	let bestSim = THRESHOLD;
	for (let i = 0; i < n; i++) {
		const base = i * D;
		let head = 0;
		for (let d = 0; d < PRUNE; d++) head += (q[d] as number) * (data[base + d] as number);
		const bound = (head + qRest * (restNorms[i] as number)) / (qNorm * (norms[i] as number));
		if (bound + 1e-9 < bestSim) continue;
		const sim = cosine(q, qNorm, i);
		if (sim >= bestSim) {
			bestSim = sim;
			best = i;
		}
	}
	return { hit: best >= 0, best };
}

const t1 = performance.now();
const truthN = queries.map((q) => exactTruth(q.vector, N));
const truthPg = PGVECTOR_N === N ? truthN : queries.map((q) => exactTruth(q.vector, PGVECTOR_N));
console.log(`exact truth in ${((performance.now() - t1) / 1000).toFixed(1)} s: ${truthN.filter((t) => t.hit).length} hits of ${queries.length} at ${N}` + (PGVECTOR_N === N ? '' : `, ${truthPg.filter((t) => t.hit).length} at ${PGVECTOR_N}`));

/** Agreement of (hit, entry) decisions with the truth. */
function agreement(decisions: readonly { hit: boolean; best: number }[], truth: readonly Truth[], indices?: readonly number[]): { rate: number; wrong: number; missedHits: number } {
	const at = indices ?? truth.map((_, i) => i);
	let wrong = 0;
	let missedHits = 0;
	for (const i of at) {
		const d = decisions[i] as { hit: boolean; best: number };
		const t = truth[i] as Truth;
		if (d.hit !== t.hit || (t.hit && d.best !== t.best)) wrong++;
		if (t.hit && !d.hit) missedHits++;
	}
	return { rate: 1 - wrong / at.length, wrong, missedHits };
}

function gc(): void {
	(globalThis as { gc?: () => void }).gc?.();
}

interface Timed {
	readonly p50: number;
	readonly p95: number;
	readonly decisions: { hit: boolean; best: number }[];
}

/** Runs `lookup` over the queries (after `warmup` untimed calls) and returns latency and decisions. */
async function timeLookups(lookup: (q: Float32Array) => { hit: boolean; best: number } | Promise<{ hit: boolean; best: number }>, subset: readonly number[], warmup = 50): Promise<Timed> {
	for (let w = 0; w < warmup; w++) await lookup((queries[subset[w % subset.length] as number] as Query).vector);
	const times: number[] = [];
	const decisions: { hit: boolean; best: number }[] = [];
	for (const i of subset) {
		const q = (queries[i] as Query).vector;
		const start = process.hrtime.bigint();
		const d = await lookup(q);
		times.push(Number(process.hrtime.bigint() - start) / 1e6);
		decisions[i] = d;
	}
	return { p50: quantile(times, 0.5), p95: quantile(times, 0.95), decisions };
}

const all = queries.map((_, i) => i);

/** Ours with the re-rank on the in-memory floats. */
function oursLookup(index: BitIndex, k: number) {
	return (q: Float32Array) => {
		const qNorm = norm(q);
		let best = -1;
		let bestSim = -Infinity;
		for (const id of index.candidates(q, k)) {
			const sim = cosine(q, qNorm, id);
			if (sim > bestSim) {
				bestSim = sim;
				best = id;
			}
		}
		return bestSim >= THRESHOLD ? { hit: true, best } : { hit: false, best: -1 };
	};
}

function buildIndex(bits: number, n: number, kernel = loadHammingKernel()): { index: BitIndex; ms: number } {
	const start = performance.now();
	const index = new BitIndex({ bits, kernel, wasmFromEntries: 0 });
	for (let i = 0; i < n; i++) index.add(i, vectorAt(i));
	return { index, ms: performance.now() - start };
}

const rows: string[][] = [];
const figures: Figure[] = [];
const fmt = (x: number) => (x < 1 ? x.toFixed(3) : x < 10 ? x.toFixed(2) : x.toFixed(1));
function report(engine: string, n: number, timed: Timed, truth: readonly Truth[], subset: readonly number[], note = ''): void {
	const a = agreement(timed.decisions, truth, subset);
	rows.push([engine, String(n), String(subset.length), fmt(timed.p50), fmt(timed.p95), a.rate.toFixed(4), String(a.missedHits), note]);
	const tag = `${engine} @${n}`;
	figures.push({ bench: 'semanticLookup', metric: `${tag} p50`, value: round(timed.p50), unit: 'ms' });
	figures.push({ bench: 'semanticLookup', metric: `${tag} p95`, value: round(timed.p95), unit: 'ms' });
	figures.push({ bench: 'semanticLookup', metric: `${tag} hit agreement`, value: round(a.rate, 4), unit: 'ratio' });
}

async function main(): Promise<void> {
	const kernel = loadHammingKernel();
	console.log(`kernel: ${kernel.kind} (${kernel.source})`);

	// ── width × K sweep (ours, in-memory re-rank) ──────────────────────────────
	const sweep: string[][] = [];
	const KS = [4, 8, 16, 32, 64];
	for (const bits of [256, 384, 512]) {
		const { index } = buildIndex(bits, N, kernel);
		const cands = queries.map((q) => index.candidates(q.vector, 64));
		const agreeByK = KS.map((k) => {
			const decisions = queries.map((q, i) => {
				const qNorm = norm(q.vector);
				let best = -1;
				let bestSim = -Infinity;
				for (const id of (cands[i] as number[]).slice(0, k)) {
					const sim = cosine(q.vector, qNorm, id);
					if (sim > bestSim) {
						bestSim = sim;
						best = id;
					}
				}
				return bestSim >= THRESHOLD ? { hit: true, best } : { hit: false, best: -1 };
			});
			return agreement(decisions, truthN);
		});
		const t16 = await timeLookups(oursLookup(index, 16), all);
		const t32 = await timeLookups(oursLookup(index, 32), all);
		sweep.push([String(bits), ...agreeByK.map((a) => `${a.rate.toFixed(4)} (${a.wrong})`), `${fmt(t16.p50)} / ${fmt(t16.p95)}`, `${fmt(t32.p50)} / ${fmt(t32.p95)}`]);
	}
	console.log(`\nwidth × K at ${N} (hit-decision agreement, (wrong decisions); latency p50 / p95 ms incl. re-rank):`);
	printTable(['bits', ...KS.map((k) => `K=${k}`), 'ms K=16', 'ms K=32'], sweep);

	// ── ours at the chosen width ───────────────────────────────────────────────
	const BITS = 256;
	const K = 16;
	gc();
	const before = process.memoryUsage();
	const built = buildIndex(BITS, N, kernel);
	gc();
	const after = process.memoryUsage();
	// The id map is on the JS heap; codes and ids are in buffers whose size the index reports exactly
	// (external memory is not used: freed wasm memories of the sweep's indexes would skew it).
	const heapDelta = after.heapUsed - before.heapUsed + built.index.memoryBytes;
	const index = built.index;
	console.log(`\nours: ${BITS} bits, K=${K}, ${index.scanKind} scan; build ${fmt(built.ms)} ms for ${N}; codes+ids ${(index.memoryBytes / N).toFixed(1)} B/entry (incl. capacity slack); with the id map (heap delta) ≈ ${(heapDelta / N).toFixed(1)} B/entry`);
	figures.push({ bench: 'semanticLookup', metric: 'ours bytes/entry (codes+ids)', value: round(index.memoryBytes / N), unit: 'B' });
	figures.push({ bench: 'semanticLookup', metric: 'ours bytes/entry (codes+ids+id map)', value: round(heapDelta / N), unit: 'B' });
	const ours = await timeLookups(oursLookup(index, K), all);
	report(`ours ${kernel.kind} ${BITS}b K=${K} (RAM re-rank)`, N, ours, truthN, all);
	const scanOnly = await timeLookups((q) => ({ hit: index.candidates(q, K).length > 0, best: -1 }), all);
	rows.push([`  of which candidates() only`, String(N), String(all.length), fmt(scanOnly.p50), fmt(scanOnly.p95), '', '', '']);
	const jsBuilt = buildIndex(BITS, N, jsHammingKernel);
	report(`ours JS fallback ${BITS}b K=${K}`, N, await timeLookups(oursLookup(jsBuilt.index, K), all), truthN, all);

	// ── SQLite: production re-rank, and sqlite-vec brute force ─────────────────
	if (!SKIP.has('sqlite')) {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-semantic-'));
		const db = new Database(path.join(dir, 'bench.db'));
		try {
			sqliteVec.load(db);
			db.pragma('journal_mode = OFF');
			db.pragma('synchronous = OFF');
			db.exec(`CREATE TABLE entries (id INTEGER PRIMARY KEY, tenant TEXT NOT NULL, scope TEXT NOT NULL, embedding BLOB NOT NULL);
				CREATE VIRTUAL TABLE vec_items USING vec0(embedding float[${D}] distance_metric=cosine);`);
			const loadStart = performance.now();
			const insert = db.prepare('INSERT INTO entries (id, tenant, scope, embedding) VALUES (?, ?, ?, ?)');
			const insertVec = db.prepare('INSERT INTO vec_items (rowid, embedding) VALUES (?, ?)');
			db.transaction(() => {
				for (let i = 0; i < N; i++) {
					const blob = Buffer.from(vectorAt(i).slice().buffer);
					insert.run(BigInt(i), 't', 's', blob);
					insertVec.run(BigInt(i), blob);
				}
			})();
			console.log(`sqlite: loaded ${N} rows into both tables in ${((performance.now() - loadStart) / 1000).toFixed(1)} s`);
			const placeholders = Array.from({ length: K }, () => '?').join(',');
			const rerank = db.prepare(`SELECT id, vec_distance_cosine(embedding, ?) AS distance FROM entries WHERE id IN (${placeholders}) AND tenant = ? AND scope = ? ORDER BY distance LIMIT 1`);
			const production = await timeLookups((q) => {
				const ids = index.candidates(q, K).map((id) => BigInt(id));
				const row = rerank.get(Buffer.from(q.buffer, q.byteOffset, q.byteLength), ...ids, 't', 's') as { id: number | bigint; distance: number } | undefined;
				return row && 1 - row.distance >= THRESHOLD ? { hit: true, best: Number(row.id) } : { hit: false, best: -1 };
			}, all);
			report(`ours ${BITS}b K=${K} + SQLite re-rank`, N, production, truthN, all, 'vec_distance_cosine, WHERE id IN (…) AND tenant AND scope');
			const brute = db.prepare('SELECT rowid, distance FROM vec_items WHERE embedding MATCH ? AND k = 1');
			const subset = Array.from({ length: SQLITE_BRUTE_QUERIES }, (_, j) => Math.floor((j * queries.length) / SQLITE_BRUTE_QUERIES));
			const bruteTimed = await timeLookups((q) => {
				const row = brute.get(Buffer.from(q.buffer, q.byteOffset, q.byteLength)) as { rowid: number | bigint; distance: number } | undefined;
				return row && 1 - row.distance >= THRESHOLD ? { hit: true, best: Number(row.rowid) } : { hit: false, best: -1 };
			}, subset, 3);
			report('sqlite-vec vec0 brute force k=1', N, bruteTimed, truthN, subset, `${SQLITE_BRUTE_QUERIES} queries only (brute force is slow)`);
		} finally {
			db.close();
			fs.rmSync(dir, { recursive: true, force: true });
		}
	}

	// ── hnswlib-node ───────────────────────────────────────────────────────────
	if (!SKIP.has('hnswlib')) {
		const hnsw = new HierarchicalNSW('cosine', D);
		hnsw.initIndex(N, HNSW_M, HNSW_EF_CONSTRUCTION, 100);
		const buildStart = performance.now();
		for (let i = 0; i < N; i++) hnsw.addPoint(Array.from(vectorAt(i)), i);
		const buildS = (performance.now() - buildStart) / 1000;
		hnsw.setEf(HNSW_EF_SEARCH);
		const timed = await timeLookups((q) => {
			const result = hnsw.searchKnn(Array.from(q), 1);
			const id = result.neighbors[0];
			const distance = result.distances[0];
			return id !== undefined && distance !== undefined && 1 - distance >= THRESHOLD ? { hit: true, best: id } : { hit: false, best: -1 };
		}, all);
		report(`hnswlib-node (m=${HNSW_M}, efC=${HNSW_EF_CONSTRUCTION}, ef=${HNSW_EF_SEARCH})`, N, timed, truthN, all, `build ${buildS.toFixed(0)} s; time incl. Array.from(query)`);
		figures.push({ bench: 'semanticLookup', metric: `hnswlib-node build @${N}`, value: round(buildS), unit: 's' });
	}

	// ── pgvector HNSW in PGlite ────────────────────────────────────────────────
	if (!SKIP.has('pgvector')) {
		if (PGVECTOR_N < N) {
			const small = buildIndex(BITS, PGVECTOR_N, kernel).index;
			report(`ours ${kernel.kind} ${BITS}b K=${K} (RAM re-rank)`, PGVECTOR_N, await timeLookups(oursLookup(small, K), all), truthPg, all, 'same size as pgvector');
		}
		const { PGlite } = await import('@electric-sql/pglite');
		const { vector } = await import('@electric-sql/pglite-pgvector');
		const pg = await PGlite.create({ extensions: { vector } });
		try {
			await pg.exec(`CREATE EXTENSION vector; CREATE TABLE items (id int PRIMARY KEY, embedding vector(${D}));`);
			const literal = (v: Float32Array) => `[${Array.prototype.join.call(v, ',')}]`;
			const loadStart = performance.now();
			for (let i = 0; i < PGVECTOR_N; i += 100) {
				const values: string[] = [];
				for (let j = i; j < Math.min(PGVECTOR_N, i + 100); j++) values.push(`(${j},'${literal(vectorAt(j))}')`);
				await pg.exec(`INSERT INTO items VALUES ${values.join(',')}`);
			}
			const loadS = (performance.now() - loadStart) / 1000;
			await pg.exec(`SET maintenance_work_mem = '1GB'`);
			const buildStart = performance.now();
			await pg.exec(`CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops) WITH (m = ${HNSW_M}, ef_construction = ${HNSW_EF_CONSTRUCTION})`);
			const buildS = (performance.now() - buildStart) / 1000;
			await pg.exec(`SET hnsw.ef_search = ${HNSW_EF_SEARCH}`);
			console.log(`pgvector: inserted ${PGVECTOR_N} rows in ${loadS.toFixed(0)} s, HNSW build ${buildS.toFixed(0)} s`);
			figures.push({ bench: 'semanticLookup', metric: `pgvector (PGlite) HNSW build @${PGVECTOR_N}`, value: round(buildS), unit: 's' });
			const literals = new Map(queries.map((q) => [q.vector, literal(q.vector)]));
			const timed = await timeLookups(async (q) => {
				const result = await pg.query<{ id: number; distance: number }>('SELECT id, embedding <=> $1 AS distance FROM items ORDER BY embedding <=> $1 LIMIT 1', [literals.get(q)]);
				const row = result.rows[0];
				return row && 1 - row.distance >= THRESHOLD ? { hit: true, best: row.id } : { hit: false, best: -1 };
			}, all);
			report(`pgvector HNSW in PGlite (m=${HNSW_M}, efC=${HNSW_EF_CONSTRUCTION}, ef=${HNSW_EF_SEARCH})`, PGVECTOR_N, timed, truthPg, all, `build ${buildS.toFixed(0)} s; query text pre-built`);
		} finally {
			await pg.close();
		}
	}

	console.log('');
	printTable(['engine', 'entries', 'queries', 'p50 ms', 'p95 ms', 'agreement', 'missed hits', 'note'], rows);
	printFigures(figures);
}

main().catch((error: unknown) => {
	console.error(error);
	process.exit(1);
});
