import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../../../src/core/analysis/analyze';
import type { CallSite, FileAnalysis, PromptSegment, Span, Static } from '../../../../src/core/analysis/types';
import { createFsResolver } from '../../../../src/node/fsResolver';
import { fixturePath, readFixture } from '../../helpers';

interface Analysed {
	readonly text: string;
	readonly result: FileAnalysis;
	readonly sites: readonly CallSite[];
	slice(span: Span | undefined): string | undefined;
}

function analyse(name: string): Analysed {
	const text = readFixture('analysis/' + name);
	const result = analyzeFile(text, fixturePath('analysis/' + name), createFsResolver());
	return { text, result, sites: result.callSites, slice: (span) => (span ? text.slice(span.start, span.end) : undefined) };
}

function site(a: Analysed, index: number): CallSite {
	const s = a.sites[index];
	assert.ok(s, `call site #${index} missing (found ${a.sites.length})`);
	return s;
}

/** The value of a literal `Static`, else undefined. */
function lit<T>(s: Static<T> | undefined): T | undefined {
	return s?.kind === 'literal' ? s.value : undefined;
}

function texts(segments: readonly PromptSegment[]): Array<[string, string | undefined]> {
	return segments.map((s) => [s.role, s.content?.text]);
}

test('anthropic: every API, with provider, model, max_tokens and spans', () => {
	const a = analyse('anthropicApis.ts');
	assert.equal(a.result.skipped, undefined);
	assert.deepEqual(a.sites.map((s) => s.api), ['messages.create', 'messages.stream', 'beta.messages.create', 'messages.batches.create', 'messages.countTokens']);
	for (const s of a.sites) {
		assert.equal(s.provider, 'anthropic');
		assert.equal(s.providerEvidence, 'constructor');
	}
	const create = site(a, 0);
	assert.ok(a.slice(create.span)?.startsWith('client.messages.create({'));
	assert.ok(a.slice(create.span)?.endsWith('})'));
	assert.equal(a.slice(create.calleeSpan), 'client.messages.create');
	assert.ok(a.slice(create.argsSpan)?.startsWith('{\n\t\tmodel: MODEL,'));
	assert.equal(lit(create.model), 'claude-sonnet-4-5');
	assert.equal(a.slice(create.model?.span), 'MODEL');
	assert.equal(create.maxOutputParam, 'max_tokens');
	assert.equal(lit(create.maxOutputTokens), 1024);
	assert.equal(create.stream, undefined);
	assert.equal(create.topLevelCacheControl, false);
	assert.equal(a.slice(site(a, 2).calleeSpan), 'client.beta.messages.create');
	assert.equal(a.slice(site(a, 3).calleeSpan), 'client.messages.batches.create');
});

test('anthropic: system blocks and messages in prefix order, with 5m and 1h cache_control', () => {
	const a = analyse('anthropicApis.ts');
	const segs = site(a, 0).segments;
	assert.deepEqual(texts(segs), [
		['system', 'You are a meticulous support agent for ACME routers.'],
		['system', 'Chapter 1. Resetting the router: hold the button for ten seconds.'],
		['example', 'How do I reset it?'],
		['example', 'Hold the reset button for ten seconds.'],
		['user', 'Customer asks: '],
	]);
	assert.equal(segs[0]?.cacheControl, undefined);
	assert.deepEqual(segs[1]?.cacheControl, { ttl: '1h' });
	assert.deepEqual(segs[4]?.cacheControl, { ttl: '5m' });
	assert.deepEqual(segs.map((s) => s.messageIndex), [undefined, undefined, 0, 1, 2]);
	const user = segs[4]?.content;
	assert.equal(user?.holes, 1);
	assert.deepEqual(user?.holeSpans.map((s) => a.slice(s)), ['question']);
});

test('anthropic: stream flag, top-level cache_control, batches read from the first request, countTokens', () => {
	const a = analyse('anthropicApis.ts');
	const stream = site(a, 1);
	assert.equal(lit(stream.stream), true);
	assert.equal(a.slice(stream.stream?.span), 'true');
	assert.equal(stream.topLevelCacheControl, true);
	assert.deepEqual(texts(stream.segments), [['system', 'You are a meticulous support agent for ACME routers.'], ['user', '']]);
	assert.equal(stream.segments[1]?.content?.holes, 1);

	const batch = site(a, 3);
	assert.equal(lit(batch.model), 'claude-haiku-4-5');
	assert.equal(lit(batch.maxOutputTokens), 256);
	assert.deepEqual(texts(batch.segments), [['system', 'You are a meticulous support agent for ACME routers.'], ['user', 'First question']]);

	const count = site(a, 4);
	assert.equal(count.maxOutputTokens, undefined);
	assert.equal(count.maxOutputParam, undefined);
	assert.deepEqual(texts(count.segments), [['system', 'You are a meticulous support agent for ACME routers.'], ['user', 'How many tokens is this?']]);
});

test('openai: every API, output caps, schema segments and Responses input/instructions', () => {
	const a = analyse('openaiApis.ts');
	assert.deepEqual(a.sites.map((s) => s.api), [
		'chat.completions.create', 'chat.completions.parse', 'beta.chat.completions.parse', 'chat.completions.stream',
		'responses.create', 'responses.stream', 'responses.parse', 'embeddings.create', 'embeddings.create', 'batches.create',
	]);
	for (const s of a.sites) assert.deepEqual([s.provider, s.providerEvidence], ['openai', 'constructor']);

	const chat = site(a, 0);
	assert.equal(chat.maxOutputParam, 'max_completion_tokens');
	assert.equal(lit(chat.maxOutputTokens), 300);
	assert.deepEqual(texts(chat.segments), [['system', 'Classify support tickets.'], ['user', '']]);
	assert.deepEqual(chat.segments[1]?.content?.holeSpans.map((s) => a.slice(s)), ['userText']);

	const parse = site(a, 1);
	assert.equal(parse.hasResponseFormat, true);
	assert.equal(parse.segments[0]?.role, 'schema');
	assert.equal(parse.segments[0]?.content?.text, '{"type":"json_schema","json_schema":{"name":"ticket","schema":{"type":"object","properties":{"priority":{"type":"string"}}}}}');

	const betaParse = site(a, 2);
	assert.equal(a.slice(betaParse.calleeSpan), 'openai.beta.chat.completions.parse');
	assert.equal(betaParse.segments[0]?.role, 'schema');
	assert.equal(betaParse.segments[0]?.content?.holes, 1, 'a zod helper call is a hole');

	const stream = site(a, 3);
	assert.equal(stream.maxOutputParam, 'max_tokens');
	assert.equal(lit(stream.stream), true);

	const responses = site(a, 4);
	assert.equal(responses.maxOutputParam, 'max_output_tokens');
	assert.equal(lit(responses.maxOutputTokens), 4000);
	assert.equal(responses.hasTools, true);
	assert.deepEqual(texts(responses.segments), [['tools', '[{"type":"web_search"}]'], ['system', 'Answer in one sentence.'], ['user', '']]);

	assert.deepEqual(texts(site(a, 5).segments), [['system', 'You are terse.'], ['user', 'Hello there']]);
	const rParse = site(a, 6);
	assert.equal(rParse.hasResponseFormat, true);
	assert.deepEqual(texts(rParse.segments), [['schema', '{"type":"json_schema","name":"date","schema":{"type":"object"}}'], ['user', 'Extract a date']]);
});

test('openai: embeddings inputs and batches.create', () => {
	const a = analyse('openaiApis.ts');
	assert.deepEqual(texts(site(a, 7).segments), [['embedding-input', 'first document'], ['embedding-input', 'second document']]);
	const dynamic = site(a, 8).segments;
	assert.equal(dynamic.length, 1);
	assert.equal(dynamic[0]?.content?.holes, 1);
	const batch = site(a, 9);
	assert.equal(batch.model, undefined);
	assert.deepEqual(batch.segments, []);
});

test('clients imported from a relative module are traced through the resolver', () => {
	const a = analyse('importedClients.ts');
	assert.deepEqual(a.sites.map((s) => [a.slice(s.calleeSpan), s.provider, s.providerEvidence, s.baseURL]), [
		['claude.messages.create', 'anthropic', 'constructor', undefined],
		['openai.chat.completions.create', 'openai', 'constructor', undefined],
		['local.chat.completions.create', 'openai-compatible', 'constructor', 'http://localhost:11434/v1'],
		['clients.anthropic.messages.create', 'anthropic', 'constructor', undefined],
	]);
});

test('without a resolver, an imported client falls back to the method shape', () => {
	const text = readFixture('analysis/importedClients.ts');
	const result = analyzeFile(text, fixturePath('analysis/importedClients.ts'));
	assert.deepEqual(result.callSites.map((s) => [s.provider, s.providerEvidence]), [
		['anthropic', 'method-shape'], ['openai', 'method-shape'], ['openai', 'method-shape'], ['anthropic', 'method-shape'],
	]);
});

test('clients in this.client (constructor, field, parameter property), typed and untyped parameters', () => {
	const a = analyse('classClient.ts');
	assert.deepEqual(a.sites.map((s) => [a.slice(s.calleeSpan), s.provider, s.api, s.providerEvidence]), [
		['this.client.messages.create', 'anthropic', 'messages.create', 'constructor'],
		['this.openai.embeddings.create', 'openai', 'embeddings.create', 'constructor'],
		['this.helper.chat.completions.create', 'openai', 'chat.completions.create', 'import'],
		['client.messages.create', 'anthropic', 'messages.create', 'import'],
		['llm.chat.completions.create', 'openai', 'chat.completions.create', 'method-shape'],
	]);
	assert.equal(lit(site(a, 0).maxOutputTokens), 400);
});

test('prompt constants from a sibling module, +, join, templates with holes, spread overrides', () => {
	const a = analyse('promptResolution.ts');
	const first = site(a, 0);
	assert.equal(lit(first.model), 'claude-opus-4-5', 'a later property overrides the spread');
	assert.equal(lit(first.maxOutputTokens), 1000, 'max_tokens comes from the spread');
	assert.equal(a.slice(first.maxOutputTokens?.span), '1000');
	const [system, user] = first.segments;
	assert.equal(system?.role, 'system');
	assert.equal(system?.content?.text, 'You are Ada, a careful analyst.\nCite sources.\nNever guess.');
	assert.deepEqual(system?.content?.origins, ['./prompts.ts#PERSONA', './prompts.ts#RULES']);
	assert.equal(system?.content?.holes, 0);
	assert.equal(user?.role, 'user');
	assert.equal(user?.content?.text, 'Hi , tone: friendly. ');
	assert.equal(user?.content?.holes, 2);
	assert.deepEqual(user?.content?.holeSpans.map((s) => a.slice(s)), ['userName', 'request']);
});

test('readFileSync of a sibling text file, path.join(__dirname) and .trim()', () => {
	const a = analyse('promptResolution.ts');
	const [system, user] = site(a, 1).segments;
	assert.equal(system?.content?.text, 'You summarise legal contracts.\nAlways list the parties first.\n');
	assert.deepEqual(system?.content?.origins, ['./systemPrompt.txt']);
	assert.equal(user?.content?.text, 'You summarise legal contracts.\nAlways list the parties first.');
	assert.equal(user?.content?.holes, 1);
	assert.deepEqual(user?.content?.origins, ['./systemPrompt.txt']);
});

test('namespace import, default export, .join with a separator, String.raw', () => {
	const a = analyse('promptResolution.ts');
	const [system, user] = site(a, 2).segments;
	assert.equal(system?.content?.text, 'Hello from Ada | Default export prompt.');
	assert.deepEqual(system?.content?.origins, ['./prompts.ts#GREETING', './prompts.ts#default']);
	assert.equal(user?.content?.text, 'C:\\temp\\ friendly\\n');
});

test('runtime messages become unknownMessages segments; unresolvable spreads mark the request', () => {
	const a = analyse('promptResolution.ts');
	const history = site(a, 3);
	assert.equal(history.unresolvedArgs, true);
	assert.equal(history.model, undefined);
	assert.deepEqual(history.segments.map((s) => [s.role, s.content, s.unknownMessages, a.slice(s.span)]), [['user', undefined, true, 'history']]);
	const mapped = site(a, 4);
	assert.equal(mapped.model?.kind, 'dynamic');
	assert.equal(a.slice(mapped.model?.span), 'settings.model');
	assert.deepEqual(mapped.segments.map((s) => [s.content, s.unknownMessages, a.slice(s.span)]), [[undefined, true, 'history.map((m) => ({ ...m }))']]);
});

test('clients from together-ai, groq-sdk, mistral and ORMs are not reported; an SDK-shaped untraced call is', () => {
	const a = analyse('foreignSdks.ts');
	assert.equal(a.sites.length, 1);
	assert.equal(site(a, 0).providerEvidence, 'method-shape');
	assert.equal(site(a, 0).provider, 'anthropic');
	assert.equal(lit(site(a, 0).model), 'claude-haiku-4-5');
});

test('calls inside comments, strings and template literals are not call sites', () => {
	const a = analyse('commentsAndStrings.ts');
	assert.equal(a.sites.length, 1);
	assert.equal(a.slice(site(a, 0).calleeSpan), 'openai.chat.completions.create');
	assert.ok(site(a, 0).segments[0]?.content?.text.includes("call openai.chat.completions.create({ model: 'gpt-4o' }) to chat"));
});

test('baseURL: other host → openai-compatible, OpenAI URL → openai, dynamic → openai-compatible, Azure → openai', () => {
	const a = analyse('compatible.ts');
	assert.deepEqual(a.sites.map((s) => [s.provider, s.baseURL]), [
		['openai-compatible', 'https://api.together.xyz/v1'],
		['openai', undefined],
		['openai-compatible', undefined],
		['openai', undefined],
	]);
});

test('CommonJS require in .js and createRequire/import in .mjs', () => {
	const cjs = analyse('cjsClient.js');
	assert.deepEqual(cjs.sites.map((s) => [cjs.slice(s.calleeSpan), s.provider, s.providerEvidence]), [
		['openai.chat.completions.create', 'openai', 'constructor'],
		['claude.messages.create', 'anthropic', 'constructor'],
	]);
	const esm = analyse('esmClient.mjs');
	assert.deepEqual(esm.sites.map((s) => [esm.slice(s.calleeSpan), s.provider, s.api, s.providerEvidence]), [
		['anthropic.messages.create', 'anthropic', 'messages.create', 'constructor'],
		['openai.responses.create', 'openai', 'responses.create', 'constructor'],
	]);
	assert.equal(lit(esm.sites[0]?.maxOutputTokens), 2000);
});

test('.tsx files parse with JSX', () => {
	const a = analyse('chatPanel.tsx');
	assert.equal(a.sites.length, 1);
	const s = site(a, 0);
	assert.equal(s.provider, 'openai');
	assert.equal(lit(s.model), 'gpt-4.1-nano');
	assert.deepEqual(texts(s.segments), [['user', 'Tell me about ']]);
	assert.deepEqual(s.segments[0]?.content?.holeSpans.map((h) => a.slice(h)), ['topic']);
});

test('modules without call sites report nothing and are not skipped', () => {
	for (const name of ['prompts.ts', 'clients.ts']) {
		const a = analyse(name);
		assert.deepEqual(a.result, { callSites: [], skipped: undefined });
	}
});
