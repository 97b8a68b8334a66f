import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFile } from '../../../../../src/core/check';
import { DEFAULT_ASSUMPTIONS } from '../../../../../src/core/pricing/estimateTypes';
import type { Finding, RuleSettings } from '../../../../../src/core/rules/types';
import { readFixture } from '../../../helpers';
import { applyFixPy, at, checkPy, findingsOf, findingsPy, prices, singlePy, tokens, usePythonParser } from '../pyTestUtil';

const ID = 'missing-max-tokens';
const HEADER = 'from openai import OpenAI\nfrom anthropic import Anthropic\n\nopenai_client = OpenAI()\nanthropic_client = Anthropic()\n\n';

usePythonParser();

/** This rule's findings on `text` (a `/p/main.py`), with the settings given. */
const findings = (text: string, settings: Partial<RuleSettings> = {}): Finding[] => findingsPy(ID, text, settings);
const single = (text: string, settings: Partial<RuleSettings> = {}): Finding => singlePy(ID, text, settings);

/** Applies the preferred fix, asserts the result parses and no longer has the finding. */
function fix(text: string, finding: Finding, settings: Partial<RuleSettings> = {}, title?: RegExp): string {
	const fixed = applyFixPy(text, finding, title);
	assert.deepEqual(findings(fixed, settings).filter((f) => f.callSiteIndex === finding.callSiteIndex), [], 'the finding is still there after the fix');
	return fixed;
}

void describe('missing-max-tokens (Python): OpenAI generation without an output cap', () => {
	void it('flags a one-line chat call, prices the worst case, and inserts max_tokens=1024 on the same line', () => {
		const text = readFixture('python/rules/missing-max-tokens/oneLine.py');
		const finding = single(text);
		assert.equal(finding.severity, 'warning');
		assert.equal(at(text, finding), 'client.chat.completions.create');
		assert.equal(finding.callSiteIndex, 0);
		assert.match(finding.message, /up to 16,384 output tokens, \$0\.16 per call/);
		assert.match(finding.message, /See README\.md#rule-missing-max-tokens$/);
		assert.ok((finding.monthlyImpactUsd ?? 0) > 4000, String(finding.monthlyImpactUsd));
		assert.deepEqual(finding.fixes.map((f) => [f.title, f.preferred]), [['Add max_tokens=1024', true]]);
		assert.equal(fix(text, finding), readFixture('python/rules/missing-max-tokens/oneLine.fixed.py'));
	});

	void it('uses max_completion_tokens for a reasoning model, on a new line like its neighbours (trailing comma, comment kept)', () => {
		const text = readFixture('python/rules/missing-max-tokens/multiLineReasoning.py');
		const finding = single(text);
		assert.match(finding.message, /max_completion_tokens.*reasoning model/);
		assert.equal(fix(text, finding), readFixture('python/rules/missing-max-tokens/multiLineReasoning.fixed.py'));
	});

	void it('inserts before a known **kwargs splat (read by the analysis: it holds no cap)', () => {
		const text = readFixture('python/rules/missing-max-tokens/splat.py');
		const finding = single(text);
		assert.equal(fix(text, finding), readFixture('python/rules/missing-max-tokens/splat.fixed.py'));
	});

	void it('uses max_output_tokens on the Responses API, keeping a no-trailing-comma style and the settings value', () => {
		const text = `${HEADER}def answer(q):\n    return openai_client.responses.create(\n        model="o3",\n        input=q\n    )\n`;
		const finding = single(text, { defaultMaxTokens: 2000 });
		assert.equal(finding.fixes[0]?.title, 'Add max_output_tokens=2000');
		assert.equal(fix(text, finding, { defaultMaxTokens: 2000 }), `${HEADER}def answer(q):\n    return openai_client.responses.create(\n        model="o3",\n        input=q,\n        max_output_tokens=2000\n    )\n`);
	});

	void it('uses max_completion_tokens for the o-series on chat, and a trailing comma on a one-line call', () => {
		const text = `${HEADER}openai_client.chat.completions.create(model="o4-mini", messages=[],)\n`;
		assert.equal(fix(text, single(text)), `${HEADER}openai_client.chat.completions.create(model="o4-mini", messages=[], max_completion_tokens=1024,)\n`);
	});

	void it('a self.client call in an async method of a tab-indented class: the new line copies the tabs', () => {
		const text = 'from openai import AsyncOpenAI\n\n\nclass Bot:\n\tdef __init__(self):\n\t\tself.client = AsyncOpenAI()\n\n\tasync def ask(self, q):\n\t\treturn await self.client.chat.completions.create(\n\t\t\tmodel="gpt-4.1",\n\t\t\tmessages=[{"role": "user", "content": q}],\n\t\t)\n';
		const finding = single(text);
		assert.equal(at(text, finding), 'self.client.chat.completions.create');
		assert.equal(fix(text, finding), text.replace('"content": q}],\n', '"content": q}],\n\t\t\tmax_tokens=1024,\n'));
	});

	void it('flags a request read through a local dict splat but offers no fix (no keyword argument in the call)', () => {
		const text = `${HEADER}params = {"model": "gpt-4o", "messages": [{"role": "user", "content": "hi"}]}\nopenai_client.chat.completions.create(**params)\n`;
		assert.equal(single(text).fixes.length, 0);
	});

	void it('gives a per-1k figure when the model has no known output limit, and no price means no dollar figure', () => {
		const text = `${HEADER}openai_client.chat.completions.create(model="gpt-4o", messages=[])\nopenai_client.chat.completions.create(model="my-finetune", messages=[])\n`;
		const [priced, unpriced] = findings(text);
		assert.match(priced?.message ?? '', /\$/);
		assert.doesNotMatch(unpriced?.message ?? '$', /\$/);
		assert.equal(unpriced?.monthlyImpactUsd, undefined);
		assert.equal(unpriced?.fixes[0]?.edits[0]?.newText, ', max_tokens=1024');
	});
});

void describe('missing-max-tokens (Python): negatives and traps', () => {
	void it('does not flag a cap set directly, through a known splat, or possibly through an unknown one', () => {
		const text = `${HEADER}BASE = {"max_tokens": 300}\n\ndef f(opts):\n    openai_client.chat.completions.create(model="gpt-4o", messages=[], max_tokens=200)\n    openai_client.chat.completions.create(model="gpt-4o", messages=[], **BASE)\n    openai_client.chat.completions.create(model="gpt-4o", messages=[], **opts)\n    openai_client.responses.create(model="gpt-5", input="x", max_output_tokens=100)\n    openai_client.chat.completions.create(model="gpt-5", messages=[], max_completion_tokens=100)\n`;
		assert.deepEqual(findings(text), []);
	});

	void it('never flags embeddings, a call in a comment or a string, or another SDK with the same method names', () => {
		const text = `${HEADER}import mistralai\nother = mistralai.Client()\nopenai_client.embeddings.create(model="text-embedding-3-small", input="x")\n# openai_client.chat.completions.create(model="gpt-4o", messages=[])\ns = 'openai_client.chat.completions.create(model="gpt-4o", messages=[])'\nother.chat.completions.create(model="gpt-4o", messages=[])\n`;
		assert.deepEqual(findings(text), []);
	});

	void it('does not flag an ordinary Anthropic call (max_tokens is required there)', () => {
		const text = `${HEADER}anthropic_client.messages.create(model="claude-sonnet-4-5", max_tokens=8192, messages=[{"role": "user", "content": "Write an essay about rivers."}])\n`;
		assert.deepEqual(findings(text), []);
	});
});

void describe('missing-max-tokens (Python): Anthropic cap far above what the call needs (hint)', () => {
	void it('hints on a forced tool call with max_tokens ≥ 4096 and offers to lower it to the setting', () => {
		const text = `${HEADER}anthropic_client.messages.create(\n    model="claude-sonnet-4-5",\n    max_tokens=8192,\n    tools=[{"name": "extract", "input_schema": {"type": "object"}}],\n    tool_choice={"type": "tool", "name": "extract"},\n    messages=[{"role": "user", "content": "Invoice text"}],\n)\n`;
		const finding = single(text);
		assert.equal(finding.severity, 'hint');
		assert.equal(at(text, finding), '8192');
		assert.match(finding.message, /forced tool call/);
		assert.ok((finding.monthlyImpactUsd ?? 0) > 0);
		assert.equal(finding.fixes[0]?.preferred, undefined);
		assert.equal(fix(text, finding, {}, /^Lower the cap to max_tokens=1024$/), text.replace('max_tokens=8192', 'max_tokens=1024'));
	});

	void it('an integer written with underscores is lowered too', () => {
		const text = `${HEADER}anthropic_client.messages.create(model="claude-sonnet-4-5", max_tokens=8_192, tool_choice={"type": "tool", "name": "x"}, tools=[{"name": "x", "input_schema": {"type": "object"}}], messages=[{"role": "user", "content": "x"}])\n`;
		assert.equal(fix(text, single(text), {}, /Lower/), text.replace('max_tokens=8_192', 'max_tokens=1024'));
	});

	void it('hints on a classification prompt, not below 4096', () => {
		const prompt = (cap: number) => `${HEADER}anthropic_client.messages.create(model="claude-haiku-4-5", max_tokens=${cap}, system="Classify the ticket as billing, bug or other.", messages=[{"role": "user", "content": "My card was charged twice"}])\n`;
		assert.equal(single(prompt(4096)).severity, 'hint');
		assert.deepEqual(findings(prompt(4095)), []);
	});

	void it('offers no edit when the cap is a shared constant', () => {
		const text = `${HEADER}CAP = 8192\nanthropic_client.messages.create(model="claude-sonnet-4-5", max_tokens=CAP, tool_choice={"type": "tool", "name": "x"}, tools=[{"name": "x", "input_schema": {"type": "object"}}], messages=[{"role": "user", "content": "x"}])\n`;
		assert.equal(single(text).fixes.length, 0);
	});
});

void describe('missing-max-tokens (Python): same message as the TypeScript rule', () => {
	void it('a Python and a TypeScript call of the same shape get the same message', () => {
		const py = `${HEADER}openai_client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "hi"}])\n`;
		const ts = `import OpenAI from 'openai';\nconst openai = new OpenAI();\nopenai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] });\n`;
		const tsFinding = checkFile(ts, '/p/main.ts', { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS }).findings.find((f) => f.ruleId === ID);
		assert.equal(single(py).message, tsFinding?.message);
		assert.equal(findingsOf(checkPy(py), ID).length, 1);
	});
});
