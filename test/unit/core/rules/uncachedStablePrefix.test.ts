import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFixture } from '../../helpers';
import { applyFix, at, check, findingsOf } from './ruleTestUtil';

const RULE = 'uncached-stable-prefix';

test('a long string system without cache_control: saving in the message; the fix wraps it in a cached block', () => {
	const text = readFixture('rules/caching/uncached.ts');
	const result = check(text);
	const findings = findingsOf(result, RULE);
	assert.deepEqual(findings.map((f) => f.callSiteIndex), [0, 1]);
	const f = findings[0]!;
	assert.equal(at(text, f), 'POLICY');
	assert.equal(f.severity, 'warning');
	assert.match(f.message, /^the 1\.\dk-token stable prefix \(system\) has no `cache_control` breakpoint.*save ~\$\d+\/mo/);
	const fixed = applyFix(text, f);
	assert.equal(fixed, text.replace("\t\tsystem: POLICY,\n", "\t\tsystem: [{ type: 'text', text: POLICY, cache_control: { type: 'ephemeral' } }],\n"));
	const after = check(fixed);
	assert.equal(findingsOf(after, RULE).some((x) => x.callSiteIndex === 0), false);
	const before = result.estimates[0]!;
	const now = after.estimates[0]!;
	assert.ok(before.priced && now.priced);
	assert.ok(now.cacheableInputTokens > 0);
	assert.ok(Math.abs(before.monthlyCostUsd - now.monthlyCostUsd - f.monthlyImpactUsd!) < 1e-6);
});

test('a block array: the marker goes on the last stable block, formatted inline', () => {
	const text = readFixture('rules/caching/uncached.ts');
	const f = findingsOf(check(text), RULE).find((x) => x.callSiteIndex === 1)!;
	const fixed = applyFix(text, f);
	assert.equal(fixed, text.replace("{ type: 'text', text: POLICY },", "{ type: 'text', text: POLICY, cache_control: { type: 'ephemeral' } },"));
	assert.equal(findingsOf(check(fixed), RULE).length, 1);
});

test('short prompts, already-cached prompts and OpenAI calls are not findings', () => {
	const text = readFixture('rules/caching/uncached.ts');
	const findings = findingsOf(check(text), RULE);
	assert.equal(findings.some((f) => f.callSiteIndex === 2 || f.callSiteIndex === 3), false);
	const openai = `import OpenAI from 'openai';\nconst c = new OpenAI();\nc.chat.completions.create({ model: 'gpt-4.1', max_tokens: 5, messages: [{ role: 'system', content: '${'Be precise. '.repeat(600)}' }, { role: 'user', content: 'q' }] });\n`;
	assert.deepEqual(findingsOf(check(openai), RULE), []);
});

test('tools in a module constant: the marker goes on the last tool; re-checked, the fixed call caches its tools', () => {
	const policy = readFixture('rules/caching/uncached.ts').split('const POLICY = `')[1]!.split('`')[0]!;
	const text = `import Anthropic from '@anthropic-ai/sdk';\nconst TOOLS = [\n\t{ name: 'a', input_schema: { type: 'object' } },\n\t{ name: 'lookup', description: \`${policy}\`, input_schema: { type: 'object' } },\n];\nconst client = new Anthropic();\nexport const ask = (q: string) => client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, tools: TOOLS, messages: [{ role: 'user', content: q }] });\n`;
	const [f] = findingsOf(check(text), RULE);
	assert.ok(f);
	assert.equal(at(text, f), 'TOOLS');
	assert.match(f.message, /stable prefix \(tools\)/);
	const fixed = applyFix(text, f);
	assert.match(fixed, /input_schema: \{ type: 'object' \},\s+cache_control: \{ type: 'ephemeral' \} \},\n\];/);
	const after = check(fixed);
	assert.deepEqual(after.analysis.callSites[0]!.segments[0]!.cacheControl, { ttl: '5m' });
	assert.deepEqual(findingsOf(after, RULE), []);
	const now = after.estimates[0]!;
	assert.ok(now.priced && now.cacheableInputTokens > 0);
});
