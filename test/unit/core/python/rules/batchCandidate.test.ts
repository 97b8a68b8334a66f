import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatUsd } from '../../../../../src/core/pricing/format';
import { readFixture } from '../../../helpers';
import { DEFAULT_RULE_SETTINGS } from '../../../../../src/core/rules/types';
import { apisOf, at, checkOnlyPy, checkPy, findingsPy, singlePy, usePythonParser } from '../pyTestUtil';

const ID = 'batch-candidate';
const HEADER = 'from openai import OpenAI\n\nopenai = OpenAI()\n\n\n';
const CALL = 'openai.chat.completions.create(model="gpt-4o", max_tokens=100, messages=[{"role": "user", "content": "Label this row as spam or ham."}])';

void describe('batch-candidate (Python)', () => {
	usePythonParser();

	void it('flags a for loop, a while loop with a cursor, a list comprehension and asyncio.gather over a comprehension in jobs', () => {
		const text = readFixture('python/rules/batch-candidate/jobs.py');
		const all = findingsPy(ID, text);
		assert.deepEqual(all.map((f) => at(text, f)), ['anthropic.messages.create', 'openai.chat.completions.create', 'openai.responses.create', 'aopenai.embeddings.create']);
		assert.match(all[0]!.message, /^One call per item in a for loop, outside any request handler: ~\$[\d.,k]+ per run of 1,000 items \(assumed\) would be ~\$[\d.,k]+ with the Message Batches API \(`messages\.batches\.create`, 50% off\); results arrive asynchronously within 24 h\./);
		assert.match(all[1]!.message, /in a while loop/);
		assert.match(all[1]!.message, / with the Batch API \(`batches\.create`, 50% off\)/);
		assert.match(all[2]!.message, /in a list comprehension/);
		assert.match(all[3]!.message, /in asyncio\.gather over a list comprehension/);
		for (const f of all) {
			assert.equal(f.severity, 'info');
			assert.deepEqual(f.fixes, []);
			assert.equal(f.monthlyImpactUsd, undefined, 'how often a job runs is unknown');
			assert.equal(typeof f.callSiteIndex, 'number');
			assert.ok(f.message.endsWith(' See README.md#rule-batch-candidate'), f.message);
		}
	});

	void it('skips request handlers, single calls, batch submissions, count_tokens, comments, retry and agent loops, and functions defined in a loop', () => {
		const text = readFixture('python/rules/batch-candidate/negatives.py');
		// Not vacuous: the analysis sees every call, including count_tokens and the batch submission.
		assert.deepEqual(apisOf(ID, text), ['messages.create', 'messages.create', 'messages.countTokens', 'messages.batches.create', 'messages.create', 'messages.create', 'messages.create']);
		assert.deepEqual(findingsPy(ID, text).map((f) => f.message), []);
		// The same loops become findings once the handler is a queue task and the agent loop stops reading stop_reason.
		const asJob = text.replace('@app.post("/summaries")', '@queue.task("summaries")').replace('return jsonify(out)', 'return out').replace('r.stop_reason != "tool_use"', 'r.id');
		assert.deepEqual(findingsPy(ID, asJob).map((f) => /in (a \S+ loop)/.exec(f.message)?.[1]), ['a for loop', 'a while loop']);
	});

	void it('prices a run at batchAssumedItems × the per-call estimate × (1 − batchMultiplier), checked by hand', () => {
		const text = `${HEADER}def label(rows):\n    for i in range(len(rows)):\n        r = ${CALL}\n        print(r.id)\n`;
		const result = checkOnlyPy(ID, text, { batchAssumedItems: 200 });
		const estimate = result.estimates[0];
		assert.ok(estimate?.priced);
		assert.equal(estimate.price.input, 2.5);
		assert.equal(estimate.price.output, 10);
		assert.equal(estimate.price.batchMultiplier, 0.5);
		assert.equal(estimate.outputTokens, 100);
		const perCall = (estimate.inputTokens * 2.5 + 100 * 10) / 1e6;
		assert.ok(Math.abs(estimate.costUsd - perCall) < 1e-12, `${estimate.costUsd} vs ${perCall}`);
		const f = singlePy(ID, text, { batchAssumedItems: 200 });
		assert.ok(f.message.includes(`~${formatUsd(perCall * 200)} per run of 200 items (assumed) would be ~${formatUsd(perCall * 200 * 0.5)} with the Batch API`), f.message);
		assert.match(f.message, /in a for loop/);
		assert.ok(perCall * 200 > 0.2 && perCall * 200 < 0.25, String(perCall * 200));
	});

	void it('does not flag a coroutine collected in a loop of an async def, a streamed call, or a call in the loop header or else', () => {
		const collected = 'from openai import AsyncOpenAI\n\nopenai = AsyncOpenAI()\n\n\nasync def go(rows):\n    tasks = []\n    for row in rows:\n        tasks.append(openai.chat.completions.create(model="gpt-4o", max_tokens=10, messages=[{"role": "user", "content": row}]))\n    return tasks\n';
		assert.deepEqual(apisOf(ID, collected), ['chat.completions.create']);
		assert.deepEqual(findingsPy(ID, collected), []);
		const streamed = `${HEADER}def go(rows):\n    for row in rows:\n        s = openai.chat.completions.create(model="gpt-4o", max_tokens=10, stream=True, messages=[{"role": "user", "content": row}])\n        for chunk in s:\n            print(chunk)\n`;
		assert.deepEqual(findingsPy(ID, streamed), []);
		const header = `${HEADER}def go():\n    for row in ${CALL}.choices:\n        print(row)\n    else:\n        ${CALL}\n`;
		assert.deepEqual(apisOf(ID, header).length, 2);
		assert.deepEqual(findingsPy(ID, header), []);
	});

	void it('flags an awaited call in an async for loop at module level, and map(lambda …) over a collection', () => {
		const asyncFor = `from openai import AsyncOpenAI\n\nopenai = AsyncOpenAI()\n\n\nasync def main():\n    async for line in lines():\n        r = await ${CALL}\n        print(r.id)\n`;
		assert.match(singlePy(ID, asyncFor).message, /in an async for loop/);
		const script = `${HEADER}for row in rows:\n    print(${CALL})\n`;
		assert.match(singlePy(ID, script).message, /in a for loop/);
		const mapped = `${HEADER}results = list(map(lambda row: ${CALL.replace('"Label this row as spam or ham."', 'row')}, rows))\n`;
		assert.match(singlePy(ID, mapped).message, /in map\(\)/);
	});

	void it('skips a retry loop that breaks in try/else and a while loop whose condition reads the reply', () => {
		const retry = `${HEADER}def go():\n    for _ in range(5):\n        try:\n            r = ${CALL}\n        except Exception:\n            continue\n        else:\n            break\n    return r\n`;
		assert.deepEqual(apisOf(ID, retry), ['chat.completions.create']);
		assert.deepEqual(findingsPy(ID, retry), []);
		const until = `${HEADER}def go():\n    r = None\n    while r is None or not r.choices:\n        r = ${CALL}\n    return r\n`;
		assert.deepEqual(findingsPy(ID, until), []);
	});
});

void describe('flow rules on hostile Python (no throw, bounded)', () => {
	usePythonParser();

	void it('reads deeply nested blocks and parentheses and broken code without throwing, and still finds the loop', () => {
		const depth = 60;
		let body = '';
		for (let i = 0; i < depth; i++) body += `${'    '.repeat(i + 1)}if x${i}:\n`;
		const inner = '    '.repeat(depth + 1);
		const text = `${HEADER}def go(rows):\n${body}${inner}for row in rows:\n${inner}    r = ${'('.repeat(100)}${CALL}${')'.repeat(100)}\n${inner}    try:\n${inner}        json.loads(r\n`;
		for (const id of ['sequential-independent-calls', 'non-streamed-long-output', 'batch-candidate', 'parse-retry-instead-of-structured-output'] as const) {
			assert.doesNotThrow(() => findingsPy(id, text));
		}
		assert.match(findingsPy(ID, text)[0]?.message ?? '(none)', /in a for loop/);
	});

	void it('is returned by checkFile with the other rules and can be switched off', () => {
		const text = `${HEADER}def label(rows):\n    for row in rows:\n        r = openai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": row}])\n        print(r.id)\n`;
		const ids = checkPy(text).findings.map((f) => f.ruleId);
		assert.ok(ids.includes('batch-candidate'), ids.join());
		assert.ok(ids.includes('missing-max-tokens'), ids.join());
		const off = checkOnlyPy('missing-max-tokens', text).findings.map((f) => f.ruleId);
		assert.deepEqual(off, ['missing-max-tokens']);
		const disabled = checkPy(text, undefined, '/p/main.py', { ...DEFAULT_RULE_SETTINGS, disabled: ['batch-candidate'] }).findings.map((f) => f.ruleId);
		assert.ok(!disabled.includes('batch-candidate'), disabled.join());
		assert.ok(disabled.includes('missing-max-tokens'), disabled.join());
	});
});
