import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../../helpers';
import { apisOf, at, findingsPy, singlePy, usePythonParser } from '../pyTestUtil';

const ID = 'parse-retry-instead-of-structured-output';
const HEADER = 'import json\n\nfrom anthropic import Anthropic\nfrom openai import OpenAI\n\nanthropic = Anthropic()\nopenai = OpenAI()\n\n\n';
const RESPONSES = (extra = '') => `openai.responses.create(model="gpt-4o", input="x"${extra})`;

void describe('parse-retry-instead-of-structured-output (Python)', () => {
	usePythonParser();

	void it('flags json.loads of the reply in a retry loop whose except carries on (fixture)', () => {
		const text = readFixture('python/rules/parse-retry/extractInvoice.py');
		const finding = singlePy(ID, text);
		assert.equal(finding.severity, 'warning');
		assert.equal(at(text, finding), 'json.loads(raw)');
		assert.equal(finding.callSiteIndex, 0);
		assert.deepEqual(finding.fixes, []);
		assert.match(finding.message, /^The reply is parsed with json\.loads and the call retried in a loop when that fails: every retry pays for the whole call again \(~\$[\d.]+ per call at the estimate\)\. Structured outputs \(`chat\.completions\.parse\(response_format=YourModel\)` with a Pydantic model, or `response_format=\{"type": "json_schema", …\}`\) would return valid JSON in one call\. See README\.md#rule-parse-retry-instead-of-structured-output$/);
	});

	void it('flags an except that calls the model again (Anthropic: suggests a forced tool)', () => {
		const text = `${HEADER}def extract(doc):\n    first = anthropic.messages.create(model="claude-haiku-4-5", max_tokens=500, messages=[{"role": "user", "content": doc}])\n    try:\n        return json.loads(first.content[0].text)\n    except ValueError:\n        again = anthropic.messages.create(model="claude-haiku-4-5", max_tokens=500, messages=[{"role": "user", "content": doc + " Reply with JSON only."}])\n        return again\n`;
		const finding = singlePy(ID, text);
		assert.equal(at(text, finding), 'json.loads(first.content[0].text)');
		assert.match(finding.message, /the model called again.*forced tool with an input_schema \(`tools=\[\{"name"/);
	});

	void it('flags a while loop with a bare except, `pass` and a bare loads imported from json (Responses hint)', () => {
		const text = `from json import loads\n${HEADER}def f():\n    while True:\n        r = ${RESPONSES()}\n        try:\n            data = loads(r.output_text)\n            return data\n        except:\n            pass\n`;
		const finding = singlePy(ID, text);
		assert.equal(at(text, finding), 'loads(r.output_text)');
		assert.match(finding.message, /parsed with loads and the call retried in a loop.*responses\.parse\(text_format=YourModel\)/);
	});

	void it('does not flag an except that re-raises or catches something else, a parse of something else, or a call that already uses structured output', () => {
		const loop = (call: string, parse: string, handler: string) => `${HEADER}def f(config):\n    for attempt in range(3):\n        r = ${call}\n        try:\n            return ${parse}\n        except ${handler}\n`;
		const reraise = loop(RESPONSES(), 'json.loads(r.output_text)', 'json.JSONDecodeError:\n            raise');
		assert.deepEqual(apisOf(ID, reraise), ['responses.create']);
		assert.deepEqual(findingsPy(ID, reraise), []);
		assert.deepEqual(findingsPy(ID, loop(RESPONSES(), 'json.loads(r.output_text)', 'KeyError:\n            continue')), []);
		assert.deepEqual(findingsPy(ID, loop(RESPONSES(), 'json.loads(config)', 'json.JSONDecodeError:\n            continue')), []);
		assert.equal(findingsPy(ID, loop(RESPONSES(), 'json.loads(r.output_text)', 'json.JSONDecodeError:\n            continue')).length, 1, 'the positive twin of the cases around it');
		const schema = RESPONSES(', text={"format": {"type": "json_schema", "name": "x", "schema": {}}}');
		assert.deepEqual(findingsPy(ID, loop(schema, 'json.loads(r.output_text)', 'ValueError:\n            continue')), []);
		const jsonObject = RESPONSES(', text={"format": {"type": "json_object"}}');
		assert.equal(findingsPy(ID, loop(jsonObject, 'json.loads(r.output_text)', 'ValueError:\n            continue')).length, 1, 'json_object guarantees JSON, not its shape');
		const pydantic = 'openai.chat.completions.parse(model="gpt-4o", messages=[{"role": "user", "content": "x"}], response_format=Invoice)';
		assert.deepEqual(findingsPy(ID, loop(pydantic, 'json.loads(r.choices[0].message.content)', 'ValueError:\n            continue')), []);
		const textFormat = 'openai.responses.parse(model="gpt-4o", input="x", text_format=Invoice)';
		assert.deepEqual(findingsPy(ID, loop(textFormat, 'json.loads(r.output_text)', 'ValueError:\n            continue')), []);
		const forced = 'anthropic.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": "x"}], tools=TOOLS, tool_choice={"type": "tool", "name": "invoice"})';
		assert.deepEqual(findingsPy(ID, loop(forced, 'json.loads(r.content[0].text)', 'Exception:\n            continue')), []);
	});

	void it('does not flag a plain json.loads without retry, or a loop in a comment', () => {
		const text = `${HEADER}def f():\n    r = ${RESPONSES()}\n    # for _ in range(3):\n    #     try: json.loads(r.output_text)\n    #     except ValueError: continue\n    try:\n        return json.loads(r.output_text)\n    except ValueError:\n        return None\n`;
		assert.deepEqual(apisOf(ID, text), ['responses.create']);
		assert.deepEqual(findingsPy(ID, text), []);
	});

	void it('reads structured output the way right-size-model does: schema helpers and dict(…) count, json_object and a forced tool named in a variable do not', () => {
		const loop = (call: string) => `${HEADER}def f(choice):\n    for attempt in range(3):\n        r = ${call}\n        try:\n            return json.loads(r.choices[0].message.content)\n        except ValueError:\n            continue\n`;
		const chat = (extra: string) => `openai.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "x"}]${extra})`;
		assert.equal(findingsPy(ID, loop(chat(''))).length, 1, 'the positive twin of the cases below');
		assert.deepEqual(findingsPy(ID, loop(chat(', response_format=type_to_response_format_param(Invoice)'))), []);
		assert.deepEqual(findingsPy(ID, loop(chat(', response_format=dict(type="json_schema", json_schema={"name": "x", "schema": {}})'))), []);
		assert.deepEqual(findingsPy(ID, loop(chat(', tools=TOOLS, tool_choice=dict(type="function", function={"name": "invoice"})'))), []);
		assert.equal(findingsPy(ID, loop(chat(', response_format=dict(type="json_object")'))).length, 1, 'json_object guarantees JSON, not its shape');
		assert.equal(findingsPy(ID, loop(chat(', tools=TOOLS, tool_choice="auto"'))).length, 1, 'the model may answer in text');
		assert.equal(findingsPy(ID, loop(chat(', tools=TOOLS, tool_choice=choice'))).length, 1, 'a choice only known at run time is not a forced tool');
	});
});
