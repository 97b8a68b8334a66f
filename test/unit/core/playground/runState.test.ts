import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PipelineEvent, PipelineResult, UsageRecord } from '../../../../src/core/pipeline/types';
import { initialRunState, reduceRun, type RunAction, type RunState } from '../../../../src/core/playground/runState';

function row(overrides: Partial<UsageRecord>): UsageRecord {
	return {
		requestId: 'req-1', attempt: 1, ts: 1, tenant: 't', provider: 'demo', model: 'claude-haiku-4-5', stage: 'direct',
		inputTokens: 100, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 20, costUsd: 0.0002, latencyMs: 300, ttftMs: 80,
		cacheHit: 'miss', escalated: false, gateVerdict: null, error: null, ...overrides,
	};
}

function result(overrides: Partial<PipelineResult>): PipelineResult {
	const usage = { inputTokens: 100, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 20 };
	return {
		requestId: 'req-1', outcome: 'miss', model: 'claude-haiku-4-5', escalated: false, costUsd: 0.0002, usage, latencyMs: 310, ttftMs: 85, rows: [],
		completion: { provider: 'demo', wire: 'anthropic-messages', model: 'claude-haiku-4-5', text: 'final text', stop: 'end', rawStop: 'end_turn', usage, raw: {} },
		...overrides,
	};
}

function fold(events: readonly PipelineEvent[], end?: RunAction): RunState {
	let state = initialRunState('run-1');
	for (const event of events) state = reduceRun(state, { type: 'event', event });
	return end ? reduceRun(state, end) : state;
}

void describe('reduceRun', () => {
	void it('streams deltas into the answer and lists stages in the order reached', () => {
		const state = fold([
			{ type: 'stage', stage: 'exact-cache', status: 'start' },
			{ type: 'stage', stage: 'exact-cache', status: 'miss' },
			{ type: 'stage', stage: 'semantic-cache', status: 'start' },
			{ type: 'stage', stage: 'semantic-cache', status: 'miss', detail: 'nearest 0.812 < 0.95' },
			{ type: 'stage', stage: 'direct', status: 'start', detail: 'claude-haiku-4-5' },
			{ type: 'delta', stage: 'direct', text: 'Hel' },
			{ type: 'delta', stage: 'direct', text: 'lo' },
		]);
		assert.equal(state.status, 'running');
		assert.equal(state.answer, 'Hello');
		assert.deepEqual(state.stages.map((s) => [s.stage, s.status]), [['exact-cache', 'miss'], ['semantic-cache', 'miss'], ['direct', 'running']]);
		assert.equal(state.stages[1]!.detail, 'nearest 0.812 < 0.95');
	});

	void it('fills per-stage tokens, cost and timings from the result rows when done', () => {
		const rows = [row({ stage: 'direct' })];
		const state = fold([{ type: 'stage', stage: 'exact-cache', status: 'miss' }, { type: 'stage', stage: 'direct', status: 'start' }], { type: 'done', result: result({ rows, semantic: { similarity: 0.81, threshold: 0.95, matchedQuery: 'older question' } }) });
		assert.equal(state.status, 'done');
		assert.equal(state.answer, 'final text');
		const direct = state.stages.find((s) => s.stage === 'direct')!;
		assert.equal(direct.status, 'done', 'a stage left at start is settled');
		assert.equal(direct.inputTokens, 100);
		assert.equal(direct.outputTokens, 20);
		assert.equal(direct.costUsd, 0.0002);
		assert.equal(direct.ttftMs, 80);
		assert.equal(direct.latencyMs, 300);
		const semantic = state.stages.find((s) => s.stage === 'semantic-cache')!;
		assert.equal(semantic.similarity, 0.81);
		assert.equal(semantic.matchedQuery, 'older question');
		assert.equal(state.totalCostUsd, 0.0002);
		assert.equal(state.latencyMs, 310);
	});

	void it('an escalation replaces the cheap draft and records the gate verdict', () => {
		const rows = [row({ stage: 'cheap', gateVerdict: 'hedging: "I\'m not sure"', costUsd: 0.0001 }), row({ stage: 'strong', model: 'claude-sonnet-4-5', costUsd: 0.002, escalated: true })];
		let state = fold([
			{ type: 'stage', stage: 'cheap', status: 'start', detail: 'claude-haiku-4-5' },
			{ type: 'delta', stage: 'cheap', text: "I'm not sure" },
			{ type: 'stage', stage: 'cheap', status: 'done', detail: 'gate: hedging' },
			{ type: 'stage', stage: 'strong', status: 'start', detail: 'escalating: hedging' },
			{ type: 'delta', stage: 'strong', text: 'The answer' },
		]);
		assert.equal(state.answer, 'The answer');
		assert.equal(state.answerStage, 'strong');
		assert.equal(state.stages.find((s) => s.stage === 'cheap')!.gate, 'hedging');
		state = reduceRun(state, { type: 'done', result: result({ rows, escalated: true, costUsd: 0.0021, gateVerdict: { pass: false, failures: [{ kind: 'hedging', reason: 'hedging: "I\'m not sure"' }] } }) });
		assert.equal(state.stages.find((s) => s.stage === 'cheap')!.gate, 'hedging: "I\'m not sure"');
		assert.equal(state.stages.find((s) => s.stage === 'strong')!.model, 'claude-sonnet-4-5');
		assert.equal(state.answerStage, 'strong');
	});

	void it('a cache hit is answered by the cache stage', () => {
		const state = fold([{ type: 'stage', stage: 'exact-cache', status: 'start' }, { type: 'stage', stage: 'exact-cache', status: 'hit' }, { type: 'delta', stage: 'exact-cache', text: 'cached' }], { type: 'done', result: result({ outcome: 'exact', costUsd: 0, originalCostUsd: 0.003, rows: [row({ stage: 'exact-cache', costUsd: 0, cacheHit: 'exact' })] }) });
		assert.equal(state.answerStage, 'exact-cache');
		assert.deepEqual(state.stages.map((s) => [s.stage, s.status, s.costUsd]), [['exact-cache', 'hit', 0]]);
	});

	void it('a failure keeps the rows written before it and marks the running stage as failed', () => {
		const state = fold([{ type: 'stage', stage: 'direct', status: 'start' }, { type: 'retry', stage: 'direct', attempt: 2, delayMs: 500, reason: '529 overloaded' }], { type: 'failed', message: 'Anthropic: overloaded', rows: [row({ error: '529', costUsd: null })] });
		assert.equal(state.status, 'failed');
		assert.equal(state.error, 'Anthropic: overloaded');
		assert.equal(state.stages[0]!.status, 'error');
		assert.equal(state.stages[0]!.costUsd, null, 'unpriced stays unpriced, never $0');
		assert.equal(state.totalCostUsd, null);
		assert.equal(state.retries.length, 1);
	});

	void it('ignores events after the run has ended', () => {
		const done = fold([], { type: 'done', result: result({}) });
		const after = reduceRun(done, { type: 'event', event: { type: 'delta', stage: 'direct', text: 'late' } });
		assert.equal(after, done);
		assert.equal(after.answer, 'final text');
	});

	void it('keeps warnings, bounded', () => {
		const events: PipelineEvent[] = Array.from({ length: 30 }, (_, i) => ({ type: 'warning', message: `w${i}` }));
		const state = fold(events);
		assert.equal(state.warnings.length, 20);
		assert.equal(state.warnings.at(-1), 'w29');
	});
});
