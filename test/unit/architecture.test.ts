import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './helpers';

// The import rules of ARCHITECTURE.md, checked on every `npm test` so a stray import fails CI
// instead of waiting for review.

const NODE_IO = /^(node:)?(fs|fs\/promises|child_process|net|http|https|http2|dgram|worker_threads|cluster|tls)$/;
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|[^.\w])(?:require|import)\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

function sourceFiles(dir: string): string[] {
	const out: string[] = [];
	for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) out.push(...sourceFiles(full));
		else if (/\.(ts|tsx)$/.test(entry.name)) out.push(full);
	}
	return out;
}

function importsOf(file: string): string[] {
	// Comments may quote import forms (the analyzer documents the `require('openai')` it detects).
	const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
	return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3] ?? '').filter(Boolean);
}

const src = path.join(repoRoot, 'src');
const files = sourceFiles(src).map((file) => ({ file, rel: path.relative(src, file).split(path.sep).join('/'), imports: importsOf(file) }));

void describe('import rules', () => {
	void it('finds the source files it checks', () => {
		assert.ok(files.some((f) => f.rel.startsWith('core/')), 'no files under src/core');
		assert.ok(files.some((f) => f.rel.startsWith('extension/')), 'no files under src/extension');
	});

	void it('only src/extension imports vscode', () => {
		const offenders = files.filter((f) => !f.rel.startsWith('extension/') && f.imports.includes('vscode')).map((f) => f.rel);
		assert.deepEqual(offenders, []);
	});

	void it('src/core and src/protocol do no I/O and do not depend on adapters', () => {
		const offenders = files
			.filter((f) => f.rel.startsWith('core/') || f.rel.startsWith('protocol/'))
			.flatMap((f) => f.imports.filter((i) => NODE_IO.test(i) || /\/(extension|cli|node|analysisWorker|sidecar)\//.test(i) || /^\.\.\/(\.\.\/)*(extension|cli|node|analysisWorker|sidecar)\b/.test(i)).map((i) => `${f.rel} → ${i}`));
		assert.deepEqual(offenders, []);
	});

	void it('only src/sidecar touches SQLite and the provider SDKs', () => {
		const SIDECAR_ONLY = /^(better-sqlite3|sqlite-vec|@anthropic-ai\/sdk|openai)(\/|$)/;
		const offenders = files.filter((f) => !f.rel.startsWith('sidecar/')).flatMap((f) => f.imports.filter((i) => SIDECAR_ONLY.test(i)).map((i) => `${f.rel} → ${i}`));
		assert.deepEqual(offenders, []);
		assert.ok(files.some((f) => f.rel.startsWith('sidecar/') && f.imports.includes('better-sqlite3')), 'the rule must see the store import it guards');
	});

	void it('only core/python/parser.ts imports web-tree-sitter (one place owns the wasm trees and their lifetime)', () => {
		const importers = files.filter((f) => f.imports.includes('web-tree-sitter')).map((f) => f.rel);
		assert.deepEqual(importers, ['core/python/parser.ts']);
	});

	void it('src/extension reaches the sidecar only over JSON-RPC (never imports it)', () => {
		// Resolved, so the extension's own client folder (src/extension/sidecar/) is not mistaken for src/sidecar/.
		const sidecarDir = path.join(src, 'sidecar') + path.sep;
		const reachesSidecar = (file: string, i: string): boolean => (i.startsWith('.') ? (path.resolve(path.dirname(file), i) + path.sep).startsWith(sidecarDir) : /(^|\/)src\/sidecar(\/|$)/.test(i));
		const offenders = files.filter((f) => f.rel.startsWith('extension/')).flatMap((f) => f.imports.filter((i) => reachesSidecar(f.file, i)).map((i) => `${f.rel} → ${i}`));
		assert.equal(reachesSidecar(path.join(src, 'extension', 'x.ts'), '../sidecar/engine'), true, 'the rule must still catch a real import of src/sidecar');
		assert.deepEqual(offenders, []);
	});

	void it('src/webview (a browser bundle) imports only the pure core, the protocol and itself', () => {
		const webview = files.filter((f) => f.rel.startsWith('webview/'));
		assert.ok(webview.length > 0, 'no files under src/webview');
		const allowed = (file: string, i: string): boolean => {
			if (!i.startsWith('.')) return false;
			const target = path.resolve(path.dirname(file), i);
			return ['webview', 'core', 'protocol'].some((dir) => (target + path.sep).startsWith(path.join(src, dir) + path.sep));
		};
		const offenders = webview.flatMap((f) => f.imports.filter((i) => !allowed(f.file, i)).map((i) => `${f.rel} → ${i}`));
		assert.deepEqual(offenders, []);
	});

	void it('the import scanner sees every import form it is meant to police', () => {
		// Guards the guard: if the regex stopped matching, the rules above would pass vacuously.
		const sample = `import * as vscode from 'vscode';\nimport { a } from "node:fs";\nconst b = require('child_process');\nexport { c } from './x';\nimport 'side-effect';`;
		const seen = [...sample.matchAll(IMPORT)].map((m) => m[1] ?? m[2] ?? m[3]);
		assert.deepEqual(seen, ['vscode', 'node:fs', 'child_process', './x', 'side-effect']);
	});
});
