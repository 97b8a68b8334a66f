/**
 * One request through the seed article's pipeline: exact cache → semantic cache → (cascade) →
 * provider, storing only verified-complete answers and logging one usage row per upstream attempt
 * and per cache hit. Pure orchestration: storage, providers, embedder and time come in as ports.
 */
import type { PriceTable } from '../pricing/types';
import { evaluateGates, formatVerdict } from './gates';
import { ProviderError, type CachedAnswer, type Embedder, type PipelineListener, type PipelineStore, type ProviderClient } from './ports';
import { exactKey, semanticParts } from './requestKey';
import { DEFAULT_RETRY_POLICY, retryDelay, type RetryPolicy } from './retry';
import { guardAgrees } from './semanticGuard';
import type { SpendGuard } from './spendGuard';
import type { CacheOutcome, Completion, GateVerdict, NormalizedUsage, PipelineRequest, PipelineResult, ProviderId, Stage, UsageRecord, WireFormat } from './types';
import { usageCostUsd } from './usage';

export const DEFAULT_SEMANTIC_THRESHOLD = 0.95;
export const DEFAULT_EXACT_TTL_MS = 7 * 86_400_000;
export const DEFAULT_SEMANTIC_TTL_MS = 86_400_000;

export interface PipelineDeps {
	/** Absent when the database is unavailable: every request then passes through uncached. */
	readonly store?: PipelineStore;
	readonly provider: (id: ProviderId) => ProviderClient;
	readonly embedder?: Embedder;
	readonly prices: PriceTable;
	/** Wall clock, ms since the epoch (row timestamps, TTLs). */
	readonly now: () => number;
	/** Monotonic clock, ms (latencies). */
	readonly clock: () => number;
	readonly newId: () => string;
	readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
	readonly retry?: RetryPolicy;
	readonly spendGuard?: SpendGuard;
	readonly ttl?: { readonly exactMs?: number; readonly semanticMs?: number };
}

export interface RunOptions {
	readonly signal?: AbortSignal;
	readonly listener?: PipelineListener;
}

/** A request that could not be answered. `rows` are the usage rows written before it failed. */
export class PipelineError extends Error {
	constructor(
		message: string,
		readonly code: 'invalid-request' | 'provider' | 'spend-limit' | 'cancelled',
		readonly rows: readonly UsageRecord[] = [],
		cause?: unknown,
	) {
		super(message, cause === undefined ? undefined : { cause });
		this.name = 'PipelineError';
	}
}

const ZERO_USAGE: NormalizedUsage = { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 };
/**
 * Characters per replayed delta when a cached answer is streamed back: a real stream's shape
 * (several deltas) without one notification per few words, which measurably slowed hits.
 */
const REPLAY_CHUNK = 256;

export function wireOf(request: PipelineRequest): WireFormat {
	return request.wire ?? (request.provider === 'anthropic' ? 'anthropic-messages' : 'openai-chat');
}

/** Why a request cannot enter the pipeline, or undefined. Checked before any cache or provider work. */
export function requestProblem(request: PipelineRequest): string | undefined {
	const body = request.body;
	if (!request.cascade && (typeof body.model !== 'string' || body.model.length === 0)) return 'the request body needs a "model" (or a cascade)';
	if (!Array.isArray(body.messages) || body.messages.length === 0) return 'the request body needs a non-empty "messages" array';
	if (wireOf(request) === 'anthropic-messages' && typeof body.max_tokens !== 'number') return 'Anthropic requests need "max_tokens"';
	return undefined;
}

export async function runPipeline(request: PipelineRequest, deps: PipelineDeps, options: RunOptions = {}): Promise<PipelineResult> {
	return new Run(request, deps, options).execute();
}

class Run {
	private readonly requestId: string;
	private readonly wire: WireFormat;
	private readonly rows: UsageRecord[] = [];
	private readonly emit: PipelineListener;
	private readonly signal: AbortSignal;
	private readonly started: number;
	private attempt = 0;
	private firstTokenAt: number | null = null;

	constructor(
		private readonly request: PipelineRequest,
		private readonly deps: PipelineDeps,
		options: RunOptions,
	) {
		this.requestId = deps.newId();
		this.wire = wireOf(request);
		this.emit = options.listener ?? (() => undefined);
		this.signal = options.signal ?? new AbortController().signal;
		this.started = deps.clock();
	}

	async execute(): Promise<PipelineResult> {
		const problem = requestProblem(this.request);
		if (problem) throw new PipelineError(`Invalid request: ${problem}.`, 'invalid-request');
		const streaming = this.request.body.stream === true;
		const key = exactKey({ tenant: this.request.tenant, provider: this.request.provider, wire: this.wire, body: this.keyedBody() });

		// 1. Exact cache.
		const exactOn = this.request.exactCache !== false;
		const exact = exactOn ? this.cacheRead('exact-cache', () => this.deps.store?.getExact(key, this.request.tenant, this.deps.now())) : this.skipStage('exact-cache', 'exact cache off');
		if (exact) return this.serveHit('exact', 'exact-cache', exact, streaming);

		// 2. Semantic cache (opt-in, never for personalized requests).
		const semantic = await this.semanticLookup();
		if (semantic?.hit) {
			return this.serveHit('semantic', 'semantic-cache', semantic.hit, streaming, semantic.info);
		}

		// 3. Provider, directly or through the cascade.
		const { completion, model, escalated, gateVerdict, complete } = await this.answer(streaming);

		// 4. Store only verified-complete, normally-stopped answers.
		const cost = this.totalCost();
		if (complete && completion.stop === 'end' && !this.request.noStore && this.deps.store) {
			const answer: CachedAnswer = { completion, originalCostUsd: cost, createdAt: this.deps.now() };
			if (exactOn) this.cacheWrite(() => this.deps.store?.putExact({ key, tenant: this.request.tenant, answer, ttlMs: this.deps.ttl?.exactMs ?? DEFAULT_EXACT_TTL_MS }, this.deps.now()));
			if (semantic?.put) {
				const put = semantic.put;
				this.cacheWrite(() => this.deps.store?.putSemantic({ ...put, answer, ttlMs: this.deps.ttl?.semanticMs ?? DEFAULT_SEMANTIC_TTL_MS }, this.deps.now()));
			}
		}

		const usage = completion.usage;
		return {
			requestId: this.requestId,
			outcome: usage.cachedInputTokens > 0 ? 'prefix' : 'miss',
			completion,
			model,
			escalated,
			...(gateVerdict ? { gateVerdict } : {}),
			...(semantic?.info ? { semantic: semantic.info } : {}),
			costUsd: cost,
			usage: this.sumUsage(),
			latencyMs: this.deps.clock() - this.started,
			ttftMs: this.firstTokenAt === null ? null : this.firstTokenAt - this.started,
			rows: this.rows,
		};
	}

	/** The body the exact key is computed from: with a cascade, the cascade (not `model`) decides the answer. */
	private keyedBody(): Readonly<Record<string, unknown>> {
		const cascade = this.request.cascade;
		if (!cascade) return this.request.body;
		const { model: _ignored, ...rest } = this.request.body;
		return { ...rest, costlensCascade: cascade };
	}

	private skipStage(stage: Stage, detail: string): undefined {
		this.emit({ type: 'stage', stage, status: 'skipped', detail });
		return undefined;
	}

	private cacheRead<T>(stage: Stage, read: () => T | undefined): T | undefined {
		if (!this.deps.store) {
			this.emit({ type: 'stage', stage, status: 'skipped', detail: 'cache unavailable' });
			return undefined;
		}
		this.emit({ type: 'stage', stage, status: 'start' });
		try {
			const value = read();
			this.emit({ type: 'stage', stage, status: value ? 'hit' : 'miss' });
			return value;
		} catch (error) {
			// A failing cache degrades to pass-through, never to a failed request.
			this.emit({ type: 'warning', message: `Cache read failed, continuing without it: ${messageOf(error)}` });
			this.emit({ type: 'stage', stage, status: 'error', detail: messageOf(error) });
			return undefined;
		}
	}

	private cacheWrite(write: () => void): void {
		try {
			write();
		} catch (error) {
			this.emit({ type: 'warning', message: `Cache write failed; the answer was returned but not stored: ${messageOf(error)}` });
		}
	}

	private async semanticLookup(): Promise<
		| {
				hit?: CachedAnswer;
				info?: NonNullable<PipelineResult['semantic']>;
				put?: { tenant: string; scope: string; embedder: string; vector: Float32Array; cacheText: string };
		  }
		| undefined
	> {
		const spec = this.request.semantic;
		if (!spec) return undefined;
		const threshold = spec.threshold ?? DEFAULT_SEMANTIC_THRESHOLD;
		const skip = (detail: string): undefined => {
			this.emit({ type: 'stage', stage: 'semantic-cache', status: 'skipped', detail });
			return undefined;
		};
		if (this.request.personalized) return skip('personalized request');
		if (!this.deps.store) return skip('cache unavailable');
		if (!this.deps.embedder) return skip('no embedder');
		const parts = semanticParts({ wire: this.wire, body: this.keyedBody(), provider: this.request.provider });
		if (!parts) return skip('the last message is not a user text message');
		this.emit({ type: 'stage', stage: 'semantic-cache', status: 'start' });
		const embedder = this.deps.embedder;
		let vector: Float32Array;
		try {
			const embedded = await embedder.embed(parts.cacheText, this.signal);
			vector = embedded.vector;
			if (embedded.upstream) {
				const u = embedded.upstream;
				const usage: NormalizedUsage = { ...ZERO_USAGE, inputTokens: u.inputTokens };
				this.log({ stage: 'semantic-cache', provider: u.provider, model: u.model, usage, costUsd: usageCostUsd(this.deps.prices, u.model, usage), latencyMs: u.latencyMs, ttftMs: null, cacheHit: 'miss', error: null });
			}
		} catch (error) {
			if (this.signal.aborted) throw this.cancelled();
			this.emit({ type: 'warning', message: `Embedding failed, semantic cache skipped: ${messageOf(error)}` });
			this.emit({ type: 'stage', stage: 'semantic-cache', status: 'error', detail: messageOf(error) });
			return undefined;
		}
		const query = { tenant: this.request.tenant, scope: parts.scopeHash, embedder: embedder.id, vector };
		let match;
		try {
			match = this.deps.store.nearestSemantic(query, this.deps.now());
		} catch (error) {
			this.emit({ type: 'warning', message: `Semantic cache read failed, continuing without it: ${messageOf(error)}` });
			this.emit({ type: 'stage', stage: 'semantic-cache', status: 'error', detail: messageOf(error) });
			return undefined;
		}
		const put = { ...query, cacheText: parts.cacheText };
		if (!match) {
			this.emit({ type: 'stage', stage: 'semantic-cache', status: 'miss', detail: 'no stored neighbour' });
			return { put, info: { similarity: null, threshold } };
		}
		const similarity = match.similarity;
		if (similarity < threshold) {
			this.emit({ type: 'stage', stage: 'semantic-cache', status: 'miss', detail: `nearest ${similarity.toFixed(3)} < ${threshold}` });
			return { put, info: { similarity, threshold, matchedQuery: match.cacheText } };
		}
		const guard = guardAgrees(parts.cacheText, match.cacheText);
		if (!guard.agree) {
			this.emit({ type: 'stage', stage: 'semantic-cache', status: 'miss', detail: `similar (${similarity.toFixed(3)}) but ${guard.reason}` });
			return { put, info: { similarity, threshold, matchedQuery: match.cacheText, rejectedBy: guard.reason } };
		}
		this.emit({ type: 'stage', stage: 'semantic-cache', status: 'hit', detail: `${similarity.toFixed(3)} ≥ ${threshold}` });
		return { hit: match.answer, info: { similarity, threshold, matchedQuery: match.cacheText } };
	}

	private serveHit(outcome: CacheOutcome, stage: Stage, answer: CachedAnswer, streaming: boolean, semantic?: PipelineResult['semantic']): PipelineResult {
		const completion = answer.completion;
		const text = completion.text;
		if (streaming) {
			for (let i = 0; i < text.length; i += REPLAY_CHUNK) this.delta(stage, text.slice(i, i + REPLAY_CHUNK));
		} else {
			this.delta(stage, text);
		}
		const latencyMs = this.deps.clock() - this.started;
		this.log({ stage, provider: completion.provider, model: completion.model, usage: completion.usage, costUsd: 0, latencyMs, ttftMs: this.ttft(), cacheHit: outcome, error: null });
		return {
			requestId: this.requestId,
			outcome,
			completion,
			model: completion.model,
			escalated: false,
			...(semantic ? { semantic } : {}),
			costUsd: this.totalCost(),
			originalCostUsd: answer.originalCostUsd,
			usage: ZERO_USAGE,
			latencyMs,
			ttftMs: this.ttft(),
			rows: this.rows,
		};
	}

	private async answer(streaming: boolean): Promise<{ completion: Completion; model: string; escalated: boolean; gateVerdict?: GateVerdict; complete: boolean }> {
		const cascade = this.request.cascade;
		if (!cascade) {
			const model = String(this.request.body.model);
			const reply = await this.callWithRetries('direct', model, streaming);
			return { completion: reply.completion, model, escalated: false, complete: reply.complete };
		}
		const cheap = await this.callWithRetries('cheap', cascade.cheapModel, streaming);
		const verdict = evaluateGates(cheap.completion, cascade.gates);
		this.commitHeld(formatVerdict(verdict));
		this.emit({ type: 'stage', stage: 'cheap', status: 'done', detail: `gate: ${formatVerdict(verdict)}` });
		if (verdict.pass) return { completion: cheap.completion, model: cascade.cheapModel, escalated: false, gateVerdict: verdict, complete: cheap.complete };
		this.emit({ type: 'stage', stage: 'strong', status: 'start', detail: `escalating: ${formatVerdict(verdict)}` });
		const strong = await this.callWithRetries('strong', cascade.strongModel, streaming);
		return { completion: strong.completion, model: cascade.strongModel, escalated: true, gateVerdict: verdict, complete: strong.complete };
	}

	private async callWithRetries(stage: Stage, model: string, streaming: boolean): Promise<{ completion: Completion; complete: boolean }> {
		const policy = this.deps.retry ?? DEFAULT_RETRY_POLICY;
		const firstStart = this.deps.clock();
		const client = this.deps.provider(this.request.provider);
		const body = { ...this.request.body, model, stream: streaming };
		for (let attempt = 1; ; attempt++) {
			if (this.signal.aborted) throw this.cancelled();
			const refusal = this.deps.spendGuard?.check(this.deps.now());
			if (refusal) throw new PipelineError(refusal, 'spend-limit', this.rows);
			this.emit({ type: 'stage', stage, status: 'start', detail: attempt > 1 ? `${model}, attempt ${attempt}` : model });
			const start = this.deps.clock();
			let attemptFirstToken: number | null = null;
			try {
				const reply = await client.call({
					provider: this.request.provider,
					wire: this.wire,
					body,
					signal: this.signal,
					onDelta: (text) => {
						if (attemptFirstToken === null) attemptFirstToken = this.deps.clock();
						this.delta(stage, text);
					},
				});
				const completion = reply.completion;
				const cost = usageCostUsd(this.deps.prices, completion.model, completion.usage) ?? usageCostUsd(this.deps.prices, model, completion.usage);
				this.deps.spendGuard?.record(this.deps.now(), cost);
				this.log({
					stage,
					provider: this.request.provider,
					model: completion.model,
					usage: completion.usage,
					costUsd: cost,
					latencyMs: this.deps.clock() - start,
					ttftMs: reply.ttftMs ?? (attemptFirstToken === null ? null : attemptFirstToken - start),
					cacheHit: completion.usage.cachedInputTokens > 0 ? 'prefix' : 'miss',
					error: reply.complete ? null : 'incomplete answer (not cached)',
				});
				if (stage === 'direct' || stage === 'strong') this.emit({ type: 'stage', stage, status: 'done', detail: completion.stop });
				return { completion, complete: reply.complete };
			} catch (caught) {
				const error = caught instanceof ProviderError ? caught : new ProviderError(messageOf(caught), this.signal.aborted ? 'aborted' : 'connection');
				const usage = error.options.usage ?? ZERO_USAGE;
				const billedModel = error.options.model ?? model;
				const cost = error.options.usage ? usageCostUsd(this.deps.prices, billedModel, usage) : 0;
				this.deps.spendGuard?.record(this.deps.now(), cost);
				this.log({ stage, provider: this.request.provider, model: billedModel, usage, costUsd: cost, latencyMs: this.deps.clock() - start, ttftMs: attemptFirstToken === null ? null : attemptFirstToken - start, cacheHit: 'miss', error: error.message });
				if (error.kind === 'aborted' || this.signal.aborted) throw this.cancelled();
				const streamed = error.options.streamed === true || attemptFirstToken !== null;
				const delay = retryDelay(streamed ? new ProviderError(error.message, error.kind, { ...error.options, streamed: true }) : error, attempt, this.deps.clock() - firstStart, policy);
				this.emit({ type: 'stage', stage, status: 'error', detail: error.message });
				if (delay === undefined) {
					const why = streamed ? ' (part of the answer had already streamed, so it was not retried)' : attempt > 1 ? ` (after ${attempt} attempts)` : '';
					throw new PipelineError(`${providerName(this.request.provider)} ${model}: ${error.message}${why}`, 'provider', this.rows, error);
				}
				this.emit({ type: 'retry', stage, attempt: attempt + 1, delayMs: delay, reason: error.message });
				try {
					await this.deps.sleep(delay, this.signal);
				} catch {
					throw this.cancelled();
				}
			}
		}
	}

	private delta(stage: Stage, text: string): void {
		if (text.length === 0) return;
		if (this.firstTokenAt === null) this.firstTokenAt = this.deps.clock();
		this.emit({ type: 'delta', stage, text });
	}

	private ttft(): number | null {
		return this.firstTokenAt === null ? null : this.firstTokenAt - this.started;
	}

	private log(entry: { stage: Stage; provider: ProviderId; model: string; usage: NormalizedUsage; costUsd: number | null; latencyMs: number; ttftMs: number | null; cacheHit: CacheOutcome; error: string | null }): void {
		this.attempt += 1;
		const row: UsageRecord = {
			requestId: this.requestId,
			attempt: this.attempt,
			ts: this.deps.now(),
			tenant: this.request.tenant,
			provider: entry.provider,
			model: entry.model,
			stage: entry.stage,
			inputTokens: entry.usage.inputTokens,
			cachedInputTokens: entry.usage.cachedInputTokens,
			cacheWriteTokens: entry.usage.cacheWriteTokens,
			outputTokens: entry.usage.outputTokens,
			costUsd: entry.costUsd,
			latencyMs: Math.round(entry.latencyMs * 1000) / 1000,
			ttftMs: entry.ttftMs === null ? null : Math.round(entry.ttftMs * 1000) / 1000,
			cacheHit: entry.cacheHit,
			// Every attempt of the strong stage exists only because the cheap answer failed its gate.
			escalated: entry.stage === 'strong',
			gateVerdict: null,
			error: entry.error,
		};
		this.rows.push(row);
		this.persist(row);
	}

	/**
	 * The cheap attempt's row is held until the gate has judged the answer, so it is written once,
	 * complete (the log is append-only). Every other row is written as it happens, so a crash loses
	 * at most the attempt in flight.
	 */
	private persist(row: UsageRecord): void {
		if (row.stage === 'cheap' && row.error === null) {
			this.heldRow = row;
			return;
		}
		this.write([row]);
	}

	private heldRow: UsageRecord | undefined;

	private commitHeld(gateVerdict: string): void {
		const held = this.heldRow;
		if (!held) return;
		this.heldRow = undefined;
		const amended: UsageRecord = { ...held, gateVerdict };
		const index = this.rows.indexOf(held);
		if (index >= 0) this.rows[index] = amended;
		this.write([amended]);
	}

	private write(rows: readonly UsageRecord[]): void {
		try {
			this.deps.store?.appendUsage(rows);
		} catch (error) {
			this.emit({ type: 'warning', message: `Usage log write failed: ${messageOf(error)}` });
		}
	}

	private totalCost(): number | null {
		let sum = 0;
		for (const row of this.rows) {
			if (row.costUsd === null) return null;
			sum += row.costUsd;
		}
		return sum;
	}

	private sumUsage(): NormalizedUsage {
		const upstream = this.rows.filter((r) => r.stage === 'direct' || r.stage === 'cheap' || r.stage === 'strong');
		return {
			inputTokens: upstream.reduce((s, r) => s + r.inputTokens, 0),
			cachedInputTokens: upstream.reduce((s, r) => s + r.cachedInputTokens, 0),
			cacheWriteTokens: upstream.reduce((s, r) => s + r.cacheWriteTokens, 0),
			outputTokens: upstream.reduce((s, r) => s + r.outputTokens, 0),
		};
	}

	private cancelled(): PipelineError {
		return new PipelineError('The request was cancelled.', 'cancelled', this.rows);
	}
}

function providerName(provider: ProviderId): string {
	return { anthropic: 'Anthropic', openai: 'OpenAI', 'openai-compatible': 'OpenAI-compatible endpoint', demo: 'Demo provider' }[provider];
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}
