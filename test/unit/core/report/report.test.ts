import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CallSite, Static } from '../../../../src/core/analysis/types';
import type { CostEstimate, PricedEstimate, UnpricedEstimate } from '../../../../src/core/pricing/estimateTypes';
import type { ModelPrice } from '../../../../src/core/pricing/types';
import { buildReport, compareCallSites, reportStream, type ReportCallSite } from '../../../../src/core/report';
import type { Finding } from '../../../../src/core/rules/types';

const span = (start: number, end = start + 1) => ({ start, end });
const literal = <T>(value: T): Static<T> => ({ kind: 'literal', value, span: span(0) });
const dynamic = <T>(): Static<T> => ({ kind: 'dynamic', span: span(0) });

function site(start: number, overrides: Partial<CallSite> = {}): CallSite {
	return {
		provider: 'anthropic',
		api: 'messages.create',
		span: span(start, start + 10),
		calleeSpan: span(start, start + 5),
		argsSpan: undefined,
		providerEvidence: 'import',
		model: literal('claude-sonnet-4-5'),
		maxOutputTokens: literal(1024),
		maxOutputParam: 'max_tokens',
		stream: undefined,
		segments: [],
		hasTools: false,
		hasResponseFormat: false,
		topLevelCacheControl: false,
		...overrides,
	};
}

const PRICE: ModelPrice = { model: 'claude-sonnet-4-5', provider: 'anthropic', input: 3, output: 15, caching: { mode: 'none' }, encoding: 'o200k_base', asOf: '2026-01-01', source: 'test' };

const base = { inputTokens: 100, cacheableInputTokens: 40, outputTokens: 20, outputCap: null, byRole: [], tokenizer: { encoding: 'o200k_base' as const, exact: false, factor: 1 }, assumptions: [], notes: [] };

function priced(costUsd: number, monthlyCostUsd: number): PricedEstimate {
	return { ...base, model: 'claude-sonnet-4-5', priced: true, price: PRICE, costUsd, monthlyCostUsd, inputCostUsd: costUsd / 2, outputCostUsd: costUsd / 2, cache: undefined };
}

function unpriced(model: string | null): UnpricedEstimate {
	return { ...base, model, priced: false, reason: 'no price', costUsd: null, monthlyCostUsd: null };
}

function file(name: string, text: string, entries: readonly [CallSite, CostEstimate][]) {
	return { file: name, text, analysis: { callSites: entries.map(([s]) => s), skipped: undefined }, estimates: entries.map(([, e]) => e) };
}

void describe('buildReport', () => {
	const text = 'line one\n  second();\n\tthird();\n';
	const report = buildReport(
		[
			file('src\\b.ts', text, [
				[site(text.indexOf('second')), priced(0.01, 300)],
				[site(text.indexOf('third'), { model: dynamic() }), unpriced(null)],
			]),
			file('src/a.ts', text, [
				[site(0, { provider: 'openai', api: 'chat.completions.create', model: literal('gpt-4o-mini'), maxOutputTokens: undefined, stream: literal(true) }), priced(0.0001234567891, 3.7037)],
				[site(text.indexOf('second'), { model: literal('mystery-9') }), unpriced('mystery-9')],
			]),
			{ file: 'src/huge.ts', text: '', analysis: { callSites: [], skipped: { reason: 'file larger than 2 MB' } }, estimates: [] },
		],
		[{ file: 'missing\\x.ts', reason: 'permission denied' }],
	);

	void it('has schemaVersion 1 and exactly the documented keys', () => {
		assert.equal(report.schemaVersion, 1);
		assert.deepEqual(Object.keys(report), ['schemaVersion', 'callSites', 'findings', 'skipped']);
		const first = report.callSites[0];
		assert.ok(first);
		assert.deepEqual(Object.keys(first), ['file', 'line', 'column', 'provider', 'api', 'model', 'maxOutputTokens', 'stream', 'estimate', 'findings']);
		assert.deepEqual(Object.keys(first.estimate), ['inputTokens', 'cacheableInputTokens', 'outputTokens', 'costUsd', 'monthlyCostUsd', 'priced']);
		assert.deepEqual(first.findings, []);
	});

	void it('sorts by monthly cost descending, unpriced last, ties by file then line', () => {
		assert.deepEqual(
			report.callSites.map((s) => `${s.file}:${s.line}:${s.column}`),
			['src/b.ts:2:3', 'src/a.ts:1:1', 'src/a.ts:2:3', 'src/b.ts:3:2'],
		);
	});

	void it('uses forward slashes and 1-based positions of the call start', () => {
		const b = report.callSites[0];
		assert.equal(b?.file, 'src/b.ts');
		assert.equal(b?.line, 2);
		assert.equal(b?.column, 3);
	});

	void it('reports unpriced calls with null costs, never 0', () => {
		const unpricedRows = report.callSites.filter((s) => !s.estimate.priced);
		assert.equal(unpricedRows.length, 2);
		for (const row of unpricedRows) {
			assert.equal(row.estimate.costUsd, null);
			assert.equal(row.estimate.monthlyCostUsd, null);
		}
		assert.equal(unpricedRows.find((r) => r.file === 'src/b.ts')?.model, null);
		assert.equal(unpricedRows.find((r) => r.file === 'src/a.ts')?.model, 'mystery-9');
	});

	void it('maps static and dynamic values to value / null', () => {
		const openai = report.callSites.find((s) => s.provider === 'openai');
		assert.equal(openai?.model, 'gpt-4o-mini');
		assert.equal(openai?.maxOutputTokens, null);
		assert.equal(openai?.stream, true);
		assert.equal(report.callSites[0]?.maxOutputTokens, 1024);
		assert.equal(report.callSites[0]?.stream, false);
	});

	void it('rounds costs to six significant digits', () => {
		const openai = report.callSites.find((s) => s.provider === 'openai');
		assert.equal(openai?.estimate.costUsd, 0.000123457);
		assert.equal(openai?.estimate.monthlyCostUsd, 3.7037);
	});

	void it('lists skipped files from the analysis and from the adapter, sorted', () => {
		assert.deepEqual(report.skipped, [
			{ file: 'missing/x.ts', reason: 'permission denied' },
			{ file: 'src/huge.ts', reason: 'file larger than 2 MB' },
		]);
	});

	void it('survives a JSON round trip unchanged', () => {
		assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
	});

	void it('rejects estimates that do not line up with call sites', () => {
		assert.throws(() => buildReport([{ file: 'x.ts', text: '', analysis: { callSites: [site(0)], skipped: undefined }, estimates: [] }]), /1 call sites but 0 estimates/);
	});

	void it('returns an empty, valid report for no input', () => {
		assert.deepEqual(buildReport([]), { schemaVersion: 1, callSites: [], findings: [], skipped: [] });
	});
});

void describe('buildReport findings', () => {
	const text = 'const a = 1;\n  client.call();\n';
	const callStart = text.indexOf('client');
	const callSpan = { start: callStart, end: callStart + 'client.call()'.length };
	const onCall: Finding = {
		ruleId: 'missing-max-tokens',
		severity: 'warning',
		message: 'No output cap on this call.',
		span: callSpan,
		callSiteIndex: 0,
		monthlyImpactUsd: 123.456789123,
		fixes: [
			{ title: 'Add max_tokens: 1,024', edits: [{ span: { start: callSpan.end - 1, end: callSpan.end - 1 }, newText: 'x' }], preferred: true },
			{ title: 'Other', edits: [] },
		],
	};
	const loose: Finding = { ruleId: 'sequential-independent-calls', severity: 'info', message: 'Run them together.', span: { start: 0, end: 5 }, fixes: [] };
	const report = buildReport([
		{ file: 'src\\z.ts', text, analysis: { callSites: [site(callStart)], skipped: undefined }, estimates: [priced(0.01, 300)], findings: [onCall, loose] },
		{ file: 'src/a.ts', text, analysis: { callSites: [], skipped: undefined }, estimates: [], findings: [loose] },
	]);

	void it('puts a call\'s findings under it with 1-based start and end positions', () => {
		assert.deepEqual(report.callSites[0]?.findings, [
			{
				ruleId: 'missing-max-tokens',
				severity: 'warning',
				message: 'No output cap on this call.',
				line: 2,
				column: 3,
				endLine: 2,
				endColumn: 16,
				monthlyImpactUsd: 123.457,
				fixes: [
					{ title: 'Add max_tokens: 1,024', preferred: true },
					{ title: 'Other', preferred: false },
				],
			},
		]);
	});

	void it('lists every finding of every file at the top level, by file then position', () => {
		assert.deepEqual(
			report.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId}`),
			['src/a.ts:1:1 sequential-independent-calls', 'src/z.ts:1:1 sequential-independent-calls', 'src/z.ts:2:3 missing-max-tokens'],
		);
		assert.equal('monthlyImpactUsd' in (report.findings[0] ?? {}), false, 'an unpriced finding has no monthlyImpactUsd key');
	});

	void it('keeps findings of files without call sites', () => {
		assert.equal(report.callSites.length, 1);
		assert.ok(report.findings.some((f) => f.file === 'src/a.ts'));
	});
});

void describe('reportStream', () => {
	void it('is true for streaming APIs whatever the argument says', () => {
		assert.equal(reportStream(site(0, { api: 'messages.stream' })), true);
		assert.equal(reportStream(site(0, { provider: 'openai', api: 'responses.stream', stream: literal(false) })), true);
	});

	void it('is false when absent, the literal when static, null when dynamic', () => {
		assert.equal(reportStream(site(0)), false);
		assert.equal(reportStream(site(0, { stream: literal(true) })), true);
		assert.equal(reportStream(site(0, { stream: literal(false) })), false);
		assert.equal(reportStream(site(0, { stream: dynamic() })), null);
	});
});

void describe('compareCallSites', () => {
	const row = (file: string, line: number, monthly: number | null): ReportCallSite => ({
		file, line, column: 1, provider: 'openai', api: 'chat.completions.create', model: null, maxOutputTokens: null, stream: false,
		estimate: { inputTokens: 1, cacheableInputTokens: 0, outputTokens: 1, costUsd: monthly, monthlyCostUsd: monthly, priced: monthly !== null },
		findings: [],
	});

	void it('puts a cheap priced call before an unpriced one', () => {
		assert.ok(compareCallSites(row('z.ts', 9, 0.0001), row('a.ts', 1, null)) < 0);
	});

	void it('breaks equal costs by file, then line', () => {
		assert.ok(compareCallSites(row('a.ts', 5, 1), row('b.ts', 1, 1)) < 0);
		assert.ok(compareCallSites(row('a.ts', 5, 1), row('a.ts', 2, 1)) > 0);
	});
});
