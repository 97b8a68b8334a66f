/**
 * What `runPipeline` needs from the outside world. The sidecar implements these with SQLite
 * (better-sqlite3 + sqlite-vec) and the real SDKs; tests can implement them with the same real
 * parts pointed at temp files and a loopback fake provider.
 */
import type { Completion, NormalizedUsage, PipelineEvent, ProviderId, UsageRecord, WireFormat } from './types';

/** A stored answer and what it cost when it was produced (so savings can be reported). */
export interface CachedAnswer {
	readonly completion: Completion;
	/** Cost of the upstream call(s) that produced it; null if unpriced. */
	readonly originalCostUsd: number | null;
	readonly createdAt: number;
}

export interface ExactPut {
	readonly key: string;
	readonly tenant: string;
	readonly answer: CachedAnswer;
	/** Entry lifetime; the store evicts after `createdAt + ttlMs`. */
	readonly ttlMs: number;
}

export interface SemanticQuery {
	readonly tenant: string;
	/** Hash of everything but the last user message (model, system, earlier turns, params). */
	readonly scope: string;
	/** Embedder id incl. dimensions (`openai:text-embedding-3-small@1536`); vectors of different embedders never compare. */
	readonly embedder: string;
	readonly vector: Float32Array;
}

export interface SemanticMatch {
	readonly entryId: number;
	/** Cosine similarity in [-1, 1]. */
	readonly similarity: number;
	/** The cache text (last user message) of the stored entry, for the guard and the UI. */
	readonly cacheText: string;
	readonly answer: CachedAnswer;
}

export interface SemanticPut extends SemanticQuery {
	readonly cacheText: string;
	readonly answer: CachedAnswer;
	readonly ttlMs: number;
}

/** The pipeline's storage. Every method may throw; the pipeline treats a throwing cache as a miss (pass-through). */
export interface PipelineStore {
	getExact(key: string, tenant: string, now: number): CachedAnswer | undefined;
	putExact(entry: ExactPut, now: number): void;
	/** Nearest stored entry of this tenant+scope+embedder, or undefined when there is none. */
	nearestSemantic(query: SemanticQuery, now: number): SemanticMatch | undefined;
	putSemantic(entry: SemanticPut, now: number): void;
	/** Append-only; rows are committed before this returns. */
	appendUsage(rows: readonly UsageRecord[]): void;
}

export interface Embedder {
	/** Stable id including model and dimensions; part of every semantic key. */
	readonly id: string;
	embed(text: string, signal?: AbortSignal): Promise<Embedding>;
}

export interface Embedding {
	readonly vector: Float32Array;
	/** Set when the embedding was an upstream call (logged and costed like any other attempt). */
	readonly upstream?: { readonly provider: ProviderId; readonly model: string; readonly inputTokens: number; readonly latencyMs: number };
}

/** One upstream call as the pipeline asks for it. */
export interface ProviderCall {
	readonly provider: ProviderId;
	readonly wire: WireFormat;
	/** The request body with the model to use already set; `stream` says whether to stream. */
	readonly body: Readonly<Record<string, unknown>>;
	readonly signal: AbortSignal;
	/** Called with each text delta while streaming (also called once with the whole text when not streaming). */
	readonly onDelta: (text: string) => void;
}

/** What one upstream attempt produced. A failed attempt throws a `ProviderError`. */
export interface ProviderReply {
	readonly completion: Completion;
	/** Milliseconds from the start of the attempt to the first text delta; null when nothing was streamed. */
	readonly ttftMs: number | null;
	/** True only when the terminal event was seen, the stop reason is normal and usage was present. */
	readonly complete: boolean;
}

export interface ProviderClient {
	call(call: ProviderCall): Promise<ProviderReply>;
}

/** A failed upstream attempt, classified for the retry policy. */
export class ProviderError extends Error {
	constructor(
		message: string,
		readonly kind: 'rate-limit' | 'quota' | 'overloaded' | 'server' | 'timeout' | 'connection' | 'stream-cut' | 'stream-error' | 'client' | 'auth' | 'aborted',
		readonly options: {
			readonly status?: number;
			/** Server-requested wait (from `retry-after` / `retry-after-ms`). */
			readonly retryAfterMs?: number;
			/** Bytes of the answer already reached the caller: never retry. */
			readonly streamed?: boolean;
			/** Usage the provider reported before failing (billed even though the answer is unusable). */
			readonly usage?: NormalizedUsage;
			readonly model?: string;
		} = {},
	) {
		super(message);
		this.name = 'ProviderError';
	}
}

/** Progress sink for one run. */
export type PipelineListener = (event: PipelineEvent) => void;
