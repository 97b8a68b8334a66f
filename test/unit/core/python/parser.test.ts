import * as assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { editBetween, isPythonFile, type PythonParser } from '../../../../src/core/python/parser';
import { loadPythonParser } from '../../../../src/node/pythonParser';
import { seededRandom } from '../../../support/seededRandom';

// The parser wrapper: UTF-16 offsets, incremental reparse equal to a full parse, tree ownership.

const FILE = [
	'# -*- coding: utf-8 -*-',
	's = "héllo 😀 — ünïcode"',
	...Array.from({ length: 40 }, (_, i) => `def handler_${i}(x):\n    return client.messages.create(model="claude-haiku-4-5", max_tokens=${i + 1}, messages=[{"role": "user", "content": f"q {x}"}])`),
	'',
].join('\n');

void describe('python parser', () => {
	let parser: PythonParser;
	before(async () => {
		parser = await loadPythonParser({ rememberFiles: 2 });
	});

	void it('reports UTF-16 offsets, the units of Span and String.prototype.slice', () => {
		const tree = parser.parse('/p/offsets.py', FILE);
		const call = tree.rootNode.descendantForIndex(FILE.indexOf('client.messages'));
		let node = call;
		while (node && node.type !== 'call') node = node.parent!;
		assert.ok(node, 'no call node at the first call');
		assert.equal(node.startIndex, FILE.indexOf('client.messages'));
		assert.equal(FILE.slice(node.startIndex, node.endIndex), node.text);
	});

	void it('reparses incrementally and gets the same tree as a full parse (200 random edits, non-ASCII included)', () => {
		const random = seededRandom(6);
		let text = FILE;
		parser.parse('/p/edits.py', text);
		let incremental = 0;
		for (let k = 0; k < 200; k++) {
			const pos = Math.floor(random() * text.length);
			const roll = random();
			text = roll < 0.4 ? text.slice(0, pos) + 'é' + text.slice(pos) : roll < 0.7 ? text.slice(0, pos) + text.slice(pos + 1) : text.slice(0, pos) + '\n    x = "😀"\n' + text.slice(pos);
			const tree = parser.parse('/p/edits.py', text);
			if (parser.lastParse === 'incremental') incremental++;
			const reference = parser.parseDetached(text);
			try {
				assert.equal(tree.rootNode.toString(), reference.rootNode.toString(), `edit ${k} at ${pos}`);
				assert.equal(tree.rootNode.endIndex, text.length);
			} finally {
				reference.delete();
			}
		}
		assert.equal(incremental, 200, 'every edit after the first parse reuses the old tree');
	});

	void it('parses fully when the file is new or was forgotten, and keeps only the most recent files', () => {
		parser.parse('/p/a.py', 'a = 1\n');
		assert.equal(parser.lastParse, 'full');
		parser.parse('/p/a.py', 'a = 12\n');
		assert.equal(parser.lastParse, 'incremental');
		parser.forget('/p/a.py');
		parser.parse('/p/a.py', 'a = 123\n');
		assert.equal(parser.lastParse, 'full');
		parser.parse('/p/b.py', 'b = 1\n');
		parser.parse('/p/c.py', 'c = 1\n');
		// Capacity 2: a.py was evicted by b.py and c.py.
		parser.parse('/p/a.py', 'a = 1234\n');
		assert.equal(parser.lastParse, 'full');
	});

	void it('keeps a tree valid until the next parse of the same file, whatever else is parsed', () => {
		const tree = parser.parse('/p/keep.py', 'x = client.messages.create(model="m")\n');
		parser.parseDetached('y = 2\n').delete();
		parser.parse('/p/other.py', 'z = 3\n');
		assert.equal(tree.rootNode.descendantForIndex(5)?.parent?.type, 'attribute');
	});

	void it('describes an edit as one range between the common prefix and suffix', () => {
		const edit = editBetween('a = 1\nb = 2\n', 'a = 1\nb = 22\n');
		assert.equal(edit.startIndex, 11);
		assert.equal(edit.oldEndIndex, 11);
		assert.equal(edit.newEndIndex, 12);
		assert.deepEqual(edit.startPosition, { row: 1, column: 5 });
		// Never splits a surrogate pair: 😀 → 😁 differ only in the low half.
		const emoji = editBetween('x = "😀"', 'x = "😁"');
		assert.equal(emoji.startIndex, 5);
		assert.equal(emoji.oldEndIndex, 7);
	});

	void it('routes .py and .pyi files to the Python analyser', () => {
		assert.equal(isPythonFile('/w/app/main.py'), true);
		assert.equal(isPythonFile('C:\\w\\stubs.PYI'), true);
		assert.equal(isPythonFile('/w/app/main.ts'), false);
		assert.equal(isPythonFile('/w/app/python.js'), false);
	});
});
