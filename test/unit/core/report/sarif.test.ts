import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ReportFileFinding } from '../../../../src/core/report';
import { RULE_IDS } from '../../../../src/core/rules/types';
import { buildSarif, RULE_SUMMARIES, sarifLevel } from '../../../../src/core/sarif';

const finding = (overrides: Partial<ReportFileFinding>): ReportFileFinding => ({
	file: 'src/a.ts',
	ruleId: 'missing-max-tokens',
	severity: 'warning',
	message: 'No output cap on this call.',
	line: 3,
	column: 5,
	endLine: 3,
	endColumn: 40,
	fixes: [],
	...overrides,
});

void describe('buildSarif', () => {
	const findings = [
		finding({}),
		finding({ file: 'src/my dir/b.ts', ruleId: 'unknown-model', severity: 'error', message: 'No price for claude-foo-9.', line: 7, column: 10, endLine: 8, endColumn: 2 }),
		finding({ ruleId: 'sequential-independent-calls', severity: 'info' }),
		finding({ ruleId: 'right-size-model', severity: 'hint' }),
	];
	const log = buildSarif(findings, { version: '1.2.3', readmeUri: 'file:///pkg/README.md' });
	const run = log.runs[0];

	void it('is a SARIF 2.1.0 log with one CostLens run listing every rule with a README anchor', () => {
		assert.equal(log.version, '2.1.0');
		assert.match(log.$schema, /sarif-2\.1\.0/);
		assert.equal(log.runs.length, 1);
		assert.equal(run.tool.driver.name, 'CostLens');
		assert.equal(run.tool.driver.version, '1.2.3');
		assert.deepEqual(run.tool.driver.rules.map((r) => r.id), [...RULE_IDS]);
		const rule = run.tool.driver.rules.find((r) => r.id === 'missing-max-tokens');
		assert.deepEqual(rule, {
			id: 'missing-max-tokens',
			name: 'missing-max-tokens',
			shortDescription: { text: RULE_SUMMARIES['missing-max-tokens'] },
			helpUri: 'file:///pkg/README.md#rule-missing-max-tokens',
		});
		for (const r of run.tool.driver.rules) assert.ok(r.shortDescription.text.length > 10, r.id);
	});

	void it('maps each finding to a result with level, message and a relative region', () => {
		assert.equal(run.results.length, 4);
		assert.deepEqual(run.results[1], {
			ruleId: 'unknown-model',
			ruleIndex: RULE_IDS.indexOf('unknown-model'),
			level: 'error',
			message: { text: 'No price for claude-foo-9.' },
			locations: [
				{
					physicalLocation: {
						artifactLocation: { uri: 'src/my%20dir/b.ts' },
						region: { startLine: 7, startColumn: 10, endLine: 8, endColumn: 2 },
					},
				},
			],
		});
		assert.deepEqual(run.results.map((r) => r.level), ['warning', 'error', 'note', 'note']);
		for (const r of run.results) assert.equal(run.tool.driver.rules[r.ruleIndex]?.id, r.ruleId);
	});

	void it('has no results (but all rules) for no findings, and is plain JSON', () => {
		const empty = buildSarif([], { version: '0', readmeUri: 'file:///x/README.md' });
		assert.deepEqual(empty.runs[0].results, []);
		assert.equal(empty.runs[0].tool.driver.rules.length, RULE_IDS.length);
		assert.deepEqual(JSON.parse(JSON.stringify(log)), log);
	});
});

void describe('sarifLevel', () => {
	void it('maps info and hint to note', () => {
		assert.deepEqual((['error', 'warning', 'info', 'hint'] as const).map(sarifLevel), ['error', 'warning', 'note', 'note']);
	});
});
