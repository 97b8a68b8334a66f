/**
 * A loopback stand-in for the Anthropic and OpenAI HTTP APIs. The real `@anthropic-ai/sdk` and
 * `openai` clients are pointed at it with `baseURL`, so tests and benchmarks exercise the SDKs' own
 * request building, SSE parsing, error classes and retry logic against scripted faults. It never
 * touches the network beyond 127.0.0.1 and is deliberately free of `node:test`, so bench scripts and
 * the CLI smoke test can use it too.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Which API a request was addressed to. */
export type FakeRoute = 'anthropic' | 'openai-chat' | 'embeddings';

/** Provider-neutral stop reasons, mapped to `stop_reason` / `finish_reason`. Any other string is sent verbatim. */
export type FakeStop = 'end' | 'max_tokens' | 'refusal' | 'tool_use' | 'content_filter' | 'stop_sequence';

/**
 * Usage in the pipeline's convention: `inputTokens` is the WHOLE prompt, cached and cache-written
 * tokens included. The fake converts to each wire format (Anthropic's `input_tokens` excludes them).
 */
export interface FakeUsage {
	readonly inputTokens: number;
	readonly cachedInputTokens: number;
	readonly cacheWriteTokens: number;
	readonly outputTokens: number;
}

/**
 * An answer chosen by a responder or a scripted `answer` fault. With `stop` set, the text is sent as is
 * (no `max_tokens` truncation); without it the fake truncates to the request's output cap itself.
 */
export interface FakeAnswer {
	readonly text: string;
	readonly stop?: FakeStop | (string & {});
	/** Overrides single computed usage fields. */
	readonly usage?: Partial<FakeUsage>;
}

/** One fault, consumed by one request. Without `route`, the next request on any known route takes it. */
export type FakeFault = (
	/** Answer with this status; `body` defaults to the route's own error shape for the status. */
	| { readonly status: number; readonly body?: unknown; readonly headers?: Readonly<Record<string, string>> }
	/** Anthropic 529 `overloaded_error`; on OpenAI routes a 503 "overloaded" `server_error`. */
	| { readonly kind: 'overloaded' }
	| { readonly kind: 'server-error'; readonly status?: 500 | 502 | 503 }
	/**
	 * Streaming: destroy the socket after `events` SSE events (clamped so the terminal event is never
	 * sent). Non-streaming: `events: 0` destroys the socket before any response; otherwise the headers
	 * and half the body are sent first.
	 */
	| { readonly kind: 'cut-after'; readonly events: number }
	/**
	 * Streaming: an error frame after `afterEvents` events (Anthropic `event: error`, OpenAI a
	 * `data: {"error":…}` chunk), then the response ends. Non-streaming: the same error as an HTTP status.
	 */
	| { readonly kind: 'error-event'; readonly afterEvents: number; readonly errorType?: string; readonly message?: string }
	/** Accept the request and never answer. `close()` destroys the socket. */
	| { readonly kind: 'hang' }
	/** Wait, then answer normally. */
	| { readonly kind: 'delay'; readonly ms: number }
	| ({ readonly kind: 'answer' } & FakeAnswer)
	/** OpenAI 429 with `code: insufficient_quota` (Anthropic route: 402 `billing_error`). */
	| { readonly kind: 'insufficient-quota' }
) & { readonly route?: FakeRoute };

/** What a responder sees of a request. */
export interface FakeResponderRequest {
	readonly route: 'anthropic' | 'openai-chat';
	readonly model: string;
	readonly body: Readonly<Record<string, unknown>>;
	/** Text of the last user message (text blocks joined). */
	readonly lastUserText: string;
	readonly stream: boolean;
}

/** Returns the answer text (or a full answer); `undefined` falls back to the default echo answer. */
export type FakeResponder = (request: FakeResponderRequest) => string | FakeAnswer | undefined;

export interface FakeLatency {
	/** Wait before the first text delta (non-streaming: before the response). */
	readonly firstTokenMs?: number;
	/** Wait before each later text delta (non-streaming: added once per chunk the answer would have had). */
	readonly perChunkMs?: number;
}

export interface RecordedRequest {
	readonly method: string;
	/** Path without the query string. */
	readonly path: string;
	/** Lower-cased names; repeated headers joined with `, `. */
	readonly headers: Readonly<Record<string, string>>;
	/** Parsed JSON body, or `undefined` when the body was empty or not JSON. */
	readonly body: unknown;
	readonly rawBody: string;
	/** Milliseconds since the epoch when the body had been read. */
	readonly time: number;
	readonly route: FakeRoute | null;
	/** The scripted fault this request consumed, if any. */
	readonly fault?: FakeFault;
}

export interface FakeProviderOptions {
	readonly responder?: FakeResponder;
	readonly latency?: FakeLatency;
	/**
	 * Anthropic only writes a `cache_control` prefix of at least this many tokens (1024 for Sonnet /
	 * Opus 4, 2048 for Haiku); shorter prefixes are silently not cached, as by the real API. Default 1024.
	 */
	readonly anthropicCacheMinTokens?: number;
	/** OpenAI caches prompts of at least this many tokens, in 128-token steps. Default 1024. */
	readonly openaiCacheMinTokens?: number;
	/** Embedding dimensions when the request gives none. Default 1536. */
	readonly embeddingDimensions?: number;
	/** Words per streamed text delta. Default 3. */
	readonly wordsPerChunk?: number;
}

export interface FakeProvider {
	/** `http://127.0.0.1:PORT`, no trailing slash. */
	readonly url: string;
	/** For `new Anthropic({ baseURL })`: the SDK appends `/v1/messages` itself. */
	readonly anthropicBaseURL: string;
	/** For `new OpenAI({ baseURL })`: ends in `/v1`; the SDK appends `/chat/completions`, `/embeddings`. */
	readonly openaiBaseURL: string;
	/** Every request received, in arrival order (including 404s and hung requests). */
	readonly requests: RecordedRequest[];
	/** Faults queued and not yet consumed. */
	readonly pendingFaults: number;
	/** Queue one fault for a later request (FIFO). */
	script(fault: FakeFault): void;
	/** Queue several faults, one per request, in order. */
	scriptNext(...faults: FakeFault[]): void;
	/** Choose answers per request; `undefined` restores the default echo answer. */
	setResponder(responder: FakeResponder | undefined): void;
	setLatency(latency: FakeLatency): void;
	/** Forget requests, faults, responder, latency and both prompt caches. */
	reset(): void;
	/** Stop listening and destroy every open socket (hung and streaming requests included). */
	close(): Promise<void>;
}

const DEFAULT_SENTENCE = 'This is a deterministic answer from the CostLens fake provider.';

/** Roughly 1 token per 4 characters, as a deterministic stand-in for a tokenizer. */
export function fakeTokenCount(text: string): number {
	return Math.ceil(text.length / 4);
}

const STOPWORDS = new Set(
	(
		'a an the is are was were be been being am do does did doing i me my mine myself you your yours we us our ' +
		'he him his she her it its they them their of to in on at for with by from and or but if so then than can ' +
		'could would should will shall may might must how what which who whom whose when where why this that these ' +
		'those there here please about as into onto up out just also any some have has had get got want like need ' +
		'tell let s t'
	).split(' '),
);

function stem(word: string): string {
	if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
	if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
	if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
	return word;
}

function fnv1a(text: string): number {
	let hash = 0x811c9dc5;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash >>> 0;
}

/**
 * The fake's embedding: a signed hashed bag of content words (lower-cased, punctuation and stopwords
 * dropped, light stemming), L2-normalised. Paraphrases sharing their content words score ≈ 1 and
 * unrelated texts ≈ 0 — deterministic and meaningful enough to test a semantic cache.
 */
export function lexicalEmbedding(text: string, dimensions = 1536): Float32Array {
	const words = text.toLowerCase().replace(/[^\p{L}\p{N}\s]+/gu, ' ').split(/\s+/).filter((w) => w.length > 0);
	let content = words.filter((w) => !STOPWORDS.has(w)).map(stem);
	// A question made only of stopwords still needs a non-zero vector (cosine with zero is undefined).
	if (content.length === 0) content = words.length > 0 ? words : [''];
	const vector = new Float32Array(dimensions);
	for (const word of content) {
		const hash = fnv1a(word);
		const index = hash % dimensions;
		vector[index] = (vector[index] ?? 0) + (fnv1a(`sign:${word}`) & 1 ? 1 : -1);
	}
	let norm = 0;
	for (const value of vector) norm += value * value;
	norm = Math.sqrt(norm);
	if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) / norm;
	return vector;
}

// ---- request reading ----

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text of a string or an array of content blocks; non-text blocks count as their JSON. */
function contentText(content: unknown): string {
	if (typeof content === 'string') return content;
	if (!Array.isArray(content)) return content === undefined || content === null ? '' : JSON.stringify(content);
	return content.map((block) => (isRecord(block) && typeof block['text'] === 'string' ? block['text'] : JSON.stringify(block))).join('\n');
}

function lastUserText(messages: unknown): string {
	if (!Array.isArray(messages)) return '';
	for (let i = messages.length - 1; i >= 0; i--) {
		const message: unknown = messages[i];
		if (isRecord(message) && message['role'] === 'user') return contentText(message['content']);
	}
	return '';
}

function withoutCacheControl(block: unknown): unknown {
	if (!isRecord(block) || !('cache_control' in block)) return block;
	const { cache_control: _ignored, ...rest } = block;
	return rest;
}

interface PromptUnit {
	/** Canonical content, the material of the cache key. */
	readonly material: string;
	readonly tokens: number;
	/** `5m` or `1h` when this unit ends a `cache_control` breakpoint. */
	readonly breakpoint?: '5m' | '1h';
}

function breakpointOf(block: unknown): '5m' | '1h' | undefined {
	if (!isRecord(block) || !isRecord(block['cache_control'])) return undefined;
	return block['cache_control']['ttl'] === '1h' ? '1h' : '5m';
}

const MESSAGE_OVERHEAD_TOKENS = 3;

/** Anthropic's prompt in cache order: tools, then system, then messages, one unit per block. */
function anthropicUnits(body: Json): PromptUnit[] {
	const units: PromptUnit[] = [];
	const push = (block: unknown, extraTokens: number, prefix: string): void => {
		const clean = withoutCacheControl(block);
		const text = typeof clean === 'string' ? clean : isRecord(clean) && typeof clean['text'] === 'string' ? clean['text'] : JSON.stringify(clean);
		const bp = breakpointOf(block);
		units.push({ material: `${prefix}${JSON.stringify(clean)}`, tokens: fakeTokenCount(text) + extraTokens, ...(bp ? { breakpoint: bp } : {}) });
	};
	if (Array.isArray(body['tools'])) for (const tool of body['tools']) push(tool, 0, 'tool:');
	const system = body['system'];
	if (typeof system === 'string') push(system, 0, 'system:');
	else if (Array.isArray(system)) for (const block of system) push(block, 0, 'system:');
	if (Array.isArray(body['messages'])) {
		for (const message of body['messages']) {
			if (!isRecord(message)) continue;
			const role = String(message['role']);
			const content = message['content'];
			if (Array.isArray(content) && content.length > 0) content.forEach((block, i) => push(block, i === 0 ? MESSAGE_OVERHEAD_TOKENS : 0, `${role}:`));
			else push(typeof content === 'string' ? content : contentText(content), MESSAGE_OVERHEAD_TOKENS, `${role}:`);
		}
	}
	return units;
}

/** OpenAI's prompt as one canonical string (tools first, then role-tagged messages). */
function openaiPromptText(body: Json): { text: string; messages: number } {
	const parts: string[] = [];
	for (const key of ['tools', 'functions', 'response_format']) if (body[key] !== undefined) parts.push(`<${key}>${JSON.stringify(body[key])}`);
	let messages = 0;
	if (Array.isArray(body['messages'])) {
		for (const message of body['messages']) {
			if (!isRecord(message)) continue;
			messages++;
			parts.push(`<|${String(message['role'])}|>${contentText(message['content'])}`);
		}
	}
	return { text: parts.join('\n'), messages };
}

function hashKey(...parts: string[]): string {
	const hash = createHash('sha256');
	for (const part of parts) hash.update(part).update('\u0000');
	return hash.digest('hex');
}

// ---- answers ----

function defaultAnswer(lastUser: string): string {
	const head = lastUser.replace(/\s+/g, ' ').trim().slice(0, 60);
	return `Echo: ${head}. ${DEFAULT_SENTENCE}`;
}

function outputCap(body: Json, route: 'anthropic' | 'openai-chat'): number | undefined {
	const keys = route === 'anthropic' ? ['max_tokens'] : ['max_completion_tokens', 'max_tokens'];
	for (const key of keys) {
		const value = body[key];
		if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
	}
	return undefined;
}

function wireStop(stop: string, route: 'anthropic' | 'openai-chat'): string {
	const anthropic: Record<string, string> = { end: 'end_turn', max_tokens: 'max_tokens', refusal: 'refusal', tool_use: 'tool_use', content_filter: 'refusal', stop_sequence: 'stop_sequence' };
	const openai: Record<string, string> = { end: 'stop', max_tokens: 'length', refusal: 'stop', tool_use: 'tool_calls', content_filter: 'content_filter', stop_sequence: 'stop' };
	return (route === 'anthropic' ? anthropic : openai)[stop] ?? stop;
}

/** Word-aligned chunks for streaming; joining them gives back the text exactly. */
function chunkText(text: string, wordsPerChunk: number): string[] {
	const words = text.match(/\s*\S+\s*/g) ?? (text.length > 0 ? [text] : []);
	const chunks: string[] = [];
	for (let i = 0; i < words.length; i += wordsPerChunk) chunks.push(words.slice(i, i + wordsPerChunk).join(''));
	return chunks;
}

// ---- errors ----

const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
	400: 'invalid_request_error',
	401: 'authentication_error',
	402: 'billing_error',
	403: 'permission_error',
	404: 'not_found_error',
	408: 'timeout_error',
	409: 'conflict_error',
	413: 'request_too_large',
	429: 'rate_limit_error',
	529: 'overloaded_error',
};

const OPENAI_ERRORS: Readonly<Record<number, { type: string; code: string | null }>> = {
	400: { type: 'invalid_request_error', code: null },
	401: { type: 'invalid_request_error', code: 'invalid_api_key' },
	403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
	404: { type: 'invalid_request_error', code: 'model_not_found' },
	429: { type: 'requests', code: 'rate_limit_exceeded' },
};

function anthropicError(type: string, message: string, requestId: string): Json {
	return { type: 'error', error: { type, message }, request_id: requestId };
}

function openaiError(message: string, type: string, code: string | null): Json {
	return { error: { message, type, param: null, code } };
}

function defaultErrorBody(route: FakeRoute | null, status: number, requestId: string): Json {
	const message = `Scripted ${status} from the CostLens fake provider.`;
	if (route === 'anthropic') return anthropicError(ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message, requestId);
	const known = OPENAI_ERRORS[status];
	return openaiError(message, known?.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error'), known?.code ?? null);
}

// ---- the server ----

interface QueuedFault {
	readonly fault: FakeFault;
}

interface State {
	responder: FakeResponder | undefined;
	latency: Required<FakeLatency>;
	faults: QueuedFault[];
	/** Anthropic prefix keys already written to the "cache". */
	anthropicPrefixes: Set<string>;
	/** OpenAI prompt-prefix keys at 128-token boundaries. */
	openaiPrefixes: Set<string>;
	counter: number;
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeProvider(options: FakeProviderOptions = {}): Promise<FakeProvider> {
	const anthropicCacheMin = options.anthropicCacheMinTokens ?? 1024;
	const openaiCacheMin = options.openaiCacheMinTokens ?? 1024;
	const defaultDimensions = options.embeddingDimensions ?? 1536;
	const wordsPerChunk = Math.max(1, options.wordsPerChunk ?? 3);
	const initialLatency = (): Required<FakeLatency> => ({ firstTokenMs: options.latency?.firstTokenMs ?? 0, perChunkMs: options.latency?.perChunkMs ?? 0 });
	const state: State = {
		responder: options.responder,
		latency: initialLatency(),
		faults: [],
		anthropicPrefixes: new Set(),
		openaiPrefixes: new Set(),
		counter: 0,
	};
	const requests: RecordedRequest[] = [];
	const sockets = new Set<Socket>();
	// Sleeps are tracked so `close()` can end them at once instead of leaving timers to hold the process open.
	const sleepers = new Set<{ timer: NodeJS.Timeout; done: () => void }>();
	let closed = false;

	const sleep = (ms: number): Promise<void> => {
		if (ms <= 0 || closed) return Promise.resolve();
		return new Promise((resolve) => {
			const entry = {
				timer: setTimeout(() => {
					sleepers.delete(entry);
					resolve();
				}, ms),
				done: resolve,
			};
			sleepers.add(entry);
		});
	};

	const takeFault = (route: FakeRoute): FakeFault | undefined => {
		const index = state.faults.findIndex((q) => q.fault.route === undefined || q.fault.route === route);
		if (index < 0) return undefined;
		return state.faults.splice(index, 1)[0]?.fault;
	};

	const nextId = (): number => ++state.counter;

	const server = http.createServer((req, res) => {
		void handle(req, res).catch((error: unknown) => {
			if (!res.headersSent && !res.destroyed) sendJson(res, 500, { error: { message: `fake provider bug: ${String(error)}`, type: 'server_error', param: null, code: null } });
			else res.destroy();
		});
	});
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
		const text = JSON.stringify(body);
		res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
		res.end(text);
	}

	function write(res: http.ServerResponse, chunk: string): Promise<void> {
		if (res.destroyed || res.writableEnded) return Promise.resolve();
		return new Promise((resolve) => res.write(chunk, () => resolve()));
	}

	async function readBody(req: http.IncomingMessage): Promise<string> {
		const chunks: Buffer[] = [];
		for await (const chunk of req) chunks.push(chunk as Buffer);
		return Buffer.concat(chunks).toString('utf8');
	}

	function routeOf(method: string, path: string): FakeRoute | null {
		if (method !== 'POST') return null;
		if (path === '/v1/messages') return 'anthropic';
		if (path === '/v1/chat/completions') return 'openai-chat';
		if (path === '/v1/embeddings') return 'embeddings';
		return null;
	}

	async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const method = req.method ?? 'GET';
		const path = (req.url ?? '/').split('?')[0] ?? '/';
		const rawBody = await readBody(req);
		let body: unknown;
		try {
			body = rawBody.length > 0 ? JSON.parse(rawBody) : undefined;
		} catch {
			body = undefined;
		}
		const headers: Record<string, string> = {};
		for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
		const route = routeOf(method, path);
		const fault = route ? takeFault(route) : undefined;
		requests.push({ method, path, headers, body, rawBody, time: Date.now(), route, ...(fault ? { fault } : {}) });

		const id = nextId();
		const requestId = `req_fake_${String(id).padStart(6, '0')}`;
		const idHeaders: Record<string, string> = route === 'anthropic' ? { 'request-id': requestId } : { 'x-request-id': requestId };

		if (!route) {
			const message = `No route for ${method} ${path} on the CostLens fake provider.`;
			sendJson(res, 404, path.startsWith('/v1/messages') ? anthropicError('not_found_error', message, requestId) : openaiError(message, 'invalid_request_error', 'unknown_url'), idHeaders);
			return;
		}
		if (!isRecord(body)) {
			const message = rawBody.length === 0 ? 'Request body is empty.' : 'Request body is not a JSON object.';
			sendJson(res, 400, route === 'anthropic' ? anthropicError('invalid_request_error', message, requestId) : openaiError(message, 'invalid_request_error', null), idHeaders);
			return;
		}

		const stream = route !== 'embeddings' && body['stream'] === true;
		if (fault) {
			const handled = await applyFault(fault, route, stream, res, requestId, idHeaders);
			if (handled) return;
		}

		const scripted = fault && 'kind' in fault && fault.kind === 'answer' ? fault : undefined;
		const cutAfter = fault && 'kind' in fault && fault.kind === 'cut-after' ? fault.events : undefined;
		const errorEvent = fault && 'kind' in fault && fault.kind === 'error-event' ? fault : undefined;
		if (route === 'embeddings') return answerEmbeddings(body, res, idHeaders, cutAfter);
		if (route === 'anthropic') return answerAnthropic(body, id, stream, res, requestId, idHeaders, scripted, cutAfter, errorEvent);
		return answerOpenAI(body, id, stream, res, requestId, idHeaders, scripted, cutAfter, errorEvent);
	}

	/** Answers the faults that replace the response outright; returns false for those that shape a normal answer. */
	async function applyFault(fault: FakeFault, route: FakeRoute, stream: boolean, res: http.ServerResponse, requestId: string, idHeaders: Record<string, string>): Promise<boolean> {
		if (!('kind' in fault)) {
			const body = fault.body ?? defaultErrorBody(route, fault.status, requestId);
			const text = typeof body === 'string' ? body : JSON.stringify(body);
			res.writeHead(fault.status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json', 'content-length': Buffer.byteLength(text), ...idHeaders, ...fault.headers });
			res.end(text);
			return true;
		}
		switch (fault.kind) {
			case 'overloaded':
				if (route === 'anthropic') sendJson(res, 529, anthropicError('overloaded_error', 'Overloaded', requestId), idHeaders);
				else sendJson(res, 503, openaiError('The server is overloaded or not ready yet.', 'server_error', null), idHeaders);
				return true;
			case 'server-error': {
				const status = fault.status ?? 500;
				if (route === 'anthropic') sendJson(res, status, anthropicError('api_error', 'Internal server error', requestId), idHeaders);
				else sendJson(res, status, openaiError('The server had an error while processing your request. Sorry about that!', 'server_error', null), idHeaders);
				return true;
			}
			case 'insufficient-quota':
				if (route === 'anthropic') sendJson(res, 402, anthropicError('billing_error', 'Your credit balance is too low to access the Anthropic API.', requestId), idHeaders);
				else sendJson(res, 429, openaiError('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota', 'insufficient_quota'), idHeaders);
				return true;
			case 'hang':
				// Never answered; the socket stays in `sockets` until the client gives up or `close()` runs.
				return true;
			case 'delay':
				await sleep(fault.ms);
				return closed;
			case 'error-event':
				if (stream) return false;
				sendFaultError(res, route, fault.errorType, fault.message, requestId, idHeaders);
				return true;
			case 'cut-after':
				if (fault.events <= 0 && !stream) {
					res.socket?.destroy();
					return true;
				}
				return false;
			case 'answer':
				return false;
		}
	}

	function sendFaultError(res: http.ServerResponse, route: FakeRoute, errorType: string | undefined, message: string | undefined, requestId: string, idHeaders: Record<string, string>): void {
		if (route === 'anthropic') {
			const type = errorType ?? 'overloaded_error';
			sendJson(res, type === 'overloaded_error' ? 529 : 500, anthropicError(type, message ?? 'Overloaded', requestId), idHeaders);
		} else {
			sendJson(res, 500, openaiError(message ?? 'The server had an error while processing your request.', errorType ?? 'server_error', null), idHeaders);
		}
	}

	/** Sends a JSON body, or only its first half before destroying the socket when `cutAfter` is set. */
	async function sendBody(res: http.ServerResponse, body: unknown, headers: Record<string, string>, cutAfter: number | undefined): Promise<void> {
		if (cutAfter === undefined) return sendJson(res, 200, body, headers);
		const text = JSON.stringify(body);
		res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
		await write(res, text.slice(0, Math.floor(text.length / 2)));
		res.socket?.destroy();
	}

	function resolveAnswer(route: 'anthropic' | 'openai-chat', body: Json, stream: boolean, scripted: FakeAnswer | undefined): { text: string; stop: string; usage: Partial<FakeUsage> | undefined; truncatedTo?: number } {
		let answer: FakeAnswer | undefined = scripted;
		if (!answer && state.responder) {
			const chosen = state.responder({ route, model: String(body['model'] ?? ''), body, lastUserText: lastUserText(body['messages']), stream });
			answer = typeof chosen === 'string' ? { text: chosen } : chosen;
		}
		answer ??= { text: defaultAnswer(lastUserText(body['messages'])) };
		if (answer.stop !== undefined) return { text: answer.text, stop: wireStop(answer.stop, route), usage: answer.usage };
		const cap = outputCap(body, route);
		if (cap !== undefined && fakeTokenCount(answer.text) > cap) {
			return { text: answer.text.slice(0, cap * 4), stop: wireStop('max_tokens', route), usage: answer.usage, truncatedTo: cap };
		}
		return { text: answer.text, stop: wireStop('end', route), usage: answer.usage };
	}

	/** Applies Anthropic prompt caching to the request's `cache_control` breakpoints. */
	function anthropicCache(model: string, units: readonly PromptUnit[]): { total: number; read: number; write5m: number; write1h: number } {
		const total = units.reduce((sum, u) => sum + u.tokens, 0);
		const breakpoints: { key: string; tokens: number; ttl: '5m' | '1h' }[] = [];
		const material: string[] = [];
		let running = 0;
		for (const unit of units) {
			material.push(unit.material);
			running += unit.tokens;
			if (unit.breakpoint && running >= anthropicCacheMin) breakpoints.push({ key: hashKey(model, ...material), tokens: running, ttl: unit.breakpoint });
		}
		let read = 0;
		for (const bp of breakpoints) if (state.anthropicPrefixes.has(bp.key)) read = bp.tokens;
		const last = breakpoints.at(-1);
		let write5m = 0;
		let write1h = 0;
		if (last && last.tokens > read) {
			// Tokens between the longest cached prefix and each later breakpoint are written with that breakpoint's TTL.
			let covered = read;
			for (const bp of breakpoints) {
				if (bp.tokens <= covered) continue;
				if (bp.ttl === '1h') write1h += bp.tokens - covered;
				else write5m += bp.tokens - covered;
				covered = bp.tokens;
			}
		}
		for (const bp of breakpoints) state.anthropicPrefixes.add(bp.key);
		return { total, read, write5m, write1h };
	}

	async function answerAnthropic(body: Json, id: number, stream: boolean, res: http.ServerResponse, requestId: string, idHeaders: Record<string, string>, scripted: FakeAnswer | undefined, cutAfter: number | undefined, errorEvent: Extract<FakeFault, { kind: 'error-event' }> | undefined): Promise<void> {
		const missing = ['model', 'messages', 'max_tokens'].find((key) => body[key] === undefined);
		if (missing) {
			sendJson(res, 400, anthropicError('invalid_request_error', `${missing}: Field required`, requestId), idHeaders);
			return;
		}
		const model = String(body['model']);
		const cache = anthropicCache(model, anthropicUnits(body));
		const answer = resolveAnswer('anthropic', body, stream, scripted);
		const usage: FakeUsage = {
			inputTokens: cache.total,
			cachedInputTokens: cache.read,
			cacheWriteTokens: cache.write5m + cache.write1h,
			outputTokens: answer.truncatedTo ?? fakeTokenCount(answer.text),
			...answer.usage,
		};
		const writeSplit = usage.cacheWriteTokens === cache.write5m + cache.write1h ? { m5: cache.write5m, h1: cache.write1h } : { m5: usage.cacheWriteTokens, h1: 0 };
		const wireUsage = {
			input_tokens: Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens),
			cache_creation_input_tokens: usage.cacheWriteTokens,
			cache_read_input_tokens: usage.cachedInputTokens,
			cache_creation: { ephemeral_5m_input_tokens: writeSplit.m5, ephemeral_1h_input_tokens: writeSplit.h1 },
			output_tokens: usage.outputTokens,
			service_tier: 'standard',
		};
		const messageId = `msg_fake_${String(id).padStart(6, '0')}`;
		const chunks = chunkText(answer.text, wordsPerChunk);

		if (!stream) {
			await sleep(state.latency.firstTokenMs + state.latency.perChunkMs * Math.max(0, chunks.length - 1));
			if (closed) return;
			const message = {
				id: messageId,
				type: 'message',
				role: 'assistant',
				model,
				content: [{ type: 'text', text: answer.text, citations: null }],
				stop_reason: answer.stop,
				stop_sequence: null,
				container: null,
				stop_details: null,
				usage: wireUsage,
			};
			return sendBody(res, message, idHeaders, cutAfter);
		}

		const frame = (type: string, data: unknown): string => `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
		const frames: { text: string; delta: number }[] = [];
		frames.push({ text: frame('message_start', { type: 'message_start', message: { id: messageId, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, container: null, stop_details: null, usage: { ...wireUsage, output_tokens: Math.min(1, usage.outputTokens) } } }), delta: -1 });
		frames.push({ text: frame('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }), delta: -1 });
		frames.push({ text: frame('ping', { type: 'ping' }), delta: -1 });
		chunks.forEach((text, i) => frames.push({ text: frame('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } }), delta: i }));
		frames.push({ text: frame('content_block_stop', { type: 'content_block_stop', index: 0 }), delta: -1 });
		const { service_tier: _tier, cache_creation: _creation, ...deltaUsage } = wireUsage;
		frames.push({ text: frame('message_delta', { type: 'message_delta', delta: { stop_reason: answer.stop, stop_sequence: null }, usage: deltaUsage }), delta: -1 });
		frames.push({ text: frame('message_stop', { type: 'message_stop' }), delta: -1 });
		const errorFrame = errorEvent
			? frame('error', anthropicError(errorEvent.errorType ?? 'overloaded_error', errorEvent.message ?? 'Overloaded', requestId))
			: undefined;
		await streamFrames(res, idHeaders, frames, cutAfter, errorEvent?.afterEvents, errorFrame);
	}

	async function streamFrames(res: http.ServerResponse, headers: Record<string, string>, frames: readonly { text: string; delta: number }[], cutAfter: number | undefined, errorAfter: number | undefined, errorFrame: string | undefined): Promise<void> {
		res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', ...headers });
		res.flushHeaders();
		// The terminal frame is never sent before a cut or an error frame, whatever k the test asked for.
		const last = frames.length - 1;
		const cutAt = cutAfter === undefined ? undefined : Math.min(Math.max(0, cutAfter), last);
		const errorAt = errorAfter === undefined ? undefined : Math.min(Math.max(0, errorAfter), last);
		for (let i = 0; i <= frames.length; i++) {
			if (closed || res.destroyed) return;
			if (i === cutAt) {
				res.socket?.destroy();
				return;
			}
			if (i === errorAt && errorFrame !== undefined) {
				await write(res, errorFrame);
				res.end();
				return;
			}
			const frame = frames[i];
			if (!frame) break;
			if (frame.delta === 0) await sleep(state.latency.firstTokenMs);
			else if (frame.delta > 0) await sleep(state.latency.perChunkMs);
			if (closed || res.destroyed) return;
			await write(res, frame.text);
		}
		res.end();
	}

	/** OpenAI automatic caching: the longest previously seen prefix, ≥ the minimum, in 128-token steps. */
	function openaiCache(model: string, prompt: string): number {
		const promptTokens = Math.floor(prompt.length / 4);
		if (promptTokens < openaiCacheMin) return 0;
		let cached = 0;
		const keys: string[] = [];
		for (let n = openaiCacheMin; n <= promptTokens; n += 128) {
			const key = hashKey(model, prompt.slice(0, n * 4));
			keys.push(key);
			if (state.openaiPrefixes.has(key)) cached = n;
		}
		for (const key of keys) state.openaiPrefixes.add(key);
		return cached;
	}

	async function answerOpenAI(body: Json, id: number, stream: boolean, res: http.ServerResponse, requestId: string, idHeaders: Record<string, string>, scripted: FakeAnswer | undefined, cutAfter: number | undefined, errorEvent: Extract<FakeFault, { kind: 'error-event' }> | undefined): Promise<void> {
		const missing = ['model', 'messages'].find((key) => body[key] === undefined);
		if (missing) {
			sendJson(res, 400, openaiError(`Missing required parameter: '${missing}'.`, 'invalid_request_error', 'missing_required_parameter'), idHeaders);
			return;
		}
		const model = String(body['model']);
		const prompt = openaiPromptText(body);
		const cached = openaiCache(model, prompt.text);
		const answer = resolveAnswer('openai-chat', body, stream, scripted);
		const usage: FakeUsage = {
			inputTokens: fakeTokenCount(prompt.text) + MESSAGE_OVERHEAD_TOKENS * prompt.messages + 3,
			cachedInputTokens: cached,
			cacheWriteTokens: 0,
			outputTokens: answer.truncatedTo ?? fakeTokenCount(answer.text),
			...answer.usage,
		};
		const wireUsage = {
			prompt_tokens: usage.inputTokens,
			completion_tokens: usage.outputTokens,
			total_tokens: usage.inputTokens + usage.outputTokens,
			prompt_tokens_details: { cached_tokens: usage.cachedInputTokens, audio_tokens: 0 },
			completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
		};
		const completionId = `chatcmpl-fake${String(id).padStart(6, '0')}`;
		const created = Math.floor(Date.now() / 1000);
		const chunks = chunkText(answer.text, wordsPerChunk);
		const common = { id: completionId, created, model, service_tier: 'default', system_fingerprint: 'fp_fake' };

		if (!stream) {
			await sleep(state.latency.firstTokenMs + state.latency.perChunkMs * Math.max(0, chunks.length - 1));
			if (closed) return;
			const completion = {
				...common,
				object: 'chat.completion',
				choices: [{ index: 0, message: { role: 'assistant', content: answer.text, refusal: null, annotations: [] }, logprobs: null, finish_reason: answer.stop }],
				usage: wireUsage,
			};
			return sendBody(res, completion, idHeaders, cutAfter);
		}

		const streamOptions = body['stream_options'];
		const includeUsage = isRecord(streamOptions) && streamOptions['include_usage'] === true;
		// With include_usage, every chunk carries `usage: null` until the final usage-only chunk, as the API does.
		const usageField = includeUsage ? { usage: null } : {};
		const data = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
		const chunk = (delta: Json, finish: string | null): string => data({ ...common, object: 'chat.completion.chunk', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...usageField });
		const frames: { text: string; delta: number }[] = [];
		frames.push({ text: chunk({ role: 'assistant', content: '', refusal: null }, null), delta: -1 });
		chunks.forEach((text, i) => frames.push({ text: chunk({ content: text }, null), delta: i }));
		frames.push({ text: chunk({}, answer.stop), delta: -1 });
		if (includeUsage) frames.push({ text: data({ ...common, object: 'chat.completion.chunk', choices: [], usage: wireUsage }), delta: -1 });
		frames.push({ text: 'data: [DONE]\n\n', delta: -1 });
		const errorFrame = errorEvent ? data(openaiError(errorEvent.message ?? 'The server had an error while processing your request.', errorEvent.errorType ?? 'server_error', null)) : undefined;
		await streamFrames(res, idHeaders, frames, cutAfter, errorEvent?.afterEvents, errorFrame);
	}

	async function answerEmbeddings(body: Json, res: http.ServerResponse, idHeaders: Record<string, string>, cutAfter: number | undefined): Promise<void> {
		const input = body['input'];
		const model = String(body['model'] ?? 'text-embedding-3-small');
		let texts: string[];
		if (typeof input === 'string') texts = [input];
		else if (Array.isArray(input) && input.every((item) => typeof item === 'number')) texts = [input.join(' ')];
		else if (Array.isArray(input)) texts = input.map((item) => (typeof item === 'string' ? item : Array.isArray(item) ? item.join(' ') : JSON.stringify(item)));
		else {
			sendJson(res, 400, openaiError("'input' is a required property", 'invalid_request_error', null), idHeaders);
			return;
		}
		const requested = body['dimensions'];
		const dimensions = typeof requested === 'number' && Number.isInteger(requested) && requested > 0 ? requested : model === 'text-embedding-3-large' ? 3072 : defaultDimensions;
		const base64 = body['encoding_format'] === 'base64';
		await sleep(state.latency.firstTokenMs);
		if (closed) return;
		const tokens = texts.reduce((sum, text) => sum + fakeTokenCount(text), 0);
		const data = texts.map((text, index) => {
			const vector = lexicalEmbedding(text, dimensions);
			// base64 is the little-endian float32 bytes, which is what the openai SDK decodes by default.
			const embedding = base64 ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64') : Array.from(vector);
			return { object: 'embedding', index, embedding };
		});
		return sendBody(res, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, idHeaders, cutAfter);
	}

	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;
	const url = `http://127.0.0.1:${port}`;

	return {
		url,
		anthropicBaseURL: url,
		openaiBaseURL: `${url}/v1`,
		requests,
		get pendingFaults() {
			return state.faults.length;
		},
		script(fault) {
			state.faults.push({ fault });
		},
		scriptNext(...faults) {
			for (const fault of faults) state.faults.push({ fault });
		},
		setResponder(responder) {
			state.responder = responder;
		},
		setLatency(latency) {
			state.latency = { firstTokenMs: latency.firstTokenMs ?? 0, perChunkMs: latency.perChunkMs ?? 0 };
		},
		reset() {
			requests.length = 0;
			state.faults = [];
			state.responder = options.responder;
			state.latency = initialLatency();
			state.anthropicPrefixes.clear();
			state.openaiPrefixes.clear();
		},
		async close() {
			if (closed) return;
			closed = true;
			for (const sleeper of sleepers) {
				clearTimeout(sleeper.timer);
				sleeper.done();
			}
			sleepers.clear();
			const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
			for (const socket of sockets) socket.destroy();
			server.closeAllConnections();
			await stopped;
		},
	};
}
