/**
 * The request pipeline's vocabulary: exact cache → semantic cache → cascade → provider, with one
 * usage row per upstream attempt and per cache hit. Pure types; the sidecar and the CLI supply the
 * ports (store, providers, embedder, clock) that `runPipeline` drives.
 */

/** Who answers. `openai-compatible` is the OpenAI wire format at another base URL (Ollama, vLLM, a gateway). */
export type ProviderId = 'anthropic' | 'openai' | 'openai-compatible' | 'demo';

/** The wire format of a request body. The demo provider accepts either. */
export type WireFormat = 'anthropic-messages' | 'openai-chat';

/** Where a request was answered from. `prefix` = a provider call that read a provider-side prompt cache. */
export type CacheOutcome = 'exact' | 'semantic' | 'prefix' | 'miss';

/** Which step of the pipeline a usage row belongs to. */
export type Stage = 'exact-cache' | 'semantic-cache' | 'direct' | 'cheap' | 'strong';

/** Token counts in the seed article's convention: `inputTokens` is the WHOLE prompt, cached parts included. */
export interface NormalizedUsage {
	readonly inputTokens: number;
	/** Part of `inputTokens` read from a provider prompt cache (billed at the cached rate). */
	readonly cachedInputTokens: number;
	/** Part of `inputTokens` written to a provider prompt cache (Anthropic; billed at the write rate). */
	readonly cacheWriteTokens: number;
	readonly outputTokens: number;
}

/** Why generation stopped, mapped from `stop_reason` / `finish_reason`. Only `end` is cacheable. */
export type StopKind = 'end' | 'max_tokens' | 'refusal' | 'tool_use' | 'content_filter' | 'other';

/** One complete provider answer. `raw` is the provider's own final object (Message / ChatCompletion), replayed on a hit. */
export interface Completion {
	readonly provider: ProviderId;
	readonly wire: WireFormat;
	/** The model the provider says answered (may be a dated snapshot of the requested one). */
	readonly model: string;
	/** Concatenated text of the answer (tool calls excluded). */
	readonly text: string;
	readonly stop: StopKind;
	/** The provider's own stop/finish reason, for logs. */
	readonly rawStop: string | null;
	readonly usage: NormalizedUsage;
	readonly raw: unknown;
}

/** A cascade gate: a check on the cheap model's answer; failing any selected gate escalates. */
export type GateSpec =
	/** A number field in a JSON answer (default `confidence`) below `min` fails. A missing field fails. */
	| { readonly kind: 'confidence'; readonly field?: string; readonly min: number }
	/** Hedging or refusal phrases fail (built-in list, or the given phrases). */
	| { readonly kind: 'hedging'; readonly phrases?: readonly string[] }
	/** The answer must be JSON valid against this JSON Schema. */
	| { readonly kind: 'schema'; readonly schema: Readonly<Record<string, unknown>> }
	/** An empty answer, or one cut by `max_tokens`, fails. */
	| { readonly kind: 'truncated' };

export interface GateFailure {
	readonly kind: GateSpec['kind'];
	/** Human-readable: "confidence 0.42 < 0.7", "hedging: \"I'm not sure\"". */
	readonly reason: string;
}

export interface GateVerdict {
	readonly pass: boolean;
	readonly failures: readonly GateFailure[];
}

export interface CascadeSpec {
	readonly cheapModel: string;
	readonly strongModel: string;
	readonly gates: readonly GateSpec[];
}

export interface SemanticSpec {
	/** Cosine similarity needed for a hit (default 0.95). */
	readonly threshold?: number;
}

/** One request into the pipeline. */
export interface PipelineRequest {
	/** Tenant / project id. Never shared across tenants, in either cache. */
	readonly tenant: string;
	readonly provider: ProviderId;
	/** Wire format of `body` (defaults from the provider: anthropic → anthropic-messages, else openai-chat). */
	readonly wire?: WireFormat;
	/** The provider's own request body, as the SDK would send it (`model`, `messages`, `max_tokens`, `stream`, …). */
	readonly body: Readonly<Record<string, unknown>>;
	/** Opt-in semantic cache for this request (off when absent). */
	readonly semantic?: SemanticSpec;
	/** Answers tied to a user (balances, order status): never served from or stored in the semantic cache. */
	readonly personalized?: boolean;
	/** Cheap model first, strong model when a gate fails. `body.model` is ignored when set. */
	readonly cascade?: CascadeSpec;
	/** Do not store the answer (the caller's `no-store`). */
	readonly noStore?: boolean;
	/** `false` skips the exact cache entirely: no lookup and no store (the playground's toggle). Default on. */
	readonly exactCache?: boolean;
}

/** What happened to one request, end to end. */
export interface PipelineResult {
	readonly requestId: string;
	readonly outcome: CacheOutcome;
	readonly completion: Completion;
	/** Model whose answer was returned. */
	readonly model: string;
	readonly escalated: boolean;
	/** The cheap answer's gate verdict when a cascade ran. */
	readonly gateVerdict?: GateVerdict;
	/** Semantic lookup detail when it ran (hit or miss). */
	readonly semantic?: { readonly similarity: number | null; readonly threshold: number; readonly matchedQuery?: string; readonly rejectedBy?: string };
	/** Sum over every upstream attempt of this request; null when any attempt's model is unpriced. */
	readonly costUsd: number | null;
	/** Cache hits: what the served answer cost when it was produced (the saving); null if unpriced. */
	readonly originalCostUsd?: number | null;
	readonly usage: NormalizedUsage;
	readonly latencyMs: number;
	readonly ttftMs: number | null;
	/** The usage rows written for this request. */
	readonly rows: readonly UsageRecord[];
}

/** One row of the usage log: the seed article's `UsageLog` plus what a cache and a cascade need. */
export interface UsageRecord {
	/** Id of the pipeline run (shared by every attempt of one request). */
	readonly requestId: string;
	/** 1-based attempt number within the run (retries and escalations each add one). */
	readonly attempt: number;
	/** Milliseconds since the epoch when the attempt started. */
	readonly ts: number;
	readonly tenant: string;
	readonly provider: ProviderId;
	readonly model: string;
	readonly stage: Stage;
	readonly inputTokens: number;
	readonly cachedInputTokens: number;
	readonly cacheWriteTokens: number;
	readonly outputTokens: number;
	/** null = unpriced model (never $0). Cache hits cost 0. */
	readonly costUsd: number | null;
	readonly latencyMs: number;
	readonly ttftMs: number | null;
	readonly cacheHit: CacheOutcome;
	readonly escalated: boolean;
	/** `pass`, or the failed gates joined; null when no gate ran. */
	readonly gateVerdict: string | null;
	/** Error message of a failed attempt; null on success. */
	readonly error: string | null;
}

/** A stream event the pipeline reports while it works (progress notifications, CLI output). */
export type PipelineEvent =
	| { readonly type: 'stage'; readonly stage: Stage; readonly status: 'start' | 'hit' | 'miss' | 'done' | 'error' | 'skipped'; readonly detail?: string }
	| { readonly type: 'delta'; readonly stage: Stage; readonly text: string }
	| { readonly type: 'retry'; readonly stage: Stage; readonly attempt: number; readonly delayMs: number; readonly reason: string }
	| { readonly type: 'warning'; readonly message: string };

/** Usage rows summed under one key (a model, a tenant, a cache outcome). */
export interface UsageGroup {
	readonly key: string;
	readonly requests: number;
	readonly inputTokens: number;
	readonly cachedInputTokens: number;
	readonly outputTokens: number;
	/** Sum over priced rows; `unpricedRequests` counts the others (never added as $0). */
	readonly costUsd: number;
	readonly unpricedRequests: number;
	readonly p50LatencyMs: number | null;
	readonly p95LatencyMs: number | null;
}
