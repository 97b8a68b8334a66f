import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateCallSite } from '../../../../src/core/pricing/estimate';
import { DEFAULT_ASSUMPTIONS } from '../../../../src/core/pricing/estimateTypes';
import { createPriceTable } from '../../../../src/core/pricing/priceTable';
import { createTokenCounter } from '../../../../src/core/tokens/tokenCounter';
import { applyFix, checkOnly, findings, single, spanText } from './shapesHelpers';

const ID = 'right-size-model';
const HEADER = `import Anthropic from '@anthropic-ai/sdk';\nimport OpenAI from 'openai';\nconst anthropic = new Anthropic();\nconst openai = new OpenAI();\n`;

void describe('right-size-model', () => {
	void it('suggests claude-haiku-4-5 for a forced tool call on Sonnet, with the re-estimated saving, never preferred', () => {
		const text = `${HEADER}export const r = await anthropic.messages.create({\n\tmodel: "claude-sonnet-4-5",\n\tmax_tokens: 1024,\n\ttools: [{ name: 'label', input_schema: { type: 'object', properties: { label: { type: 'string', enum: ['a', 'b'] } } } }],\n\ttool_choice: { type: 'tool', name: 'label' },\n\tmessages: [{ role: 'user', content: 'Label this ticket' }],\n});\n`;
		const result = checkOnly(ID, text);
		const finding = single(ID, text);
		assert.equal(finding.severity, 'info');
		assert.equal(spanText(text, finding), '"claude-sonnet-4-5"');
		// Honest saving: the same call site estimated again with the small model.
		const site = result.analysis.callSites[0]!;
		const context = { prices: createPriceTable(), tokens: createTokenCounter(), assumptions: DEFAULT_ASSUMPTIONS };
		const small = estimateCallSite({ ...site, model: { kind: 'literal', value: 'claude-haiku-4-5', span: site.model!.span } }, context);
		const before = result.estimates[0]!;
		assert.ok(before.priced && small.priced);
		assert.equal(finding.monthlyImpactUsd, before.monthlyCostUsd - small.monthlyCostUsd);
		assert.match(finding.message, /claude-haiku-4-5 would cost ~\$[\d.]+\/mo instead of ~\$[\d.]+ \(save ~\$[\d.]+\/mo/);
		assert.match(finding.message, /evals/);
		assert.equal(finding.fixes.length, 1);
		assert.equal(finding.fixes[0]?.preferred, false);
		assert.equal(applyFix(ID, text, finding), text.replace('"claude-sonnet-4-5"', '"claude-haiku-4-5"'));
	});

	void it('maps OpenAI families: JSON schema on gpt-4o → gpt-4o-mini, small cap on gpt-5 → gpt-5-mini, o3 → gpt-5-mini', () => {
		const schema = `${HEADER}await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } });\n`;
		assert.equal(applyFix(ID, schema, single(ID, schema)), schema.replace("'gpt-4o'", "'gpt-4o-mini'"));
		const cap = `${HEADER}await openai.responses.create({ model: 'gpt-5', input: 'yes or no?', max_output_tokens: 16 });\n`;
		assert.match(single(ID, cap).message, /max 16 output tokens\) on gpt-5: gpt-5-mini/);
		const o3 = `${HEADER}await openai.chat.completions.create({ model: 'o3', messages: [], max_completion_tokens: 100 });\n`;
		assert.match(single(ID, o3).message, /gpt-5-mini/);
		const format = `${HEADER}await openai.responses.create({ model: 'gpt-4.1', input: 'x', max_output_tokens: 2000, text: { format: { type: 'json_schema', name: 'x', schema: {} } } });\n`;
		assert.match(single(ID, format).message, /JSON-schema output\) on gpt-4\.1: gpt-4\.1-mini/);
	});

	void it('does not flag open-ended calls, small models, json_object, unknown models or other hosts', () => {
		const text = `${HEADER}
await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 2048, messages: [{ role: 'user', content: 'Write a story' }] });
await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] });
await openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 1000, response_format: { type: 'json_object' }, messages: [] });
await openai.chat.completions.create({ model: 'gpt-9-ultra', max_tokens: 10, messages: [] });
const local = new OpenAI({ baseURL: 'http://localhost:11434/v1' });
await local.chat.completions.create({ model: 'gpt-4o', max_tokens: 10, messages: [] });
`;
		assert.deepEqual(findings(ID, text), []);
	});

	void it('flags a shared model constant but does not edit it (other calls may need the big model)', () => {
		const text = `${HEADER}const MODEL = 'claude-opus-4-1';\nawait anthropic.messages.create({ model: MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'x' }] });\n`;
		const finding = single(ID, text);
		assert.deepEqual(finding.fixes, []);
	});
});
