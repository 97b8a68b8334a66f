/**
 * Embedders for the semantic cache: the built-in offline one (no network, no download; lexical)
 * and OpenAI's embeddings endpoint (or any OpenAI-compatible one, e.g. Ollama), whose calls are
 * logged and costed like any other upstream attempt.
 */
import OpenAI from 'openai';
import { embedOffline, OFFLINE_EMBEDDER_ID, type Embedder, type Embedding } from '../core/pipeline';

export const offlineEmbedder: Embedder = {
	id: OFFLINE_EMBEDDER_ID,
	embed: (text) => Promise.resolve({ vector: embedOffline(text) }),
};

export interface OpenAIEmbedderOptions {
	readonly apiKey: string;
	readonly baseURL?: string;
	readonly model?: string;
	readonly dimensions?: number;
	readonly timeoutMs?: number;
}

export function createOpenAIEmbedder(options: OpenAIEmbedderOptions): Embedder {
	const model = options.model ?? 'text-embedding-3-small';
	const sdk = new OpenAI({ apiKey: options.apiKey, ...(options.baseURL ? { baseURL: options.baseURL } : {}), maxRetries: 1, timeout: options.timeoutMs ?? 30_000 });
	const host = options.baseURL ? new URL(options.baseURL).host : 'api.openai.com';
	return {
		// The endpoint is part of the id: the same model name on two servers need not embed alike.
		id: `openai:${model}@${options.dimensions ?? 'default'}@${host}`,
		async embed(text: string, signal?: AbortSignal): Promise<Embedding> {
			const started = performance.now();
			const response = await sdk.embeddings.create({ model, input: text, encoding_format: 'float', ...(options.dimensions ? { dimensions: options.dimensions } : {}) }, signal ? { signal } : {});
			const data = response.data[0]?.embedding;
			if (!data || data.length === 0) throw new Error(`the embeddings endpoint returned no vector for model ${model}`);
			return {
				vector: Float32Array.from(data),
				upstream: { provider: options.baseURL ? 'openai-compatible' : 'openai', model, inputTokens: response.usage?.prompt_tokens ?? 0, latencyMs: performance.now() - started },
			};
		},
	};
}
