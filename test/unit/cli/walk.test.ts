import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSourceFile, walkSourceFiles } from '../../../src/node/walk';
import { makeTree, removeTree } from './cliHelpers';

void describe('walkSourceFiles', () => {
	let root: string;
	before(() => {
		root = makeTree({
			'.git/HEAD': 'ref: refs/heads/main\n',
			'.gitignore': '# comment\ntmp/\n/rootOnly.ts\n',
			'b.ts': '',
			'a.tsx': '',
			'c.cts': '',
			'd.mts': '',
			'e.jsx': '',
			'f.cjs': '',
			'types.d.ts': '',
			'readme.md': '',
			'rootOnly.ts': '',
			'sub/rootOnly.ts': '',
			'sub/z.js': '',
			'sub/A.js': '',
			'tmp/x.ts': '',
			'out/x.ts': '',
			'.git/hooks/x.js': '',
		});
	});
	after(() => removeTree(root));

	const rel = (files: readonly string[]) => files.map((f) => path.relative(root, f).split(path.sep).join('/'));

	void it('returns source files in a stable sorted order, without ignored or skipped folders', () => {
		const { files, issues } = walkSourceFiles(['.'], root);
		assert.deepEqual(rel(files), ['a.tsx', 'b.ts', 'c.cts', 'd.mts', 'e.jsx', 'f.cjs', 'sub/A.js', 'sub/rootOnly.ts', 'sub/z.js']);
		assert.deepEqual(issues, []);
	});

	void it('de-duplicates overlapping paths', () => {
		const { files } = walkSourceFiles(['sub', '.', 'sub/z.js'], root);
		assert.equal(new Set(files).size, files.length);
		assert.equal(rel(files).filter((f) => f === 'sub/z.js').length, 1);
	});

	void it('turns missing and non-source paths into issues instead of throwing', () => {
		const { files, issues } = walkSourceFiles(['missing.ts', 'readme.md'], root);
		assert.deepEqual(files, []);
		assert.deepEqual(issues, [
			{ path: 'missing.ts', message: 'no such file or folder' },
			{ path: 'readme.md', message: 'not a TypeScript, JavaScript or Python file' },
		]);
	});

	void it('reports a path through a file as an issue and still walks the rest', () => {
		const { files, issues } = walkSourceFiles(['b.ts/inner', 'sub'], root);
		assert.deepEqual(issues, [{ path: 'b.ts/inner', message: 'not a folder' }]);
		assert.deepEqual(rel(files), ['sub/A.js', 'sub/rootOnly.ts', 'sub/z.js']);
	});

	void it('does not follow symlinked folders', () => {
		const link = path.join(root, 'loop');
		fs.symlinkSync(root, link, 'dir');
		try {
			const { files } = walkSourceFiles(['.'], root);
			assert.ok(!rel(files).some((f) => f.startsWith('loop/')));
		} finally {
			fs.unlinkSync(link);
		}
	});
});

void describe('isSourceFile', () => {
	void it('accepts TS/JS extensions and rejects declarations and other files', () => {
		for (const name of ['a.ts', 'a.tsx', 'a.mts', 'a.cts', 'a.js', 'a.jsx', 'a.mjs', 'a.cjs', 'A.TS']) assert.ok(isSourceFile(name), name);
		for (const name of ['a.d.ts', 'a.d.mts', 'a.json', 'a.md', 'ts', 'a.tsbuildinfo']) assert.ok(!isSourceFile(name), name);
	});
});
