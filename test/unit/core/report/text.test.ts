import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPositionMapper, lineStarts, offsetToPosition } from '../../../../src/core/text';

void describe('offsetToPosition', () => {
	void it('is 1-based on the first line', () => {
		assert.deepEqual(offsetToPosition('abc', 0), { line: 1, column: 1 });
		assert.deepEqual(offsetToPosition('abc', 2), { line: 1, column: 3 });
	});

	void it('starts a new line after \\n, \\r\\n and a lone \\r', () => {
		const text = 'a\nbb\r\nccc\rd';
		assert.deepEqual(lineStarts(text), [0, 2, 6, 10]);
		assert.deepEqual(offsetToPosition(text, 2), { line: 2, column: 1 });
		assert.deepEqual(offsetToPosition(text, 7), { line: 3, column: 2 });
		assert.deepEqual(offsetToPosition(text, 10), { line: 4, column: 1 });
	});

	void it('places the newline character itself on the line it ends', () => {
		assert.deepEqual(offsetToPosition('ab\ncd', 2), { line: 1, column: 3 });
	});

	void it('counts columns in UTF-16 code units, like the editor', () => {
		const text = 'const s = "😀"; call()';
		const offset = text.indexOf('call');
		assert.equal(offset, 16);
		assert.deepEqual(offsetToPosition(text, offset), { line: 1, column: 17 });
	});

	void it('clamps offsets outside the text', () => {
		assert.deepEqual(offsetToPosition('ab\ncd', -5), { line: 1, column: 1 });
		assert.deepEqual(offsetToPosition('ab\ncd', 99), { line: 2, column: 3 });
		assert.deepEqual(offsetToPosition('', 0), { line: 1, column: 1 });
	});

	void it('agrees with a naive scan at every offset of a mixed text', () => {
		const text = 'x\r\n\n  yz\rq\n\n😀w\n';
		const map = createPositionMapper(text);
		let line = 1;
		let column = 1;
		for (let i = 0; i <= text.length; i++) {
			assert.deepEqual(map(i), { line, column }, `offset ${i}`);
			const ch = text[i];
			if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) {
				line++;
				column = 1;
			} else {
				column++;
			}
		}
	});

	void it('gives the same answers when alternating between texts (memo does not leak)', () => {
		const a = 'one\ntwo';
		const b = 'x\ny\nz';
		assert.deepEqual(offsetToPosition(a, 5), { line: 2, column: 2 });
		assert.deepEqual(offsetToPosition(b, 4), { line: 3, column: 1 });
		assert.deepEqual(offsetToPosition(a, 5), { line: 2, column: 2 });
	});
});
