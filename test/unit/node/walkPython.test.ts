import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ALWAYS_SKIPPED_DIRS, isSourceFile } from '../../../src/node/walk';

void describe('walk: Python files', () => {
	void it('.py is a source file; stubs (.pyi) and compiled files are not', () => {
		assert.equal(isSourceFile('/a/app.py'), true);
		assert.equal(isSourceFile('/a/APP.PY'), true);
		assert.equal(isSourceFile('/a/app.pyi'), false);
		assert.equal(isSourceFile('/a/app.pyc'), false);
		assert.equal(isSourceFile('/a/app.py.txt'), false);
	});

	void it('never descends into virtualenvs and Python caches', () => {
		for (const dir of ['.venv', 'venv', 'site-packages', '__pycache__', '.tox', '.mypy_cache', '.pytest_cache']) assert.ok(ALWAYS_SKIPPED_DIRS.has(dir), dir);
	});
});
