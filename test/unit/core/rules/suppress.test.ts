import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEdits } from '../../../../src/core/rules/edits';
import { isSuppressed, suppressionEdit, withSeverity } from '../../../../src/core/rules/suppress';
import type { Finding } from '../../../../src/core/rules/types';

const text = [
	'async function f() {',
	'\t// costlens-ignore-next-line missing-max-tokens -- capped by the gateway',
	'\tawait openai.chat.completions.create({ model: "gpt-4o", messages });',
	'\t// costlens-ignore-next-line',
	'\tawait openai.chat.completions.create({ model: "gpt-4o", messages });',
	'\t// costlens-ignore-next-line unknown-model',
	'\tawait openai.chat.completions.create({ model: "gpt-4o", messages });',
	'\tawait openai.chat.completions.create({ model: "gpt-4o", messages }); // costlens-ignore-next-line',
	'\tawait openai.chat.completions.create({ model: "gpt-4o", messages });',
	'}',
].join('\n');

function findingOnLine(line: number, ruleId: Finding['ruleId'] = 'missing-max-tokens'): Finding {
	const lines = text.split('\n');
	const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0) + 1;
	return { ruleId, severity: 'warning', message: 'm', span: { start, end: start + 10 }, fixes: [] };
}

void describe('costlens-ignore-next-line', () => {
	void it('suppresses the listed rule on the next line only, and any rule when none is listed', () => {
		assert.equal(isSuppressed(text, findingOnLine(3)), true);
		assert.equal(isSuppressed(text, findingOnLine(3, 'unknown-model')), false, 'a rule not in the list');
		assert.equal(isSuppressed(text, findingOnLine(5, 'right-size-model')), true, 'bare directive covers every rule');
		assert.equal(isSuppressed(text, findingOnLine(7)), false, 'directive names another rule');
		assert.equal(isSuppressed(text, findingOnLine(9)), false, 'a trailing comment on a code line is not a directive');
		assert.equal(isSuppressed(text, findingOnLine(1)), false, 'first line has no line above');
	});

	void it('inserts a directive that then suppresses the finding, indented like the line', () => {
		const finding = findingOnLine(9);
		const fixed = applyEdits(text, [suppressionEdit(text, finding)]);
		const lines = fixed.split('\n');
		assert.equal(lines[8], '\t// costlens-ignore-next-line missing-max-tokens');
		assert.equal(lines[9], text.split('\n')[8]);
		const moved = { ...finding, span: { start: finding.span.start + lines[8]!.length + 1, end: finding.span.end + lines[8]!.length + 1 } };
		assert.equal(isSuppressed(fixed, moved), true);
		assert.equal(fixed.replace(`${lines[8]}\n`, ''), text, 'nothing else in the file changes');
	});

	void it('uses # for Python and keeps CRLF line ends', () => {
		const py = 'def f():\r\n    client.messages.create(model="x")\r\n';
		const finding: Finding = { ruleId: 'unknown-model', severity: 'warning', message: 'm', span: { start: 14, end: 20 }, fixes: [] };
		assert.equal(applyEdits(py, [suppressionEdit(py, finding, '#')]), 'def f():\r\n    # costlens-ignore-next-line unknown-model\r\n    client.messages.create(model="x")\r\n');
	});

	void it('applies severity overrides per rule', () => {
		const finding = findingOnLine(3);
		assert.equal(withSeverity(finding, { 'missing-max-tokens': 'error' }).severity, 'error');
		assert.equal(withSeverity(finding, { 'unknown-model': 'error' }), finding);
		assert.equal(withSeverity(finding, undefined), finding);
	});
});
