import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../helpers';
import { applyFix, findings, single } from './shapesHelpers';

const ID = 'oversized-few-shot';
const HEADER = `import Anthropic from '@anthropic-ai/sdk';\nimport OpenAI from 'openai';\nconst anthropic = new Anthropic();\nconst openai = new OpenAI();\n`;

/** Sentences of about 10 tokens, one per line (a single very long line reads as minified and is skipped). */
const long = (sentences: number): string => Array.from({ length: sentences }, () => 'The quick brown fox jumps over the lazy dog again.').join('\n');

/** An Anthropic call with `pairs` example pairs whose user turns hold `sentences` sentences each. */
function anthropicCall(pairs: number, sentences: number, lastAssistant = `'ok'`, extra = ''): string {
	const examples = Array.from({ length: pairs }, (_, i) => `\t\t{ role: 'user', content: \`${long(sentences)} ${i}\` },\n\t\t{ role: 'assistant', content: ${i === pairs - 1 ? lastAssistant : `'ok'`} },\n`).join('');
	return `${HEADER}export const reply = await anthropic.messages.create({\n\tmodel: 'claude-sonnet-4-5',\n\tmax_tokens: 100,${extra}\n\tmessages: [\n${examples}\t\t{ role: 'user', content: 'the real question' },\n\t],\n});\n`;
}

void describe('oversized-few-shot: positives and fixes', () => {
	void it('flags six example pairs, prices them, and the trim fix keeps the first two (whole text compared)', () => {
		const text = readFixture('rules/oversized-few-shot/sixPairs.ts');
		const finding = single(ID, text);
		assert.equal(finding.severity, 'warning');
		assert.equal(finding.callSiteIndex, 0);
		assert.match(finding.message, /^6 example pairs \(more than 4\)/);
		assert.match(finding.message, /\/mo of input/);
		assert.ok((finding.monthlyImpactUsd ?? 0) > 0);
		// OpenAI: no cache_control fix, and trimming examples changes behaviour, so it is not preferred.
		assert.equal(finding.fixes.length, 1);
		assert.notEqual(finding.fixes[0]?.preferred, true);
		assert.equal(applyFix(ID, text, finding), readFixture('rules/oversized-few-shot/sixPairs.fixed.ts'));
	});

	void it('honours fewShotMaxPairs from settings', () => {
		const text = readFixture('rules/oversized-few-shot/sixPairs.ts');
		assert.deepEqual(findings(ID, text, { fewShotMaxPairs: 6 }), []);
	});

	void it('flags two pairs over the token budget; Anthropic gets a preferred cache_control fix that converts the string content', () => {
		const text = anthropicCall(2, 100);
		const finding = single(ID, text);
		assert.match(finding.message, /tokens of examples \(more than 1\.5k\)/);
		// Keeping two pairs would not get under the budget: no trim fix.
		assert.equal(finding.fixes.length, 1);
		assert.equal(finding.fixes[0]?.preferred, true);
		const fixed = applyFix(ID, text, finding, 'Cache the examples');
		assert.equal(fixed, text.replace(`\t\t{ role: 'assistant', content: 'ok' },\n\t\t{ role: 'user', content: 'the real question' }`, `\t\t{ role: 'assistant', content: [{ type: 'text', text: 'ok', cache_control: { type: 'ephemeral' } }] },\n\t\t{ role: 'user', content: 'the real question' }`));
	});

	void it('adds cache_control to the last block when the last example content is a block array', () => {
		const text = anthropicCall(2, 100, `[\n\t\t\t{ type: 'text', text: 'ok' }\n\t\t]`);
		const fixed = applyFix(ID, text, single(ID, text), 'Cache the examples');
		assert.equal(fixed, text.replace(`{ type: 'text', text: 'ok' }\n`, `{ type: 'text', text: 'ok', cache_control: { type: 'ephemeral' } }\n`));
	});

	void it('offers both fixes on six long Anthropic pairs: cache (preferred) and trim', () => {
		const text = anthropicCall(6, 20);
		const finding = single(ID, text);
		assert.deepEqual(finding.fixes.map((f) => [f.title.split(':')[0]?.split(' (')[0], f.preferred === true]), [['Cache the examples', true], ['Keep the first 2 examples', false]]);
		const trimmed = applyFix(ID, text, finding, 'Keep the first');
		assert.equal((trimmed.match(/role: 'assistant'/g) ?? []).length, 2);
		assert.ok(trimmed.includes(`${long(20)} 1\` }`) && !trimmed.includes(`${long(20)} 2\` }`));
	});

	void it('offers no cache fix when the prefix is below the model minimum (the marker would do nothing)', () => {
		// Sonnet 4.5 caches from 1,024 tokens: 5 short pairs are well below.
		const text = anthropicCall(5, 1);
		const finding = single(ID, text);
		assert.deepEqual(finding.fixes.map((f) => f.title.startsWith('Keep the first')), [true]);
	});
});

void describe('oversized-few-shot: negatives', () => {
	void it('does not flag four short pairs, nor a runtime history (its size is unknown)', () => {
		assert.deepEqual(findings(ID, anthropicCall(4, 1)), []);
		const text = `${HEADER}export async function chat(history: { role: 'user' | 'assistant'; content: string }[], q: string) {\n\treturn openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 10, messages: [...history, { role: 'user', content: q }] });\n}\n`;
		assert.deepEqual(findings(ID, text), []);
	});

	void it('does not flag Anthropic examples already behind a cache_control breakpoint', () => {
		const text = anthropicCall(6, 20, `[{ type: 'text', text: 'ok', cache_control: { type: 'ephemeral' } }]`);
		assert.deepEqual(findings(ID, text), []);
	});
});
