import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFixture } from '../../helpers';
import { applyFix, at, check, findingsOf } from './ruleTestUtil';

const RULE = 'unknown-model';

test('a typo in a literal model id: nearest ids suggested, one fix each, none preferred; the fix prices the call', () => {
	const text = readFixture('rules/unknown-model/models.ts');
	const result = check(text);
	const findings = findingsOf(result, RULE);
	assert.equal(findings.length, 3);
	const typo = findings.find((f) => f.callSiteIndex === 0)!;
	assert.equal(typo.severity, 'warning');
	assert.equal(at(text, typo), "'claude-sonet-4-5'");
	assert.match(typo.message, /^no price for `claude-sonet-4-5`: estimates are unpriced\. Did you mean `claude-sonnet-4-5`/);
	assert.equal(typo.fixes.length, 3);
	assert.equal(typo.fixes.some((f) => f.preferred), false);
	assert.equal(result.estimates[0]!.priced, false);
	const fixed = applyFix(text, typo, /claude-sonnet-4-5'$/);
	assert.equal(fixed, text.replace("model: 'claude-sonet-4-5'", "model: 'claude-sonnet-4-5'"));
	const after = check(fixed);
	assert.equal(findingsOf(after, RULE).some((f) => f.callSiteIndex === 0), false);
	assert.equal(after.estimates[0]!.priced, true);
});

test('an id in a const: the fix edits the constant and keeps its double quotes', () => {
	const text = readFixture('rules/unknown-model/models.ts');
	const f = findingsOf(check(text), RULE).find((x) => x.callSiteIndex === 1)!;
	assert.equal(at(text, f), 'MODEL');
	assert.equal(f.fixes[0]!.title, "Change the model to 'gpt-4.1-mini'");
	const fixed = applyFix(text, f, /gpt-4\.1-mini/);
	assert.equal(fixed, text.replace('const MODEL = "gpt-4.1-mnii";', 'const MODEL = "gpt-4.1-mini";'));
	assert.equal(check(fixed).estimates[1]!.priced, true);
});

test('OpenAI-compatible endpoint: info, price-override advice, no fix; known ids and comments are not findings', () => {
	const text = readFixture('rules/unknown-model/models.ts');
	const findings = findingsOf(check(text), RULE);
	const compat = findings.find((f) => f.callSiteIndex === 3)!;
	assert.equal(compat.severity, 'info');
	assert.match(compat.message, /costlens\.pricing\.overrides/);
	assert.deepEqual(compat.fixes, []);
	assert.equal(findings.some((f) => f.callSiteIndex === 2), false);
	assert.equal(findings.some((f) => /nonexistent/.test(f.message)), false);
});
