/**
 * The pipeline with its real parts attached: the SQLite store, the SDK clients, the embedder, the
 * price table, the spend guard. The JSON-RPC sidecar and the CLI both build one of these, so the
 * terminal and the editor run exactly the same code.
 */
import { randomUUID } from 'node:crypto';
// Narrow imports: the core barrel would pull the TypeScript compiler (analysis) into the sidecar.
import { createPriceTable } from '../core/pricing/priceTable';
import type { PriceTable } from '../core/pricing/types';
import { createTokenCounter } from '../core/tokens/tokenCounter';
import { DEFAULT_RETRY_POLICY, EscalationMonitor, PipelineError, runPipeline, SpendGuard, type RetryPolicy, type Embedder, type PipelineRequest, type PipelineResult, type ProviderClient, type ProviderId, type RunOptions } from '../core/pipeline';
import type { InitializeParams } from '../protocol/sidecar';
import { createOpenAIEmbedder, offlineEmbedder } from './embedders';
import { AnthropicClient } from './providers/anthropicClient';
import { DemoClient } from './providers/demoClient';
import { OpenAIClient } from './providers/openaiClient';
import { abortableSleep } from './sleep';
import { createBitIndex } from './semantic/bitIndex';
import { openStore, type SqliteStore } from './store/sqliteStore';

export interface EngineOptions extends Omit<InitializeParams, 'protocolVersion' | 'clientName' | 'dbFile'> {
	/** SQLite file; undefined runs without any cache (pass-through). */
	readonly dbFile?: string;
	/** Where `ANTHROPIC_API_KEY`, `OPENAI_API_KEY` and the base URLs are read when not given. */
	readonly env?: Readonly<Record<string, string | undefined>>;
	/** Demo provider speed: 1 realistic, 0 instant. */
	readonly demoLatencyScale?: number;
	readonly priceOverrides?: Readonly<Record<string, unknown>>;
	readonly log?: (message: string) => void;
	/** Tests shorten the backoff; `providers.maxAttempts` still sets the attempts. */
	readonly retry?: Partial<RetryPolicy>;
}

export class Engine {
	readonly prices: PriceTable;
	readonly notices: string[] = [];
	readonly store: SqliteStore | undefined;
	readonly embedder: Embedder;
	private readonly clients = new Map<ProviderId, ProviderClient>();
	private readonly spendGuard: SpendGuard;
	/** Escalations over the last 100 cascade requests, per cheap→strong pair. */
	private readonly escalations = new Map<string, EscalationMonitor>();
	private readonly env: Readonly<Record<string, string | undefined>>;

	constructor(private readonly options: EngineOptions) {
		this.env = options.env ?? process.env;
		this.prices = createPriceTable(options.priceOverrides as Parameters<typeof createPriceTable>[0]);
		for (const warning of this.prices.warnings ?? []) this.notices.push(`Price override ignored: ${warning}`);
		if (options.dbFile) {
			try {
				const opened = openStore({
					file: options.dbFile,
					...(options.log ? { log: options.log } : {}),
					...optional('maxExactEntries', options.cacheLimits?.maxExactEntries),
					...optional('maxSemanticEntries', options.cacheLimits?.maxSemanticEntries),
					candidateIndex: (partition) => createBitIndex(partition),
				});
				this.store = opened.store;
				this.notices.push(...opened.notices);
			} catch (error) {
				// A cache that cannot open degrades to pass-through, never to a failed request.
				this.notices.push(`The cache database is unavailable, so requests pass through uncached: ${error instanceof Error ? error.message : String(error)}`);
			}
		}
		this.embedder = this.createEmbedder();
		this.spendGuard = new SpendGuard(options.limits ?? {}, this.spentToday());
	}

	/** Providers that can be called right now (the demo provider always can). */
	availableProviders(): ProviderId[] {
		return (['anthropic', 'openai', 'openai-compatible', 'demo'] as const).filter((id) => this.missingSetup(id) === undefined);
	}

	async run(request: PipelineRequest, options: RunOptions = {}): Promise<PipelineResult> {
		const missing = this.missingSetup(request.provider);
		if (missing) throw new PipelineError(missing, 'invalid-request');
		const result = await runPipeline(
			request,
			{
				...(this.store ? { store: this.store } : {}),
				provider: (id) => this.client(id),
				embedder: this.embedder,
				prices: this.prices,
				now: () => Date.now(),
				clock: () => performance.now(),
				newId: () => randomUUID(),
				sleep: abortableSleep,
				spendGuard: this.spendGuard,
				retry: { ...DEFAULT_RETRY_POLICY, ...this.options.retry, ...(this.options.providers?.maxAttempts ? { maxAttempts: this.options.providers.maxAttempts } : {}) },
				...(this.options.ttl ? { ttl: this.options.ttl } : {}),
			},
			options,
		);
		const cascade = request.cascade;
		if (cascade && (result.outcome === 'miss' || result.outcome === 'prefix')) {
			const pair = `${cascade.cheapModel} → ${cascade.strongModel}`;
			let monitor = this.escalations.get(pair);
			if (!monitor) this.escalations.set(pair, (monitor = new EscalationMonitor()));
			const before = monitor.warning;
			monitor.record(result.escalated);
			if (monitor.warning && !before) {
				// The seed article's warning: past half, the cascade costs more than the strong model alone.
				options.listener?.({ type: 'warning', message: `${Math.round(monitor.rate * 100)}% of the last ${monitor.count} requests through ${pair} escalated: the cheap model is wrong for this task. Send it to the strong model directly (or right-size with evals).` });
			}
		}
		return result;
	}

	/** TTL and size eviction; the sidecar calls it on a timer, the store also runs it every few hundred writes. */
	evict(): void {
		try {
			this.store?.evict(Date.now());
		} catch (error) {
			this.options.log?.(`Cache eviction failed: ${error instanceof Error ? error.message : String(error)}`);
		}
	}

	close(): void {
		this.store?.close();
	}

	private missingSetup(provider: ProviderId): string | undefined {
		switch (provider) {
			case 'anthropic':
				return this.anthropicKey() ? undefined : 'No Anthropic API key. Run "CostLens: Set API Key" in VS Code or set ANTHROPIC_API_KEY, or use the demo provider.';
			case 'openai':
				return this.openaiKey() ? undefined : 'No OpenAI API key. Run "CostLens: Set API Key" in VS Code or set OPENAI_API_KEY, or use the demo provider.';
			case 'openai-compatible':
				return this.options.providers?.compatibleBaseURL ? undefined : 'No base URL for the OpenAI-compatible provider (setting costlens.providers.compatibleBaseURL or --base-url).';
			case 'demo':
				return undefined;
		}
	}

	private client(id: ProviderId): ProviderClient {
		let client = this.clients.get(id);
		if (!client) {
			const settings = this.options.providers ?? {};
			const timeoutMs = settings.timeoutMs;
			switch (id) {
				case 'anthropic':
					client = new AnthropicClient({ apiKey: this.anthropicKey() ?? '', ...optional('baseURL', settings.anthropicBaseURL ?? this.env.ANTHROPIC_BASE_URL), ...optional('timeoutMs', timeoutMs) });
					break;
				case 'openai':
					client = new OpenAIClient({ provider: 'openai', apiKey: this.openaiKey() ?? '', ...optional('baseURL', settings.openaiBaseURL ?? this.env.OPENAI_BASE_URL), ...optional('timeoutMs', timeoutMs) });
					break;
				case 'openai-compatible':
					// Local servers such as Ollama ignore the key but the SDK requires one.
					client = new OpenAIClient({ provider: 'openai-compatible', apiKey: this.options.secrets?.compatibleApiKey || 'not-needed', ...optional('baseURL', settings.compatibleBaseURL), ...optional('timeoutMs', timeoutMs) });
					break;
				case 'demo':
					client = new DemoClient({ tokens: createTokenCounter(), latencyScale: this.options.demoLatencyScale ?? 1 });
					break;
			}
			this.clients.set(id, client);
		}
		return client;
	}

	private anthropicKey(): string | undefined {
		return this.options.secrets?.anthropicApiKey || this.env.ANTHROPIC_API_KEY || undefined;
	}

	private openaiKey(): string | undefined {
		return this.options.secrets?.openaiApiKey || this.env.OPENAI_API_KEY || undefined;
	}

	private createEmbedder(): Embedder {
		const spec = this.options.embedder;
		if (spec?.kind !== 'openai') return offlineEmbedder;
		const baseURL = spec.baseURL ?? this.options.providers?.openaiBaseURL ?? this.env.OPENAI_BASE_URL;
		const apiKey = spec.baseURL ? this.options.secrets?.compatibleApiKey || this.openaiKey() || 'not-needed' : this.openaiKey();
		if (!apiKey) {
			this.notices.push('OpenAI embeddings need an OpenAI API key; the built-in offline embedder is used instead.');
			return offlineEmbedder;
		}
		return createOpenAIEmbedder({ apiKey, ...optional('baseURL', baseURL), ...optional('model', spec.model), ...optional('dimensions', spec.dimensions) });
	}

	private spentToday(): number {
		if (!this.store) return 0;
		const midnight = Math.floor(Date.now() / 86_400_000) * 86_400_000;
		try {
			return this.store.queryUsage({ since: midnight }).reduce((sum, row) => sum + (row.costUsd ?? 0), 0);
		} catch {
			return 0;
		}
	}
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
	return (value === undefined || value === '' ? {} : { [key]: value }) as { [P in K]?: V };
}
