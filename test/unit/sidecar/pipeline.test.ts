// The whole pipeline with its real parts: the real @anthropic-ai/sdk and openai clients over HTTP to
// the loopback fake provider, a real SQLite file, the offline and the OpenAI embedders.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { PipelineEvent, PipelineRequest, PipelineResult } from '../../../src/core/pipeline';
import { PipelineError } from '../../../src/core/pipeline';
import { Engine, type EngineOptions } from '../../../src/sidecar/engine';
import { startFakeProvider, type FakeProvider } from '../../support/fakeProvider';

let fake: FakeProvider;
let dir: string;
const engines: Engine[] = [];

before(async () => {
	fake = await startFakeProvider();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-pipeline-'));
});

after(async () => {
	for (const engine of engines) engine.close();
	await fake.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => fake.reset());

let dbCounter = 0;
function newEngine(options: Partial<EngineOptions> = {}): Engine {
	const engine = new Engine({
		dbFile: path.join(dir, `pipeline-${++dbCounter}.db`),
		env: { ANTHROPIC_API_KEY: 'test-anthropic-key', OPENAI_API_KEY: 'test-openai-key', ANTHROPIC_BASE_URL: fake.anthropicBaseURL, OPENAI_BASE_URL: fake.openaiBaseURL },
		retry: { baseDelayMs: 5, maxDelayMs: 20 },
		providers: { timeoutMs: 2_000 },
		demoLatencyScale: 0,
		...options,
	});
	engines.push(engine);
	return engine;
}

function anthropicRequest(overrides: { tenant?: string; model?: string; system?: string; user?: string; maxTokens?: number; stream?: boolean; temperature?: number } = {}): PipelineRequest {
	return {
		tenant: overrides.tenant ?? 'acme',
		provider: 'anthropic',
		body: {
			model: overrides.model ?? 'claude-sonnet-4-6',
			max_tokens: overrides.maxTokens ?? 256,
			system: overrides.system ?? 'You are a helpful support assistant for Acme.',
			messages: [{ role: 'user', content: overrides.user ?? 'How do I reset my password?' }],
			...(overrides.stream !== undefined ? { stream: overrides.stream } : {}),
			...(overrides.temperature !== undefined ? { temperature: overrides.temperature } : {}),
		},
	};
}

function openaiRequest(user: string, extra: Record<string, unknown> = {}): PipelineRequest {
	return {
		tenant: 'acme',
		provider: 'openai',
		body: { model: 'gpt-4o-mini', max_completion_tokens: 256, messages: [{ role: 'system', content: 'Answer briefly.' }, { role: 'user', content: user }], ...extra },
	};
}

async function run(engine: Engine, request: PipelineRequest): Promise<{ result: PipelineResult; events: PipelineEvent[] }> {
	const events: PipelineEvent[] = [];
	const result = await engine.run(request, { listener: (event) => events.push(event) });
	return { result, events };
}

function upstreamCalls(route: 'anthropic' | 'openai-chat' | 'embeddings'): number {
	return fake.requests.filter((r) => r.route === route).length;
}

function usageRows(engine: Engine): Record<string, unknown>[] {
	return engine.store!.queryUsage({}) as unknown as Record<string, unknown>[];
}

void describe('exact cache', () => {
	void it('serves a repeat from the cache at $0 without an upstream call', async () => {
		const engine = newEngine();
		const first = await run(engine, anthropicRequest());
		assert.equal(first.result.outcome, 'miss');
		assert.equal(upstreamCalls('anthropic'), 1);
		assert.ok(first.result.costUsd !== null && first.result.costUsd > 0);
		const second = await run(engine, anthropicRequest());
		assert.equal(second.result.outcome, 'exact');
		assert.equal(second.result.costUsd, 0);
		assert.equal(second.result.completion.text, first.result.completion.text);
		assert.equal(second.result.originalCostUsd, first.result.costUsd);
		assert.equal(upstreamCalls('anthropic'), 1, 'a hit must not call the provider');
		const rows = usageRows(engine);
		assert.deepEqual(rows.map((r) => [r.stage, r.cacheHit, r.costUsd === 0]), [['direct', 'miss', false], ['exact-cache', 'exact', true]]);
	});

	void it('replays a hit as a stream when the caller asks for streaming', async () => {
		const engine = newEngine();
		fake.setResponder(() => 'A long answer, sentence after sentence. '.repeat(30));
		const first = await run(engine, anthropicRequest({ stream: false, maxTokens: 1024 }));
		const second = await run(engine, anthropicRequest({ stream: true, maxTokens: 1024 }));
		assert.equal(second.result.outcome, 'exact', 'stream is transport-only and not part of the key');
		const deltas = second.events.filter((e): e is Extract<PipelineEvent, { type: 'delta' }> => e.type === 'delta');
		assert.ok(deltas.length > 1, `a long answer replays as several deltas, got ${deltas.length}`);
		assert.equal(deltas.map((d) => d.text).join(''), first.result.completion.text);
		assert.equal(upstreamCalls('anthropic'), 1);
	});

	void it('misses for a different tenant, model, system prompt or parameter', async () => {
		const engine = newEngine();
		await run(engine, anthropicRequest());
		const variants: [string, PipelineRequest][] = [
			['tenant', anthropicRequest({ tenant: 'globex' })],
			['model', anthropicRequest({ model: 'claude-haiku-4-5' })],
			['system prompt', anthropicRequest({ system: 'You are a terse support assistant for Acme.' })],
			['max_tokens', anthropicRequest({ maxTokens: 300 })],
			['temperature', anthropicRequest({ temperature: 0.2 })],
		];
		for (const [what, request] of variants) {
			const before = upstreamCalls('anthropic');
			const { result } = await run(engine, request);
			assert.equal(result.outcome, 'miss', `a different ${what} must miss`);
			assert.equal(upstreamCalls('anthropic'), before + 1, `a different ${what} must call upstream`);
		}
	});

	void it('does not store an answer cut by max_tokens, and honours noStore', async () => {
		const engine = newEngine();
		fake.setResponder(() => ({ text: 'A long answer that was cut off', stop: 'max_tokens' }));
		await run(engine, anthropicRequest());
		await run(engine, anthropicRequest());
		assert.equal(upstreamCalls('anthropic'), 2, 'a truncated answer must not be cached');
		fake.setResponder(undefined);
		const noStore = { ...anthropicRequest({ user: 'no store please' }), noStore: true };
		await run(engine, noStore);
		await run(engine, noStore);
		assert.equal(upstreamCalls('anthropic'), 4);
	});
});

void describe('exact cache switched off', () => {
	void it('neither reads nor writes the exact cache when the request says exactCache: false', async () => {
		const engine = newEngine();
		await run(engine, anthropicRequest({ user: 'stored before' }));
		const off = { ...anthropicRequest({ user: 'stored before' }), exactCache: false };
		const { result, events } = await run(engine, off);
		assert.equal(result.outcome, 'miss', 'a stored answer is not served when the exact cache is off');
		assert.ok(events.some((e) => e.type === 'stage' && e.stage === 'exact-cache' && e.status === 'skipped'));
		await run(engine, { ...anthropicRequest({ user: 'never stored' }), exactCache: false });
		assert.equal((await run(engine, anthropicRequest({ user: 'never stored' }))).result.outcome, 'miss', 'nothing was stored while it was off');
		assert.equal(upstreamCalls('anthropic'), 4);
	});
});

void describe('semantic cache', () => {
	const paraphraseA = 'How do I reset my password?';
	const paraphraseB = 'how can i reset my password';

	void it('serves a paraphrase only when semantic caching is on and above the threshold (OpenAI embeddings)', async () => {
		const engine = newEngine({ embedder: { kind: 'openai', model: 'text-embedding-3-small' } });
		assert.match(engine.embedder.id, /^openai:text-embedding-3-small/);
		const on = (user: string, threshold?: number): PipelineRequest => ({ ...openaiRequest(user), semantic: threshold === undefined ? {} : { threshold } });
		await run(engine, on(paraphraseA));
		// Semantic off: a paraphrase is a different request.
		const off = await run(engine, openaiRequest('How could I reset my password?'));
		assert.equal(off.result.outcome, 'miss');
		assert.equal(upstreamCalls('openai-chat'), 2);
		const hit = await run(engine, on(paraphraseB));
		assert.equal(hit.result.outcome, 'semantic');
		assert.ok((hit.result.semantic?.similarity ?? 0) >= 0.95, `similarity ${hit.result.semantic?.similarity}`);
		assert.equal(hit.result.semantic?.matchedQuery, paraphraseA);
		assert.equal(upstreamCalls('openai-chat'), 2, 'a semantic hit must not call the chat endpoint');
		// A looser rewording (similarity ≈ 0.82 with this embedding) misses at the default 0.95 and hits at 0.8.
		const loose = 'I forgot my password, how to reset it';
		const below = await run(engine, on(loose));
		assert.equal(below.result.outcome, 'miss');
		const similarity = below.result.semantic?.similarity ?? 0;
		assert.ok(similarity > 0.8 && similarity < 0.95, `similarity ${similarity}`);
		const above = await run(engine, { ...on(loose, 0.8), tenant: 'acme', body: { ...openaiRequest(loose).body, temperature: 0 } });
		assert.equal(above.result.outcome, 'miss', 'a different parameter is a different scope, even semantically');
		assert.equal((await run(engine, on(`${loose}!`, 0.8))).result.outcome, 'semantic');
		// Unrelated question: below threshold, so it misses and reports the nearest similarity.
		const unrelated = await run(engine, on('What is the capital of France?'));
		assert.equal(unrelated.result.outcome, 'miss');
		assert.ok(unrelated.result.semantic?.similarity !== undefined && (unrelated.result.semantic.similarity ?? 1) < 0.95);
		// Embedding calls are upstream attempts: logged and costed.
		const embeddingRows = usageRows(engine).filter((r) => r.stage === 'semantic-cache' && r.cacheHit === 'miss');
		assert.equal(embeddingRows.length, 6, 'one embedding per semantic-enabled request');
		assert.ok(embeddingRows.every((r) => r.model === 'text-embedding-3-small' && (r.inputTokens as number) > 0));
	});

	void it('never serves "turn on X" for "turn off X", nor order 123 for order 124', async () => {
		const engine = newEngine();
		const ask = (user: string): PipelineRequest => ({ ...openaiRequest(user), semantic: { threshold: 0.5 } });
		for (const [stored, asked] of [
			['Turn on dark mode in the dashboard', 'Turn off dark mode in the dashboard'],
			['Refund order 123 for the customer', 'Refund order 124 for the customer'],
		] as const) {
			await run(engine, ask(stored));
			const before = upstreamCalls('openai-chat');
			const { result } = await run(engine, ask(asked));
			assert.equal(result.outcome, 'miss', `${asked} must not be served ${stored}'s answer`);
			assert.ok(result.semantic?.rejectedBy, 'the guard names why it refused');
			assert.ok((result.semantic?.similarity ?? 0) >= 0.5, 'they were similar enough to be considered');
			assert.equal(upstreamCalls('openai-chat'), before + 1);
		}
	});

	void it('keeps tenants apart and never semantically caches personalized requests', async () => {
		const engine = newEngine();
		const ask = (tenant: string, user: string, personalized = false): PipelineRequest => ({ ...openaiRequest(user), tenant, semantic: { threshold: 0.8 }, personalized });
		await run(engine, ask('acme', paraphraseA));
		const other = await run(engine, ask('globex', paraphraseA));
		assert.equal(other.result.outcome, 'miss', 'another tenant must not see acme\'s entries');
		const personal = await run(engine, ask('acme', paraphraseB, true));
		assert.equal(personal.result.outcome, 'miss');
		assert.ok(personal.events.some((e) => e.type === 'stage' && e.stage === 'semantic-cache' && e.status === 'skipped' && e.detail === 'personalized request'));
	});
});

void describe('cascade', () => {
	const cascadeRequest = (user: string, gates: NonNullable<PipelineRequest['cascade']>['gates']): PipelineRequest => ({
		tenant: 'acme',
		provider: 'anthropic',
		body: { max_tokens: 256, system: 'Answer as JSON with a confidence field.', messages: [{ role: 'user', content: user }] },
		cascade: { cheapModel: 'claude-haiku-4-5', strongModel: 'claude-sonnet-4-6', gates },
	});

	void it('keeps a confident cheap answer and escalates a hedged one; both attempts are logged and costed', async () => {
		const engine = newEngine();
		fake.setResponder((r) => (r.model === 'claude-haiku-4-5' && r.lastUserText.includes('hard') ? "I'm not sure, it might depend." : r.model === 'claude-haiku-4-5' ? 'The answer is 42.' : 'A careful, complete answer.'));
		const easy = await run(engine, cascadeRequest('An easy question', [{ kind: 'hedging' }, { kind: 'truncated' }]));
		assert.equal(easy.result.escalated, false);
		assert.equal(easy.result.model, 'claude-haiku-4-5');
		assert.equal(easy.result.gateVerdict?.pass, true);
		const hard = await run(engine, cascadeRequest('A hard question', [{ kind: 'hedging' }, { kind: 'truncated' }]));
		assert.equal(hard.result.escalated, true);
		assert.equal(hard.result.model, 'claude-sonnet-4-6');
		assert.equal(hard.result.completion.text, 'A careful, complete answer.');
		assert.deepEqual(hard.result.rows.map((r) => [r.stage, r.model, r.escalated]), [['cheap', 'claude-haiku-4-5', false], ['strong', 'claude-sonnet-4-6', true]]);
		const cheapCost = hard.result.rows[0]!.costUsd!;
		const strongCost = hard.result.rows[1]!.costUsd!;
		assert.ok(cheapCost > 0 && strongCost > cheapCost);
		assert.ok(Math.abs(hard.result.costUsd! - (cheapCost + strongCost)) < 1e-12, 'an escalation pays for both attempts');
		const stored = usageRows(engine).filter((r) => r.requestId === hard.result.requestId);
		assert.equal(stored.length, 2);
		assert.match(String(stored[0]!.gateVerdict), /hedging/);
	});

	void it('escalates on low confidence and on schema failure', async () => {
		const engine = newEngine();
		fake.setResponder((r) => (r.model === 'claude-haiku-4-5' ? (r.lastUserText.includes('low') ? '{"answer":"maybe","confidence":0.3}' : '{"answer":"yes"}') : '{"answer":"definitely","confidence":0.97}'));
		const low = await run(engine, cascadeRequest('low confidence', [{ kind: 'confidence', min: 0.7 }]));
		assert.equal(low.result.escalated, true);
		assert.match(low.result.gateVerdict!.failures[0]!.reason, /0\.3/);
		const schema = { type: 'object', required: ['answer', 'confidence'], properties: { answer: { type: 'string' }, confidence: { type: 'number' } } };
		const invalid = await run(engine, cascadeRequest('schema please', [{ kind: 'schema', schema }]));
		assert.equal(invalid.result.escalated, true);
		assert.equal(invalid.result.gateVerdict!.failures[0]!.kind, 'schema');
	});
});

void describe('escalation warning', () => {
	void it('warns once when more than half of the recent cascade requests escalate', async () => {
		const engine = newEngine();
		fake.setResponder((r) => (r.model === 'claude-haiku-4-5' ? "I'm not sure about that." : 'A sure answer.'));
		const warnings: string[] = [];
		for (let i = 0; i < 25; i++) {
			await engine.run(
				{ tenant: 'acme', provider: 'anthropic', body: { max_tokens: 64, messages: [{ role: 'user', content: `question number ${i}` }] }, cascade: { cheapModel: 'claude-haiku-4-5', strongModel: 'claude-sonnet-4-6', gates: [{ kind: 'hedging' }] } },
				{ listener: (e) => e.type === 'warning' && warnings.push(e.message) },
			);
		}
		assert.equal(warnings.length, 1, warnings.join('\n'));
		assert.match(warnings[0]!, /100% of the last 20 requests through claude-haiku-4-5 → claude-sonnet-4-6 escalated/);
	});
});

void describe('faults', () => {
	void it('honours retry-after on a 429 and then succeeds', async () => {
		const engine = newEngine();
		fake.scriptNext({ status: 429, headers: { 'retry-after': '1' } });
		const { result, events } = await run(engine, anthropicRequest());
		const retry = events.find((e): e is Extract<PipelineEvent, { type: 'retry' }> => e.type === 'retry');
		assert.equal(retry?.delayMs, 1000, 'the wait is the server\'s retry-after, not our backoff');
		assert.equal(result.outcome, 'miss');
		assert.deepEqual(result.rows.map((r) => r.error === null), [false, true]);
		assert.match(String(result.rows[0]!.error), /429/);
	});

	void it('retries 529 and 5xx, and gives up with a clear error after the attempts', async () => {
		const engine = newEngine();
		fake.scriptNext({ kind: 'overloaded' }, { kind: 'server-error', status: 503 });
		const { result } = await run(engine, anthropicRequest({ user: 'retry me' }));
		assert.equal(result.rows.length, 3);
		fake.scriptNext({ kind: 'server-error' }, { kind: 'server-error' }, { kind: 'server-error' });
		await assert.rejects(run(engine, anthropicRequest({ user: 'always failing' })), (error: unknown) => {
			assert.ok(error instanceof PipelineError);
			assert.equal(error.code, 'provider');
			assert.match(error.message, /HTTP 500.*after 3 attempts/);
			assert.equal(error.rows.length, 3);
			return true;
		});
		assert.equal(usageRows(engine).filter((r) => r.error !== null).length, 5, 'every failed attempt is logged');
	});

	void it('never retries insufficient_quota', async () => {
		const engine = newEngine();
		fake.scriptNext({ kind: 'insufficient-quota' });
		await assert.rejects(run(engine, openaiRequest('quota')), /quota exhausted/);
		assert.equal(upstreamCalls('openai-chat'), 1);
	});

	for (const [name, fault, route, request] of [
		['a stream cut mid-way (Anthropic)', { kind: 'cut-after', events: 4 } as const, 'anthropic', anthropicRequest({ stream: true, user: 'cut me' })],
		['an error event mid-stream (Anthropic)', { kind: 'error-event', afterEvents: 4 } as const, 'anthropic', anthropicRequest({ stream: true, user: 'error me' })],
		['a stream cut mid-way (OpenAI)', { kind: 'cut-after', events: 3 } as const, 'openai-chat', openaiRequest('cut me too', { stream: true })],
		['an error chunk mid-stream (OpenAI)', { kind: 'error-event', afterEvents: 3 } as const, 'openai-chat', openaiRequest('error me too', { stream: true })],
	] as const) {
		void it(`${name}: a clear error, logged, nothing cached, not retried after text streamed`, async () => {
			const engine = newEngine();
			fake.scriptNext(fault);
			const deltas: string[] = [];
			await assert.rejects(
				engine.run(request, { listener: (e) => e.type === 'delta' && deltas.push(e.text) }),
				(error: unknown) => {
					assert.ok(error instanceof PipelineError, String(error));
					assert.equal(error.code, 'provider');
					assert.match(error.message, /already streamed/);
					return true;
				},
			);
			assert.ok(deltas.length > 0, 'part of the answer had streamed');
			assert.equal(upstreamCalls(route), 1, 'no retry once text reached the caller');
			const rows = usageRows(engine);
			assert.equal(rows.length, 1);
			assert.ok(rows[0]!.error);
			// Nothing was cached: the same request goes upstream again and now succeeds.
			const again = await run(engine, request);
			assert.equal(again.result.outcome, 'miss');
			assert.equal(upstreamCalls(route), 2);
		});
	}

	void it('times out a hung request, logs it and caches nothing', async () => {
		const engine = newEngine({ providers: { timeoutMs: 300, maxAttempts: 1 } });
		fake.scriptNext({ kind: 'hang' });
		await assert.rejects(run(engine, anthropicRequest({ user: 'hang' })), /timeout|timed out/i);
		const rows = usageRows(engine);
		assert.equal(rows.length, 1);
		assert.match(String(rows[0]!.error), /timeout|timed out/i);
		assert.equal(engine.store!.stats().exactEntries, 0);
	});

	void it('a cache that cannot open degrades to pass-through', async () => {
		const blocker = path.join(dir, 'not-a-directory');
		fs.writeFileSync(blocker, 'a file where a folder should be');
		const engine = newEngine({ dbFile: path.join(blocker, 'costlens.db') });
		assert.equal(engine.store, undefined);
		assert.ok(engine.notices.some((n) => /unavailable/.test(n)), engine.notices.join('\n'));
		const first = await run(engine, anthropicRequest({ user: 'no cache' }));
		const second = await run(engine, anthropicRequest({ user: 'no cache' }));
		assert.equal(first.result.outcome, 'miss');
		assert.equal(second.result.outcome, 'miss');
		assert.equal(upstreamCalls('anthropic'), 2);
	});

	void it('a corrupt database file is moved aside and requests keep working', async () => {
		const file = path.join(dir, 'corrupt.db');
		fs.writeFileSync(file, Buffer.alloc(8192, 0x5a));
		const engine = newEngine({ dbFile: file });
		assert.ok(engine.store, 'a fresh database replaces the damaged one');
		assert.ok(engine.notices.some((n) => /moved/.test(n)), engine.notices.join('\n'));
		assert.ok(fs.readdirSync(dir).some((f) => f.startsWith('corrupt.db.corrupt-')));
		await run(engine, anthropicRequest({ user: 'after corruption' }));
		assert.equal((await run(engine, anthropicRequest({ user: 'after corruption' }))).result.outcome, 'exact');
	});
});

void describe('usage normalization', () => {
	void it('Anthropic: input_tokens excludes cache reads and writes; the row counts the whole prompt', async () => {
		const engine = newEngine();
		const longSystem = 'Policy: ' + 'Refunds are processed within five business days of approval. '.repeat(120);
		const request = (user: string): PipelineRequest => ({
			tenant: 'acme',
			provider: 'anthropic',
			body: { model: 'claude-sonnet-4-6', max_tokens: 128, system: [{ type: 'text', text: longSystem, cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: user }] },
		});
		const first = await run(engine, request('First question'));
		const second = await run(engine, request('Second question'));
		const wire = fake.requests.filter((r) => r.route === 'anthropic');
		assert.equal(wire.length, 2);
		const w = first.result.rows[0]!;
		assert.ok(w.cacheWriteTokens > 1000, `cache write ${w.cacheWriteTokens}`);
		assert.ok(w.inputTokens > w.cacheWriteTokens, 'inputTokens includes the written prefix');
		const r = second.result.rows[0]!;
		assert.equal(second.result.outcome, 'prefix', 'a provider prompt-cache read is reported as a prefix hit');
		assert.equal(r.cachedInputTokens, w.cacheWriteTokens, 'the prefix written first is read second');
		assert.equal(r.cacheWriteTokens, 0);
		assert.ok(r.costUsd! < w.costUsd!, 'reading the cache is cheaper than writing it');
	});

	void it('OpenAI: prompt_tokens already includes cached_tokens', async () => {
		const engine = newEngine();
		const longSystem = 'Catalogue: ' + 'Item SKU-1 costs nine dollars and ships in two days. '.repeat(150);
		const request = (user: string): PipelineRequest => ({ tenant: 'acme', provider: 'openai', body: { model: 'gpt-4o-mini', max_completion_tokens: 64, messages: [{ role: 'system', content: longSystem }, { role: 'user', content: user }] } });
		const first = await run(engine, request('first'));
		const second = await run(engine, request('second'));
		const a = first.result.rows[0]!;
		const b = second.result.rows[0]!;
		assert.equal(a.cachedInputTokens, 0);
		assert.ok(b.cachedInputTokens >= 1024, `cached ${b.cachedInputTokens}`);
		assert.ok(Math.abs(b.inputTokens - a.inputTokens) <= 2, 'the whole prompt is counted once, cached part included');
		assert.ok(b.cachedInputTokens < b.inputTokens);
	});
});

void describe('durability', () => {
	void it('keeps every usage row of a run in the SQLite file with an intact row check', async () => {
		const engine = newEngine();
		for (let i = 0; i < 5; i++) await run(engine, anthropicRequest({ user: `question ${i % 3}` }));
		const file = engine.store!.stats().file;
		engine.close();
		const db = new Database(file, { readonly: true });
		try {
			assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
			const count = db.prepare('SELECT count(*) AS n FROM usage_log').get() as { n: number };
			assert.equal(count.n, 5);
		} finally {
			db.close();
		}
	});
});
