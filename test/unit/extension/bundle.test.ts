import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { repoRoot } from '../helpers';

// Markers that only appear when the library itself is bundled (not merely mentioned): TypeScript's
// export table entry, and gpt-tokenizer's encoder classes.
const TYPESCRIPT_MARKER = /createSourceFile:\s*\(\)\s*=>/;
const TOKENIZER_MARKERS = ['GptEncoding', 'BytePairEncodingCore'];
// web-tree-sitter's exports into its wasm runtime: present only when the Python parser is bundled.
const TREE_SITTER_MARKERS = ['ts_parser_new_wasm', 'ts_tree_edit_wasm'];

const extensionJs = path.join(repoRoot, 'dist', 'extension.js');
const workerJs = path.join(repoRoot, 'dist', 'analysisWorker.js');
const sidecarJs = path.join(repoRoot, 'dist', 'sidecar.js');
const scanJs = path.join(repoRoot, 'dist', 'scanCommand.js');

void describe('extension bundle stays light', () => {
	before(() => {
		// `npm test` builds first; build here only when run on its own.
		if ([extensionJs, workerJs, sidecarJs, scanJs].every((f) => fs.existsSync(f))) return;
		const build = spawnSync(process.execPath, ['esbuild.mjs', 'extension', 'analysisWorker', 'sidecar', 'scanCommand'], { cwd: repoRoot, encoding: 'utf8' });
		assert.equal(build.status, 0, build.stderr);
	});

	void it('dist/extension.js contains neither the TypeScript compiler, the Python parser nor the tokenizer', () => {
		const text = fs.readFileSync(extensionJs, 'utf8');
		assert.equal(TYPESCRIPT_MARKER.test(text), false, 'typescript is bundled into the extension host');
		for (const marker of TOKENIZER_MARKERS) assert.equal(text.includes(marker), false, `gpt-tokenizer (${marker}) is bundled into the extension host`);
		for (const marker of TREE_SITTER_MARKERS) assert.equal(text.includes(marker), false, `web-tree-sitter (${marker}) is bundled into the extension host`);
		assert.equal(text.includes('tree-sitter-python.wasm'), false, 'the extension host refers to the Python grammar');
	});

	void it('dist/analysisWorker.js carries all three', () => {
		const text = fs.readFileSync(workerJs, 'utf8');
		assert.ok(TYPESCRIPT_MARKER.test(text), 'the worker bundles the parser');
		assert.ok(TOKENIZER_MARKERS.every((m) => text.includes(m)), 'the worker bundles the tokenizer');
		assert.ok(TREE_SITTER_MARKERS.every((m) => text.includes(m)), 'the worker bundles web-tree-sitter');
	});

	void it('the Python parser\'s wasm files sit beside the bundles that load them, and ship in the package', () => {
		for (const wasm of ['web-tree-sitter.wasm', 'tree-sitter-python.wasm']) {
			const file = path.join(repoRoot, 'dist', wasm);
			assert.ok(fs.existsSync(file), `${file} is missing (esbuild.mjs copies it)`);
			// "\0asm": a real wasm module, not an LFS pointer or an empty copy.
			assert.deepEqual([...fs.readFileSync(file).subarray(0, 4)], [0, 0x61, 0x73, 0x6d]);
		}
		const files = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { files: string[] }).files;
		assert.ok(files.includes('dist/*.wasm'), `package.json files does not ship dist/*.wasm: ${files.join(', ')}`);
		assert.ok(TREE_SITTER_MARKERS.every((m) => fs.readFileSync(scanJs, 'utf8').includes(m)), '`costlens scan` bundles web-tree-sitter');
	});

	void it('dist/sidecar.js does not carry the TypeScript compiler (it starts on first use and must start fast)', () => {
		const text = fs.readFileSync(sidecarJs, 'utf8');
		assert.equal(TYPESCRIPT_MARKER.test(text), false, 'typescript is bundled into the sidecar (an import from the core barrel?)');
		assert.ok(text.includes('vec_distance_cosine'), 'the sidecar bundle is the pipeline');
	});
});
