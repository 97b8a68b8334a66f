import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../helpers';
import { applyFix, findings, single, spanText } from './shapesHelpers';

const ID = 'missing-max-tokens';
const HEADER = `import OpenAI from 'openai';\nimport Anthropic from '@anthropic-ai/sdk';\nconst openai = new OpenAI();\nconst anthropic = new Anthropic();\n`;

void describe('missing-max-tokens: OpenAI generation without an output cap', () => {
	void it('flags a one-line chat call, prices the worst case, and inserts max_tokens on the same line', () => {
		const text = readFixture('rules/missing-max-tokens/oneLine.ts');
		const finding = single(ID, text);
		assert.equal(finding.severity, 'warning');
		assert.equal(spanText(text, finding), 'openai.chat.completions.create');
		assert.equal(finding.callSiteIndex, 0);
		// gpt-4o: 16,384 output tokens at $10/Mtok is the unbounded worst case.
		assert.match(finding.message, /up to 16,384 output tokens, \$0\.16 per call/);
		assert.ok((finding.monthlyImpactUsd ?? 0) > 4000, String(finding.monthlyImpactUsd));
		assert.equal(finding.fixes.length, 1);
		assert.equal(finding.fixes[0]?.preferred, true);
		assert.equal(applyFix(ID, text, finding), readFixture('rules/missing-max-tokens/oneLine.fixed.ts'));
	});

	void it('uses max_completion_tokens for a reasoning model, on a new line like its neighbours (trailing comma, comment kept)', () => {
		const text = readFixture('rules/missing-max-tokens/multiLineReasoning.ts');
		const finding = single(ID, text);
		assert.match(finding.message, /max_completion_tokens.*reasoning model/);
		assert.equal(applyFix(ID, text, finding), readFixture('rules/missing-max-tokens/multiLineReasoning.fixed.ts'));
	});

	void it('uses max_output_tokens on the Responses API, keeping a no-trailing-comma style and the settings value', () => {
		const text = `${HEADER}export async function answer(q: string) {\n  return openai.responses.create({\n    model: 'o3',\n    input: q\n  });\n}\n`;
		const finding = single(ID, text, { defaultMaxTokens: 2000 });
		assert.equal(finding.fixes[0]?.title, 'Add max_output_tokens: 2,000');
		const fixed = applyFix(ID, text, finding, undefined, { defaultMaxTokens: 2000 });
		assert.equal(fixed, `${HEADER}export async function answer(q: string) {\n  return openai.responses.create({\n    model: 'o3',\n    input: q,\n    max_output_tokens: 2000\n  });\n}\n`);
	});

	void it('uses max_completion_tokens for the o-series on chat, and a trailing comma on a one-line object', () => {
		const text = `${HEADER}await openai.chat.completions.create({ model: 'o4-mini', messages: [], });\n`;
		const fixed = applyFix(ID, text, single(ID, text));
		assert.equal(fixed, `${HEADER}await openai.chat.completions.create({ model: 'o4-mini', messages: [], max_completion_tokens: 1024, });\n`);
	});

	void it('flags a request read through a local const but offers no fix (the object is not in the call)', () => {
		const text = `${HEADER}const params = { model: 'gpt-4o', messages: [{ role: 'user' as const, content: 'hi' }] };\nawait openai.chat.completions.create(params);\n`;
		const finding = single(ID, text);
		assert.equal(finding.fixes.length, 0);
	});

	void it('gives a per-1k figure when the model has no known output limit, and no price means no dollar figure', () => {
		const text = `${HEADER}await openai.chat.completions.create({ model: 'gpt-4o', messages: [] });\nawait openai.chat.completions.create({ model: 'my-finetune', messages: [] });\n`;
		const [priced, unpriced] = findings(ID, text);
		assert.match(priced?.message ?? '', /\$/);
		assert.doesNotMatch(unpriced?.message ?? '$', /\$/);
		assert.equal(unpriced?.monthlyImpactUsd, undefined);
		assert.equal(unpriced?.fixes[0]?.edits[0]?.newText, ', max_tokens: 1024');
	});
});

void describe('missing-max-tokens: negatives and traps', () => {
	void it('does not flag a cap set directly, through a known spread, or possibly through an unknown spread', () => {
		const text = `${HEADER}const base = { max_tokens: 300 };\nexport async function f(opts: Record<string, unknown>) {\n\tawait openai.chat.completions.create({ model: 'gpt-4o', messages: [], max_tokens: 200 });\n\tawait openai.chat.completions.create({ ...base, model: 'gpt-4o', messages: [] });\n\tawait openai.chat.completions.create({ ...opts, model: 'gpt-4o', messages: [] });\n\tawait openai.responses.create({ model: 'gpt-5', input: 'x', max_output_tokens: 100 });\n}\n`;
		assert.deepEqual(findings(ID, text), []);
	});

	void it('never flags embeddings (no output) or a call that only appears in a comment or a string', () => {
		const text = `${HEADER}await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });\n// await openai.chat.completions.create({ model: 'gpt-4o', messages: [] });\nconst s = "openai.chat.completions.create({ model: 'gpt-4o', messages: [] })";\n`;
		assert.deepEqual(findings(ID, text), []);
	});

	void it('does not flag an ordinary Anthropic call (max_tokens is required there)', () => {
		const text = `${HEADER}await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 8192, messages: [{ role: 'user', content: 'Write an essay about rivers.' }] });\n`;
		assert.deepEqual(findings(ID, text), []);
	});
});

void describe('missing-max-tokens: Anthropic cap far above what the call needs (hint)', () => {
	void it('hints on a forced tool call with max_tokens ≥ 4096 and offers to lower it to the setting', () => {
		const text = `${HEADER}await anthropic.messages.create({\n\tmodel: 'claude-sonnet-4-5',\n\tmax_tokens: 8192,\n\ttools: [{ name: 'extract', input_schema: { type: 'object' } }],\n\ttool_choice: { type: 'tool', name: 'extract' },\n\tmessages: [{ role: 'user', content: 'Invoice text' }],\n});\n`;
		const finding = single(ID, text);
		assert.equal(finding.severity, 'hint');
		assert.equal(spanText(text, finding), '8192');
		assert.match(finding.message, /forced tool call/);
		assert.ok((finding.monthlyImpactUsd ?? 0) > 0);
		assert.equal(finding.fixes[0]?.preferred, undefined);
		assert.equal(applyFix(ID, text, finding), text.replace('max_tokens: 8192', 'max_tokens: 1024'));
	});

	void it('hints on a classification prompt, not below 4096', () => {
		const prompt = (cap: number) => `${HEADER}await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: ${cap}, system: 'Classify the ticket as billing, bug or other.', messages: [{ role: 'user', content: 'My card was charged twice' }] });\n`;
		assert.equal(single(ID, prompt(4096)).severity, 'hint');
		assert.deepEqual(findings(ID, prompt(4095)), []);
	});

	void it('offers no edit when the cap is a shared constant', () => {
		const text = `${HEADER}const CAP = 8192;\nawait anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: CAP, tool_choice: { type: 'tool', name: 'x' }, tools: [{ name: 'x', input_schema: { type: 'object' } }], messages: [{ role: 'user', content: 'x' }] });\n`;
		assert.equal(single(ID, text).fixes.length, 0);
	});
});
