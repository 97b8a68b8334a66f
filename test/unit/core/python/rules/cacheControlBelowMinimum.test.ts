import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../../helpers';
import { at, checkPy, findingsOf, usePythonParser } from '../pyTestUtil';

const RULE = 'cache-control-below-minimum';
const FIXTURE = 'python/rules/caching/belowMinimum.py';

usePythonParser();

void describe('cache-control-below-minimum (Python)', () => {
	void it('a breakpoint below the model minimum: warning on the cache_control entry, no fix, the reason given', () => {
		const text = readFixture(FIXTURE);
		const findings = findingsOf(checkPy(text), RULE);
		const tiny = findings.find((f) => f.callSiteIndex === 0)!;
		assert.ok(tiny);
		assert.equal(tiny.severity, 'warning');
		assert.equal(at(text, tiny), '"cache_control": {"type": "ephemeral"}');
		assert.match(tiny.message, /below claude-haiku-4-5's 4,096-token minimum: the API silently caches nothing/);
		assert.match(tiny.message, /No automatic fix/);
		assert.deepEqual(tiny.fixes, []);
	});

	void it('more than 4 breakpoints is reported on the fifth; a big enough prefix is not a finding', () => {
		const text = readFixture(FIXTURE);
		const findings = findingsOf(checkPy(text), RULE);
		const tooMany = findings.filter((f) => f.callSiteIndex === 1).find((f) => /at most 4/.test(f.message));
		assert.ok(tooMany);
		assert.ok(text.slice(text.lastIndexOf('\n', tooMany.span.start), tooMany.span.start).includes('"text": "e"'));
		assert.equal(findings.some((f) => f.callSiteIndex === 2), false);
	});

	void it('a breakpoint too early when the stable prompt continues: the saving of a later breakpoint is priced', () => {
		const big = 'Example answer with care and detail.\n'.repeat(250);
		const src = `import anthropic\n\nc = anthropic.Anthropic()\nc.messages.create(model="claude-sonnet-4-5", max_tokens=5, system=[{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}], messages=[{"role": "user", "content": """${big}"""}, {"role": "assistant", "content": "ok"}, {"role": "user", "content": "q"}])\n`;
		const [f] = findingsOf(checkPy(src), RULE);
		assert.ok(f);
		assert.ok((f.monthlyImpactUsd ?? 0) > 0);
		assert.match(f.message, /a breakpoint at its end/);
	});

	void it('OpenAI calls and calls without a marker are never findings', () => {
		const src = 'from openai import OpenAI\nimport anthropic\n\no = OpenAI()\na = anthropic.Anthropic()\no.chat.completions.create(model="gpt-4o", max_tokens=5, messages=[{"role": "user", "content": "q"}])\na.messages.create(model="claude-haiku-4-5", max_tokens=5, system="Be brief.", messages=[{"role": "user", "content": "q"}])\n';
		assert.equal(checkPy(src).analysis.callSites.length, 2);
		assert.deepEqual(findingsOf(checkPy(src), RULE), []);
	});
});
