import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeWorkloadProblems, parseWorkload } from '../../../../src/core/playground/workload';

const good = (tenant: string): string => JSON.stringify({ tenant, provider: 'demo', request: { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] } });

describe('parseWorkload', () => {
	it('reads one request per line, skipping blank lines and keeping line numbers', () => {
		const parsed = parseWorkload(`\uFEFF${good('a')}\r\n\n${good('b')}\n`);
		assert.deepEqual(parsed.problems, []);
		assert.deepEqual(parsed.lines.map((l) => [l.line, l.request.tenant, l.request.provider]), [[1, 'a', 'demo'], [3, 'b', 'demo']]);
		assert.equal(describeWorkloadProblems('w.jsonl', parsed), undefined);
	});

	it('defaults the tenant and applies semantic and cascade options', () => {
		const cascade = { cheapModel: 'claude-haiku-4-5', strongModel: 'claude-sonnet-4-5', gates: [{ kind: 'truncated' as const }] };
		const { lines } = parseWorkload(JSON.stringify({ provider: 'demo', request: { model: 'x', messages: [] } }), { semantic: true, threshold: 0.9, cascade });
		assert.equal(lines[0]?.request.tenant, 'default');
		assert.deepEqual(lines[0]?.request.semantic, { threshold: 0.9 });
		assert.deepEqual(lines[0]?.request.cascade, cascade);
	});

	it('names every bad line and how it is bad', () => {
		const text = [good('a'), '{not json', JSON.stringify({ provider: 'nope', request: {} }), '[1,2]', JSON.stringify({ provider: 'demo' })].join('\n');
		const parsed = parseWorkload(text);
		assert.equal(parsed.lines.length, 1);
		assert.equal(parsed.problems.length, 4);
		assert.match(parsed.problems[0] ?? '', /^line 2: not JSON/);
		assert.match(parsed.problems[1] ?? '', /^line 3: provider must be one of/);
		assert.equal(parsed.problems[2], 'line 4: expected a JSON object');
		assert.equal(parsed.problems[3], 'line 5: request must be an object');
		const message = describeWorkloadProblems('w.jsonl', parsed) ?? '';
		assert.match(message, /^w\.jsonl has 4 bad lines:/);
		assert.match(message, /line 5: request must be an object/);
	});

	it('lists ten problems and counts the rest; an empty file is an error too', () => {
		const parsed = parseWorkload(Array.from({ length: 12 }, () => 'x').join('\n'));
		const message = describeWorkloadProblems('w.jsonl', parsed) ?? '';
		assert.match(message, /line 10: not JSON/);
		assert.doesNotMatch(message, /line 11:/);
		assert.match(message, /… and 2 more$/);
		assert.equal(describeWorkloadProblems('empty.jsonl', parseWorkload('\n\n')), 'empty.jsonl has no requests');
	});
});
