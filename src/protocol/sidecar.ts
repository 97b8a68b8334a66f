/**
 * JSON-RPC 2.0 between a client (the extension, tests) and the sidecar (`dist/sidecar.js`) over
 * stdio, framed with `Content-Length` headers (vscode-jsonrpc). One typed method map; the sidecar
 * validates every `params` with the guards below before acting, and answers a bad one with
 * InvalidParams instead of crashing.
 *
 * TYPES ONLY plus small guards: no I/O, no imports with side effects, so the extension can use it
 * without pulling the pipeline into its bundle.
 */
import type { CascadeSpec, GateSpec, PipelineEvent, PipelineRequest, PipelineResult, ProviderId, UsageGroup, UsageRecord, WireFormat } from '../core/pipeline/types';

export type { UsageGroup };

/** Bumped on any incompatible change; `initialize` fails when client and sidecar disagree. */
export const SIDECAR_PROTOCOL_VERSION = 1;

export interface ProviderSettings {
	/** Overrides `ANTHROPIC_BASE_URL`. */
	readonly anthropicBaseURL?: string;
	/** Overrides `OPENAI_BASE_URL`. */
	readonly openaiBaseURL?: string;
	/** Base URL for provider `openai-compatible` (Ollama, vLLM, a gateway). */
	readonly compatibleBaseURL?: string;
	/** Per-attempt request timeout and stream inactivity timeout, ms. */
	readonly timeoutMs?: number;
	/** Upstream attempts per call, including the first (retries only on 408/409/429/5xx/529/connection). */
	readonly maxAttempts?: number;
}

export interface InitializeParams {
	readonly protocolVersion: number;
	readonly clientName: string;
	/** SQLite file; created if missing. */
	readonly dbFile: string;
	readonly providers?: ProviderSettings;
	/**
	 * Keys from the client's SecretStorage. Sent over stdio only (never argv or env, which other
	 * processes of the same user can read), kept in memory, never logged or stored.
	 */
	readonly secrets?: { readonly anthropicApiKey?: string; readonly openaiApiKey?: string; readonly compatibleApiKey?: string };
	/** `offline` (built-in, default) or an OpenAI-compatible embeddings model. */
	readonly embedder?: { readonly kind: 'offline' } | { readonly kind: 'openai'; readonly model?: string; readonly dimensions?: number; readonly baseURL?: string };
	/** Local spend guard (0 or absent = no limit). */
	readonly limits?: { readonly requestsPerMinute?: number; readonly dailyBudgetUsd?: number };
	/** Cache lifetimes, ms. */
	readonly ttl?: { readonly exactMs?: number; readonly semanticMs?: number };
	/** Size caps; the least recently hit entries are evicted first (defaults 100,000 and 50,000). */
	readonly cacheLimits?: { readonly maxExactEntries?: number; readonly maxSemanticEntries?: number };
}

export interface InitializeResult {
	readonly protocolVersion: number;
	readonly sidecarVersion: string;
	readonly dbFile: string;
	/** `ready`, or `unavailable` when the database could not be opened (requests then pass through uncached). */
	readonly cache: 'ready' | 'unavailable';
	/** Things the user should know (a damaged database moved aside, a cache that is unavailable and why). */
	readonly notices: readonly string[];
	readonly embedder: string;
	/** Providers with a key (or the demo provider, always). */
	readonly providers: readonly ProviderId[];
}

export interface RunParams {
	/** Chosen by the client; every `pipeline/event` notification of this run carries it. */
	readonly runId: string;
	readonly request: PipelineRequest;
}

export interface RunEventParams {
	readonly runId: string;
	readonly event: PipelineEvent;
}

export interface UsageQueryParams {
	readonly since?: number;
	readonly until?: number;
	readonly tenant?: string;
	readonly limit?: number;
	/**
	 * `false`: only the newest `limit` rows, read with the limit in SQL; the groups come back empty.
	 * For callers that refresh after every run (the Playground), so they do not read the whole log.
	 */
	readonly groups?: boolean;
}

export interface UsageQueryResult {
	readonly rows: readonly UsageRecord[];
	readonly byModel: readonly UsageGroup[];
	readonly byTenant: readonly UsageGroup[];
	readonly byOutcome: readonly UsageGroup[];
}

export interface CacheStats {
	readonly file: string;
	readonly exactEntries: number;
	readonly semanticEntries: number;
	readonly usageRows: number;
	readonly fileBytes: number;
	readonly walBytes: number;
	readonly schemaVersion: number;
}

export interface CacheClearParams {
	readonly layer: 'exact' | 'semantic' | 'all';
	readonly tenant?: string;
}

export interface CacheClearResult {
	readonly exact: number;
	readonly semantic: number;
}

/** The sidecar as the extension supervises it; shown in the playground and the status bar. */
export type SidecarState =
	/** Not started yet (it starts on first use). */
	| { readonly kind: 'idle' }
	| { readonly kind: 'starting' }
	| { readonly kind: 'ready'; readonly info: InitializeResult }
	/** Crashed; restarting after `delayMs`. */
	| { readonly kind: 'restarting'; readonly crashes: number; readonly delayMs: number; readonly reason: string }
	/** Gave up (5 crashes in 3 minutes, no Node found, untrusted workspace…); `reason` says why and what to do. */
	| { readonly kind: 'failed'; readonly reason: string }
	/** Workspace Trust: nothing that spends money runs in an untrusted workspace. */
	| { readonly kind: 'untrusted' };

/** Requests: method → params and result. */
export interface SidecarRequests {
	'initialize': { params: InitializeParams; result: InitializeResult };
	'pipeline/run': { params: RunParams; result: PipelineResult };
	'usage/query': { params: UsageQueryParams; result: UsageQueryResult };
	'cache/stats': { params: Record<string, never>; result: CacheStats };
	'cache/clear': { params: CacheClearParams; result: CacheClearResult };
	'shutdown': { params: Record<string, never>; result: null };
}

/** Notifications from the sidecar. */
export interface SidecarNotifications {
	'pipeline/event': RunEventParams;
	/** Something the user should see once (a database moved aside, a spend limit reached). */
	'sidecar/notice': { readonly message: string; readonly severity: 'info' | 'warning' | 'error' };
}

export type SidecarMethod = keyof SidecarRequests;

/** JSON-RPC error codes the sidecar uses beyond the standard ones. */
export const SidecarErrorCodes = {
	/** A request before `initialize`. */
	NotInitialized: -32002,
	/** The request was cancelled by the client. */
	RequestCancelled: -32800,
	/** The pipeline failed (provider error after retries, spend limit); `data` is a `PipelineErrorData`. */
	PipelineFailed: -32001,
} as const;

export interface PipelineErrorData {
	readonly code: 'invalid-request' | 'provider' | 'spend-limit' | 'cancelled' | 'unavailable';
	/** The usage rows written before the failure (failed attempts are logged too). */
	readonly rows: readonly UsageRecord[];
}

// ---- guards: what arrives over the wire is untrusted until checked ----

type Check = (value: unknown) => string | undefined;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optional = (check: Check): Check => (v) => (v === undefined ? undefined : check(v));
const string: Check = (v) => (typeof v === 'string' ? undefined : 'must be a string');
const nonEmptyString: Check = (v) => (typeof v === 'string' && v.length > 0 && v.length <= 1024 ? undefined : 'must be a non-empty string of at most 1024 characters');
const finiteNumber: Check = (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : 'must be a finite number');
const nonNegative: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? undefined : 'must be a number ≥ 0');
const positiveInteger: Check = (v) => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? undefined : 'must be a positive integer');
const boolean: Check = (v) => (typeof v === 'boolean' ? undefined : 'must be true or false');
const oneOf = (values: readonly string[]): Check => (v) => (typeof v === 'string' && values.includes(v) ? undefined : `must be one of ${values.join(', ')}`);
const record: Check = (v) => (isRecord(v) ? undefined : 'must be an object');

function shape(fields: Record<string, Check>): Check {
	return (v) => {
		if (!isRecord(v)) return 'must be an object';
		for (const [name, check] of Object.entries(fields)) {
			const problem = check(v[name]);
			if (problem) return `${name} ${problem}`;
		}
		return undefined;
	};
}

export const PROVIDERS: readonly ProviderId[] = ['anthropic', 'openai', 'openai-compatible', 'demo'];
const WIRES: readonly WireFormat[] = ['anthropic-messages', 'openai-chat'];

const gate: Check = (v) => {
	if (!isRecord(v)) return 'must be an object';
	switch (v.kind as GateSpec['kind']) {
		case 'confidence':
			return shape({ field: optional(string), min: finiteNumber })(v);
		case 'hedging':
			return v.phrases === undefined || (Array.isArray(v.phrases) && v.phrases.every((p) => typeof p === 'string')) ? undefined : 'phrases must be strings';
		case 'schema':
			return record(v.schema) ? 'schema must be an object' : undefined;
		case 'truncated':
			return undefined;
		default:
			return 'kind must be one of confidence, hedging, schema, truncated';
	}
};

const cascade: Check = (v) => {
	const problem = shape({ cheapModel: nonEmptyString, strongModel: nonEmptyString })(v);
	if (problem) return problem;
	const gates = (v as CascadeSpec).gates;
	if (!Array.isArray(gates) || gates.length === 0) return 'gates must be a non-empty array';
	for (const [i, g] of gates.entries()) {
		const p = gate(g);
		if (p) return `gates[${i}] ${p}`;
	}
	return undefined;
};

const pipelineRequest: Check = shape({
	tenant: nonEmptyString,
	provider: oneOf(PROVIDERS),
	wire: optional(oneOf(WIRES)),
	body: record,
	semantic: optional(shape({ threshold: optional((v) => (typeof v === 'number' && v > 0 && v <= 1 ? undefined : 'must be in (0, 1]')) })),
	personalized: optional(boolean),
	cascade: optional(cascade),
	noStore: optional(boolean),
	exactCache: optional(boolean),
});

const paramChecks: { readonly [M in SidecarMethod]: Check } = {
	'initialize': shape({
		protocolVersion: finiteNumber,
		clientName: string,
		dbFile: nonEmptyString,
		providers: optional(shape({ anthropicBaseURL: optional(string), openaiBaseURL: optional(string), compatibleBaseURL: optional(string), timeoutMs: optional(nonNegative), maxAttempts: optional(nonNegative) })),
		secrets: optional(shape({ anthropicApiKey: optional(string), openaiApiKey: optional(string), compatibleApiKey: optional(string) })),
		embedder: optional(shape({ kind: oneOf(['offline', 'openai']), model: optional(string), dimensions: optional(nonNegative), baseURL: optional(string) })),
		limits: optional(shape({ requestsPerMinute: optional(nonNegative), dailyBudgetUsd: optional(nonNegative) })),
		ttl: optional(shape({ exactMs: optional(nonNegative), semanticMs: optional(nonNegative) })),
		cacheLimits: optional(shape({ maxExactEntries: optional(positiveInteger), maxSemanticEntries: optional(positiveInteger) })),
	}),
	'pipeline/run': shape({ runId: nonEmptyString, request: pipelineRequest }),
	'usage/query': shape({ since: optional(finiteNumber), until: optional(finiteNumber), tenant: optional(string), limit: optional(nonNegative), groups: optional(boolean) }),
	'cache/stats': optional(record),
	'cache/clear': shape({ layer: oneOf(['exact', 'semantic', 'all']), tenant: optional(string) }),
	'shutdown': optional(record),
};

/** Undefined when `params` fit `method`; otherwise what is wrong, for an InvalidParams error. */
export function checkParams(method: SidecarMethod, params: unknown): string | undefined {
	return paramChecks[method](params);
}

/** Checks a `PipelineRequest` on its own (the CLI's replay reads them from JSONL). */
export function checkPipelineRequest(value: unknown): string | undefined {
	return pipelineRequest(value);
}
