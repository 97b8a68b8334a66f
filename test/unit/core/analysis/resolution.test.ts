import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { analyzeFile } from '../../../../src/core/analysis/analyze';
import type { CallSite, SourceResolver } from '../../../../src/core/analysis/types';

/** An in-memory resolver over `/p/*` paths. */
function memoryResolver(files: Record<string, string>): SourceResolver {
	return {
		resolveModule(_from, specifier) {
			for (const ext of ['', '.ts', '.js']) {
				const fileName = '/p/' + specifier.replace(/^\.\//, '') + ext;
				const text = files[fileName];
				if (text !== undefined) return { fileName, text };
			}
			return undefined;
		},
		readTextFile: (_from, rel) => files['/p/' + rel.replace(/^\.\//, '')],
	};
}

const HEADER = "import Anthropic from '@anthropic-ai/sdk';\nconst client = new Anthropic();\n";

function only(text: string, resolver?: SourceResolver): CallSite {
	const r = analyzeFile(text, '/p/main.ts', resolver);
	assert.equal(r.skipped, undefined);
	assert.equal(r.callSites.length, 1, JSON.stringify(r.callSites.map((s) => s.api)));
	return r.callSites[0]!;
}

test('numeric separators, arithmetic and const numbers for max_tokens; dynamic when a let', () => {
	const a = only(HEADER + "const BUDGET = 2 * 1_024;\nclient.messages.create({ model: 'm', max_tokens: BUDGET, messages: [] });");
	assert.deepEqual(a.maxOutputTokens && a.maxOutputTokens.kind === 'literal' ? a.maxOutputTokens.value : undefined, 2048);
	const b = only(HEADER + "let budget = 10;\nclient.messages.create({ model: 'm', max_tokens: budget, messages: [] });");
	assert.equal(b.maxOutputTokens?.kind, 'dynamic');
});

test('an identifier bound to the request object, with spreads overriding in order', () => {
	const text = HEADER + "const defaults = { model: 'a', max_tokens: 1, stream: false };\nfunction go() {\n\tconst req = { ...defaults, model: 'b', ...{ max_tokens: 3 } };\n\treturn client.messages.create(req);\n}";
	const s = only(text);
	assert.equal(s.model?.kind === 'literal' ? s.model.value : undefined, 'b');
	assert.equal(s.maxOutputTokens?.kind === 'literal' ? s.maxOutputTokens.value : undefined, 3);
	assert.equal(s.stream?.kind === 'literal' ? s.stream.value : undefined, false);
	assert.equal(s.argsSpan, undefined, 'argsSpan is only set for an inline object literal');
	assert.equal(text.slice(s.span.start, s.span.end), 'client.messages.create(req)');
});

test('inner scopes shadow outer constants', () => {
	const s = only(HEADER + "const MODEL = 'outer';\nfunction f(MODEL: string) {\n\treturn client.messages.create({ model: MODEL, max_tokens: 1, messages: [] });\n}");
	assert.equal(s.model?.kind, 'dynamic');
});

test('exported constants through export { X as Y }, re-exports and nested origins', () => {
	const resolver = memoryResolver({
		'/p/prompts.ts': "const base = 'Be exact.';\nexport { base as SYSTEM };\nexport * from './more';",
		'/p/more.ts': "import { readFileSync } from 'fs';\nexport const EXTRA = readFileSync('./extra.txt', 'utf8');",
		'/p/extra.txt': 'Extra rules.',
	});
	const text = HEADER + "import { SYSTEM, EXTRA } from './prompts';\nclient.messages.create({ model: 'm', max_tokens: 1, system: `${SYSTEM} ${EXTRA}`, messages: [] });";
	const system = only(text, resolver).segments[0]?.content;
	assert.equal(system?.text, 'Be exact. Extra rules.');
	assert.equal(system?.holes, 0);
	assert.deepEqual(system?.origins, ['./prompts.ts#SYSTEM', './more.ts#EXTRA', './extra.txt']);
});

test('holes inside an imported template are reported at the import use in the analysed file', () => {
	const resolver = memoryResolver({ '/p/prompts.ts': 'export const GREET = `Hello ${process.env.NAME}!`;' });
	const text = HEADER + "import { GREET } from './prompts';\nclient.messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: GREET }] });";
	const content = only(text, resolver).segments[0]?.content;
	assert.equal(content?.text, 'Hello !');
	assert.equal(content?.holes, 1);
	assert.deepEqual(content?.holeSpans.map((h) => text.slice(h.start, h.end)), ['GREET']);
});

test('dedent tags and new URL(…, import.meta.url) file reads', () => {
	const resolver = memoryResolver({ '/p/p.md': '# Prompt' });
	const text = HEADER + "import dedent from 'dedent';\nimport { readFileSync } from 'node:fs';\nconst P = dedent`\n\t\tLine one\n\t\t  indented\n\t`;\nclient.messages.create({ model: 'm', max_tokens: 1, system: P, messages: [{ role: 'user', content: readFileSync(new URL('./p.md', import.meta.url), 'utf8') }] });";
	const [system, user] = only(text, resolver).segments;
	assert.equal(system?.content?.text, 'Line one\n  indented');
	assert.equal(user?.content?.text, '# Prompt');
	assert.deepEqual(user?.content?.origins, ['./p.md']);
});

test('OpenAI Assistants threads.messages.create is not an Anthropic call; wrappers keep the client', () => {
	const r = analyzeFile("import OpenAI from 'openai';\nimport { wrapOpenAI } from 'langsmith/wrappers';\nconst openai = new OpenAI();\nconst traced = wrapOpenAI(new OpenAI());\nopenai.beta.threads.messages.create('t', { role: 'user', content: 'x' });\ntraced.chat.completions.create({ model: 'gpt-4o', messages: [] });\n", '/p/a.ts');
	assert.deepEqual(r.callSites.map((s) => [s.api, s.provider, s.providerEvidence]), [['chat.completions.create', 'openai', 'constructor']]);
});

test('prefill after the last user turn is an assistant segment; an unreadable message is unknown', () => {
	const s = only(HEADER + "declare const dyn: any;\nclient.messages.create({ model: 'm', max_tokens: 1, messages: [dyn, { role: 'user', content: 'q' }, { role: 'assistant', content: '{' }] });");
	assert.deepEqual(s.segments.map((g) => [g.role, g.content?.text, g.unknownMessages]), [['example', undefined, true], ['user', 'q', undefined], ['assistant', '{', undefined]]);
	assert.deepEqual(s.segments.map((g) => g.messageIndex), [0, 1, 2]);
});

test('optional chaining and a class field initialised from a constructor parameter', () => {
	const text = "import OpenAI from 'openai';\nclass S {\n\tprivate ai: OpenAI;\n\tconstructor(ai: OpenAI) { this.ai = ai; }\n\trun() { return this.ai?.responses.create({ model: 'gpt-5', input: 'x' }); }\n}";
	const s = only(text);
	assert.deepEqual([s.api, s.provider, s.providerEvidence], ['responses.create', 'openai', 'import']);
});

test('cache_control on a tool definition marks the tools segment (inline and from a const, or an imported module); absent / null does not', () => {
	const inline = only(HEADER + "client.messages.create({ model: 'm', max_tokens: 5, tools: [{ name: 'a' }, { name: 'b', cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: 'q' }] });\n");
	assert.equal(inline.segments[0]!.role, 'tools');
	assert.deepEqual(inline.segments[0]!.cacheControl, { ttl: '5m' });
	assert.equal(inline.topLevelCacheControl, false);
	const constant = only(HEADER + "const TOOL = { name: 'b', cache_control: { type: 'ephemeral', ttl: '1h' } };\nconst TOOLS = [{ name: 'a' }, TOOL];\nexport const f = (q: string) => client.messages.create({ model: 'm', max_tokens: 5, tools: TOOLS, messages: [{ role: 'user', content: q }] });\n");
	assert.deepEqual(constant.segments[0]!.cacheControl, { ttl: '1h' });
	const files = { '/p/tools.ts': "export const TOOLS = [{ name: 'a', cache_control: { type: 'ephemeral' as const } }];\n" };
	const imported = only("import { TOOLS } from './tools';\n" + HEADER + "client.messages.create({ model: 'm', max_tokens: 5, tools: TOOLS, messages: [] });\n", memoryResolver(files));
	assert.deepEqual(imported.segments[0]!.cacheControl, { ttl: '5m' });
	const none = only(HEADER + "client.messages.create({ model: 'm', max_tokens: 5, tools: [{ name: 'a', cache_control: null }, { name: 'b', cache_control: undefined }], messages: [] });\n");
	assert.equal(none.segments[0]!.role, 'tools');
	assert.equal(none.segments[0]!.cacheControl, undefined);
	const unknown = only(HEADER + "export const f = (extra: any[]) => client.messages.create({ model: 'm', max_tokens: 5, tools: [...extra, { name: 'b' }], messages: [] });\n");
	assert.equal(unknown.segments[0]!.cacheControl, undefined);
	assert.equal(unknown.hasTools, true);
});
