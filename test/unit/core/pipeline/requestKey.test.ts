import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalJson, exactKey, NORMALIZER_VERSION, semanticParts } from '../../../../src/core/pipeline/requestKey';

const base = {
	model: 'claude-sonnet-4-5',
	max_tokens: 512,
	temperature: 0,
	system: 'You are a support bot.',
	messages: [{ role: 'user', content: 'How do I reset my password?' }],
};
const key = (body: Record<string, unknown>, tenant = 't1'): string => exactKey({ tenant, provider: 'anthropic', wire: 'anthropic-messages', body });

void describe('canonicalJson', () => {
	void it('sorts keys at every depth, trims string ends, drops undefined, keeps array order', () => {
		assert.equal(canonicalJson({ b: 1, a: { d: '  x  y ', c: undefined, b: [3, 1, ' z'] } }), '{"a":{"b":[3,1,"z"],"d":"x  y"},"b":1}');
	});

	void it('writes numbers as JSON and undefined array elements as null', () => {
		assert.equal(canonicalJson([1.5, 1e21, Number.NaN, undefined, null, true]), '[1.5,1e+21,null,null,null,true]');
	});

	void it('gives the same text for objects built in a different key order', () => {
		assert.equal(canonicalJson({ x: 1, y: { q: 2, p: 3 } }), canonicalJson({ y: { p: 3, q: 2 }, x: 1 }));
	});

	void it('throws on a cycle instead of overflowing the stack', () => {
		const a: Record<string, unknown> = {};
		a.self = a;
		assert.throws(() => canonicalJson(a), /cyclic/);
	});
});

void describe('exactKey', () => {
	void it('is the sha256 of the canonical envelope', () => {
		const expected = createHash('sha256').update(canonicalJson({
			v: NORMALIZER_VERSION, tenant: 't1', provider: 'anthropic', wire: 'anthropic-messages', endpoint: 'POST /v1/messages', request: base,
		})).digest('hex');
		assert.equal(key(base), expected);
		assert.match(key(base), /^[0-9a-f]{64}$/);
	});

	void it('ignores stream and stream_options (a hit is replayed as a stream when asked)', () => {
		assert.equal(key({ ...base, stream: true }), key(base));
		assert.equal(key({ ...base, stream: true, stream_options: { include_usage: true } }), key({ ...base, stream: false }));
	});

	void it('ignores key order and whitespace at string ends', () => {
		const reordered = { messages: [{ content: '  How do I reset my password?\n', role: 'user' }], system: 'You are a support bot. ', temperature: 0, max_tokens: 512, model: 'claude-sonnet-4-5' };
		assert.equal(key(reordered), key(base));
	});

	void it('treats system "x" and [{type:"text",text:"x"}] alike, but not when cache_control is set', () => {
		assert.equal(key({ ...base, system: [{ type: 'text', text: 'You are a support bot.' }] }), key(base));
		assert.notEqual(key({ ...base, system: [{ type: 'text', text: 'You are a support bot.', cache_control: { type: 'ephemeral' } }] }), key(base));
		assert.equal(key({ ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'How do I reset my password?' }] }] }), key(base));
	});

	void it('differs for a different tenant, provider, model, system, message, param, tools or format', () => {
		const k = key(base);
		const variants = [
			key(base, 't2'),
			exactKey({ tenant: 't1', provider: 'demo', wire: 'anthropic-messages', body: base }),
			exactKey({ tenant: 't1', provider: 'anthropic', wire: 'openai-chat', body: base }),
			key({ ...base, model: 'claude-haiku-4-5' }),
			key({ ...base, system: 'You are a sales bot.' }),
			key({ ...base, messages: [{ role: 'user', content: 'How do I reset my pin?' }] }),
			key({ ...base, temperature: 0.7 }),
			key({ ...base, max_tokens: 513 }),
			key({ ...base, tools: [{ name: 'lookup', input_schema: { type: 'object' } }] }),
			key({ ...base, tool_choice: { type: 'auto' } }),
			key({ ...base, messages: [{ role: 'user', content: 'How do I   reset my password?' }] }),
		];
		for (const v of variants) assert.notEqual(v, k);
		assert.equal(new Set(variants).size, variants.length);
	});

	void it('keeps earlier turns in the key', () => {
		const withHistory = { ...base, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Hello!' }, ...base.messages] };
		assert.notEqual(key(withHistory), key(base));
	});
});

void describe('semanticParts', () => {
	void it('anthropic: the last user message is the cache text; the rest is the scope', () => {
		const parts = semanticParts({ wire: 'anthropic-messages', body: base });
		assert.deepEqual(parts && parts.cacheText, 'How do I reset my password?');
		const other = semanticParts({ wire: 'anthropic-messages', body: { ...base, messages: [{ role: 'user', content: 'how can i reset my password' }] } });
		assert.ok(parts && other);
		assert.equal(other.scopeHash, parts.scopeHash);
		assert.equal(other.cacheText, 'how can i reset my password');
	});

	void it('ignores stream in the scope but not the model, system, params or earlier turns', () => {
		const scope = (body: Record<string, unknown>): string | undefined => semanticParts({ wire: 'anthropic-messages', body })?.scopeHash;
		const s = scope(base);
		assert.ok(s);
		assert.equal(scope({ ...base, stream: true }), s);
		assert.notEqual(scope({ ...base, model: 'claude-haiku-4-5' }), s);
		assert.notEqual(scope({ ...base, system: 'Be brief.' }), s);
		assert.notEqual(scope({ ...base, temperature: 1 }), s);
		assert.notEqual(scope({ ...base, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'Hello' }, ...base.messages] }), s);
	});

	void it('includes the provider in the scope when given', () => {
		const a = semanticParts({ wire: 'openai-chat', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'q' }] }, provider: 'openai' });
		const b = semanticParts({ wire: 'openai-chat', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'q' }] }, provider: 'openai-compatible' });
		assert.ok(a && b);
		assert.notEqual(a.scopeHash, b.scopeHash);
	});

	void it('anthropic: joins text blocks of the last user message', () => {
		const parts = semanticParts({ wire: 'anthropic-messages', body: { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'Part one.' }, { type: 'text', text: 'Part two.', cache_control: { type: 'ephemeral' } }] }] } });
		assert.equal(parts?.cacheText, 'Part one.\nPart two.');
	});

	void it('openai: system/developer messages are scope; content parts are joined', () => {
		const body = { model: 'gpt-4o-mini', messages: [{ role: 'developer', content: 'Be terse.' }, { role: 'user', content: [{ type: 'text', text: 'What is' }, { type: 'text', text: 'a token?' }] }] };
		const parts = semanticParts({ wire: 'openai-chat', body });
		assert.equal(parts?.cacheText, 'What is\na token?');
		const otherSystem = semanticParts({ wire: 'openai-chat', body: { ...body, messages: [{ role: 'developer', content: 'Be verbose.' }, body.messages[1]] } });
		assert.ok(parts && otherSystem);
		assert.notEqual(otherSystem.scopeHash, parts.scopeHash);
	});

	void it('is undefined when the last message is a tool result, an assistant turn, an image or empty', () => {
		const toolResult = { ...base, messages: [...base.messages, { role: 'assistant', content: [{ type: 'tool_use', id: 'x', name: 'f', input: {} }] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x', content: '42' }] }] };
		assert.equal(semanticParts({ wire: 'anthropic-messages', body: toolResult }), undefined);
		assert.equal(semanticParts({ wire: 'openai-chat', body: { model: 'gpt-4o', messages: [{ role: 'user', content: 'q' }, { role: 'tool', tool_call_id: 'x', content: '42' }] } }), undefined);
		assert.equal(semanticParts({ wire: 'anthropic-messages', body: { ...base, messages: [...base.messages, { role: 'assistant', content: 'Sure' }] } }), undefined);
		assert.equal(semanticParts({ wire: 'openai-chat', body: { model: 'gpt-4o', messages: [{ role: 'user', content: [{ type: 'text', text: 'what is this' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] }] } }), undefined);
		assert.equal(semanticParts({ wire: 'anthropic-messages', body: { ...base, messages: [{ role: 'user', content: '   ' }] } }), undefined);
		assert.equal(semanticParts({ wire: 'anthropic-messages', body: { model: 'm' } }), undefined);
	});
});
