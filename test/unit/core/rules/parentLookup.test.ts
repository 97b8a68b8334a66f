import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ts from 'typescript';
import { createParentLookup } from '../../../../src/core/rules';

void describe('createParentLookup', () => {
	void it('gives the same parent as the parser for every node, in any query order', () => {
		const text = `import x from 'y';\nexport async function f(a: number) {\n\tconst b = await client.messages.create({ model: 'm', messages: [{ role: 'user', content: \`hi \${a}\` }] });\n\treturn [b, () => a + 1];\n}\nclass C { m() { return this.z?.(1) ?? 2; } }\n`;
		const withParents = ts.createSourceFile('a.ts', text, ts.ScriptTarget.Latest, true);
		const without = ts.createSourceFile('a.ts', text, ts.ScriptTarget.Latest, false);
		const expected = new Map<string, string>();
		const key = (n: ts.Node) => `${n.kind}@${n.pos}-${n.end}`;
		const nodesWithout: ts.Node[] = [];
		const visitWith = (n: ts.Node): void => ts.forEachChild(n, (c) => { expected.set(key(c), key(n)); visitWith(c); });
		const visitWithout = (n: ts.Node): void => ts.forEachChild(n, (c) => { nodesWithout.push(c); visitWithout(c); });
		visitWith(withParents);
		visitWithout(without);
		const parentOf = createParentLookup(without);
		// Deepest nodes first, then shallow ones: exercises both the descent and the memo.
		for (const node of [...nodesWithout].reverse()) {
			const parent = parentOf(node);
			assert.ok(parent, `no parent for ${key(node)}`);
			assert.equal(key(parent), expected.get(key(node)));
		}
		assert.equal(parentOf(without), undefined);
	});
});
