import { before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { SourceResolver } from '../../../../../src/core/analysis/types';
import { estimateCallSite } from '../../../../../src/core/pricing/estimate';
import { DEFAULT_ASSUMPTIONS } from '../../../../../src/core/pricing/estimateTypes';
import { DEFAULT_MAX_BYTES } from '../../../../../src/core/analysis/skip';
import { analyzePythonSource } from '../../../../../src/core/python/analysis/analyze';
import { PyCtx } from '../../../../../src/core/python/analysis/scope';
import type { PythonParser } from '../../../../../src/core/python/parser';
import { cacheBustingSystemPrompt } from '../../../../../src/core/python/rules/cacheBustingSystemPrompt';
import { DEFAULT_RULE_SETTINGS, type Finding, type PythonRuleContext } from '../../../../../src/core/rules/types';
import { readFixture } from '../../../helpers';
import { applyFixPy, at, checkPy, findingsOf, prices, pyFixtureResolver, pythonParser, tokens } from '../pyTestUtil';

const RULE = 'cache-busting-system-prompt';
const FOLDER = 'python/rules/cache-busting';

let parser: PythonParser;

before(async () => {
	parser = await pythonParser();
});

/** The rule alone, with a fresh analysis context or (`shareCtx`) one handed over as `checkFile` does. */
function checkRule(text: string, resolver?: SourceResolver, shareCtx = false): Finding[] {
	const fileName = '/p/main.py';
	const { analysis, tree, calls } = analyzePythonSource(text, fileName, parser, resolver);
	assert.ok(tree);
	const inputs = { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS };
	const context: PythonRuleContext = {
		...inputs, text, fileName, callSites: analysis.callSites, estimates: analysis.callSites.map((s) => estimateCallSite(s, inputs)),
		settings: DEFAULT_RULE_SETTINGS, tree, calls, parser, ...(resolver ? { resolver } : {}),
	};
	if (!shareCtx) return cacheBustingSystemPrompt.check(context);
	const pyCtx = new PyCtx(parser, tree.rootNode, fileName, text, resolver, DEFAULT_MAX_BYTES);
	try {
		return cacheBustingSystemPrompt.check({ ...context, pyCtx });
	} finally {
		pyCtx.dispose();
	}
}

const policy = Array.from({ length: 49 }, (_, i) => `Rule ${i + 1}: when the customer asks about topic ${i + 1}, answer precisely, cite policy section ${i + 1}, and never invent order numbers or refund amounts.`).join('\n');

test('timestamp in the Anthropic system: squiggle on the hole, cost in the message, reduce-to-date fix preferred', () => {
	const text = readFixture(`${FOLDER}/timestamp.py`);
	const result = checkPy(text);
	assert.equal(result.analysis.callSites.length, 1);
	const [f, ...rest] = findingsOf(result, RULE);
	assert.ok(f);
	assert.equal(rest.length, 0);
	assert.equal(at(text, f), 'datetime.now().isoformat()');
	assert.equal(f.severity, 'warning');
	assert.equal(f.callSiteIndex, 0);
	assert.ok(f.monthlyImpactUsd !== undefined && f.monthlyImpactUsd > 0, String(f.monthlyImpactUsd));
	assert.match(f.message, /^`datetime\.now\(\)\.isoformat\(\)` in the system prompt changes on every call, so the 1\.\dk-token prefix is never read from the cache: ~\$[\d.,]+\/mo at the assumed traffic\. See \S+#rule-cache-busting-system-prompt/);
	const fixed = applyFixPy(text, f);
	assert.equal(fixed, text.replace('{datetime.now().isoformat()}', '{datetime.now().isoformat()[:10]}'));
	assert.deepEqual(findingsOf(checkPy(fixed), RULE), []);
});

test('move-to-user fix keeps the rest of the system byte-identical and appends the line to the user f-string', () => {
	const text = readFixture(`${FOLDER}/timestamp.py`);
	const f = findingsOf(checkPy(text), RULE)[0]!;
	const fixed = applyFixPy(text, f, /^Move/);
	const expected = text
		.replace('\nCurrent time: {datetime.now().isoformat()}', '')
		.replace('f"Question: {question}"', 'f"Question: {question}\\n\\nCurrent time: {datetime.now().isoformat()}"');
	assert.equal(fixed, expected);
	const after = checkPy(fixed);
	assert.deepEqual(findingsOf(after, RULE), []);
	const site = after.analysis.callSites[0]!;
	assert.equal(site.segments.find((s) => s.role === 'system')?.content?.holes, 0);
	assert.equal(site.segments.find((s) => s.role === 'user')?.content?.holes, 2);
});

test('data flow: local, helper in this file, concatenation, request id, RAG first, imported helper, .format, %, +=', () => {
	const text = readFixture(`${FOLDER}/flows.py`);
	assert.equal(checkPy(text).analysis.callSites.length, 9);
	const findings = checkRule(text, pyFixtureResolver(FOLDER, ['prompts.py']));
	const byCall = new Map(findings.map((f) => [f.callSiteIndex, f]));
	assert.equal(at(text, byCall.get(0)!), 'now');
	assert.match(byCall.get(0)!.message, /^`datetime\.now\(\)` in the system prompt changes on every call/);
	assert.equal(at(text, byCall.get(1)!), 'request_id');
	assert.match(byCall.get(1)!.message, /differs per request/);
	// The helper's text is priced, not the single hole the analyser sees.
	assert.match(byCall.get(1)!.message, /1\.\dk-token prefix/);
	assert.equal(at(text, byCall.get(2)!), 'time.time()');
	assert.match(byCall.get(2)!.message, /system message/);
	assert.equal(at(text, byCall.get(3)!), 'request.id');
	assert.match(byCall.get(3)!.message, /in the instructions differs per request/);
	assert.equal(at(text, byCall.get(4)!), 'docs');
	assert.match(byCall.get(4)!.message, /retrieved per request and sits before the instructions/);
	assert.equal(at(text, byCall.get(5)!), 'build_policy()');
	assert.match(byCall.get(5)!.message, /^`uuid\.uuid4\(\)` in the system prompt is different on every call/);
	assert.equal(at(text, byCall.get(6)!), 'datetime.utcnow()');
	assert.equal(at(text, byCall.get(7)!), 'uuid4()');
	assert.match(byCall.get(7)!.message, /in the developer message is different on every call/);
	assert.equal(at(text, byCall.get(8)!), 'random.randint(0, 9)');
	assert.equal(findings.length, 9);
	for (const f of findings) assert.equal(f.severity, 'warning');
	// Handed the analyser's scope tables instead of making its own, the rule finds exactly the same.
	assert.deepEqual(checkRule(text, pyFixtureResolver(FOLDER, ['prompts.py']), true), findings);
});

test('reduce-to-date fixes: a datetime gets .date(), time.time() becomes time.strftime, a .format argument too; each fixed file parses and is clean', () => {
	const text = readFixture(`${FOLDER}/flows.py`);
	const resolver = pyFixtureResolver(FOLDER, ['prompts.py']);
	const findings = checkRule(text, resolver);
	const cases: [number, string, string][] = [
		[0, 'Local time: {now}"""', 'Local time: {now.date()}"""'],
		[2, '+ str(time.time())}', '+ str(time.strftime("%Y-%m-%d"))}'],
		[6, '.format(now=datetime.utcnow())', '.format(now=datetime.utcnow().date())'],
	];
	for (const [index, from, to] of cases) {
		const f = findings.find((x) => x.callSiteIndex === index)!;
		assert.equal(f.fixes.find((x) => x.preferred)?.title, 'Reduce the timestamp to the date (changes once a day)');
		const fixed = applyFixPy(text, f);
		assert.equal(fixed, text.replace(from, to));
		assert.equal(checkRule(fixed, resolver).some((x) => x.callSiteIndex === index), false, `call ${index} still flagged`);
	}
	// Ids, random values and helpers in other files have no safe automatic fix here.
	for (const index of [1, 3, 5, 7, 8]) assert.deepEqual(findings.find((x) => x.callSiteIndex === index)!.fixes, [], `call ${index}`);
});

test('without a resolver the sibling helper is not followed (no guess)', () => {
	const text = readFixture(`${FOLDER}/flows.py`);
	for (const findings of [findingsOf(checkPy(text), RULE), checkRule(text)]) {
		assert.equal(findings.some((f) => f.callSiteIndex === 5), false);
		assert.equal(findings.length, 8);
	}
});

test('traps: datetime in a plain string, timestamp in the user message, module constants, a call in a comment, date-only values, a non-id parameter', () => {
	const text = readFixture(`${FOLDER}/negatives.py`);
	const result = checkPy(text);
	assert.equal(result.analysis.callSites.length, 4);
	assert.deepEqual(findingsOf(result, RULE), []);
});

test('a request id passed as a parameter into an inline OpenAI system message; a non-id parameter is not a finding', () => {
	const src = (name: string) => `from openai import OpenAI\n\nc = OpenAI()\n\n\ndef go(${name}: str, q: str):\n    return c.chat.completions.create(\n        model="gpt-4.1",\n        max_tokens=10,\n        messages=[{"role": "system", "content": f"""${policy}\n{${name}}"""}, {"role": "user", "content": q}],\n    )\n`;
	const hit = findingsOf(checkPy(src('session_id')), RULE);
	assert.equal(hit.length, 1);
	assert.equal(at(src('session_id'), hit[0]!), 'session_id');
	assert.ok((hit[0]!.monthlyImpactUsd ?? 0) > 0);
	assert.deepEqual(findingsOf(checkPy(src('tone')), RULE), []);
});

test('every Python spelling of the clock and of randomness, through f-string holes; imports decide what a bare name means', () => {
	const values: [imports: string, expr: string, kind: RegExp][] = [
		['import datetime', 'datetime.datetime.now()', /changes on every call/],
		['import datetime as dt', 'dt.datetime.utcnow()', /changes on every call/],
		['from datetime import datetime', 'datetime.now()', /changes on every call/],
		['import time', 'time.time_ns()', /changes on every call/],
		['import time', 'time.perf_counter()', /changes on every call/],
		['import uuid', 'uuid.uuid4().hex', /is different on every call/],
		['from uuid import uuid4 as new_id', 'new_id()', /is different on every call/],
		['import secrets', 'secrets.token_hex(8)', /is different on every call/],
		['import random', 'random.choice(["a", "b"])', /is different on every call/],
		['from random import random', 'random()', /is different on every call/],
	];
	for (const [imports, expr, kind] of values) {
		const text = `${imports}\nimport anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef go(q):\n    return client.messages.create(\n        model="claude-sonnet-4-5",\n        max_tokens=64,\n        system=f"""${policy}\nStamp: {${expr}}""",\n        messages=[{"role": "user", "content": q}],\n    )\n`;
		const [f, ...rest] = findingsOf(checkPy(text), RULE);
		assert.ok(f, `${imports} / ${expr}: no finding`);
		assert.equal(rest.length, 0, expr);
		assert.match(f.message, kind, expr);
		assert.ok(at(text, f).startsWith(expr.replace(/\.hex$/, '')), `${expr}: squiggle on ${at(text, f)}`);
		for (const fix of f.fixes) applyFixPy(text, f, new RegExp(fix.title.slice(0, 6)));
	}
	// A local class or variable named like a module is not the module.
	const shadowed = `import anthropic\n\nclient = anthropic.Anthropic()\n\n\ndef go(q, random):\n    return client.messages.create(\n        model="claude-sonnet-4-5",\n        max_tokens=64,\n        system=f"""${policy}\nPick: {random.choice(q)}""",\n        messages=[{"role": "user", "content": q}],\n    )\n`;
	assert.deepEqual(findingsOf(checkPy(shadowed), RULE), []);
});

test('ids off requests and headers, self attributes, tools and few-shot turns before the user message', () => {
	const text = `import anthropic\n\nclient = anthropic.Anthropic()\nSETTINGS = {"user_id": "svc"}\n\n\nclass Bot:\n    def __init__(self):\n        self.client = anthropic.Anthropic()\n\n    def reply(self, request, q):\n        return client.messages.create(\n            model="claude-sonnet-4-5",\n            max_tokens=64,\n            system=f"""${policy}\nTrace: {request.headers["x-request-id"]} {SETTINGS["user_id"]}""",\n            tools=[{"name": "lookup", "description": f"Look up for session {self.session_id}", "input_schema": {"type": "object"}}],\n            messages=[\n                {"role": "user", "content": "Example question"},\n                {"role": "assistant", "content": f"Example answer {request.user.id}"},\n                {"role": "user", "content": q},\n            ],\n        )\n`;
	const findings = findingsOf(checkPy(text), RULE);
	const texts = findings.map((f) => at(text, f)).sort();
	assert.deepEqual(texts, ['request.headers["x-request-id"]', 'request.user.id', 'self.session_id']);
	const names = findings.map((f) => /in the (.+?) differs/.exec(f.message)?.[1]).sort();
	assert.deepEqual(names, ['few-shot examples', 'system prompt', 'tool definitions']);
	const first = findings.find((f) => f.monthlyImpactUsd !== undefined);
	assert.ok(first && /one of 3 per-call values/.test(first.message));
});

test('Flask request proxies imported at module level are still per request; a module-level settings object is not', () => {
	const text = `from flask import g, request\nfrom anthropic import Anthropic\n\nclient = Anthropic()\nSETTINGS = {"user_id": "svc"}\n\n\ndef view():\n    return client.messages.create(\n        model="claude-sonnet-4-5",\n        max_tokens=64,\n        system=f"""${policy}\nTrace {g.request_id} for {SETTINGS['user_id']}""",\n        messages=[{"role": "user", "content": request.json["q"]}],\n    )\n`;
	const findings = findingsOf(checkPy(text), RULE);
	assert.deepEqual(findings.map((f) => at(text, f)), ['g.request_id']);
});

test('a plain user string becomes an f-string when the line moves; braces in it are doubled', () => {
	const text = `from datetime import datetime\nfrom anthropic import Anthropic\n\nclient = Anthropic()\n\n\ndef go():\n    return client.messages.create(\n        model="claude-sonnet-4-5",\n        max_tokens=64,\n        system=f"""You answer tickets.\nNow: {datetime.now():%H:%M}\n${policy}""",\n        messages=[{"role": "user", "content": "Format as {json}."}],\n    )\n`;
	const [f] = findingsOf(checkPy(text), RULE);
	assert.ok(f);
	assert.equal(at(text, f), 'datetime.now()');
	// A time-of-day format spec: no reduce-to-date fix, so moving the line is the preferred fix.
	assert.deepEqual(f.fixes.map((x) => x.title), ['Move `datetime.now()` out of the system prompt into the user message']);
	const fixed = applyFixPy(text, f);
	assert.equal(fixed, text.replace('\nNow: {datetime.now():%H:%M}', '').replace('"Format as {json}."', 'f"Format as {{json}}.\\n\\nNow: {datetime.now():%H:%M}"'));
	assert.deepEqual(findingsOf(checkPy(fixed), RULE), []);
});

test('not busting APIs and hostile input: count_tokens/embeddings ignored, a self-recursive helper and deep nesting do not throw', () => {
	const deep = '('.repeat(120) + 'q' + ')'.repeat(120);
	const text = `from datetime import datetime\nimport anthropic\nfrom openai import OpenAI\n\nclient = anthropic.Anthropic()\noai = OpenAI()\n\n\ndef loop(n):\n    return loop(n) + f"{n}"\n\n\ndef go(q):\n    client.messages.count_tokens(model="claude-sonnet-4-5", system=f"{datetime.now()}", messages=[{"role": "user", "content": q}])\n    oai.embeddings.create(model="text-embedding-3-small", input=f"{datetime.now()}")\n    return client.messages.create(\n        model="claude-sonnet-4-5",\n        max_tokens=64,\n        system=loop(1) + ${deep},\n        messages=[{"role": "user", "content": q}],\n    )\n`;
	const result = checkPy(text);
	assert.deepEqual(result.analysis.callSites.map((s) => s.api), ['messages.countTokens', 'embeddings.create', 'messages.create']);
	assert.deepEqual(findingsOf(result, RULE), []);
	// The same clock in the real call's system is found (the traps above are not blind spots).
	const busted = checkPy(text.replace('system=loop(1) + ', 'system=f"{datetime.now()}" + '));
	assert.deepEqual(findingsOf(busted, RULE).map((f) => f.callSiteIndex), [2]);
});

test('a helper of this file stamping the time: the squiggle and the fix go on its hole; a sibling module imported whole is followed', () => {
	const text = `from datetime import datetime\nfrom anthropic import Anthropic\n\nfrom . import prompts\n\nclient = Anthropic()\n\n\ndef build_system():\n    return f"""${policy}\nNow: {datetime.now()}"""\n\n\ndef go(q):\n    client.messages.create(model="claude-sonnet-4-5", max_tokens=64, system=build_system(), messages=[{"role": "user", "content": q}])\n    return client.messages.create(model="claude-sonnet-4-5", max_tokens=64, system=prompts.build_policy(), messages=[{"role": "user", "content": q}])\n`;
	const resolver = pyFixtureResolver(FOLDER, ['prompts.py']);
	const findings = checkRule(text, resolver);
	assert.deepEqual(findings.map((f) => [f.callSiteIndex, at(text, f)]), [[0, 'datetime.now()'], [1, 'prompts.build_policy()']]);
	assert.match(findings[1]!.message, /^`uuid\.uuid4\(\)` in the system prompt is different on every call, so the 1\.\dk-token prefix/);
	const fixed = applyFixPy(text, findings[0]!);
	assert.equal(fixed, text.replace('Now: {datetime.now()}', 'Now: {datetime.now().date()}'));
	assert.deepEqual(checkRule(fixed, resolver).map((f) => f.callSiteIndex), [1]);
});
