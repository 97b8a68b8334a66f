import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallSite, PromptSegment } from '../../../../src/core/analysis/types';
import { callSiteToForm, dynamicParts, formToRequest, HOLE_MARK, playgroundWire, providerForModel } from '../../../../src/core/playground/formToRequest';
import { checkPipelineRequest } from '../../../../src/protocol/sidecar';
import type { PlaygroundForm } from '../../../../src/protocol/playground';

const form: PlaygroundForm = {
	provider: 'anthropic',
	model: 'claude-haiku-4-5',
	system: 'You are terse.',
	prompt: 'Explain prompt caching.',
	maxTokens: 300,
	stream: true,
	exactCache: true,
	semanticCache: false,
	threshold: 0.9,
	tenant: 'team-a',
	personalized: false,
};

const span = { start: 0, end: 1 };
function seg(role: PromptSegment['role'], text: string | undefined, extra: Partial<PromptSegment> = {}): PromptSegment {
	return { role, content: text === undefined ? undefined : { text, holes: 0, holeSpans: [], origins: [] }, span, ...extra };
}
function callSite(overrides: Partial<CallSite> = {}): CallSite {
	return {
		provider: 'openai',
		api: 'chat.completions.create',
		span: { start: 10, end: 200 },
		calleeSpan: { start: 10, end: 40 },
		argsSpan: undefined,
		providerEvidence: 'import',
		model: { kind: 'literal', value: 'gpt-4o-mini', span },
		maxOutputTokens: { kind: 'literal', value: 150, span },
		maxOutputParam: 'max_tokens',
		stream: { kind: 'literal', value: false, span },
		segments: [],
		hasTools: false,
		hasResponseFormat: false,
		topLevelCacheControl: false,
		...overrides,
	};
}

void describe('formToRequest', () => {
	void it('builds an Anthropic Messages body with a top-level system prompt', () => {
		const request = formToRequest(form);
		assert.equal(request.provider, 'anthropic');
		assert.equal(request.wire, 'anthropic-messages');
		assert.equal(request.tenant, 'team-a');
		assert.deepEqual(request.body, { model: 'claude-haiku-4-5', max_tokens: 300, system: 'You are terse.', messages: [{ role: 'user', content: 'Explain prompt caching.' }], stream: true });
		assert.equal(request.semantic, undefined);
		assert.equal(request.exactCache, undefined);
		assert.equal(checkPipelineRequest(request), undefined);
	});

	void it('builds an OpenAI chat body with the system message first and max_completion_tokens', () => {
		const request = formToRequest({ ...form, provider: 'openai', model: 'gpt-4o-mini', stream: false });
		assert.equal(request.wire, 'openai-chat');
		assert.deepEqual(request.body, {
			model: 'gpt-4o-mini',
			max_completion_tokens: 300,
			messages: [
				{ role: 'system', content: 'You are terse.' },
				{ role: 'user', content: 'Explain prompt caching.' },
			],
			stream: false,
		});
		const compatible = formToRequest({ ...form, provider: 'openai-compatible', model: 'llama3', system: '  ' });
		assert.deepEqual(compatible.body, { model: 'llama3', max_tokens: 300, messages: [{ role: 'user', content: 'Explain prompt caching.' }], stream: true });
	});

	void it('substitutes the answering provider (demo) and keeps the model’s wire format', () => {
		const request = formToRequest(form, 'demo');
		assert.equal(request.provider, 'demo');
		assert.equal(request.wire, 'anthropic-messages');
		assert.equal(formToRequest({ ...form, model: 'gpt-5-mini' }, 'demo').wire, 'openai-chat');
	});

	void it('maps the toggles: semantic threshold, personalized, exact cache off → exactCache false, cascade', () => {
		const cascade = { cheapModel: 'claude-haiku-4-5', strongModel: 'claude-sonnet-4-5', gates: [{ kind: 'hedging' as const }] };
		const request = formToRequest({ ...form, semanticCache: true, threshold: 0.88, personalized: true, exactCache: false, cascade });
		assert.deepEqual(request.semantic, { threshold: 0.88 });
		assert.equal(request.personalized, true);
		assert.equal(request.exactCache, false);
		assert.deepEqual(request.cascade, cascade);
		assert.equal(request.body.model, 'claude-haiku-4-5');
		assert.equal(checkPipelineRequest(request), undefined);
	});
});

void describe('playgroundWire / providerForModel', () => {
	void it('follows the provider, and the model family for the demo provider', () => {
		assert.equal(playgroundWire('openai', 'claude-x'), 'openai-chat');
		assert.equal(playgroundWire('demo', 'Claude-haiku'), 'anthropic-messages');
		assert.equal(playgroundWire('demo', 'gpt-4o'), 'openai-chat');
	});

	void it('picks the model’s provider only when it is available', () => {
		assert.equal(providerForModel('claude-haiku-4-5', ['anthropic', 'demo']), 'anthropic');
		assert.equal(providerForModel('claude-haiku-4-5', ['openai', 'demo']), 'demo');
		assert.equal(providerForModel('gpt-5-mini', ['openai', 'demo']), 'openai');
		assert.equal(providerForModel('o4-mini', ['openai']), 'openai');
		assert.equal(providerForModel('llama3.1', ['openai-compatible', 'openai']), 'openai-compatible');
		assert.equal(providerForModel('llama3.1', ['demo']), 'demo');
	});
});

void describe('callSiteToForm', () => {
	void it('lifts model, output cap, streaming, system and the last user message', () => {
		const site = callSite({
			segments: [seg('system', 'You classify tickets.'), seg('example', 'Example question', { messageIndex: 1 }), seg('user', 'Ticket: printer on fire', { messageIndex: 3 })],
		});
		assert.deepEqual(callSiteToForm(site), { provider: 'openai', model: 'gpt-4o-mini', maxTokens: 150, stream: false, system: 'You classify tickets.', prompt: 'Ticket: printer on fire' });
	});

	void it('leaves out what the code does not state literally', () => {
		const form = callSiteToForm(callSite({ model: { kind: 'dynamic', span }, maxOutputTokens: undefined, stream: undefined, segments: [] }));
		assert.deepEqual(form, { provider: 'openai' });
	});

	void it('leaves run-time parts blank, counts them, and joins the blocks of the last user message', () => {
		const withHole: PromptSegment = { role: 'user', content: { text: 'Summarize:', holes: 1, holeSpans: [span], origins: [] }, span, messageIndex: 2 };
		const site = callSite({ provider: 'anthropic', segments: [seg('system', 'Sys'), seg('user', 'Block one', { messageIndex: 2 }), withHole] });
		const filled = callSiteToForm(site);
		assert.equal(filled.prompt, 'Block one\nSummarize:');
		assert.equal(filled.provider, 'anthropic');
		assert.equal(dynamicParts(site), 1);
		const unknown = callSite({ segments: [seg('user', undefined, { unknownMessages: true })] });
		assert.equal(callSiteToForm(unknown).prompt, HOLE_MARK);
		assert.equal(dynamicParts(unknown), 1);
	});
});
