import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../helpers';
import { findings, spanText } from './shapesHelpers';

const ID = 'non-streamed-long-output';
const HEADER = `import Anthropic from '@anthropic-ai/sdk';\nimport { Hono } from 'hono';\nconst anthropic = new Anthropic();\nconst app = new Hono();\n`;

void describe('non-streamed-long-output', () => {
	void it('flags long unstreamed calls in a Next.js route, an Express handler and a function that sends its result; not the others', () => {
		const text = readFixture('rules/non-streamed-long-output/handlers.ts');
		const all = findings(ID, text);
		assert.deepEqual(all.map((f) => spanText(text, f)), ['anthropic.messages.create', 'openai.chat.completions.create', 'openai.responses.create']);
		assert.match(all[0]?.message ?? '', /^Up to 4,000 output tokens returned in one piece from the POST route handler/);
		assert.match(all[1]?.message ?? '', /the POST \/draft handler/);
		assert.match(all[2]?.message ?? '', /a function that sends its result to the client/);
		for (const f of all) {
			assert.equal(f.severity, 'info');
			assert.deepEqual(f.fixes, [], 'switching to streaming is not a mechanical edit');
			assert.ok(f.message.includes('README.md#rule-non-streamed-long-output'));
			assert.equal(typeof f.callSiteIndex, 'number');
		}
	});

	void it('flags a Hono handler returning c.json, honours longOutputTokens, and skips stream: true and messages.stream', () => {
		const call = (extra: string) => `app.post('/essay', async (c) => {\n\tconst r = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1200,${extra} messages: [{ role: 'user', content: 'x' }] });\n\treturn c.json(r);\n});\n`;
		assert.equal(findings(ID, HEADER + call('')).length, 1);
		assert.equal(findings(ID, HEADER + call(''), { longOutputTokens: 1500 }).length, 0);
		assert.equal(findings(ID, HEADER + call(' stream: true,')).length, 0);
		const streamed = `${HEADER}app.post('/essay', async (c) => {\n\tconst s = anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 4000, messages: [{ role: 'user', content: 'x' }] });\n\treturn c.json(await s.finalMessage());\n});\n`;
		assert.equal(findings(ID, streamed).length, 0);
	});

	void it('does not flag a route registration without a path, nor a call in a comment inside a handler', () => {
		const text = `${HEADER}export async function GET() {\n\t// await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 4000, messages: [] })\n\treturn new Response('ok');\n}\nemitter.on('post', async () => { await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 4000, messages: [{ role: 'user', content: 'x' }] }); });\n`;
		assert.deepEqual(findings(ID, text), []);
	});
});
