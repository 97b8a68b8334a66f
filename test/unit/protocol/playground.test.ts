import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formProblem, parseFromWebview, parseToWebview, type PlaygroundForm } from '../../../src/protocol/playground';

const form: PlaygroundForm = {
	provider: 'demo',
	model: 'claude-haiku-4-5',
	system: 'Be brief.',
	prompt: 'What is a prompt cache?',
	maxTokens: 256,
	stream: true,
	exactCache: true,
	semanticCache: true,
	threshold: 0.95,
	tenant: 'playground',
	personalized: false,
};

void describe('parseFromWebview', () => {
	void it('accepts every valid message', () => {
		assert.deepEqual(parseFromWebview({ type: 'ready' }), { type: 'ready' });
		assert.deepEqual(parseFromWebview({ type: 'run', runId: 'run-1', form }), { type: 'run', runId: 'run-1', form });
		const cascade = { ...form, cascade: { cheapModel: 'claude-haiku-4-5', strongModel: 'claude-sonnet-4-5', gates: [{ kind: 'hedging' }, { kind: 'confidence', min: 0.7 }] } };
		assert.equal(parseFromWebview({ type: 'run', runId: 'run-2', form: cascade })?.type, 'run');
		assert.deepEqual(parseFromWebview({ type: 'cancel', runId: 'run-1' }), { type: 'cancel', runId: 'run-1' });
		assert.deepEqual(parseFromWebview({ type: 'export', format: 'csv' }), { type: 'export', format: 'csv' });
		assert.deepEqual(parseFromWebview({ type: 'clearCache', layer: 'semantic' }), { type: 'clearCache', layer: 'semantic' });
		assert.deepEqual(parseFromWebview({ type: 'command', command: 'setApiKey' }), { type: 'command', command: 'setApiKey' });
		assert.deepEqual(parseFromWebview({ type: 'cancelReplay', replayId: 'r1' }), { type: 'cancelReplay', replayId: 'r1' });
	});

	void it('drops extra fields instead of passing them through', () => {
		assert.deepEqual(parseFromWebview({ type: 'refreshUsage', html: '<img onerror=x>' }), { type: 'refreshUsage' });
	});

	void it('rejects unknown types and non-objects', () => {
		for (const bad of [null, undefined, 42, 'run', [], { type: 'eval', code: '1' }, { type: 7 }, {}]) assert.equal(parseFromWebview(bad), undefined, JSON.stringify(bad));
	});

	void it('rejects a command that is not on the allow-list', () => {
		assert.equal(parseFromWebview({ type: 'command', command: 'workbench.action.terminal.new' }), undefined);
		assert.equal(parseFromWebview({ type: 'command', command: 'costlens.setApiKey' }), undefined);
	});

	void it('rejects malformed runs', () => {
		assert.equal(parseFromWebview({ type: 'run', runId: '', form }), undefined, 'empty run id');
		assert.equal(parseFromWebview({ type: 'run', runId: 'x'.repeat(129), form }), undefined, 'run id too long');
		assert.equal(parseFromWebview({ type: 'run', runId: 'r', form: { ...form, provider: 'bedrock' } }), undefined);
		assert.equal(parseFromWebview({ type: 'run', runId: 'r', form: { ...form, maxTokens: 0 } }), undefined);
		assert.equal(parseFromWebview({ type: 'run', runId: 'r', form: { ...form, maxTokens: 1.5 } }), undefined);
		assert.equal(parseFromWebview({ type: 'run', runId: 'r', form: { ...form, threshold: 0.2 } }), undefined);
		assert.equal(parseFromWebview({ type: 'run', runId: 'r', form: { ...form, stream: 'yes' } }), undefined);
		assert.equal(parseFromWebview({ type: 'run', runId: 'r', form: { ...form, tenant: '' } }), undefined);
		assert.equal(parseFromWebview({ type: 'run', runId: 'r', form: { ...form, cascade: { cheapModel: 'a', strongModel: 'b', gates: [] } } }), undefined);
		assert.equal(parseFromWebview({ type: 'run', runId: 'r', form: { ...form, cascade: { cheapModel: 'a', strongModel: 'b', gates: [{ kind: 'vibes' }] } } }), undefined);
		assert.equal(parseFromWebview({ type: 'export', format: 'xlsx' }), undefined);
		assert.equal(parseFromWebview({ type: 'clearCache', layer: 'disk' }), undefined);
	});

	void it('rejects oversized text', () => {
		const big = 'x'.repeat(1_000_001);
		assert.equal(parseFromWebview({ type: 'run', runId: 'r', form: { ...form, prompt: big } }), undefined);
		assert.equal(parseFromWebview({ type: 'run', runId: 'r', form: { ...form, system: big } }), undefined);
		assert.match(formProblem({ ...form, model: 'm'.repeat(201) }) ?? '', /model/);
		assert.equal(formProblem(form), undefined);
	});
});

void describe('parseToWebview', () => {
	void it('accepts the extension’s messages', () => {
		assert.equal(parseToWebview({ type: 'runEvent', runId: 'r', event: { type: 'delta', stage: 'direct', text: 'hi' } })?.type, 'runEvent');
		assert.equal(parseToWebview({ type: 'sidecarState', state: { kind: 'ready', info: {} } })?.type, 'sidecarState');
		assert.equal(parseToWebview({ type: 'usage', rows: [] })?.type, 'usage');
		assert.equal(parseToWebview({ type: 'runFailed', runId: 'r', message: 'no', rows: [] })?.type, 'runFailed');
	});

	void it('rejects malformed and unknown messages', () => {
		assert.equal(parseToWebview({ type: 'runEvent', runId: 'r', event: 'delta' }), undefined);
		assert.equal(parseToWebview({ type: 'runDone', runId: 'r', result: { completion: { text: 42 } } }), undefined);
		assert.equal(parseToWebview({ type: 'usage', rows: 'all' }), undefined);
		assert.equal(parseToWebview({ type: 'html', html: '<script>' }), undefined);
		assert.equal(parseToWebview(null), undefined);
	});
});
