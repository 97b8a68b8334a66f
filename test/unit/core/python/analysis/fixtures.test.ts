import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { CallSite, FileAnalysis, PromptSegment, Span, Static } from '../../../../../src/core/analysis/types';
import { analyzePythonSource } from '../../../../../src/core/python/analysis/analyze';
import type { PythonParser } from '../../../../../src/core/python/parser';
import { readFixture } from '../../../helpers';
import { pyFixtureResolver, pythonParser } from '../pyTestUtil';

// Mirrors test/unit/core/analysis/fixtures.test.ts on the Python fixtures in test/fixtures/python/analysis.

const FOLDER = 'python/analysis';
const FILES = [
	'anthropicApis.py', 'openaiApis.py', 'clients.py', 'pkg/__init__.py', 'importedClients.py', 'classClient.py', 'prompts.py',
	'system_prompt.txt', 'prompts_dir/guide.md', 'promptResolution.py', 'foreignSdks.py', 'commentsAndStrings.py', 'compatible.py', 'moduleClient.py',
];

let parser: PythonParser;
before(async () => {
	parser = await pythonParser();
});

interface Analysed {
	readonly text: string;
	readonly result: FileAnalysis;
	readonly sites: readonly CallSite[];
	slice(span: Span | undefined): string | undefined;
}

function analyse(name: string, withResolver = true): Analysed {
	const text = readFixture(`${FOLDER}/${name}`);
	const out = analyzePythonSource(text, '/p/' + name, parser, withResolver ? pyFixtureResolver(FOLDER, FILES) : undefined);
	assert.equal(out.calls.length, out.analysis.callSites.length);
	return { text, result: out.analysis, sites: out.analysis.callSites, slice: (span) => (span ? text.slice(span.start, span.end) : undefined) };
}

function site(a: Analysed, index: number): CallSite {
	const s = a.sites[index];
	assert.ok(s, `call site #${index} missing (found ${a.sites.length})`);
	return s;
}

function lit<T>(s: Static<T> | undefined): T | undefined {
	return s?.kind === 'literal' ? s.value : undefined;
}

function texts(segments: readonly PromptSegment[]): Array<[string, string | undefined]> {
	return segments.map((s) => [s.role, s.content?.text]);
}

test('anthropic: every API, with provider, model, max_tokens and spans', () => {
	const a = analyse('anthropicApis.py');
	assert.equal(a.result.skipped, undefined);
	assert.deepEqual(a.sites.map((s) => s.api), ['messages.create', 'messages.stream', 'beta.messages.create', 'messages.batches.create', 'messages.countTokens', 'messages.create']);
	for (const s of a.sites) assert.deepEqual([s.provider, s.providerEvidence], ['anthropic', 'constructor']);
	const create = site(a, 0);
	assert.ok(a.slice(create.span)?.startsWith('client.messages.create(\n'));
	assert.ok(a.slice(create.span)?.endsWith(')'));
	assert.equal(a.slice(create.calleeSpan), 'client.messages.create');
	assert.ok(a.slice(create.argsSpan)?.startsWith('(\n        model=MODEL,'));
	assert.ok(a.slice(create.argsSpan)?.endsWith(')'));
	assert.equal(lit(create.model), 'claude-sonnet-4-5');
	assert.equal(a.slice(create.model?.span), 'MODEL');
	assert.equal(create.maxOutputParam, 'max_tokens');
	assert.equal(lit(create.maxOutputTokens), 1024);
	assert.equal(a.slice(create.maxOutputTokens?.span), '1_024');
	assert.equal(create.stream, undefined);
	assert.equal(create.topLevelCacheControl, false);
	assert.equal(create.unresolvedArgs, undefined);
	assert.equal(a.slice(site(a, 2).calleeSpan), 'client.beta.messages.create');
	assert.equal(a.slice(site(a, 3).calleeSpan), 'client.messages.batches.create');
	assert.equal(a.slice(site(a, 4).calleeSpan), 'client.messages.count_tokens');
	assert.equal(a.slice(site(a, 5).calleeSpan), 'aclient.messages.create', 'anthropic.AsyncAnthropic() in an async function');
});

test('anthropic: system blocks and messages in prefix order, with 5m and 1h cache_control', () => {
	const a = analyse('anthropicApis.py');
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
	assert.equal(segs[4]?.content?.holes, 1);
	assert.deepEqual(segs[4]?.content?.holeSpans.map((s) => a.slice(s)), ['question']);
	assert.ok(a.slice(segs[1]?.span)?.startsWith('{"type": "text", "text": MANUAL'));
});

test('anthropic: stream flag, top-level cache_control, batches read from the first request, count_tokens', () => {
	const a = analyse('anthropicApis.py');
	const stream = site(a, 1);
	assert.equal(lit(stream.stream), true);
	assert.equal(a.slice(stream.stream?.span), 'True');
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
	const a = analyse('openaiApis.py');
	assert.deepEqual(a.sites.map((s) => s.api), [
		'chat.completions.create', 'chat.completions.parse', 'beta.chat.completions.parse', 'chat.completions.stream',
		'responses.create', 'responses.stream', 'responses.parse', 'responses.parse', 'embeddings.create', 'embeddings.create', 'batches.create',
		'chat.completions.create',
	]);
	for (const s of a.sites) assert.deepEqual([s.provider, s.providerEvidence], ['openai', 'constructor']);

	const chat = site(a, 0);
	assert.equal(chat.maxOutputParam, 'max_completion_tokens');
	assert.equal(lit(chat.maxOutputTokens), 300);
	assert.deepEqual(texts(chat.segments), [['system', 'Classify support tickets.'], ['user', '']]);
	assert.deepEqual(chat.segments[1]?.content?.holeSpans.map((s) => a.slice(s)), ['user_text']);

	const parse = site(a, 1);
	assert.equal(parse.hasResponseFormat, true);
	assert.equal(parse.segments[0]?.role, 'schema');
	assert.equal(parse.segments[0]?.content?.text, '{"type":"json_schema","json_schema":{"name":"ticket","schema":{"type":"object","properties":{"priority":{"type":"string"}}}}}');

	const betaParse = site(a, 2);
	assert.equal(a.slice(betaParse.calleeSpan), 'openai.beta.chat.completions.parse');
	assert.equal(betaParse.hasResponseFormat, true, 'a Pydantic model class');
	assert.deepEqual(betaParse.segments.map((s) => s.role), ['user'], 'no schema segment when the schema text is not static');

	const stream = site(a, 3);
	assert.equal(stream.maxOutputParam, 'max_tokens');
	assert.equal(lit(stream.stream), true);

	const responses = site(a, 4);
	assert.equal(responses.maxOutputParam, 'max_output_tokens');
	assert.equal(lit(responses.maxOutputTokens), 4000);
	assert.equal(responses.hasTools, true);
	assert.deepEqual(texts(responses.segments), [['tools', '[{"type":"web_search"}]'], ['system', 'Answer in one sentence.'], ['user', '']]);

	assert.deepEqual(texts(site(a, 5).segments), [['system', 'You are terse.'], ['user', 'Hello there']]);
	assert.deepEqual(site(a, 5).segments.map((s) => s.messageIndex), [0, 1]);
	const rParse = site(a, 6);
	assert.equal(rParse.hasResponseFormat, true);
	assert.deepEqual(texts(rParse.segments), [['schema', '{"type":"json_schema","name":"date","schema":{"type":"object"}}'], ['user', 'Extract a date']]);
	const textFormat = site(a, 7);
	assert.equal(textFormat.hasResponseFormat, true, 'text_format=Model');
	assert.deepEqual(texts(textFormat.segments), [['user', 'Classify: printer on fire']]);
	assert.equal(lit(site(a, 11).stream), true);
});

test('openai: embeddings inputs and batches.create', () => {
	const a = analyse('openaiApis.py');
	assert.deepEqual(texts(site(a, 8).segments), [['embedding-input', 'first document'], ['embedding-input', 'second document']]);
	const dynamic = site(a, 9).segments;
	assert.equal(dynamic.length, 1);
	assert.equal(dynamic[0]?.content?.holes, 1);
	const batch = site(a, 10);
	assert.equal(batch.model, undefined);
	assert.deepEqual(batch.segments, []);
});

test('clients imported from sibling modules and packages are traced through the resolver', () => {
	const a = analyse('importedClients.py');
	assert.deepEqual(a.sites.map((s) => [a.slice(s.calleeSpan), s.provider, s.providerEvidence, s.baseURL]), [
		['claude.messages.create', 'anthropic', 'constructor', undefined],
		['openai_client.chat.completions.create', 'openai', 'constructor', undefined],
		['local.chat.completions.create', 'openai-compatible', 'constructor', 'http://localhost:11434/v1'],
		['clients.claude.messages.create', 'anthropic', 'constructor', undefined],
		['azure.chat.completions.create', 'openai', 'constructor', undefined],
	]);
});

test('without a resolver, an imported client falls back to the method shape', () => {
	const a = analyse('importedClients.py', false);
	assert.deepEqual(a.sites.map((s) => [s.provider, s.providerEvidence]), [
		['anthropic', 'method-shape'], ['openai', 'method-shape'], ['openai', 'method-shape'], ['anthropic', 'method-shape'], ['openai', 'method-shape'],
	]);
});

test('self.client (__init__, other method), class attributes via self/cls/ClassName, typed, defaulted and untyped parameters', () => {
	const a = analyse('classClient.py');
	assert.deepEqual(a.sites.map((s) => [a.slice(s.calleeSpan), s.provider, s.api, s.providerEvidence]), [
		['self.client.messages.create', 'anthropic', 'messages.create', 'constructor'],
		['self.openai.embeddings.create', 'openai', 'embeddings.create', 'constructor'],
		['cls.openai.embeddings.create', 'openai', 'embeddings.create', 'constructor'],
		['Indexer.openai.embeddings.create', 'openai', 'embeddings.create', 'constructor'],
		['self.helper.chat.completions.create', 'openai', 'chat.completions.create', 'import'],
		['self.ai.messages.create', 'anthropic', 'messages.create', 'constructor'],
		['client.messages.create', 'anthropic', 'messages.create', 'import'],
		['client.messages.create', 'anthropic', 'messages.create', 'import'],
		['client.messages.create', 'anthropic', 'messages.create', 'constructor'],
		['llm.chat.completions.create', 'openai', 'chat.completions.create', 'method-shape'],
	]);
	assert.equal(lit(site(a, 0).maxOutputTokens), 400, 'self.MAX, a class constant');
});

test('prompt constants from a sibling module, +, join, f-string holes, **kwargs dicts with overrides', () => {
	const a = analyse('promptResolution.py');
	const first = site(a, 0);
	assert.equal(lit(first.model), 'claude-opus-4-5', 'a later key overrides the splat');
	assert.equal(lit(first.maxOutputTokens), 1000, 'max_tokens comes from dict(...) through **params');
	assert.equal(a.slice(first.maxOutputTokens?.span), '1000');
	assert.equal(first.unresolvedArgs, undefined);
	const [system, user] = first.segments;
	assert.equal(system?.role, 'system');
	assert.equal(system?.content?.text, 'You are Ada, a careful analyst.\nCite sources.\nNever guess.');
	assert.deepEqual(system?.content?.origins, ['./prompts.py#PERSONA', './prompts.py#RULES']);
	assert.equal(system?.content?.holes, 0);
	assert.equal(user?.role, 'user');
	assert.equal(user?.content?.text, 'Hi , tone: friendly. ');
	assert.equal(user?.content?.holes, 3);
	assert.deepEqual(user?.content?.holeSpans.map((s) => a.slice(s)), ['user_name', 'n', 'request']);
});

test('open(...).read(), Path(...).read_text().strip() and Path(__file__).parent / "dir" / "file"', () => {
	const a = analyse('promptResolution.py');
	const [system, user] = site(a, 1).segments;
	assert.equal(system?.content?.text, 'You summarise legal contracts.\nAlways list the parties first.\n');
	assert.deepEqual(system?.content?.origins, ['./system_prompt.txt']);
	assert.equal(user?.content?.text, 'You summarise legal contracts.\nAlways list the parties first.Shared guidance.');
	assert.equal(user?.content?.holes, 1);
	assert.deepEqual(user?.content?.origins, ['./system_prompt.txt', './prompts_dir/guide.md']);
});

test('module attribute, aliased import, textwrap.dedent, % and .format holes, cleandoc, raw and escaped strings', () => {
	const a = analyse('promptResolution.py');
	const [system, percent, format] = site(a, 2).segments;
	assert.equal(system?.content?.text, 'Hello from Ada | Line one\n  indented\n');
	assert.deepEqual(system?.content?.origins, ['./prompts.py#GREETING', './prompts.py#DEDENTED']);
	assert.deepEqual([percent?.content?.text, percent?.content?.holes], ['Dear , about %', 2]);
	assert.deepEqual([format?.content?.text, format?.content?.holes], ['Hello , {literal}', 1]);
	const [clean, raw] = site(a, 3).segments;
	assert.equal(clean?.content?.text, 'Rules:\n    - one');
	assert.equal(raw?.content?.text, 'C:\\temp\\ tab\thereA');
});

test('runtime messages become unknownMessages segments; unknown **kwargs mark the request', () => {
	const a = analyse('promptResolution.py');
	const kwargs = site(a, 4);
	assert.equal(kwargs.unresolvedArgs, true);
	assert.equal(kwargs.model, undefined);
	assert.deepEqual(kwargs.segments.map((s) => [s.role, s.content, s.unknownMessages, a.slice(s.span)]), [['user', undefined, true, 'history']]);
	const spread = site(a, 5);
	assert.equal(spread.model?.kind, 'dynamic');
	assert.equal(a.slice(spread.model?.span), 'settings.model');
	assert.deepEqual(spread.segments.map((s) => [s.role, s.content?.text, s.unknownMessages, a.slice(s.span)]), [['system', 'Sys', undefined, '"Sys"'], ['user', undefined, true, '*history']]);
	const appended = site(a, 6);
	assert.deepEqual(appended.segments.map((s) => [s.role, s.content?.text, s.unknownMessages]), [['system', 'You help.', undefined], ['user', undefined, true]], 'messages.append(...) after the literal');
	const concatenated = site(a, 7);
	assert.deepEqual(concatenated.segments.map((s) => [s.role, s.unknownMessages ?? false, s.messageIndex]), [['system', false, 0], ['example', true, 1], ['user', false, 2]]);
});

test('clients from together, groq, mistralai, cohere, ORMs, Assistants threads, shadowed and reassigned names are not reported', () => {
	const a = analyse('foreignSdks.py');
	assert.equal(a.sites.length, 1);
	assert.equal(a.slice(site(a, 0).calleeSpan), 'thing.messages.create');
	assert.equal(site(a, 0).providerEvidence, 'method-shape');
	assert.equal(site(a, 0).provider, 'anthropic');
	assert.equal(lit(site(a, 0).model), 'claude-haiku-4-5');
});

test('calls inside comments, docstrings and strings are not call sites', () => {
	const a = analyse('commentsAndStrings.py');
	assert.equal(a.sites.length, 1);
	assert.equal(a.slice(site(a, 0).calleeSpan), 'openai.chat.completions.create');
	assert.ok(site(a, 0).segments[0]?.content?.text.includes("call openai.chat.completions.create(model='gpt-4o') to chat"));
});

test('base_url: other host → openai-compatible, OpenAI URL → openai, dynamic → openai-compatible, Azure → openai, Anthropic gateway kept', () => {
	const a = analyse('compatible.py');
	assert.deepEqual(a.sites.map((s) => [s.provider, s.baseURL]), [
		['openai-compatible', 'https://api.together.xyz/v1'],
		['openai', undefined],
		['openai-compatible', undefined],
		['openai', undefined],
		['anthropic', 'https://gateway.example.com'],
	]);
});

test('module-level openai client, import aliases, inline constructors, async with clients', () => {
	const a = analyse('moduleClient.py');
	assert.deepEqual(a.sites.map((s) => [a.slice(s.calleeSpan), s.provider, s.api, s.providerEvidence]), [
		['openai.chat.completions.create', 'openai', 'chat.completions.create', 'import'],
		['oa.responses.create', 'openai', 'responses.create', 'import'],
		['OA().embeddings.create', 'openai', 'embeddings.create', 'constructor'],
		['ant.Anthropic().messages.create', 'anthropic', 'messages.create', 'constructor'],
		['client.messages.stream', 'anthropic', 'messages.stream', 'constructor'],
	]);
});

test('modules without call sites report nothing, are not skipped and return no tree', () => {
	for (const name of ['prompts.py', 'clients.py']) {
		const text = readFixture(`${FOLDER}/${name}`);
		const out = analyzePythonSource(text, '/p/' + name, parser);
		assert.deepEqual(out.analysis, { callSites: [], skipped: undefined });
		assert.equal(out.tree, undefined);
	}
});
