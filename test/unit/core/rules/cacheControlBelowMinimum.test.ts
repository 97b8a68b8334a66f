import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFixture } from '../../helpers';
import { at, check, findingsOf } from './ruleTestUtil';

const RULE = 'cache-control-below-minimum';

test('a breakpoint below the model minimum: warning on the cache_control, no fix, the reason given', () => {
	const text = readFixture('rules/caching/belowMinimum.ts');
	const findings = findingsOf(check(text), RULE);
	const tiny = findings.find((f) => f.callSiteIndex === 0)!;
	assert.equal(tiny.severity, 'warning');
	assert.equal(at(text, tiny), "cache_control: { type: 'ephemeral' }");
	assert.match(tiny.message, /below claude-haiku-4-5's 4,096-token minimum: the API silently caches nothing/);
	assert.match(tiny.message, /No automatic fix/);
	assert.deepEqual(tiny.fixes, []);
});

test('more than 4 breakpoints is reported on the fifth; a big enough prefix is not a finding', () => {
	const text = readFixture('rules/caching/belowMinimum.ts');
	const findings = findingsOf(check(text), RULE);
	const many = findings.filter((f) => f.callSiteIndex === 1);
	const tooMany = many.find((f) => /at most 4/.test(f.message))!;
	assert.ok(tooMany);
	assert.equal(text.slice(text.lastIndexOf('\n', tooMany.span.start), tooMany.span.start).includes("text: 'e'"), true);
	assert.equal(findings.some((f) => f.callSiteIndex === 2), false);
});

test('a breakpoint too early when the stable prompt continues: the saving of a later breakpoint is priced', () => {
	// Line breaks keep the file under the analyser's long-line (minified) skip.
	const big = 'Example answer with care and detail.\n'.repeat(250);
	const src = `import Anthropic from '@anthropic-ai/sdk';\nconst c = new Anthropic();\nc.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 5, system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }], messages: [{ role: 'user', content: \`${big}\` }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'q' }] });\n`;
	const [f] = findingsOf(check(src), RULE);
	assert.ok(f);
	assert.ok((f.monthlyImpactUsd ?? 0) > 0);
	assert.match(f.message, /a breakpoint at its end/);
});
