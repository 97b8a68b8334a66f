import * as assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { readFixture } from '../../../helpers';
import { applyFixPy, at, checkPy, findingsOf, pythonParser } from '../pyTestUtil';

const RULE = 'uncached-stable-prefix';
const FIXTURE = 'python/rules/caching/uncached.py';

before(async () => {
	await pythonParser();
});

/** The Anthropic rules text (~1.9k tokens) one per line, for inline cases. */
const policy = (): string => readFixture(FIXTURE).split('POLICY = """')[1]!.split('"""')[0]!;

void describe('uncached-stable-prefix (Python)', () => {
	void it('a long string system without cache_control: saving in the message; the fix wraps it in a cached block', () => {
		const text = readFixture(FIXTURE);
		const result = checkPy(text);
		const findings = findingsOf(result, RULE);
		assert.deepEqual(findings.map((f) => f.callSiteIndex), [0, 1]);
		const f = findings[0]!;
		assert.equal(at(text, f), 'POLICY');
		assert.equal(f.severity, 'warning');
		assert.match(f.message, /^the 1\.\dk-token stable prefix \(system\) has no `cache_control` breakpoint.*save ~\$\d+\/mo/);
		assert.match(f.message, /See README\.md#rule-uncached-stable-prefix$/);
		const fixed = applyFixPy(text, f);
		assert.equal(fixed, text.replace('        system=POLICY,\n', '        system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}],\n'));
		const after = checkPy(fixed);
		assert.equal(findingsOf(after, RULE).some((x) => x.callSiteIndex === 0), false);
		const beforeEstimate = result.estimates[0]!;
		const now = after.estimates[0]!;
		assert.ok(beforeEstimate.priced && now.priced);
		assert.ok(now.cacheableInputTokens > 0);
		assert.ok(Math.abs(beforeEstimate.monthlyCostUsd - now.monthlyCostUsd - f.monthlyImpactUsd!) < 1e-6);
	});

	void it('a block list: the marker goes on the last stable block, formatted inline', () => {
		const text = readFixture(FIXTURE);
		const f = findingsOf(checkPy(text), RULE).find((x) => x.callSiteIndex === 1)!;
		const fixed = applyFixPy(text, f);
		assert.equal(fixed, text.replace('{"type": "text", "text": POLICY},', '{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}},'));
		assert.equal(findingsOf(checkPy(fixed), RULE).length, 1);
	});

	void it('an inline single-quoted system string in a single-quote file: the block list uses single quotes', () => {
		const text = `import anthropic\n\nclient = anthropic.Anthropic()\nclient.messages.create(model='claude-sonnet-4-5', max_tokens=1024, system='''${policy()}''', messages=[{'role': 'user', 'content': 'q'}])\n`;
		const [f] = findingsOf(checkPy(text), RULE);
		assert.ok(f);
		const fixed = applyFixPy(text, f);
		assert.ok(fixed.includes(`system=[{'type': 'text', 'text': '''${policy().slice(0, 20)}`), fixed.slice(0, 300));
		assert.ok(fixed.includes(`''', 'cache_control': {'type': 'ephemeral'}}], messages=`));
		assert.deepEqual(findingsOf(checkPy(fixed), RULE), []);
	});

	void it('tools in a module constant used through self.client: the marker goes on the last tool of the constant', () => {
		const text = `import anthropic\n\nTOOLS = [\n    {"name": "a", "input_schema": {"type": "object"}},\n    {\n        "name": "lookup",\n        "description": """${policy()}""",\n        "input_schema": {"type": "object"}\n    }\n]\n\n\nclass Bot:\n    def __init__(self):\n        self.client = anthropic.Anthropic()\n\n    def ask(self, q):\n        return self.client.messages.create(model="claude-sonnet-4-5", max_tokens=1024, tools=TOOLS, messages=[{"role": "user", "content": q}])\n`;
		const [f] = findingsOf(checkPy(text), RULE);
		assert.ok(f);
		assert.equal(at(text, f), 'TOOLS');
		assert.match(f.message, /stable prefix \(tools\)/);
		const fixed = applyFixPy(text, f);
		assert.equal(fixed, text.replace('        "input_schema": {"type": "object"}\n    }\n]', '        "input_schema": {"type": "object"},\n        "cache_control": {"type": "ephemeral"}\n    }\n]'));
		// Re-check: the analysis reads `cache_control` on a tool definition, so the fixed call caches its tools.
		const after = checkPy(fixed);
		assert.equal(after.analysis.callSites.length, 1);
		assert.deepEqual(after.analysis.callSites[0]!.segments[0]!.cacheControl, { ttl: '5m' });
		assert.deepEqual(findingsOf(after, RULE), []);
		const now = after.estimates[0]!;
		assert.ok(now.priced && now.cacheableInputTokens > 0);
	});

	void it('short prompts, already-cached prompts and OpenAI calls are not findings', () => {
		const text = readFixture(FIXTURE);
		const findings = findingsOf(checkPy(text), RULE);
		assert.equal(findings.some((f) => f.callSiteIndex === 2 || f.callSiteIndex === 3), false);
		const openai = `from openai import OpenAI\n\nc = OpenAI()\nc.chat.completions.create(model="gpt-4.1", max_tokens=5, messages=[{"role": "system", "content": """${policy()}"""}, {"role": "user", "content": "q"}])\n`;
		assert.ok(checkPy(openai).analysis.callSites.length === 1);
		assert.deepEqual(findingsOf(checkPy(openai), RULE), []);
	});
});
