import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFixture } from '../../helpers';
import { applyFix, at, check, findingsOf, fixtureResolver } from './ruleTestUtil';

const RULE = 'cache-busting-system-prompt';

test('timestamp in the Anthropic system: squiggle on the interpolation, cost in the message, reduce-to-date fix preferred', () => {
	const text = readFixture('rules/cache-busting/timestamp.ts');
	const [f, ...rest] = findingsOf(check(text), RULE);
	assert.ok(f);
	assert.equal(rest.length, 0);
	assert.equal(at(text, f), 'new Date().toISOString()');
	assert.equal(f.severity, 'warning');
	assert.equal(f.callSiteIndex, 0);
	assert.ok(f.monthlyImpactUsd !== undefined && f.monthlyImpactUsd > 50, String(f.monthlyImpactUsd));
	assert.match(f.message, /`new Date\(\)\.toISOString\(\)` in the system prompt changes on every call, so the 1\.\dk-token prefix is never read from the cache: ~\$\d+\/mo/);
	const fixed = applyFix(text, f);
	assert.equal(fixed, text.replace('${new Date().toISOString()}', '${new Date().toISOString().slice(0, 10)}'));
	assert.equal(findingsOf(check(fixed), RULE).length, 0);
});

test('move-to-user fix keeps the rest of the system byte-identical and appends the line to the user message', () => {
	const text = readFixture('rules/cache-busting/timestamp.ts');
	const f = findingsOf(check(text), RULE)[0]!;
	const fixed = applyFix(text, f, /^Move/);
	const expected = text
		.replace('\nCurrent time: ${new Date().toISOString()}', '')
		.replace('`Question: ${question}`', '`Question: ${question}\\n\\nCurrent time: ${new Date().toISOString()}`');
	assert.equal(fixed, expected);
	const after = check(fixed);
	assert.equal(findingsOf(after, RULE).length, 0);
	const site = after.analysis.callSites[0]!;
	assert.equal(site.segments.find((s) => s.role === 'system')?.content?.holes, 0);
	assert.equal(site.segments.find((s) => s.role === 'user')?.content?.holes, 2);
});

test('data flow: local const, helper in this file, concatenation, request ids, RAG first, imported helper', () => {
	const text = readFixture('rules/cache-busting/flows.ts');
	const findings = findingsOf(check(text, fixtureResolver('rules/cache-busting', ['prompts.ts'])), RULE);
	const byCall = new Map(findings.map((f) => [f.callSiteIndex, f]));
	assert.equal(at(text, byCall.get(0)!), 'now.toLocaleString()');
	assert.equal(at(text, byCall.get(1)!), 'requestId');
	assert.match(byCall.get(1)!.message, /differs per request/);
	assert.equal(at(text, byCall.get(2)!), 'Date.now()');
	assert.match(byCall.get(2)!.message, /system message/);
	assert.equal(at(text, byCall.get(3)!), 'req.id');
	assert.match(byCall.get(3)!.message, /instructions/);
	assert.equal(at(text, byCall.get(4)!), 'docs');
	assert.match(byCall.get(4)!.message, /retrieved per request and sits before the instructions/);
	assert.equal(at(text, byCall.get(5)!), 'buildPolicy()');
	assert.match(byCall.get(5)!.message, /`crypto\.randomUUID\(\)`/);
	assert.equal(findings.length, 6);
	// The helper's text is priced, not the single hole the analyser sees.
	assert.match(byCall.get(1)!.message, /1\.\dk-token prefix/);
	for (const f of findings) assert.equal(f.severity, 'warning');
});

test('locale timestamp fix turns toLocaleString into toLocaleDateString; Date.now() becomes the ISO date', () => {
	const text = readFixture('rules/cache-busting/flows.ts');
	const resolver = fixtureResolver('rules/cache-busting', ['prompts.ts']);
	const findings = findingsOf(check(text, resolver), RULE);
	const local = findings.find((f) => f.callSiteIndex === 0)!;
	const fixed = applyFix(text, local);
	assert.equal(fixed, text.replace('${now.toLocaleString()}', '${now.toLocaleDateString()}'));
	assert.equal(findingsOf(check(fixed, resolver), RULE).some((f) => f.callSiteIndex === 0), false);
	const concat = findings.find((f) => f.callSiteIndex === 2)!;
	const fixed2 = applyFix(text, concat);
	assert.equal(fixed2, text.replace("'\\nNonce: ' + Date.now()", "'\\nNonce: ' + new Date(Date.now()).toISOString().slice(0, 10)"));
	const after = check(fixed2, resolver);
	assert.equal(findingsOf(after, RULE).some((f) => f.callSiteIndex === 2), false);
});

test('traps: Date in a plain string, timestamp in the user message, env var / module constant, calls in comments, date-only values', () => {
	const text = readFixture('rules/cache-busting/negatives.ts');
	const result = check(text);
	assert.equal(result.analysis.callSites.length, 3);
	assert.deepEqual(findingsOf(result, RULE), []);
});

test('a request id passed as a parameter into an inline OpenAI system message; a non-id parameter is not a finding', () => {
	// Line breaks keep the file under the analyser's long-line (minified) skip.
	const big = 'Answer carefully and cite the policy.\n'.repeat(300);
	const src = (name: string) => `import OpenAI from 'openai';\nconst c = new OpenAI();\nexport function go(${name}: string, q: string) {\n\treturn c.chat.completions.create({ model: 'gpt-4.1', max_tokens: 10, messages: [{ role: 'system', content: \`${big}\${${name}}\` }, { role: 'user', content: q }] });\n}\n`;
	const hit = findingsOf(check(src('sessionId')), RULE);
	assert.equal(hit.length, 1);
	assert.ok((hit[0]!.monthlyImpactUsd ?? 0) > 0);
	assert.deepEqual(findingsOf(check(src('tone')), RULE), []);
});
