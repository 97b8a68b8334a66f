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

const extensionJs = path.join(repoRoot, 'dist', 'extension.js');
const workerJs = path.join(repoRoot, 'dist', 'analysisWorker.js');
const sidecarJs = path.join(repoRoot, 'dist', 'sidecar.js');

void describe('extension bundle stays light', () => {
	before(() => {
		// `npm test` builds first; build here only when run on its own.
		if (fs.existsSync(extensionJs) && fs.existsSync(workerJs) && fs.existsSync(sidecarJs)) return;
		const build = spawnSync(process.execPath, ['esbuild.mjs', 'extension', 'analysisWorker', 'sidecar'], { cwd: repoRoot, encoding: 'utf8' });
		assert.equal(build.status, 0, build.stderr);
	});

	void it('dist/extension.js contains neither the TypeScript compiler nor the tokenizer', () => {
		const text = fs.readFileSync(extensionJs, 'utf8');
		assert.equal(TYPESCRIPT_MARKER.test(text), false, 'typescript is bundled into the extension host');
		for (const marker of TOKENIZER_MARKERS) assert.equal(text.includes(marker), false, `gpt-tokenizer (${marker}) is bundled into the extension host`);
	});

	void it('dist/analysisWorker.js carries both', () => {
		const text = fs.readFileSync(workerJs, 'utf8');
		assert.ok(TYPESCRIPT_MARKER.test(text), 'the worker bundles the parser');
		assert.ok(TOKENIZER_MARKERS.every((m) => text.includes(m)), 'the worker bundles the tokenizer');
	});

	void it('dist/sidecar.js does not carry the TypeScript compiler (it starts on first use and must start fast)', () => {
		const text = fs.readFileSync(sidecarJs, 'utf8');
		assert.equal(TYPESCRIPT_MARKER.test(text), false, 'typescript is bundled into the sidecar (an import from the core barrel?)');
		assert.ok(text.includes('vec_distance_cosine'), 'the sidecar bundle is the pipeline');
	});
});
