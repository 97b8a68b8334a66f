import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFile } from '../../../../src/core/check';
import { formatUsd } from '../../../../src/core/pricing/format';
import { DEFAULT_ASSUMPTIONS } from '../../../../src/core/pricing/estimateTypes';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import { createTokenCounter } from '../../../../src/core/tokens/tokenCounter';
import { DEFAULT_RULE_SETTINGS } from '../../../../src/core/rules/types';
import { readFixture } from '../../helpers';
import { checkOnly, findings, single, spanText } from './shapesHelpers';

const ID = 'batch-candidate';
const HEADER = `import OpenAI from 'openai';\nconst openai = new OpenAI();\n`;
const CALL = `await openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 100, messages: [{ role: 'user', content: 'Label this row as spam or ham.' }] })`;

void describe('batch-candidate', () => {
	void it('flags a for…of loop, a while loop with a cursor, .forEach(async …) and Promise.all(items.map(…)) in jobs', () => {
		const text = readFixture('rules/batch-candidate/jobs.ts');
		const all = findings(ID, text);
		assert.deepEqual(all.map((f) => spanText(text, f)), ['anthropic.messages.create', 'openai.chat.completions.create', 'openai.responses.create', 'openai.embeddings.create']);
		assert.match(all[0]!.message, /^One call per item in a for…of loop, outside any request handler: ~\$[\d.,k]+ per run of 1,000 items \(assumed\) would be ~\$[\d.,k]+ with the Message Batches API \(`messages\.batches\.create`, 50% off\); results arrive asynchronously within 24 h\./);
		assert.match(all[1]!.message, /in a while loop/);
		assert.match(all[1]!.message, / with the Batch API \(`batches\.create`, 50% off\)/);
		assert.match(all[2]!.message, /in \.forEach/);
		assert.match(all[3]!.message, /in Promise\.all over \.map/);
		for (const f of all) {
			assert.equal(f.severity, 'info');
			assert.deepEqual(f.fixes, []);
			assert.equal(f.monthlyImpactUsd, undefined, 'how often a job runs is unknown');
			assert.equal(typeof f.callSiteIndex, 'number');
			assert.ok(f.message.endsWith(' See README.md#rule-batch-candidate'), f.message);
			assert.match(f.message, /within 24 h/);
		}
	});

	void it('skips request handlers, single calls, batch submissions, countTokens, comments, retry and agent loops, and loops outside the call\'s function', () => {
		const text = readFixture('rules/batch-candidate/negatives.ts');
		// Not vacuous: the analysis sees every call, including countTokens and the batch submission.
		assert.deepEqual(checkOnly(ID, text).analysis.callSites.map((s) => s.api), ['messages.create', 'messages.create', 'messages.create', 'messages.countTokens', 'messages.batches.create', 'messages.create', 'messages.create', 'messages.create']);
		assert.deepEqual(findings(ID, text).map((f) => f.message), []);
		// The same loops become findings once the handler is a queue job and the agent loop stops reading stop_reason.
		const asJob = text.replace("app.post('/summaries',", "queue.process('summaries',").replace('res.json(out)', 'console.log(out)').replace("r.stop_reason !== 'tool_use'", 'r.id');
		assert.deepEqual(findings(ID, asJob).map((f) => /in (a \S+ loop)/.exec(f.message)?.[1]), ['a for…of loop', 'a while loop']);
	});

	void it('prices a run at batchAssumedItems × the per-call estimate × (1 − batchMultiplier), checked by hand', () => {
		const text = `${HEADER}export async function label(rows: string[]) {\n\tfor (let i = 0; i < rows.length; i++) {\n\t\tconst r = ${CALL};\n\t\tconsole.log(r.id);\n\t}\n}\n`;
		const result = checkOnly(ID, text, { batchAssumedItems: 200 });
		const estimate = result.estimates[0];
		assert.ok(estimate?.priced);
		// Short prompt below gpt-4o's 1,024-token caching minimum: plain input + output at $2.50 / $10 per Mtok.
		assert.equal(estimate.price.input, 2.5);
		assert.equal(estimate.price.output, 10);
		assert.equal(estimate.price.batchMultiplier, 0.5);
		assert.equal(estimate.outputTokens, 100);
		const perCall = (estimate.inputTokens * 2.5 + 100 * 10) / 1e6;
		assert.ok(Math.abs(estimate.costUsd - perCall) < 1e-12, `${estimate.costUsd} vs ${perCall}`);
		const f = single(ID, text, { batchAssumedItems: 200 });
		assert.ok(f.message.includes(`~${formatUsd(perCall * 200)} per run of 200 items (assumed) would be ~${formatUsd(perCall * 200 * 0.5)} with the Batch API`), f.message);
		assert.match(f.message, /in a for loop/);
		// About $0.2 per run of 200 → $0.11: one sanity figure independent of the formatter.
		assert.ok(perCall * 200 > 0.2 && perCall * 200 < 0.25, String(perCall * 200));
	});

	void it('does not flag an unawaited call pushed into an array in a loop, nor a streamed call', () => {
		const pushed = `${HEADER}export function go(rows: string[]) {\n\tconst ps = [];\n\tfor (const row of rows) ps.push(openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 10, messages: [{ role: 'user', content: row }] }));\n\treturn ps;\n}\n`;
		assert.deepEqual(findings(ID, pushed), []);
		const streamed = `${HEADER}export async function go(rows: string[]) {\n\tfor (const row of rows) {\n\t\tconst s = await openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 10, stream: true, messages: [{ role: 'user', content: row }] });\n\t\tfor await (const c of s) process.stdout.write(c.choices[0]?.delta.content ?? '');\n\t}\n}\n`;
		assert.deepEqual(findings(ID, streamed), []);
	});

	void it('flags a for await…of loop at module level (a script with top-level await)', () => {
		const text = `${HEADER}for await (const line of lines()) {\n\tconst r = ${CALL};\n\tconsole.log(r.id);\n}\n`;
		assert.match(single(ID, text).message, /in a for await…of loop/);
	});

	void it('is returned by runRules with the other rules and can be switched off', () => {
		const text = `${HEADER}export async function label(rows: string[]) {\n\tfor (const row of rows) {\n\t\tconst r = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: row }] });\n\t\tconsole.log(r.id);\n\t}\n}\n`;
		const context = { prices: createPriceTable(), tokens: createTokenCounter(), assumptions: DEFAULT_ASSUMPTIONS };
		const ids = checkFile(text, 'job.ts', context).findings.map((f) => f.ruleId);
		assert.ok(ids.includes('batch-candidate'), ids.join());
		assert.ok(ids.includes('missing-max-tokens'), ids.join());
		const off = checkFile(text, 'job.ts', { ...context, rules: { ...DEFAULT_RULE_SETTINGS, disabled: ['batch-candidate'] } }).findings.map((f) => f.ruleId);
		assert.ok(!off.includes('batch-candidate'));
		assert.ok(off.includes('missing-max-tokens'));
	});
});
