import * as assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { PyNode, PyTree } from '../../../../../src/core/python/parser';
import {
	cachedTextBlockList,
	escapeStringContents,
	insertDictEntryEdits,
	insertKeywordArgumentEdits,
	moduleConstant,
	plainStringValue,
	pyHasForcedToolChoice,
	pyHasSchemaOutput,
	pyNodeAtSpan,
	pythonDictLiteral,
	pythonString,
	replaceStringLiteralEdits,
} from '../../../../../src/core/python/rules/edits';
import { applyEdits } from '../../../../../src/core/rules/edits';
import type { TextEdit } from '../../../../../src/core/rules/types';
import { readFixture } from '../../../helpers';
import { assertParsesPy, checkPy, pythonParser } from '../pyTestUtil';

let parse: (text: string) => PyTree;

before(async () => {
	const parser = await pythonParser();
	parse = (text) => parser.parseDetached(text);
});

/** Runs `f` on the tree of `text`, deleting the tree afterwards. */
function withTree<T>(text: string, f: (root: PyNode) => T): T {
	const tree = parse(text);
	try {
		return f(tree.rootNode);
	} finally {
		tree.delete();
	}
}

/** The first node of `type` in document order whose text starts with `startsWith`. */
function find(root: PyNode, type: string, startsWith = ''): PyNode {
	const stack: PyNode[] = [root];
	while (stack.length > 0) {
		const n = stack.shift()!;
		if (n.type === type && n.text.startsWith(startsWith)) return n;
		stack.unshift(...n.children.filter((c): c is PyNode => !!c));
	}
	throw new Error(`no ${type} starting with ${startsWith}`);
}

/** Inserts `key=value` into the first call starting with `callee`, asserts the result parses. */
function addKeyword(text: string, key = 'max_tokens', value = '1024', callee = 'client.'): string | undefined {
	const edits = withTree(text, (root) => insertKeywordArgumentEdits(text, find(root, 'call', callee), key, value));
	if (!edits) return undefined;
	const out = applyEdits(text, edits);
	assertParsesPy(out);
	return out;
}

function apply(text: string, edits: readonly TextEdit[] | undefined): string {
	assert.ok(edits, 'expected edits');
	const out = applyEdits(text, edits);
	assertParsesPy(out);
	return out;
}

void describe('insertKeywordArgumentEdits: formatted like the neighbours', () => {
	void it('one-line call: same line, after the last argument', () => {
		assert.equal(addKeyword('r = client.chat.completions.create(model="gpt-4o", messages=m)\n'), 'r = client.chat.completions.create(model="gpt-4o", messages=m, max_tokens=1024)\n');
	});

	void it('one-line call with a trailing comma keeps it', () => {
		assert.equal(addKeyword('client.create(model="o4-mini", messages=[],)\n', 'max_completion_tokens'), 'client.create(model="o4-mini", messages=[], max_completion_tokens=1024,)\n');
	});

	void it('last argument on the opening line (a multi-line list value): stays inline', () => {
		const text = 'client.create(model="x", messages=[\n    {"role": "user", "content": q},\n])\n';
		assert.equal(addKeyword(text), 'client.create(model="x", messages=[\n    {"role": "user", "content": q},\n], max_tokens=1024)\n');
	});

	void it('multi-line with a trailing comma and a comment: new line after the comment, same indentation, comma kept', () => {
		const text = 'r = client.create(\n    model="gpt-5",\n    messages=[\n        {"role": "user", "content": goal},\n    ],  # the conversation\n)\n';
		assert.equal(addKeyword(text, 'max_completion_tokens'), 'r = client.create(\n    model="gpt-5",\n    messages=[\n        {"role": "user", "content": goal},\n    ],  # the conversation\n    max_completion_tokens=1024,\n)\n');
	});

	void it('multi-line without a trailing comma: a comma after the last argument, none after the new one', () => {
		const text = 'def f(q):\n\treturn client.responses.create(\n\t\tmodel="o3",\n\t\tinput=q\n\t)\n';
		assert.equal(addKeyword(text, 'max_output_tokens', '2000'), 'def f(q):\n\treturn client.responses.create(\n\t\tmodel="o3",\n\t\tinput=q,\n\t\tmax_output_tokens=2000\n\t)\n');
	});

	void it('multi-line without a trailing comma, the last line ending in a comment: the comma goes before the comment', () => {
		const text = 'client.create(\n    model="x",\n    input=q  # the question\n)\n';
		assert.equal(addKeyword(text), 'client.create(\n    model="x",\n    input=q,  # the question\n    max_tokens=1024\n)\n');
	});

	void it('hanging alignment with the closing parenthesis on the last line', () => {
		const text = 'client.create(model="x",\n              messages=m)\n';
		assert.equal(addKeyword(text), 'client.create(model="x",\n              messages=m,\n              max_tokens=1024)\n');
	});

	void it('goes before a **kwargs splat, inline and on its own line', () => {
		assert.equal(addKeyword('client.create(model="x", **opts)\n'), 'client.create(model="x", max_tokens=1024, **opts)\n');
		const text = 'client.create(\n    model="x",\n    **opts,\n)\n';
		assert.equal(addKeyword(text), 'client.create(\n    model="x",\n    max_tokens=1024,\n    **opts,\n)\n');
		const noComma = 'client.create(\n    model="x",  # m\n    **opts\n)\n';
		assert.equal(addKeyword(noComma), 'client.create(\n    model="x",  # m\n    max_tokens=1024,\n    **opts\n)\n');
	});

	void it('a CRLF file gets CRLF on the new line', () => {
		const text = 'client.create(\r\n    model="x",\r\n    input=q\r\n)\r\n';
		assert.equal(addKeyword(text), 'client.create(\r\n    model="x",\r\n    input=q,\r\n    max_tokens=1024\r\n)\r\n');
	});

	void it('no keyword argument to follow, or the key already passed: no edit', () => {
		assert.equal(addKeyword('client.create(**params)\n'), undefined);
		assert.equal(addKeyword('client.create()\n'), undefined);
		assert.equal(addKeyword('client.create(model="x", max_tokens=5)\n'), undefined);
	});
});

void describe('replaceStringLiteralEdits: quotes and prefix kept', () => {
	const replace = (text: string, value: string): string | undefined => {
		const edits = withTree(text, (root) => replaceStringLiteralEdits(text, find(root, 'string'), value));
		return edits ? apply(text, edits) : undefined;
	};

	void it('keeps single, double and triple quotes and the u/r/f prefixes', () => {
		assert.equal(replace("m = 'claude-sonet-4-5'\n", 'claude-sonnet-4-5'), "m = 'claude-sonnet-4-5'\n");
		assert.equal(replace('m = "gpt-4.1-mnii"\n', 'gpt-4.1-mini'), 'm = "gpt-4.1-mini"\n');
		assert.equal(replace('m = """gpt-4o"""\n', 'gpt-4o-mini'), 'm = """gpt-4o-mini"""\n');
		assert.equal(replace("m = u'gpt-4o'\n", 'gpt-4o-mini'), "m = u'gpt-4o-mini'\n");
		assert.equal(replace('m = R"gpt-4o"\n', 'gpt-4o-mini'), 'm = R"gpt-4o-mini"\n');
		assert.equal(replace('m = f"gpt-4o"\n', 'a{b}'), 'm = f"a{{b}}"\n');
	});

	void it('escapes what the quote needs, and refuses what it cannot hold', () => {
		assert.equal(replace("m = 'x'\n", "it's\n"), "m = 'it\\'s\\n'\n");
		assert.equal(replace('m = f"{model}-x"\n', 'gpt-4o'), undefined);
		assert.equal(replace('m = b"gpt"\n', 'x'), undefined);
		assert.equal(replace("m = r'x'\n", "a'b"), undefined);
		assert.equal(escapeStringContents('a"""b', '"""'), 'a\\"\\"\\"b');
	});
});

void describe('dict helpers', () => {
	void it('adds an entry to a one-line block dict and to a multi-line one', () => {
		const text = 'system=[{"type": "text", "text": POLICY}]\n';
		const out = withTree(text, (root) => apply(text, insertDictEntryEdits(text, find(root, 'dictionary'), '"cache_control"', '{"type": "ephemeral"}')));
		assert.equal(out, 'system=[{"type": "text", "text": POLICY, "cache_control": {"type": "ephemeral"}}]\n');
		const multi = "tools = [\n    {\n        'name': 'x',\n        'input_schema': {'type': 'object'},\n    },\n]\n";
		const out2 = withTree(multi, (root) => apply(multi, insertDictEntryEdits(multi, find(root, 'dictionary', '{\n'), "'cache_control'", "{'type': 'ephemeral'}")));
		assert.equal(out2, "tools = [\n    {\n        'name': 'x',\n        'input_schema': {'type': 'object'},\n        'cache_control': {'type': 'ephemeral'},\n    },\n]\n");
	});

	void it('writes literals in the requested quote style', () => {
		assert.equal(pythonDictLiteral([['"a"', '1']]), '{"a": 1}');
		assert.equal(pythonString("it's", '\''), "'it\\'s'");
		assert.equal(cachedTextBlockList('POLICY', '\''), "[{'type': 'text', 'text': POLICY, 'cache_control': {'type': 'ephemeral'}}]");
		assertParsesPy(`x = ${cachedTextBlockList('"a"', '"')}\n`);
	});
});

void describe('readers', () => {
	void it('plainStringValue decodes escapes and refuses holes', () => {
		withTree('a = "x\\ny\\"z"\nb = f"{q}"\nc = r"\\n"\n', (root) => {
			assert.equal(plainStringValue(find(root, 'string', '"x')), 'x\ny"z');
			assert.equal(plainStringValue(find(root, 'string', 'f')), undefined);
			assert.equal(plainStringValue(find(root, 'string', 'r')), '\\n');
		});
	});

	void it('moduleConstant: a single module-level assignment only', () => {
		withTree('MODEL = "gpt-4o"\nOTHER = "a"\nOTHER = "b"\ndef f():\n    MODEL = "local"\n', (root) => {
			assert.equal(moduleConstant(root, 'MODEL')?.text, '"gpt-4o"');
			assert.equal(moduleConstant(root, 'OTHER'), undefined);
			assert.equal(moduleConstant(root, 'MISSING'), undefined);
		});
	});

	void it('pyNodeAtSpan finds the exact node, or nothing', () => {
		const text = 'x = call(a, "b")\n';
		withTree(text, (root) => {
			assert.equal(pyNodeAtSpan(root, { start: 12, end: 15 })?.type, 'string');
			assert.equal(pyNodeAtSpan(root, { start: 12, end: 14 }), undefined);
		});
	});

	void it('forced tool choice and schema output, as written in the call', () => {
		const text = [
			'client.messages.create(tool_choice={"type": "tool", "name": "x"})',
			'client.chat.completions.create(tool_choice={"type": "auto"})',
			'client.chat.completions.create(response_format={"type": "json_schema", "json_schema": {}})',
			'client.chat.completions.create(response_format={"type": "json_object"})',
			'client.beta.chat.completions.parse(response_format=Answer)',
			'client.responses.create(text={"format": {"type": "json_schema"}})',
			'client.responses.parse(text_format=Answer)',
			'client.chat.completions.create(tool_choice=dict(type="function", function={"name": "f"}))',
			'',
		].join('\n');
		withTree(text, (root) => {
			const calls = root.namedChildren.map((s) => s?.namedChildren[0]).filter((c): c is PyNode => c?.type === 'call');
			assert.deepEqual(calls.map((c) => [pyHasForcedToolChoice(c), pyHasSchemaOutput(c)]), [
				[true, false], [false, false], [false, true], [false, false], [false, true], [false, true], [false, true], [true, false],
			]);
		});
	});
});

void describe('hostile input: the six rules never throw, and a fix on a file that parses still parses', () => {
	void it('every truncation and cut of the rule fixtures', () => {
		const folders: Record<string, readonly string[]> = {
			'missing-max-tokens': ['oneLine.py', 'multiLineReasoning.py', 'splat.py'],
			'oversized-few-shot': ['sixPairs.py'],
			caching: ['uncached.py', 'belowMinimum.py'],
			'unknown-model': ['models.py'],
			'right-size-model': ['forcedTool.py', 'pydanticParse.py'],
		};
		let fixesChecked = 0;
		for (const [folder, names] of Object.entries(folders)) {
			for (const name of names) {
				const text = readFixture(`python/rules/${folder}/${name}`);
				for (let cut = 1; cut <= text.length; cut += 89) {
					for (const variant of [text.slice(0, cut), text.slice(0, cut) + text.slice(cut + 7)]) {
						const result = checkPy(variant);
						const parses = withTree(variant, (root) => !root.hasError);
						for (const finding of result.findings) {
							for (const f of finding.fixes) {
								const out = applyEdits(variant, f.edits);
								if (parses) {
									assertParsesPy(out);
									fixesChecked++;
								}
							}
						}
					}
				}
			}
		}
		assert.ok(fixesChecked > 20, String(fixesChecked));
	});
});
