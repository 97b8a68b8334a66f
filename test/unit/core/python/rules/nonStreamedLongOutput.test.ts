import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../../helpers';
import { apisOf, at, findingsPy, usePythonParser } from '../pyTestUtil';

const ID = 'non-streamed-long-output';
const HEADER = 'from anthropic import Anthropic\nfrom fastapi import FastAPI\n\nanthropic = Anthropic()\napp = FastAPI()\n\n\n';

void describe('non-streamed-long-output (Python)', () => {
	usePythonParser();

	void it('flags long unstreamed calls in a FastAPI route, a Flask route and a function that builds its response; not the others', () => {
		const text = readFixture('python/rules/non-streamed-long-output/handlers.py');
		// Not vacuous: the analysis sees the streamed, short, batch-job, startup and handler calls too.
		assert.equal(apisOf(ID, text).length, 7);
		const all = findingsPy(ID, text);
		assert.deepEqual(all.map((f) => at(text, f)), ['anthropic.messages.create', 'openai.chat.completions.create', 'openai.responses.create']);
		assert.match(all[0]?.message ?? '', /^Up to 4,000 output tokens returned in one piece from the POST \/essay handler: the client sees nothing until the whole reply is generated\./);
		assert.match(all[1]?.message ?? '', /^Up to 2,000 output tokens .* from the POST \/draft handler/);
		assert.match(all[2]?.message ?? '', /^Up to 1,500 output tokens .* from a function that sends its result to the client/);
		for (const f of all) {
			assert.equal(f.severity, 'info');
			assert.deepEqual(f.fixes, [], 'switching to streaming is not a mechanical edit');
			assert.ok(f.message.includes('README.md#rule-non-streamed-long-output'));
			assert.equal(typeof f.callSiteIndex, 'number');
		}
	});

	void it('flags Django function views, class-based view methods and @api_view functions in views.py; not helpers', () => {
		const text = readFixture('python/rules/non-streamed-long-output/views.py');
		const all = findingsPy(ID, text, {}, '/p/app/views.py');
		assert.deepEqual(all.map((f) => /from (the \S+ view)/.exec(f.message)?.[1]), ['the report view', 'the EssayView.post view', 'the summarise view']);
		// Outside a views module a function taking `request` is not assumed to be a view; the JsonResponse still says so.
		const elsewhere = findingsPy(ID, text, {}, '/p/app/tasks.py');
		assert.deepEqual(elsewhere.map((f) => /from (.*?):/.exec(f.message)?.[1]), ['a function that sends its result to the client', 'the EssayView.post view', 'the summarise view']);
	});

	void it('honours longOutputTokens, and skips stream=True, a runtime stream flag and messages.stream', () => {
		const route = (args: string) => `${HEADER}@app.post("/essay")\nasync def essay():\n    r = anthropic.messages.create(model="claude-sonnet-4-5", max_tokens=1200,${args} messages=[{"role": "user", "content": "x"}])\n    return r\n`;
		assert.equal(findingsPy(ID, route('')).length, 1);
		assert.equal(findingsPy(ID, route(''), { longOutputTokens: 1500 }).length, 0);
		assert.equal(findingsPy(ID, route(' stream=True,')).length, 0);
		assert.equal(findingsPy(ID, route(' stream=flag,')).length, 0);
		assert.equal(findingsPy(ID, route(' stream=False,')).length, 1);
		const streamed = `${HEADER}@app.post("/essay")\ndef essay():\n    with anthropic.messages.stream(model="claude-sonnet-4-5", max_tokens=4000, messages=[{"role": "user", "content": "x"}]) as s:\n        return s.get_final_message()\n`;
		assert.deepEqual(apisOf(ID, streamed), ['messages.stream']);
		assert.equal(findingsPy(ID, streamed).length, 0);
	});

	void it('names Flask routes by their methods, and a call in a function nested in a handler still counts', () => {
		const text = `${HEADER}@bp.route("/x", methods=["GET", "POST"])\ndef x():\n    def inner():\n        return anthropic.messages.create(model="claude-sonnet-4-5", max_tokens=2000, messages=[{"role": "user", "content": "x"}])\n    return inner()\n`;
		assert.match(findingsPy(ID, text)[0]?.message ?? '', /from the GET\/POST \/x handler/);
		const plain = text.replace(', methods=["GET", "POST"]', '');
		assert.match(findingsPy(ID, plain)[0]?.message ?? '', /from the GET \/x handler/);
	});

	void it('does not flag a decorator without a path, nor a call in a comment or string inside a handler', () => {
		const text = `${HEADER}@app.get("/ok")\ndef ok():\n    # anthropic.messages.create(model="claude-sonnet-4-5", max_tokens=4000, messages=[])\n    return "anthropic.messages.create(model='claude-sonnet-4-5', max_tokens=4000)"\n\n\n@emitter.on("post")\ndef on_post():\n    anthropic.messages.create(model="claude-sonnet-4-5", max_tokens=4000, messages=[{"role": "user", "content": "x"}])\n`;
		assert.deepEqual(apisOf(ID, text), ['messages.create']);
		assert.deepEqual(findingsPy(ID, text), []);
	});
});
