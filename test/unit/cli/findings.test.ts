import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CostReport } from '../../../src/core/report';
import type { SarifLog } from '../../../src/core/sarif';
import { readFixture } from '../helpers';
import { anthropicCall, assertCliBuilt, makeTree, removeTree, runCli } from './cliHelpers';

/** An OpenAI call without an output cap: the missing-max-tokens rule reports it and offers a fix. */
const UNCAPPED = readFixture('diagnostics/uncapped.ts');
/** What `--fix` must turn it into: the cap inserted like its neighbours, nothing else changed. */
const UNCAPPED_FIXED = UNCAPPED.replace("\t\t],\n\t});", "\t\t],\n\t\tmax_tokens: 1024,\n\t});");

void describe('costlens scan: findings', () => {
	let root: string;
	before(() => {
		assertCliBuilt();
		root = makeTree({ 'src/uncapped.ts': UNCAPPED, 'src/capped.ts': anthropicCall() });
	});
	after(() => removeTree(root));

	void it('--json lists the finding at the top level and under its call site', () => {
		const result = runCli(['scan', '.', '--json'], { cwd: root });
		assert.equal(result.status, 0, result.stderr);
		const report = JSON.parse(result.stdout) as CostReport;
		const finding = report.findings.find((f) => f.ruleId === 'missing-max-tokens');
		assert.ok(finding, JSON.stringify(report.findings));
		assert.equal(finding.file, 'src/uncapped.ts');
		assert.equal(finding.severity, 'warning');
		assert.deepEqual([finding.line, finding.column, finding.endLine], [7, 27, 7]);
		assert.ok(finding.endColumn > finding.column);
		assert.match(finding.message, /rule-missing-max-tokens/);
		assert.deepEqual(finding.fixes.filter((f) => f.preferred).length, 1);
		const site = report.callSites.find((s) => s.file === 'src/uncapped.ts');
		assert.deepEqual(site?.findings.map((f) => f.ruleId), ['missing-max-tokens']);
		assert.equal(report.findings.some((f) => f.file === 'src/capped.ts' && f.ruleId === 'missing-max-tokens'), false);
	});

	void it('--format json is the same report as --json', () => {
		const a = runCli(['scan', '.', '--json'], { cwd: root });
		const b = runCli(['scan', '.', '--format', 'json'], { cwd: root });
		assert.equal(b.status, 0, b.stderr);
		assert.equal(b.stdout, a.stdout);
	});

	void it('the table has a findings section with file:line:col severity ruleId message', () => {
		const result = runCli(['scan', '.'], { cwd: root });
		assert.equal(result.status, 0, result.stderr);
		assert.match(result.stdout, /\d+ findings?:\n {2}src\/uncapped\.ts:7:27 {2}warning {2}missing-max-tokens {2}No output cap/);
	});

	void it('--format sarif prints only a SARIF 2.1.0 log with relative locations', () => {
		const result = runCli(['scan', '.', '--format', 'sarif'], { cwd: root });
		assert.equal(result.status, 0, result.stderr);
		const log = JSON.parse(result.stdout) as SarifLog;
		assert.equal(log.version, '2.1.0');
		const run = log.runs[0];
		assert.equal(run.tool.driver.name, 'CostLens');
		assert.match(run.tool.driver.rules[0]?.helpUri ?? '', /^file:\/\/.*README\.md#rule-/);
		const hit = run.results.find((r) => r.ruleId === 'missing-max-tokens');
		assert.ok(hit);
		assert.equal(hit.level, 'warning');
		assert.deepEqual(hit.locations[0].physicalLocation.artifactLocation, { uri: 'src/uncapped.ts' });
		assert.deepEqual(hit.locations[0].physicalLocation.region.startLine, 7);
	});

	void it('--fail-on exits 1 only when a finding at or above the severity exists; 0 without it', () => {
		assert.equal(runCli(['scan', '.'], { cwd: root }).status, 0);
		assert.equal(runCli(['scan', '.', '--fail-on', 'warning'], { cwd: root }).status, 1);
		assert.equal(runCli(['scan', '.', '--fail-on', 'hint', '--json'], { cwd: root }).status, 1);
		assert.equal(runCli(['scan', 'src/capped.ts', '--fail-on', 'warning'], { cwd: root }).status, 0);
		const error = runCli(['scan', '.', '--fail-on', 'severe'], { cwd: root });
		assert.equal(error.status, 2);
		assert.match(error.stderr, /--fail-on expects one of error, warning, info, hint/);
	});

	void it('rejects an unknown --format and --json with another format', () => {
		assert.match(runCli(['scan', '.', '--format', 'xml'], { cwd: root }).stderr, /--format expects one of table, json, sarif/);
		assert.equal(runCli(['scan', '.', '--json', '--format', 'sarif'], { cwd: root }).status, 2);
	});

	void it('--help documents the formats, --fix and the exit codes', () => {
		const help = runCli(['--help']).stdout;
		for (const text of ['--format table|json|sarif', '--fix', '--fail-on', 'Exit codes']) assert.ok(help.includes(text), text);
	});
});

void describe('costlens scan --fix', () => {
	void it('applies the preferred fix on disk, prints it, and the finding is gone', () => {
		const root = makeTree({ 'src/uncapped.ts': UNCAPPED, 'src/capped.ts': anthropicCall() });
		try {
			const result = runCli(['scan', '.', '--fix'], { cwd: root });
			assert.equal(result.status, 0, result.stderr);
			assert.equal(fs.readFileSync(path.join(root, 'src', 'uncapped.ts'), 'utf8'), UNCAPPED_FIXED);
			assert.equal(fs.readFileSync(path.join(root, 'src', 'capped.ts'), 'utf8'), anthropicCall(), 'a file without fixes is untouched');
			assert.match(result.stdout, /^fixed src\/uncapped\.ts:7:27 missing-max-tokens: Add max_tokens: 1,024$/m);
			assert.match(result.stdout, /--fix: 1 fix applied in 1 file/);
			// The report printed after the fix is of the fixed files.
			assert.doesNotMatch(result.stdout, /missing-max-tokens {2}No output cap/);
			const again = runCli(['scan', '.', '--fix', '--json'], { cwd: root });
			assert.equal(again.status, 0, again.stderr);
			assert.match(again.stderr, /--fix: 0 fixes applied in 0 files/);
			assert.equal((JSON.parse(again.stdout) as CostReport).findings.filter((f) => f.ruleId === 'missing-max-tokens').length, 0);
			assert.equal(fs.readFileSync(path.join(root, 'src', 'uncapped.ts'), 'utf8'), UNCAPPED_FIXED, 'a second --fix changes nothing');
		} finally {
			removeTree(root);
		}
	});

	void it('--fix with --format sarif keeps stdout pure JSON (the change log goes to stderr)', () => {
		const root = makeTree({ 'uncapped.ts': UNCAPPED });
		try {
			const result = runCli(['scan', '.', '--fix', '--format', 'sarif'], { cwd: root });
			assert.equal(result.status, 0, result.stderr);
			assert.doesNotThrow(() => JSON.parse(result.stdout));
			assert.match(result.stderr, /fixed uncapped\.ts:7:27 missing-max-tokens/);
			assert.equal(fs.readFileSync(path.join(root, 'uncapped.ts'), 'utf8'), UNCAPPED_FIXED);
		} finally {
			removeTree(root);
		}
	});
});
