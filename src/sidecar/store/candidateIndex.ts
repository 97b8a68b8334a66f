/**
 * An approximate pre-filter for one semantic-cache partition (tenant + scope + embedder). It only
 * proposes row ids; the store re-ranks them with exact cosine similarity in SQL, where the tenant,
 * scope and embedder predicates are applied again, so an index bug can cost a hit but never leak
 * an entry across partitions. `src/sidecar/semantic/bitIndex.ts` implements this shape.
 */
export interface CandidateIndex {
	add(id: number, vector: Float32Array): void;
	remove(id: number): void;
	/** Up to `k` ids most likely to be nearest to `query`, best first. */
	candidates(query: Float32Array, k: number): number[];
	readonly size: number;
}

/** The partition an index is created for. */
export interface CandidatePartition {
	readonly tenant: string;
	readonly scope: string;
	readonly embedder: string;
	readonly dims: number;
}

/** Creates an empty index for one partition; the store fills it lazily from the table on first lookup. */
export type CandidateIndexFactory = (partition: CandidatePartition) => CandidateIndex;
