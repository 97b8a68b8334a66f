import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findings, single, spanText } from './shapesHelpers';

const ID = 'parse-retry-instead-of-structured-output';
const HEADER = `import Anthropic from '@anthropic-ai/sdk';\nimport OpenAI from 'openai';\nconst anthropic = new Anthropic();\nconst openai = new OpenAI();\n`;

void describe('parse-retry-instead-of-structured-output', () => {
	void it('flags JSON.parse of the reply in a retry loop whose catch carries on', () => {
		const text = `${HEADER}export async function extract(doc: string) {\n\tfor (let attempt = 0; attempt < 3; attempt++) {\n\t\tconst reply = await openai.chat.completions.create({ model: 'gpt-4o', max_tokens: 500, messages: [{ role: 'user', content: doc }] });\n\t\tconst raw = reply.choices[0]?.message.content ?? '';\n\t\ttry {\n\t\t\treturn JSON.parse(raw);\n\t\t} catch {\n\t\t\tcontinue;\n\t\t}\n\t}\n\tthrow new Error('no JSON');\n}\n`;
		const finding = single(ID, text);
		assert.equal(finding.severity, 'warning');
		assert.equal(spanText(text, finding), 'JSON.parse(raw)');
		assert.equal(finding.callSiteIndex, 0);
		assert.deepEqual(finding.fixes, []);
		assert.match(finding.message, /retried in a loop.*\$[\d.]+ per call.*response_format: \{ type: 'json_schema'/);
	});

	void it('flags a catch that calls the model again (Anthropic: suggests a forced tool)', () => {
		const text = `${HEADER}export async function extract(doc: string) {\n\tconst first = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 500, messages: [{ role: 'user', content: doc }] });\n\ttry {\n\t\treturn JSON.parse(first.content[0].type === 'text' ? first.content[0].text : '');\n\t} catch {\n\t\tconst again = await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 500, messages: [{ role: 'user', content: doc + ' Reply with JSON only.' }] });\n\t\treturn again;\n\t}\n}\n`;
		const finding = single(ID, text);
		assert.match(finding.message, /the model called again.*forced tool with an input_schema/);
	});

	void it('does not flag a parse whose catch rethrows, a parse of something else, or a call that already uses structured output', () => {
		const rethrow = `${HEADER}async function f() {\n\twhile (true) {\n\t\tconst r = await openai.responses.create({ model: 'gpt-4o', input: 'x' });\n\t\ttry { return JSON.parse(r.output_text); } catch (e) { throw e; }\n\t}\n}\n`;
		assert.deepEqual(findings(ID, rethrow), []);
		const other = `${HEADER}async function f(config: string) {\n\tfor (const x of [1, 2]) {\n\t\tconst r = await openai.responses.create({ model: 'gpt-4o', input: 'x' });\n\t\ttry { JSON.parse(config); } catch { continue; }\n\t\treturn r;\n\t}\n}\n`;
		assert.deepEqual(findings(ID, other), []);
		const structured = `${HEADER}async function f() {\n\tfor (;;) {\n\t\tconst r = await openai.responses.create({ model: 'gpt-4o', input: 'x', text: { format: { type: 'json_schema', name: 'x', schema: {} } } });\n\t\ttry { return JSON.parse(r.output_text); } catch { continue; }\n\t}\n}\n`;
		assert.deepEqual(findings(ID, structured), []);
	});

	void it('does not flag a plain JSON.parse without retry, or a loop in a comment', () => {
		const text = `${HEADER}async function f() {\n\tconst r = await openai.responses.create({ model: 'gpt-4o', input: 'x' });\n\t// for (;;) { try { JSON.parse(r.output_text) } catch { continue } }\n\ttry { return JSON.parse(r.output_text); } catch { return null; }\n}\n`;
		assert.deepEqual(findings(ID, text), []);
	});
});
