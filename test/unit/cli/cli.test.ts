import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CostReport, ReportCallSite } from '../../../src/core/report';
import { anthropicCall, assertCliBuilt, makeTree, removeTree, runCli, runJson } from './cliHelpers';

function assertSorted(sites: readonly ReportCallSite[]): void {
	for (let i = 1; i < sites.length; i++) {
		const a = sites[i - 1] as ReportCallSite;
		const b = sites[i] as ReportCallSite;
		const am = a.estimate.monthlyCostUsd;
		const bm = b.estimate.monthlyCostUsd;
		const where = `${a.file}:${a.line} before ${b.file}:${b.line}`;
		if (am === null) assert.equal(bm, null, `priced after unpriced: ${where}`);
		else if (bm !== null) {
			assert.ok(am >= bm, `not by monthly cost: ${where}`);
			if (am === bm) assert.ok(a.file < b.file || (a.file === b.file && a.line <= b.line), `tie not by file/line: ${where}`);
		}
	}
}

void describe('costlens scan examples --json', () => {
	let report: CostReport;
	before(() => {
		assertCliBuilt();
		report = runJson(['scan', 'examples']);
	});

	const find = (file: string) => report.callSites.filter((s) => s.file === `examples/src/${file}`);

	void it('emits a schemaVersion 1 report with the documented top-level keys', () => {
		assert.equal(report.schemaVersion, 1);
		assert.deepEqual(Object.keys(report), ['schemaVersion', 'callSites', 'findings', 'skipped']);
		for (const site of report.callSites) {
			assert.ok(Number.isInteger(site.line) && site.line >= 1);
			assert.ok(Number.isInteger(site.column) && site.column >= 1);
			assert.ok(Array.isArray(site.findings));
			assert.equal(site.estimate.priced, site.estimate.costUsd !== null);
			assert.ok(!site.file.includes('\\'));
		}
	});

	void it('finds the streaming Anthropic chat route with its cached system prompt', () => {
		const [chat, ...rest] = find('chatRoute.ts');
		assert.equal(rest.length, 0);
		assert.ok(chat, 'no call site in chatRoute.ts');
		assert.equal(chat.provider, 'anthropic');
		assert.equal(chat.api, 'messages.stream');
		assert.equal(chat.model, 'claude-sonnet-4-5');
		assert.equal(chat.stream, true);
		assert.equal(chat.maxOutputTokens, 1024);
		assert.ok(chat.estimate.inputTokens > 1000, `imported system prompt not counted: ${chat.estimate.inputTokens} input tokens`);
		assert.ok(chat.estimate.cacheableInputTokens > 1000, `cache_control prefix not cacheable: ${chat.estimate.cacheableInputTokens}`);
		assert.equal(chat.estimate.priced, true);
	});

	void it('finds the OpenAI classifier with its output cap', () => {
		const [site] = find('classifier.ts');
		assert.equal(site?.provider, 'openai');
		assert.equal(site?.api, 'chat.completions.create');
		assert.equal(site?.model, 'gpt-4o-mini');
		assert.equal(site?.maxOutputTokens, 50);
		assert.equal(site?.stream, false);
		assert.ok((site?.estimate.outputTokens ?? Infinity) <= 50);
	});

	void it('finds the RAG summariser and counts the prompt read from disk', () => {
		const [site] = find('ragSummarizer.ts');
		assert.equal(site?.provider, 'anthropic');
		assert.equal(site?.api, 'messages.create');
		assert.equal(site?.model, 'claude-haiku-4-5');
		// summarize.txt alone is ~150 tokens; the question and passages are holes.
		assert.ok((site?.estimate.inputTokens ?? 0) > 150, `summarize.txt not resolved: ${site?.estimate.inputTokens}`);
	});

	void it('finds the embeddings job and the Responses API call', () => {
		const [embed] = find('embeddingsJob.ts');
		assert.equal(embed?.provider, 'openai');
		assert.equal(embed?.api, 'embeddings.create');
		assert.equal(embed?.model, 'text-embedding-3-small');
		const [support] = find('support.ts');
		assert.equal(support?.provider, 'openai');
		assert.equal(support?.api, 'responses.create');
		assert.equal(support?.model, 'gpt-5-mini');
		assert.equal(support?.maxOutputTokens, 800);
	});

	void it('reports the gateway model and the runtime model as unpriced, with null costs', () => {
		const sites = find('experimental.ts');
		assert.equal(sites.length, 2);
		const gateway = sites.find((s) => s.model === 'lanternfish-tagger-7b');
		assert.equal(gateway?.provider, 'openai-compatible');
		assert.equal(gateway?.estimate.priced, false);
		assert.equal(gateway?.estimate.costUsd, null);
		const runtime = sites.find((s) => s.model === null);
		assert.equal(runtime?.estimate.priced, false);
		assert.equal(runtime?.estimate.monthlyCostUsd, null);
		assert.equal(runtime?.stream, false);
	});

	void it('reports the weekly digest job with its findings', () => {
		const sites = find('weeklyDigest.ts');
		assert.deepEqual(sites.map((s) => s.model).sort(), ['claude-sonnet-4-5', 'gpt-4o-mini']);
		const rules = sites.flatMap((s) => s.findings.map((f) => f.ruleId)).sort();
		assert.ok(rules.includes('cache-busting-system-prompt'), rules.join());
		assert.ok(rules.includes('missing-max-tokens'), rules.join());
	});

	void it('finds nothing in the prompts module and sorts by monthly cost, unpriced last', () => {
		assert.equal(find('prompts.ts').length, 0);
		// examples/python holds the Python twin (test/unit/cli/python.test.ts).
		assert.equal(report.callSites.filter((s) => s.file.startsWith('examples/src/')).length, 9);
		assertSorted(report.callSites);
		assert.equal(report.callSites.at(-1)?.estimate.priced, false);
	});

	void it('is deterministic', () => {
		assert.deepEqual(runJson(['scan', 'examples']), report);
	});

	void it('scales the monthly figure with --calls-per-day', () => {
		const doubled = runJson(['scan', 'examples/src/classifier.ts', '--calls-per-day', '2000']).callSites[0];
		const base = report.callSites.find((s) => s.file === 'examples/src/classifier.ts');
		assert.ok(doubled?.estimate.monthlyCostUsd && base?.estimate.monthlyCostUsd);
		assert.ok(Math.abs(doubled.estimate.monthlyCostUsd / base.estimate.monthlyCostUsd - 2) < 0.001);
	});
});

void describe('costlens scan: human output', () => {
	let root: string;
	before(() => {
		assertCliBuilt();
		root = makeTree({ 'known.ts': anthropicCall('claude-haiku-4-5'), 'unknown.ts': anthropicCall('claude-imaginary-9') });
	});
	after(() => removeTree(root));

	void it('prints a table with unpriced calls marked as such and never $0', () => {
		const result = runCli(['scan', '.'], { cwd: root });
		assert.equal(result.status, 0, result.stderr);
		const lines = result.stdout.split('\n');
		const header = lines[0] ?? '';
		for (const column of ['location', 'provider', 'api', 'model', 'in', 'out', '$/call', '$/mo']) assert.ok(header.includes(column), `header lacks ${column}: ${header}`);
		const unknown = lines.find((l) => l.startsWith('unknown.ts:'));
		assert.ok(unknown, result.stdout);
		assert.match(unknown, /unpriced/);
		assert.doesNotMatch(unknown, /\$0(?![.,]\d*[1-9])/);
		const known = lines.find((l) => l.startsWith('known.ts:'));
		assert.match(known ?? '', /\$\d/);
		assert.ok(lines.indexOf(known ?? '') < lines.indexOf(unknown), 'priced rows come first');
		assert.match(result.stdout, /^Total: .*1 unpriced/m);
		assert.doesNotMatch(result.stdout, /\u001b\[/, 'colour with NO_COLOR set / not a TTY');
	});

	void it('prices an unknown model given in a --prices file', () => {
		const withPrices = makeTree({ 'unknown.ts': anthropicCall('claude-imaginary-9'), 'prices.json': JSON.stringify({ 'claude-imaginary-9': { input: 1, output: 5 } }) });
		try {
			const report = runJson(['scan', 'unknown.ts', '--prices', 'prices.json'], { cwd: withPrices });
			assert.equal(report.callSites[0]?.estimate.priced, true);
			assert.ok((report.callSites[0]?.estimate.costUsd ?? 0) > 0);
		} finally {
			removeTree(withPrices);
		}
	});

	void it('rejects a misspelt field in a --prices entry, naming the entry and the field', () => {
		const prices = { 'claude-imaginary-9': { input: 1, ouput: 5 }, 'claude-other-9': { input: 1, output: 5 } };
		const root = makeTree({ 'unknown.ts': anthropicCall('claude-imaginary-9'), 'prices.json': JSON.stringify(prices) });
		try {
			const result = runCli(['scan', 'unknown.ts', '--prices', 'prices.json', '--json'], { cwd: root });
			assert.equal(result.status, 2);
			assert.match(result.stderr, /--prices: price override for "claude-imaginary-9" ignored: unknown field "ouput"/);
			assert.equal(result.stdout, '', 'no report built on half-applied prices');
		} finally {
			removeTree(root);
		}
	});
});

void describe('costlens: bad usage exits 2', () => {
	before(assertCliBuilt);

	void it('rejects an unknown option with its name and a usage hint', () => {
		const result = runCli(['scan', '--bogus']);
		assert.equal(result.status, 2);
		assert.match(result.stderr, /costlens: unknown option --bogus/);
		assert.match(result.stderr, /--help/);
		assert.equal(result.stdout, '');
	});

	void it('rejects a nonexistent path', () => {
		const result = runCli(['scan', 'no/such/dir-here']);
		assert.equal(result.status, 2);
		assert.match(result.stderr, /no such file or folder: no\/such\/dir-here/);
	});

	void it('rejects an unknown command, a missing command and bad numbers', () => {
		assert.equal(runCli(['scna']).status, 2);
		assert.equal(runCli([]).status, 2);
		const bad = runCli(['scan', 'examples', '--calls-per-day', 'lots']);
		assert.equal(bad.status, 2);
		assert.match(bad.stderr, /--calls-per-day expects a non-negative number/);
		assert.equal(runCli(['scan', 'examples', '--assumed-output-tokens', '1.5']).status, 2);
		assert.equal(runCli(['scan', 'examples', '--prices']).status, 2);
	});

	void it('rejects an unreadable or malformed --prices file', () => {
		const missing = runCli(['scan', 'examples', '--prices', 'nope.json']);
		assert.equal(missing.status, 2);
		assert.match(missing.stderr, /cannot read --prices file/);
		const root = makeTree({ 'p.json': '{"x": {"input": "cheap"}}' });
		try {
			const malformed = runCli(['scan', '.', '--prices', 'p.json'], { cwd: root });
			assert.equal(malformed.status, 2);
			assert.match(malformed.stderr, /--prices: price override for "x" ignored: input must be a non-negative number/);
		} finally {
			removeTree(root);
		}
	});

	void it('prints help and version with exit 0', () => {
		const help = runCli(['--help']);
		assert.equal(help.status, 0);
		assert.match(help.stdout, /Usage: costlens scan/);
		const version = runCli(['--version']);
		assert.equal(version.status, 0);
		assert.match(version.stdout, /^costlens \d+\.\d+\.\d+/);
	});
});

void describe('costlens scan: file selection', () => {
	let root: string;
	before(() => {
		assertCliBuilt();
		root = makeTree({
			// A repository root, so ignore files above a named sub-folder apply to it.
			'.git/HEAD': 'ref: refs/heads/main\n',
			'.gitignore': 'generated/\n*.secret.ts\n',
			'src/app.ts': anthropicCall(),
			'src/keys.secret.ts': anthropicCall(),
			'src/types.d.ts': 'export declare function f(): void;\n',
			'generated/client.ts': anthropicCall(),
			'node_modules/some-sdk/index.js': anthropicCall(),
			'dist/app.js': anthropicCall(),
			'build/app.js': anthropicCall(),
			'.next/server.js': anthropicCall(),
			'coverage/x.js': anthropicCall(),
			'lib/.gitignore': '*.js\n!keep.js\n',
			'lib/drop.js': anthropicCall(),
			'lib/keep.js': anthropicCall(),
			'lib/util.mjs': anthropicCall(),
			'notes.md': 'client.messages.create({ model: "claude-haiku-4-5" })',
			'bundle.min.js': `const c=new (require('openai'))();${'x=1;'.repeat(3000)}\n`,
			'blob.js': Buffer.from([0x63, 0x6f, 0x6e, 0x73, 0x74, 0x00, 0x01, 0x02]),
		});
	});
	after(() => removeTree(root));

	void it('honours root and nested .gitignore files and skips dependency and build folders', () => {
		const report = runJson(['scan'], { cwd: root });
		const files = [...new Set(report.callSites.map((s) => s.file))].sort();
		assert.deepEqual(files, ['lib/keep.js', 'lib/util.mjs', 'src/app.ts']);
	});

	void it('lists files it could not analyse in skipped, with reasons', () => {
		const report = runJson(['scan', '.'], { cwd: root });
		const skipped = new Map(report.skipped.map((s) => [s.file, s.reason]));
		assert.ok(skipped.get('blob.js'), `binary file not skipped: ${JSON.stringify(report.skipped)}`);
		assert.ok(skipped.get('bundle.min.js'), `minified file not skipped: ${JSON.stringify(report.skipped)}`);
	});

	void it('reports an explicitly named non-source file as skipped', () => {
		const report = runJson(['scan', 'notes.md', 'src/app.ts'], { cwd: root });
		assert.deepEqual(report.skipped, [{ file: 'notes.md', reason: 'not a TypeScript, JavaScript or Python file' }]);
		assert.equal(report.callSites.length, 1);
	});

	void it('applies the repository root .gitignore to a named sub-folder', () => {
		const report = runJson(['scan', 'src'], { cwd: root });
		assert.deepEqual(report.callSites.map((s) => s.file), ['src/app.ts']);
	});

	void it('scans an explicitly named folder even when .gitignore excludes it', () => {
		const report = runJson(['scan', 'generated'], { cwd: root });
		assert.deepEqual(report.callSites.map((s) => s.file), ['generated/client.ts']);
	});
});
