import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../../helpers';
import { applyFixPy, at, checkPy, findingsOf, usePythonParser } from '../pyTestUtil';

const RULE = 'unknown-model';
const FIXTURE = 'python/rules/unknown-model/models.py';

usePythonParser();

void describe('unknown-model (Python)', () => {
	void it('a typo in a literal model id: nearest ids suggested, one fix each, none preferred; the fix keeps the single quotes and prices the call', () => {
		const text = readFixture(FIXTURE);
		const result = checkPy(text);
		const findings = findingsOf(result, RULE);
		assert.equal(findings.length, 3);
		const typo = findings.find((f) => f.callSiteIndex === 0)!;
		assert.equal(typo.severity, 'warning');
		assert.equal(at(text, typo), "'claude-sonet-4-5'");
		assert.match(typo.message, /^no price for `claude-sonet-4-5`: estimates are unpriced\. Did you mean `claude-sonnet-4-5`/);
		assert.equal(typo.fixes.length, 3);
		assert.equal(typo.fixes.some((f) => f.preferred), false);
		assert.equal(result.estimates[0]!.priced, false);
		const fixed = applyFixPy(text, typo, /claude-sonnet-4-5'$/);
		assert.equal(fixed, text.replace("model='claude-sonet-4-5'", "model='claude-sonnet-4-5'"));
		const after = checkPy(fixed);
		assert.equal(findingsOf(after, RULE).some((f) => f.callSiteIndex === 0), false);
		assert.equal(after.estimates[0]!.priced, true);
	});

	void it('an id in a module constant: the fix edits the constant and keeps its double quotes', () => {
		const text = readFixture(FIXTURE);
		const f = findingsOf(checkPy(text), RULE).find((x) => x.callSiteIndex === 1)!;
		assert.ok(f);
		assert.equal(f.fixes[0]!.title, "Change the model to 'gpt-4.1-mini'");
		const fixed = applyFixPy(text, f, /gpt-4\.1-mini/);
		assert.equal(fixed, text.replace('MODEL = "gpt-4.1-mnii"', 'MODEL = "gpt-4.1-mini"'));
		assert.equal(checkPy(fixed).estimates[1]!.priced, true);
	});

	void it('OpenAI-compatible endpoint: info, price-override advice, no fix; known ids and comments are not findings', () => {
		const text = readFixture(FIXTURE);
		const findings = findingsOf(checkPy(text), RULE);
		const compat = findings.find((f) => f.callSiteIndex === 3)!;
		assert.ok(compat);
		assert.equal(compat.severity, 'info');
		assert.match(compat.message, /costlens\.pricing\.overrides/);
		assert.deepEqual(compat.fixes, []);
		assert.equal(findings.some((f) => f.callSiteIndex === 2), false);
		assert.equal(findings.some((f) => /nonexistent/.test(f.message)), false);
	});

	void it('a prefixed or triple-quoted literal keeps its prefix and quotes; an f-string with a hole gets no edit', () => {
		const text = 'import anthropic\n\nc = anthropic.Anthropic()\nc.messages.create(model=u"claude-sonet-4-5", max_tokens=5, messages=[{"role": "user", "content": "q"}])\nc.messages.create(model="""claude-haiku-4-6""", max_tokens=5, messages=[{"role": "user", "content": "q"}])\n';
		const [a, b] = findingsOf(checkPy(text), RULE);
		assert.ok(a && b);
		assert.ok(applyFixPy(text, a, /claude-sonnet-4-5'$/).includes('model=u"claude-sonnet-4-5"'));
		assert.ok(applyFixPy(text, b, /claude-haiku-4-5'$/).includes('model="""claude-haiku-4-5"""'));
	});
});
