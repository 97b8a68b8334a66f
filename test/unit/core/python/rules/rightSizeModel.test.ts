import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateCallSite } from '../../../../../src/core/pricing/estimate';
import { DEFAULT_ASSUMPTIONS } from '../../../../../src/core/pricing/estimateTypes';
import type { Finding } from '../../../../../src/core/rules/types';
import { readFixture } from '../../../helpers';
import { applyFixPy, at, checkPy, findingsOf, prices, singlePy, tokens, usePythonParser } from '../pyTestUtil';

const ID = 'right-size-model';
const HEADER = 'import anthropic\nfrom openai import OpenAI\n\nclient = anthropic.Anthropic()\nopenai_client = OpenAI()\n\n';
const SWITCH = /^Switch to/;

usePythonParser();

const single = (text: string): Finding => singlePy(ID, text);

/** Applies the (never preferred) swap, asserts the result parses and is no longer reported. */
function fix(text: string, finding: Finding): string {
	const fixed = applyFixPy(text, finding, SWITCH);
	assert.deepEqual(findingsOf(checkPy(fixed), ID), []);
	return fixed;
}

void describe('right-size-model (Python)', () => {
	void it('suggests claude-haiku-4-5 for a forced tool call on Sonnet, with the re-estimated saving, never preferred; quotes kept', () => {
		const text = readFixture('python/rules/right-size-model/forcedTool.py');
		const result = checkPy(text);
		const [finding, ...rest] = findingsOf(result, ID);
		assert.ok(finding);
		assert.equal(rest.length, 0);
		assert.equal(finding.severity, 'info');
		assert.equal(at(text, finding), "'claude-sonnet-4-5'");
		const site = result.analysis.callSites[0]!;
		const small = estimateCallSite({ ...site, model: { kind: 'literal', value: 'claude-haiku-4-5', span: site.model!.span } }, { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS });
		const beforeEstimate = result.estimates[0]!;
		assert.ok(beforeEstimate.priced && small.priced);
		assert.equal(finding.monthlyImpactUsd, beforeEstimate.monthlyCostUsd - small.monthlyCostUsd);
		assert.match(finding.message, /^Extraction-shaped call \(forced tool choice\) on claude-sonnet-4-5: claude-haiku-4-5 would cost ~\$[\d.]+\/mo instead of ~\$[\d.]+ \(save ~\$[\d.]+\/mo/);
		assert.match(finding.message, /evals/);
		assert.deepEqual(finding.fixes.map((f) => f.preferred), [false]);
		assert.equal(fix(text, finding), text.replace("'claude-sonnet-4-5'", "'claude-haiku-4-5'"));
	});

	void it('a Pydantic class given to .parse is a JSON-schema output: gpt-4o → gpt-4o-mini', () => {
		const text = readFixture('python/rules/right-size-model/pydanticParse.py');
		const finding = single(text);
		assert.match(finding.message, /JSON-schema output\) on gpt-4o: gpt-4o-mini/);
		assert.equal(fix(text, finding), text.replace('model="gpt-4o"', 'model="gpt-4o-mini"'));
	});

	void it('maps OpenAI families: JSON schema dict on gpt-4o, small cap on gpt-5, o3, Responses text.format on gpt-4.1', () => {
		const schema = `${HEADER}openai_client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}], response_format={"type": "json_schema", "json_schema": {"name": "x", "schema": {"type": "object"}}})\n`;
		assert.equal(fix(schema, single(schema)), schema.replace('"gpt-4o"', '"gpt-4o-mini"'));
		const cap = `${HEADER}openai_client.responses.create(model="gpt-5", input="yes or no?", max_output_tokens=16)\n`;
		assert.match(single(cap).message, /max 16 output tokens\) on gpt-5: gpt-5-mini/);
		const o3 = `${HEADER}openai_client.chat.completions.create(model="o3", messages=[], max_completion_tokens=100)\n`;
		assert.match(single(o3).message, /gpt-5-mini/);
		const format = `${HEADER}openai_client.responses.create(model="gpt-4.1", input="x", max_output_tokens=2000, text={"format": {"type": "json_schema", "name": "x", "schema": {}}})\n`;
		assert.match(single(format).message, /JSON-schema output\) on gpt-4\.1: gpt-4\.1-mini/);
	});

	void it('does not flag open-ended calls, small models, json_object, unknown models or other hosts', () => {
		const text = `${HEADER}client.messages.create(model="claude-sonnet-4-5", max_tokens=2048, messages=[{"role": "user", "content": "Write a story"}])
client.messages.create(model="claude-haiku-4-5", max_tokens=100, messages=[{"role": "user", "content": "x"}])
openai_client.chat.completions.create(model="gpt-4o", max_tokens=1000, response_format={"type": "json_object"}, messages=[])
openai_client.chat.completions.create(model="gpt-9-ultra", max_tokens=10, messages=[])
local = OpenAI(base_url="http://localhost:11434/v1")
local.chat.completions.create(model="gpt-4o", max_tokens=10, messages=[])
`;
		assert.equal(checkPy(text).analysis.callSites.length, 5);
		assert.deepEqual(findingsOf(checkPy(text), ID), []);
	});

	void it('flags a shared model constant but does not edit it (other calls may need the big model)', () => {
		const text = `${HEADER}MODEL = "claude-opus-4-1"\nclient.messages.create(model=MODEL, max_tokens=64, messages=[{"role": "user", "content": "x"}])\n`;
		assert.deepEqual(single(text).fixes, []);
	});
});
