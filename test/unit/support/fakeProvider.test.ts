import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { fakeTokenCount, lexicalEmbedding, startFakeProvider, type FakeProvider } from '../../support/fakeProvider';

// Not on the SDK's deprecated list, which would print a warning per call.
const MODEL = 'claude-sonnet-4-6';
const GPT = 'gpt-4o-mini';
// ~1500 tokens at 4 chars a token: above both providers' 1024-token caching minimum.
const LONG_SYSTEM = 'You are a meticulous support agent for the Acme billing product. '.repeat(95);

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
	let dot = 0;
	let na = 0;
	let nb = 0;
	for (let i = 0; i < a.length; i++) {
		const x = a[i] ?? 0;
		const y = b[i] ?? 0;
		dot += x * y;
		na += x * x;
		nb += y * y;
	}
	return dot / Math.sqrt(na * nb);
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
	try {
		await promise;
	} catch (error) {
		return error;
	}
	assert.fail('expected the call to fail');
}

void describe('fake provider', () => {
	let fake: FakeProvider;
	let anthropic: Anthropic;
	let openai: OpenAI;

	before(async () => {
		fake = await startFakeProvider();
		anthropic = new Anthropic({ apiKey: 'test-key', baseURL: fake.anthropicBaseURL, maxRetries: 0 });
		openai = new OpenAI({ apiKey: 'test-key', baseURL: fake.openaiBaseURL, maxRetries: 0 });
	});
	after(async () => {
		await fake.close();
	});
	beforeEach(() => fake.reset());

	void describe('Anthropic messages', () => {
		void it('answers a non-streamed message with text, stop_reason and usage, and records the request', async () => {
			const message = await anthropic.messages.create({ model: MODEL, max_tokens: 256, messages: [{ role: 'user', content: 'How do I reset my password?' }] });
			assert.equal(message.type, 'message');
			assert.equal(message.role, 'assistant');
			assert.equal(message.model, MODEL);
			const block = message.content[0];
			assert.ok(block && block.type === 'text');
			assert.ok(block.text.startsWith('Echo: How do I reset my password?'), block.text);
			assert.equal(message.stop_reason, 'end_turn');
			assert.ok(message.usage.input_tokens > 0);
			assert.equal(message.usage.output_tokens, fakeTokenCount(block.text));
			assert.equal(message.usage.cache_creation_input_tokens, 0);
			assert.equal(message.usage.cache_read_input_tokens, 0);

			assert.equal(fake.requests.length, 1);
			const recorded = fake.requests[0];
			assert.ok(recorded);
			assert.equal(recorded.method, 'POST');
			assert.equal(recorded.path, '/v1/messages');
			assert.equal(recorded.route, 'anthropic');
			// SDK 1.14 sends the API key as `authorization: Bearer …`, older ones as `x-api-key`.
			assert.equal(recorded.headers['x-api-key'] ?? recorded.headers['authorization']?.replace(/^Bearer /, ''), 'test-key');
			assert.ok(recorded.headers['anthropic-version']);
			assert.deepEqual((recorded.body as { messages: unknown }).messages, [{ role: 'user', content: 'How do I reset my password?' }]);
		});

		void it('streams SSE events that messages.stream().finalMessage() assembles into the same answer', async () => {
			const params = { model: MODEL, max_tokens: 256, messages: [{ role: 'user' as const, content: 'Summarise the refund policy in two sentences.' }] };
			const plain = await anthropic.messages.create(params);
			const stream = anthropic.messages.stream(params);
			const deltas: string[] = [];
			stream.on('text', (text) => deltas.push(text));
			const final = await stream.finalMessage();
			const text = final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
			assert.deepEqual(final.content, plain.content.map((b) => (b.type === 'text' ? { type: 'text', text: b.text } : b)));
			assert.ok(deltas.length > 1, 'several text deltas');
			assert.equal(deltas.join(''), text);
			assert.equal(final.stop_reason, 'end_turn');
			assert.equal(final.usage.output_tokens, plain.usage.output_tokens);
			assert.equal(final.usage.input_tokens, plain.usage.input_tokens);
			assert.equal((fake.requests[1]?.body as { stream?: boolean }).stream, true);
		});

		void it('writes a cache_control prefix on first sight and reads it on the repeat; input_tokens excludes both', async () => {
			const request = (question: string) =>
				anthropic.messages.create({
					model: MODEL,
					max_tokens: 64,
					system: [{ type: 'text', text: LONG_SYSTEM, cache_control: { type: 'ephemeral' } }],
					messages: [{ role: 'user', content: question }],
				});
			const first = await request('What is my balance?');
			const second = await request('What is my balance?');
			const third = await request('A different question, same cached system prompt.');
			const prefix = fakeTokenCount(LONG_SYSTEM);
			assert.equal(first.usage.cache_creation_input_tokens, prefix);
			assert.equal(first.usage.cache_read_input_tokens, 0);
			assert.equal(second.usage.cache_creation_input_tokens, 0);
			assert.equal(second.usage.cache_read_input_tokens, prefix);
			assert.equal(third.usage.cache_read_input_tokens, prefix);
			// Same prompt: the uncached remainder is identical, and it excludes the prefix.
			assert.equal(first.usage.input_tokens, second.usage.input_tokens);
			assert.ok(first.usage.input_tokens < prefix);
			assert.equal(first.usage.cache_creation?.ephemeral_5m_input_tokens, prefix);
		});

		void it('reports cache usage in a streamed message too, and caches nothing below the minimum', async () => {
			const cached = { model: MODEL, max_tokens: 64, system: [{ type: 'text' as const, text: LONG_SYSTEM, cache_control: { type: 'ephemeral' as const } }], messages: [{ role: 'user' as const, content: 'Hi' }] };
			await anthropic.messages.create(cached);
			const streamed = await anthropic.messages.stream(cached).finalMessage();
			assert.equal(streamed.usage.cache_read_input_tokens, fakeTokenCount(LONG_SYSTEM));

			const short = { ...cached, system: [{ type: 'text' as const, text: 'Be brief.', cache_control: { type: 'ephemeral' as const } }] };
			await anthropic.messages.create(short);
			const repeat = await anthropic.messages.create(short);
			assert.equal(repeat.usage.cache_read_input_tokens, 0);
			assert.equal(repeat.usage.cache_creation_input_tokens, 0);
		});

		void it('truncates at max_tokens with stop_reason max_tokens', async () => {
			const message = await anthropic.messages.create({ model: MODEL, max_tokens: 5, messages: [{ role: 'user', content: 'Write a long essay about the sea.' }] });
			assert.equal(message.stop_reason, 'max_tokens');
			assert.equal(message.usage.output_tokens, 5);
			const block = message.content[0];
			assert.ok(block && block.type === 'text' && block.text.length <= 20);
		});

		void it('rejects a request without max_tokens as the API does', async () => {
			const error = await rejection(anthropic.post('/v1/messages', { body: { model: MODEL, messages: [{ role: 'user', content: 'x' }] } }));
			assert.ok(error instanceof Anthropic.BadRequestError);
			assert.match(error.message, /max_tokens/);
		});
	});

	void describe('OpenAI chat completions', () => {
		void it('answers a non-streamed chat completion', async () => {
			const completion = await openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'How do I reset my password?' }] });
			assert.equal(completion.object, 'chat.completion');
			assert.equal(completion.model, GPT);
			const choice = completion.choices[0];
			assert.ok(choice);
			assert.equal(choice.finish_reason, 'stop');
			assert.equal(choice.message.role, 'assistant');
			assert.equal(choice.message.refusal, null);
			assert.ok(choice.message.content?.startsWith('Echo: How do I reset my password?'));
			const usage = completion.usage;
			assert.ok(usage);
			assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
			assert.equal(usage.prompt_tokens_details?.cached_tokens, 0);
			assert.equal(fake.requests[0]?.path, '/v1/chat/completions');
			assert.equal(fake.requests[0]?.headers['authorization'], 'Bearer test-key');
		});

		void it('streams chunks that chat.completions.stream().finalChatCompletion() assembles, with the usage chunk', async () => {
			const params = { model: GPT, messages: [{ role: 'user' as const, content: 'Summarise the refund policy.' }] };
			const plain = await openai.chat.completions.create(params);
			const final = await openai.chat.completions.stream({ ...params, stream_options: { include_usage: true } }).finalChatCompletion();
			assert.equal(final.choices[0]?.message.content, plain.choices[0]?.message.content);
			assert.equal(final.choices[0]?.finish_reason, 'stop');
			assert.deepEqual(final.usage, plain.usage);

			const raw = await openai.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
			const chunks = [];
			for await (const chunk of raw) chunks.push(chunk);
			const last = chunks.at(-1);
			assert.ok(last);
			assert.deepEqual(last.choices, []);
			assert.equal(last.usage?.total_tokens, plain.usage?.total_tokens);
			assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'stop');
			assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
		});

		void it('sends no usage chunk without include_usage', async () => {
			const raw = await openai.chat.completions.create({ model: GPT, stream: true, messages: [{ role: 'user', content: 'Hi' }] });
			const chunks = [];
			for await (const chunk of raw) chunks.push(chunk);
			assert.ok(chunks.every((c) => c.choices.length === 1 && c.usage === undefined));
			assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
		});

		void it('reports cached_tokens, included in prompt_tokens, when a long prompt prefix repeats', async () => {
			const request = (question: string) =>
				openai.chat.completions.create({ model: GPT, messages: [{ role: 'system', content: LONG_SYSTEM }, { role: 'user', content: question }] });
			const first = await request('What is my balance?');
			const second = await request('What is my balance?');
			const third = await request('Something else entirely.');
			assert.equal(first.usage?.prompt_tokens_details?.cached_tokens, 0);
			const cached = second.usage?.prompt_tokens_details?.cached_tokens ?? 0;
			assert.ok(cached >= 1024, `cached ${cached}`);
			assert.equal((cached - 1024) % 128, 0);
			assert.equal(second.usage?.prompt_tokens, first.usage?.prompt_tokens, 'prompt_tokens includes the cached part');
			assert.ok(cached <= (second.usage?.prompt_tokens ?? 0));
			assert.ok((third.usage?.prompt_tokens_details?.cached_tokens ?? 0) >= 1024, 'shared prefix, different tail');

			const short = await openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Short prompt' }] });
			await openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Short prompt' }] });
			assert.equal(short.usage?.prompt_tokens_details?.cached_tokens, 0);
			const repeatShort = await openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Short prompt' }] });
			assert.equal(repeatShort.usage?.prompt_tokens_details?.cached_tokens, 0, 'below 1024 tokens nothing is cached');
		});

		void it('truncates at max_completion_tokens with finish_reason length', async () => {
			const completion = await openai.chat.completions.create({ model: GPT, max_completion_tokens: 4, messages: [{ role: 'user', content: 'Write a long essay.' }] });
			assert.equal(completion.choices[0]?.finish_reason, 'length');
			assert.equal(completion.usage?.completion_tokens, 4);
		});
	});

	void describe('OpenAI embeddings', () => {
		void it('returns deterministic lexical vectors through embeddings.create (base64 by default)', async () => {
			const response = await openai.embeddings.create({ model: 'text-embedding-3-small', input: ['How do I reset my password?', 'how can I reset my password', 'What is the weather in Paris today?'] });
			assert.equal((fake.requests[0]?.body as { encoding_format?: string }).encoding_format, 'base64', 'the SDK asks for base64 itself');
			assert.equal(response.object, 'list');
			assert.equal(response.data.length, 3);
			const [a, b, c] = response.data.map((d) => d.embedding);
			assert.ok(a && b && c);
			assert.equal(a.length, 1536);
			assert.ok(Array.isArray(a) && typeof a[0] === 'number');
			assert.ok(cosine(a, b) > 0.9, `paraphrase ${cosine(a, b)}`);
			assert.ok(Math.abs(cosine(a, c)) < 0.3, `unrelated ${cosine(a, c)}`);
			assert.ok(Math.abs(cosine(a, a) - 1) < 1e-6);
			const again = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'How do I reset my password?' });
			assert.deepEqual(again.data[0]?.embedding, a);
			assert.ok((response.usage.prompt_tokens ?? 0) > 0);
			assert.equal(response.usage.total_tokens, response.usage.prompt_tokens);
		});

		void it('honours dimensions and encoding_format float, matching lexicalEmbedding()', async () => {
			const response = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'Refund my order', dimensions: 256, encoding_format: 'float' });
			const vector = response.data[0]?.embedding;
			assert.ok(vector);
			assert.equal(vector.length, 256);
			const local = Array.from(lexicalEmbedding('Refund my order', 256));
			vector.forEach((value, i) => assert.ok(Math.abs(value - (local[i] ?? 0)) < 1e-6));
		});
	});

	void describe('scripted faults', () => {
		void it('surfaces a 429 as Anthropic.RateLimitError with retry-after visible', async () => {
			fake.script({ status: 429, headers: { 'retry-after': '1' } });
			const error = await rejection(anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }));
			assert.ok(error instanceof Anthropic.RateLimitError);
			assert.equal(error.status, 429);
			assert.equal(error.headers?.get('retry-after'), '1');
			assert.equal((error.error as { error?: { type?: string } }).error?.type, 'rate_limit_error');
			assert.equal(fake.requests[0]?.fault && 'status' in fake.requests[0].fault ? fake.requests[0].fault.status : undefined, 429);
		});

		void it('lets the SDK retry after retry-after-ms and succeed on the next request', async () => {
			const retrying = new Anthropic({ apiKey: 'test-key', baseURL: fake.anthropicBaseURL, maxRetries: 1 });
			fake.script({ status: 429, headers: { 'retry-after-ms': '5' } });
			const message = await retrying.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x' }] });
			assert.equal(message.type, 'message');
			assert.equal(fake.requests.length, 2);
			assert.equal(fake.requests[1]?.headers['x-stainless-retry-count'], '1');
		});

		void it('serves queued faults first in, first out, then answers normally', async () => {
			fake.scriptNext({ kind: 'overloaded' }, { kind: 'server-error', status: 502 });
			const params = { model: MODEL, max_tokens: 256, messages: [{ role: 'user' as const, content: 'x' }] };
			const overloaded = await rejection(anthropic.messages.create(params));
			// SDK 1.14 has a dedicated 529 class, a subclass of InternalServerError.
			assert.ok(overloaded instanceof Anthropic.OverloadedError);
			assert.ok(overloaded instanceof Anthropic.InternalServerError);
			assert.equal(overloaded.status, 529);
			assert.equal((overloaded.error as { error?: { type?: string } }).error?.type, 'overloaded_error');
			const badGateway = await rejection(anthropic.messages.create(params));
			assert.ok(badGateway instanceof Anthropic.InternalServerError);
			assert.equal(badGateway.status, 502);
			assert.equal(fake.pendingFaults, 0);
			assert.equal((await anthropic.messages.create(params)).stop_reason, 'end_turn');
			fake.script({ kind: 'insufficient-quota' });
			const billing = await rejection(anthropic.messages.create(params));
			assert.ok(billing instanceof Anthropic.APIError);
			assert.equal(billing.status, 402);
			assert.equal((billing.error as { error?: { type?: string } }).error?.type, 'billing_error');
		});

		void it('maps OpenAI 429s to rate_limit_exceeded or insufficient_quota codes', async () => {
			fake.scriptNext({ status: 429 }, { kind: 'insufficient-quota' }, { kind: 'server-error' });
			const params = { model: GPT, messages: [{ role: 'user' as const, content: 'x' }] };
			const limited = await rejection(openai.chat.completions.create(params));
			assert.ok(limited instanceof OpenAI.RateLimitError);
			assert.equal(limited.code, 'rate_limit_exceeded');
			const quota = await rejection(openai.chat.completions.create(params));
			assert.ok(quota instanceof OpenAI.RateLimitError);
			assert.equal(quota.code, 'insufficient_quota');
			assert.equal(quota.type, 'insufficient_quota');
			const server = await rejection(openai.chat.completions.create(params));
			assert.ok(server instanceof OpenAI.InternalServerError);
			assert.equal(server.status, 500);
		});

		void it('gives each status the route\'s own error shape unless a body is scripted', async () => {
			fake.scriptNext({ status: 401 }, { status: 400, body: { error: { message: 'custom', type: 'invalid_request_error', param: 'messages', code: null } } });
			const auth = await rejection(anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }));
			assert.ok(auth instanceof Anthropic.AuthenticationError);
			assert.equal((auth.error as { type?: string; error?: { type?: string } }).type, 'error');
			assert.equal((auth.error as { error?: { type?: string } }).error?.type, 'authentication_error');
			const bad = await rejection(openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'x' }] }));
			assert.ok(bad instanceof OpenAI.BadRequestError);
			assert.equal(bad.param, 'messages');
			assert.match(bad.message, /custom/);
		});

		void it('cuts an Anthropic stream after k events without the terminal event', async () => {
			fake.script({ kind: 'cut-after', events: 4 });
			const stream = anthropic.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Tell me a story' }] });
			const seen: string[] = [];
			stream.on('streamEvent', (event) => seen.push(event.type));
			const error = await rejection(stream.finalMessage());
			assert.ok(error instanceof Anthropic.AnthropicError, String(error));
			assert.ok(!seen.includes('message_stop'));
			assert.ok(seen.includes('message_start'));
		});

		void it('cuts an OpenAI stream after k events without [DONE] or finish_reason', async () => {
			fake.script({ kind: 'cut-after', events: 2 });
			const raw = await openai.chat.completions.create({ model: GPT, stream: true, messages: [{ role: 'user', content: 'Tell me a story' }] });
			const chunks: OpenAI.ChatCompletionChunk[] = [];
			const error = await rejection(
				(async () => {
					for await (const chunk of raw) chunks.push(chunk);
				})(),
			);
			assert.ok(error instanceof Error);
			assert.equal(chunks.length, 2);
			assert.ok(chunks.every((c) => c.choices[0]?.finish_reason === null));
		});

		void it('drops a non-streamed request before any response as a connection error', async () => {
			fake.script({ kind: 'cut-after', events: 0 });
			const error = await rejection(anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }));
			assert.ok(error instanceof Anthropic.APIConnectionError, String(error));
		});

		void it('fails a non-streamed response cut mid-body', async () => {
			fake.script({ kind: 'cut-after', events: 1 });
			const error = await rejection(openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'x' }] }));
			assert.ok(error instanceof Error, String(error));
		});

		void it('surfaces a mid-stream Anthropic error event as APIError', async () => {
			fake.script({ kind: 'error-event', afterEvents: 4 });
			const stream = anthropic.messages.stream({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'Tell me a story' }] });
			const deltas: string[] = [];
			stream.on('text', (text) => deltas.push(text));
			const error = await rejection(stream.finalMessage());
			assert.ok(error instanceof Anthropic.APIError, String(error));
			assert.equal((error.error as { error?: { type?: string } }).error?.type, 'overloaded_error');
			assert.ok(deltas.length > 0, 'some text arrived before the error');
		});

		void it('surfaces a mid-stream OpenAI error chunk as APIError', async () => {
			fake.script({ kind: 'error-event', afterEvents: 2, message: 'boom' });
			const stream = openai.chat.completions.stream({ model: GPT, messages: [{ role: 'user', content: 'Tell me a story' }] });
			const error = await rejection(stream.finalChatCompletion());
			assert.ok(error instanceof OpenAI.APIError, String(error));
			assert.match(error.message, /boom/);
		});

		void it('hangs until the client times out', async () => {
			const impatient = new Anthropic({ apiKey: 'test-key', baseURL: fake.anthropicBaseURL, maxRetries: 0, timeout: 150 });
			fake.script({ kind: 'hang' });
			const error = await rejection(impatient.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }));
			assert.ok(error instanceof Anthropic.APIConnectionTimeoutError, String(error));
			assert.equal(fake.requests.length, 1);
		});

		void it('serves scripted answers, delays, and responder answers', async () => {
			fake.scriptNext({ kind: 'delay', ms: 10 }, { kind: 'answer', text: "I'm not sure, but maybe.", stop: 'end' });
			const delayed = await openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'Reset password' }] });
			assert.ok(delayed.choices[0]?.message.content?.startsWith('Echo: Reset password'));
			const hedged = await anthropic.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });
			assert.deepEqual(hedged.content, [{ type: 'text', text: "I'm not sure, but maybe.", citations: null }]);

			fake.setResponder((request) => (request.lastUserText.includes('json') ? { text: '{"answer":"42","confidence":0.3}', usage: { outputTokens: 99 } } : undefined));
			const json = await openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'reply in json' }] });
			assert.equal(json.choices[0]?.message.content, '{"answer":"42","confidence":0.3}');
			assert.equal(json.usage?.completion_tokens, 99);
			const fallback = await openai.chat.completions.create({ model: GPT, messages: [{ role: 'user', content: 'plain' }] });
			assert.ok(fallback.choices[0]?.message.content?.startsWith('Echo: plain'));
		});

		void it('applies a route-bound fault only to that route', async () => {
			fake.script({ kind: 'overloaded', route: 'anthropic' });
			const embedded = await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'hello' });
			assert.equal(embedded.data.length, 1);
			assert.equal(fake.pendingFaults, 1);
			const error = await rejection(anthropic.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }));
			assert.ok(error instanceof Anthropic.InternalServerError);
		});
	});

	void it('answers 404 with a JSON error on an unknown route or method', async () => {
		const response = await fetch(`${fake.url}/v1/models`);
		assert.equal(response.status, 404);
		const body = (await response.json()) as { error?: { code?: string } };
		assert.equal(body.error?.code, 'unknown_url');
		const viaSdk = await rejection(openai.models.list());
		assert.ok(viaSdk instanceof OpenAI.NotFoundError);
		assert.equal(fake.requests.at(-1)?.route, null);
	});

	void it('close() ends hung and streaming requests promptly', async () => {
		const own = await startFakeProvider({ latency: { firstTokenMs: 60_000 } });
		const client = new Anthropic({ apiKey: 'test-key', baseURL: own.anthropicBaseURL, maxRetries: 0 });
		own.script({ kind: 'hang' });
		const hung = rejection(client.messages.create({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'x' }] }));
		const slow = rejection(client.messages.stream({ model: MODEL, max_tokens: 16, messages: [{ role: 'user', content: 'y' }] }).finalMessage());
		while (own.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
		await own.close();
		assert.ok((await hung) instanceof Anthropic.APIConnectionError);
		assert.ok((await slow) instanceof Anthropic.AnthropicError);
	});
});
