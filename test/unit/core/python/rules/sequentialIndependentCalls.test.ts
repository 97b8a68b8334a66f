import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../../helpers';
import { apisOf, applyFixPy, at, findingsPy, singlePy, usePythonParser } from '../pyTestUtil';

const ID = 'sequential-independent-calls';
const HEADER = 'from openai import AsyncOpenAI\n\nclient = AsyncOpenAI()\n\n\n';
/** A call short enough for the one-line rewrite. */
const short = (input: string) => `client.responses.create(input=${input})`;
const long = (content: string) => `client.chat.completions.create(model="gpt-4o-mini", max_tokens=50, messages=[{"role": "user", "content": ${content}}])`;
const DOC = `    ${'"'.repeat(3)}${'x'.repeat(106)}${'"'.repeat(3)}\n`;
const fn = (body: string) => `${HEADER}async def f(flag):\n${body}`;

void describe('sequential-independent-calls (Python)', () => {
	usePythonParser();

	void it('flags three independent awaited calls and joins them in one asyncio.gather, adding the import (whole text compared)', () => {
		const text = readFixture('python/rules/sequential-independent-calls/threeCalls.py');
		const finding = singlePy(ID, text);
		assert.equal(finding.severity, 'info');
		assert.equal(finding.callSiteIndex, 0);
		assert.match(finding.message, /^These 3 calls run one after another.*in parallel the wait is the longest one, not the sum\. See README\.md#rule-sequential-independent-calls$/);
		assert.ok(at(text, finding).startsWith('summary = await anthropic.messages.create(') && at(text, finding).endsWith('"ping"}])'), at(text, finding));
		assert.equal(finding.fixes[0]?.preferred, true);
		assert.match(finding.fixes[0]?.title ?? '', /^Run the 3 calls in parallel with asyncio\.gather$/);
		assert.equal(applyFixPy(text, finding), readFixture('python/rules/sequential-independent-calls/threeCalls.fixed.py'));
	});

	void it('keeps tabs, re-indents calls one level but never the lines of a multi-line string, and imports after __future__', () => {
		const text = readFixture('python/rules/sequential-independent-calls/docstringTabs.py');
		assert.equal(applyFixPy(text, singlePy(ID, text)), readFixture('python/rules/sequential-independent-calls/docstringTabs.fixed.py'));
	});

	void it('writes a short rewrite on one line (up to the file\'s longest line, at most 120), reusing how the module already imports asyncio', () => {
		// The file already has a 116-character line, so the 103-character rewrite matches its style.
		const body = `${DOC}    a = await ${short('"a"')}\n    b = await ${short('"b"')}\n    return a, b\n`;
		const plain = `import asyncio\n${fn(body)}`;
		assert.equal(applyFixPy(plain, singlePy(ID, plain)), `import asyncio\n${fn(`${DOC}    a, b = await asyncio.gather(${short('"a"')}, ${short('"b"')})\n    return a, b\n`)}`);
		const aliased = `import os, asyncio as aio\n${fn(body)}`;
		assert.equal(applyFixPy(aliased, singlePy(ID, aliased)), `import os, asyncio as aio\n${fn(`${DOC}    a, b = await aio.gather(${short('"a"')}, ${short('"b"')})\n    return a, b\n`)}`);
		const from = `from asyncio import (\n    gather,\n    sleep,\n)\n${fn(body)}`;
		assert.equal(applyFixPy(from, singlePy(ID, from)), `from asyncio import (\n    gather,\n    sleep,\n)\n${fn(`${DOC}    a, b = await gather(${short('"a"')}, ${short('"b"')})\n    return a, b\n`)}`);
	});

	void it('flags calls through self.client in a method and through a client parameter', () => {
		const create = (v: string) => `${v}.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": diff}])`;
		const text = `import asyncio\nfrom anthropic import AsyncAnthropic\n\n\nclass Reviewer:\n    def __init__(self):\n        self.client = AsyncAnthropic()\n\n    async def review(self, diff):\n        summary = await ${create('self.client')}\n        risks = await ${create('self.client')}\n        return summary, risks\n\n\nasync def with_param(client: AsyncAnthropic, diff):\n    a = await ${create('client')}\n    b = await ${create('client')}\n    return a, b\n`;
		const all = findingsPy(ID, text);
		assert.equal(all.length, 2);
		assert.ok(applyFixPy(text, all[0]!).includes(`        summary, risks = await asyncio.gather(\n            ${create('self.client')},\n            ${create('self.client')},\n        )\n        return summary, risks\n`));
		assert.ok(applyFixPy(text, all[1]!).includes(`    a, b = await asyncio.gather(\n        ${create('client')},\n        ${create('client')},\n    )\n`));
	});

	void it('does not take an `import asyncio` line inside the module docstring for an import', () => {
		const q3 = '"'.repeat(3);
		const text = `${q3}Example:\nimport asyncio\n${q3}\n${fn(`${DOC}    a = await ${short('"a"')}\n    b = await ${short('"b"')}\n    return a, b\n`)}`;
		const fixed = applyFixPy(text, singlePy(ID, text));
		assert.ok(fixed.startsWith(`${q3}Example:\nimport asyncio\n${q3}\nimport asyncio\nfrom openai import AsyncOpenAI\n`), fixed);
		assert.ok(fixed.includes('    a, b = await asyncio.gather('));
	});

	void it('binds `_` for a bare await next to bound ones, and writes a bare gather when nothing is bound', () => {
		const mixed = `import asyncio\n${fn(`${DOC}    await ${short('"a"')}\n    y = await ${short('"b"')}\n    return y\n`)}`;
		assert.ok(applyFixPy(mixed, singlePy(ID, mixed)).includes(`    _, y = await asyncio.gather(${short('"a"')}, ${short('"b"')})\n`));
		const bare = `import asyncio\n${fn(`${DOC}    await ${short('"a"')}\n    await ${short('"b"')}\n`)}`;
		assert.ok(applyFixPy(bare, singlePy(ID, bare)).endsWith(`    await asyncio.gather(${short('"a"')}, ${short('"b"')})\n`));
	});

	void it('goes multi-line when one line would pass the limit, one call per line with a trailing comma', () => {
		const text = `import asyncio\n${fn(`    a = await ${long('"a"')}\n    b = await ${long('"b"')}\n    return [a, b]\n`)}`;
		assert.equal(applyFixPy(text, singlePy(ID, text)), `import asyncio\n${fn(`    a, b = await asyncio.gather(\n        ${long('"a"')},\n        ${long('"b"')},\n    )\n    return [a, b]\n`)}`);
	});

	void it('does not flag a second call that uses the first one\'s result, directly or through a statement between', () => {
		const direct = fn(`    a = await ${long('"a"')}\n    b = await ${long('a.choices[0].message.content')}\n    return b\n`);
		assert.deepEqual(apisOf(ID, direct), ['chat.completions.create', 'chat.completions.create']);
		assert.deepEqual(findingsPy(ID, direct), []);
		const between = fn(`    a = await ${long('"a"')}\n    text = a.choices[0].message.content or ""\n    b = await ${long('text')}\n    return b\n`);
		assert.deepEqual(findingsPy(ID, between), []);
		const fstring = fn(`    a = await ${long('"a"')}\n    b = await ${long('f"Again: {a.id}"')}\n    return b\n`);
		assert.deepEqual(findingsPy(ID, fstring), []);
		const attribute = fn(`    self.a = await ${long('"a"')}\n    b = await ${long('self.a.id')}\n    return b\n`);
		assert.deepEqual(findingsPy(ID, attribute), []);
	});

	void it('does not flag calls separated by another await (a deliberate sleep), a return or raise, or in different blocks', () => {
		const sleep = `import asyncio\n${fn(`    a = await ${long('"a"')}\n    await asyncio.sleep(1)\n    b = await ${long('"b"')}\n    return [a, b]\n`)}`;
		assert.deepEqual(findingsPy(ID, sleep), []);
		const guard = fn(`    a = await ${long('"a"')}\n    if flag:\n        raise ValueError("stop")\n    b = await ${long('"b"')}\n    return [a, b]\n`);
		assert.deepEqual(findingsPy(ID, guard), []);
		const blocks = fn(`    a = await ${long('"a"')}\n    if flag:\n        b = await ${long('"b"')}\n        return b\n    return a\n`);
		assert.deepEqual(findingsPy(ID, blocks), []);
		const asyncFor = fn(`    a = await ${long('"a"')}\n    async for x in feed():\n        print(x)\n    b = await ${long('"b"')}\n    return [a, b]\n`);
		assert.deepEqual(findingsPy(ID, asyncFor), []);
	});

	void it('flags but offers no fix when the calls are not consecutive, not plain assignments, or a comment sits between', () => {
		const gap = fn(`    a = await ${long('"a"')}\n    print("between")\n    b = await ${long('"b"')}\n    return [a, b]\n`);
		assert.deepEqual(singlePy(ID, gap).fixes, []);
		const typed = fn(`    a: object = await ${long('"a"')}\n    b = await ${long('"b"')}\n    return [a, b]\n`);
		assert.deepEqual(singlePy(ID, typed).fixes, []);
		const comment = fn(`    a = await ${long('"a"')}  # first\n    b = await ${long('"b"')}\n    return [a, b]\n`);
		assert.deepEqual(singlePy(ID, comment).fixes, []);
		const semicolon = fn(`    a = await ${short('"a"')}; b = await ${short('"b"')}\n    return [a, b]\n`);
		assert.deepEqual(singlePy(ID, semicolon).fixes, []);
		// `_` already means gettext here: binding it would shadow it in the whole function.
		const gettext = fn(`    print(_("Working"))\n    await ${short('"a"')}\n    y = await ${short('"b"')}\n    return y\n`);
		assert.deepEqual(singlePy(ID, gettext).fixes, []);
	});

	void it('ignores calls in comments, calls already in asyncio.gather, sync functions and calls not awaited directly', () => {
		const comment = `import asyncio\n${fn(`    # a = await ${long('"a"')}\n    b, c = await asyncio.gather(${long('"b"')}, ${long('"c"')})\n    return [b, c]\n`)}`;
		assert.deepEqual(apisOf(ID, comment), ['chat.completions.create', 'chat.completions.create']);
		assert.deepEqual(findingsPy(ID, comment), []);
		const sync = `from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef f():\n    a = ${long('"a"')}\n    b = ${long('"b"')}\n    return [a, b]\n`;
		assert.deepEqual(apisOf(ID, sync), ['chat.completions.create', 'chat.completions.create']);
		assert.deepEqual(findingsPy(ID, sync), []);
		const wrapped = fn(`    a = str(await ${long('"a"')})\n    b = [await ${long('x')} for x in flag]\n    return [a, b]\n`);
		assert.deepEqual(findingsPy(ID, wrapped), []);
	});

	void it('two clients of two providers (examples/python/summarizer.py): names that only start like a bound one, or are attributes of another object, are not reads of it', () => {
		const text = 'import asyncio\n\nfrom anthropic import AsyncAnthropic\nfrom openai import AsyncOpenAI\n\nanthropic_client = AsyncAnthropic()\nopenai_client = AsyncOpenAI()\nSUMMARY_PROMPT = "Summarise."\n\n\n'
			+ 'async def hand_over(self, ticket_id, passages):\n'
			+ '    summary = await anthropic_client.messages.create(model="claude-haiku-4-5", max_tokens=400, system=SUMMARY_PROMPT, messages=[{"role": "user", "content": ticket_id}])\n'
			+ '    title = await openai_client.chat.completions.create(model="gpt-4o-mini", max_tokens=30, messages=[{"role": "user", "content": f"{self.summary} {summary_text(passages)} {SUMMARY_PROMPT}"}])\n'
			+ '    return {"summary": summary.content[0].text, "title": title.choices[0].message.content}\n';
		const finding = singlePy(ID, text);
		assert.equal(at(text, finding).split('\n').length, 2);
		assert.match(finding.fixes[0]?.title ?? '', /^Run the 2 calls in parallel with asyncio\.gather$/);
		assert.ok(applyFixPy(text, finding).includes('    summary, title = await asyncio.gather(\n'));
		// The twin: the second call reads the first one's result.
		assert.deepEqual(findingsPy(ID, text.replace('{self.summary}', '{summary}')), []);
	});
});
