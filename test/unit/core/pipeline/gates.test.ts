import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { evaluateGates, formatVerdict, parseJsonAnswer } from '../../../../src/core/pipeline/gates';
import type { Completion, StopKind } from '../../../../src/core/pipeline/types';

function answer(text: string, stop: StopKind = 'end'): Completion {
	return { provider: 'anthropic', wire: 'anthropic-messages', model: 'claude-haiku-4-5', text, stop, rawStop: stop === 'end' ? 'end_turn' : stop, usage: { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5 }, raw: null };
}

void describe('confidence gate', () => {
	const gate = [{ kind: 'confidence', min: 0.7 }] as const;

	void it('passes at or above min, fails below with the values', () => {
		assert.equal(formatVerdict(evaluateGates(answer('{"answer":"x","confidence":0.7}'), gate)), 'pass');
		const v = evaluateGates(answer('{"answer":"x","confidence":0.42}'), gate);
		assert.deepEqual(v, { pass: false, failures: [{ kind: 'confidence', reason: 'confidence 0.42 < 0.7' }] });
	});

	void it('reads JSON inside a ```json fence and a dotted field', () => {
		const text = 'Here you go:\n```json\n{"meta":{"score":0.9}}\n```\n';
		assert.equal(evaluateGates(answer(text), [{ kind: 'confidence', field: 'meta.score', min: 0.8 }]).pass, true);
		assert.equal(formatVerdict(evaluateGates(answer(text), [{ kind: 'confidence', field: 'meta.score', min: 0.95 }])), 'meta.score 0.9 < 0.95');
	});

	void it('fails when the field is missing, not a number, or the answer is not JSON', () => {
		assert.equal(formatVerdict(evaluateGates(answer('{"answer":"x"}'), gate)), 'confidence: field "confidence" missing');
		assert.equal(formatVerdict(evaluateGates(answer('{"confidence":"high"}'), gate)), 'confidence: field "confidence" is not a number ("high")');
		assert.match(formatVerdict(evaluateGates(answer('I think so'), gate)), /^confidence: answer is not JSON/);
	});
});

void describe('hedging gate', () => {
	void it('catches built-in phrases case-insensitively, curly apostrophes included', () => {
		assert.equal(formatVerdict(evaluateGates(answer('I’M NOT SURE, but try restarting.'), [{ kind: 'hedging' }])), 'hedging: "i\'m not sure"');
		assert.equal(evaluateGates(answer('As an AI, I cannot browse.'), [{ kind: 'hedging' }]).pass, false);
		assert.equal(evaluateGates(answer('It depends on your plan.'), [{ kind: 'hedging' }]).pass, false);
	});

	void it('matches on word boundaries only', () => {
		assert.equal(evaluateGates(answer('The impossibly fast path is clear.'), [{ kind: 'hedging', phrases: ['possibly', 'unclear'] }]).pass, true);
		assert.equal(evaluateGates(answer('Restart the router. That fixes it.'), [{ kind: 'hedging' }]).pass, true);
	});

	void it('uses the given phrases instead of the built-in list', () => {
		assert.equal(evaluateGates(answer('I am not sure.'), [{ kind: 'hedging', phrases: ['escalate'] }]).pass, true);
		assert.equal(formatVerdict(evaluateGates(answer('Please Escalate this.'), [{ kind: 'hedging', phrases: ['escalate'] }])), 'hedging: "escalate"');
	});

	void it('fails a refusal stop even with confident text', () => {
		assert.equal(formatVerdict(evaluateGates(answer('Done.', 'refusal'), [{ kind: 'hedging' }])), 'hedging: refusal (stop reason refusal)');
	});
});

void describe('schema gate', () => {
	const schema = { type: 'object', required: ['label'], properties: { label: { enum: ['bug', 'billing'] } }, additionalProperties: false };

	void it('validates the parsed answer with ajv', () => {
		assert.equal(evaluateGates(answer('{"label":"bug"}'), [{ kind: 'schema', schema }]).pass, true);
		assert.equal(formatVerdict(evaluateGates(answer('{"label":"other"}'), [{ kind: 'schema', schema }])), 'schema: /label must be equal to one of the allowed values');
		assert.equal(formatVerdict(evaluateGates(answer('{}'), [{ kind: 'schema', schema }])), "schema: / must have required property 'label'");
	});

	void it('fails invalid JSON and invalid schemas with a reason instead of throwing', () => {
		assert.match(formatVerdict(evaluateGates(answer('{"label": bug}'), [{ kind: 'schema', schema }])), /^schema: answer is not JSON/);
		assert.match(formatVerdict(evaluateGates(answer('```json\n{oops}\n```'), [{ kind: 'schema', schema }])), /^schema: invalid JSON in code fence/);
		const bad = { type: 'no-such-type' };
		assert.match(formatVerdict(evaluateGates(answer('{}'), [{ kind: 'schema', schema: bad }])), /^schema: invalid schema \(/);
		// Cached as a failure: the second call reports the same without recompiling or throwing.
		assert.match(formatVerdict(evaluateGates(answer('{}'), [{ kind: 'schema', schema: { type: 'no-such-type' } }])), /^schema: invalid schema \(/);
	});
});

void describe('truncated gate and verdicts', () => {
	void it('fails empty text and max_tokens stops; a tool-only answer is not truncated', () => {
		assert.equal(formatVerdict(evaluateGates(answer('  \n'), [{ kind: 'truncated' }])), 'truncated: empty answer');
		assert.equal(formatVerdict(evaluateGates(answer('The answer is', 'max_tokens'), [{ kind: 'truncated' }])), 'truncated: stopped at max_tokens (max_tokens)');
		assert.equal(evaluateGates(answer('', 'tool_use'), [{ kind: 'truncated' }]).pass, true);
		assert.equal(evaluateGates(answer('Fine.'), [{ kind: 'truncated' }]).pass, true);
	});

	void it('evaluates every gate and lists every failure', () => {
		const v = evaluateGates(answer('Maybe {"confidence":0.2}', 'max_tokens'), [{ kind: 'confidence', min: 0.5 }, { kind: 'hedging' }, { kind: 'truncated' }]);
		assert.equal(v.pass, false);
		assert.deepEqual(v.failures.map((f) => f.kind), ['confidence', 'hedging', 'truncated']);
		assert.match(formatVerdict(v), /^confidence: answer is not JSON .*; hedging: "maybe"; truncated: stopped at max_tokens/);
	});

	void it('passes with no gates', () => {
		assert.deepEqual(evaluateGates(answer(''), []), { pass: true, failures: [] });
	});

	void it('parseJsonAnswer accepts a bare ``` fence', () => {
		assert.deepEqual(parseJsonAnswer('```\n[1,2]\n```'), { ok: true, value: [1, 2] });
	});
});
