import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { scan, scanAssumptions } from '../../../src/cli/scan';
import { createPriceTable } from '../../../src/core/pricing/priceTable';
import { loadPythonParser } from '../../../src/node/pythonParser';
import type { CostReport } from '../../../src/core/report';
import { anthropicCall, assertCliBuilt, makeTree, removeTree, runCli, runJson } from './cliHelpers';

/** An OpenAI call without an output cap, 4-space indented: missing-max-tokens with a fix. */
const UNCAPPED_PY = `from openai import OpenAI

client = OpenAI()


def classify(ticket: str) -> str:
    completion = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": ticket}],
    )
    return completion.choices[0].message.content
`;

/** An Anthropic call with its cap: priced, no missing-max-tokens. */
const CAPPED_PY = `import anthropic

claude = anthropic.Anthropic()


def reply(question):
    return claude.messages.create(
        model="claude-haiku-4-5",
        max_tokens=300,
        messages=[{"role": "user", "content": question}],
    )
`;

void describe('costlens scan examples: the Python app', () => {
	let report: CostReport;
	before(() => {
		assertCliBuilt();
		report = runJson(['scan', 'examples']);
	});
	const find = (file: string) => report.callSites.filter((s) => s.file === `examples/python/${file}`);

	void it('finds every Python call site with its provider, API and model', () => {
		const sites = report.callSites.filter((s) => s.file.startsWith('examples/python/')).map((s) => `${s.file.slice('examples/python/'.length)} ${s.provider} ${s.api} ${s.model}`).sort();
		assert.deepEqual(sites, [
			'search_index.py openai embeddings.create text-embedding-3-small',
			'search_index.py openai responses.create gpt-5-mini',
			'summarizer.py anthropic messages.create claude-haiku-4-5',
			'summarizer.py openai chat.completions.create gpt-4o-mini',
			'support_bot.py anthropic messages.create claude-sonnet-4-5',
			'support_bot.py openai chat.completions.create gpt-4o-mini',
		]);
		assert.equal(find('prompts.py').length, 0, 'the prompts module makes no calls');
	});

	void it('counts the system prompt imported from prompts.py and the template read from disk', () => {
		const [chat] = find('support_bot.py').filter((s) => s.provider === 'anthropic');
		// SUPPORT_SYSTEM_PROMPT alone is ~400 tokens; the question and history are unknown.
		assert.ok((chat?.estimate.inputTokens ?? 0) > 300, `imported prompt not counted: ${chat?.estimate.inputTokens}`);
		assert.equal(chat?.maxOutputTokens, 1024);
		const [summary] = find('summarizer.py').filter((s) => s.provider === 'anthropic');
		// templates/summarize.txt is ~150 tokens.
		assert.ok((summary?.estimate.inputTokens ?? 0) > 120, `templates/summarize.txt not resolved: ${summary?.estimate.inputTokens}`);
	});

	void it('reports missing-max-tokens on the uncapped OpenAI call, with a fix', () => {
		const [route] = find('support_bot.py').filter((s) => s.provider === 'openai');
		const ids = route?.findings.map((f) => f.ruleId) ?? [];
		assert.ok(ids.includes('missing-max-tokens'), ids.join());
		const finding = report.findings.find((f) => f.file === 'examples/python/support_bot.py' && f.ruleId === 'missing-max-tokens');
		assert.ok(finding, 'in the report\'s findings list');
		assert.equal(finding.severity, 'warning');
	});

	void it('lists Python files in the table', () => {
		const result = runCli(['scan', 'examples/python']);
		assert.equal(result.status, 0, result.stderr);
		for (const file of ['support_bot.py', 'summarizer.py', 'search_index.py']) assert.ok(result.stdout.includes(file), `${file} missing from:\n${result.stdout}`);
		assert.match(result.stdout, /missing-max-tokens/);
	});

	void it('reports Python findings in SARIF with the file as the artifact', () => {
		const result = runCli(['scan', 'examples/python', '--format', 'sarif']);
		assert.equal(result.status, 0, result.stderr);
		const sarif = JSON.parse(result.stdout) as { runs: { results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
		const results = sarif.runs[0]?.results ?? [];
		const hit = results.find((r) => r.ruleId === 'missing-max-tokens' && r.locations[0]?.physicalLocation.artifactLocation.uri.endsWith('support_bot.py'));
		assert.ok(hit, JSON.stringify(results.map((r) => [r.ruleId, r.locations[0]?.physicalLocation.artifactLocation.uri])));
	});
});

void describe('costlens scan: Python file selection and --fix', () => {
	let root: string;
	before(() => {
		assertCliBuilt();
		root = makeTree({
			'.git/HEAD': 'ref: refs/heads/main\n',
			'.gitignore': 'generated/\n*_secret.py\n',
			'app/capped.py': CAPPED_PY,
			'app/keys_secret.py': CAPPED_PY,
			'app/stubs.pyi': 'def reply(question: str) -> str: ...\n',
			'app/__pycache__/capped.py': CAPPED_PY,
			'generated/client.py': CAPPED_PY,
			'.venv/lib/python3.12/site-packages/anthropic/x.py': CAPPED_PY,
			'venv/lib/x.py': CAPPED_PY,
			'web/app.ts': anthropicCall(),
		});
	});
	after(() => removeTree(root));

	void it('walks .py next to TS, honours .gitignore, skips stubs, virtualenvs and caches', () => {
		const report = runJson(['scan'], { cwd: root });
		const files = [...new Set(report.callSites.map((s) => s.file))].sort();
		assert.deepEqual(files, ['app/capped.py', 'web/app.ts']);
		assert.deepEqual(report.skipped, []);
		const py = report.callSites.find((s) => s.file === 'app/capped.py');
		assert.equal(py?.model, 'claude-haiku-4-5');
		assert.equal(py?.line, 7);
		assert.equal(py?.column, 12);
		assert.equal(py?.estimate.priced, true);
	});

	void it('--fix inserts max_tokens=… into the Python call in its style; a second --fix changes nothing', () => {
		const dir = makeTree({ 'uncapped.py': UNCAPPED_PY });
		try {
			const result = runCli(['scan', '.', '--fix'], { cwd: dir });
			assert.equal(result.status, 0, result.stderr);
			assert.match(result.stdout, /^fixed uncapped\.py:7:18 missing-max-tokens: /m);
			const after = fs.readFileSync(path.join(dir, 'uncapped.py'), 'utf8');
			assert.match(after, /\n {8}max_tokens=1024,\n/);
			assert.equal(after.replace(/ {8}max_tokens=1024,\n/, ''), UNCAPPED_PY, 'only the cap was added');
			const again = runCli(['scan', '.', '--fix', '--json'], { cwd: dir });
			assert.match(again.stderr, /--fix: 0 fixes applied in 0 files/);
			const report = JSON.parse(again.stdout) as CostReport;
			assert.equal(report.findings.filter((f) => f.ruleId === 'missing-max-tokens').length, 0);
			assert.equal(fs.readFileSync(path.join(dir, 'uncapped.py'), 'utf8'), after);
		} finally {
			removeTree(dir);
		}
	});
});

void describe('scan(): the Python parser', () => {
	let root: string;
	before(() => {
		root = makeTree({ 'a.py': CAPPED_PY, 'b.ts': anthropicCall() });
	});
	after(() => removeTree(root));
	const request = () => ({ paths: ['.'], cwd: root, assumptions: scanAssumptions(undefined, undefined), prices: createPriceTable() });

	void it('a parser that failed to load skips the Python files with the reason and still scans the rest', () => {
		const report = scan({ ...request(), python: { error: 'the wasm is missing' } });
		assert.deepEqual(report.skipped, [{ file: 'a.py', reason: 'the Python parser could not be loaded: the wasm is missing' }]);
		assert.deepEqual(report.callSites.map((s) => s.file), ['b.ts']);
	});

	void it('without a parser, Python files are skipped, never reported as "no calls"', () => {
		const report = scan(request());
		assert.equal(report.skipped.length, 1);
		assert.equal(report.skipped[0]?.file, 'a.py');
	});

	void it('with the parser, Python call sites are reported', async () => {
		const parser = await loadPythonParser({ rememberFiles: 1 });
		try {
			const report = scan({ ...request(), python: { parser } });
			assert.deepEqual(report.callSites.map((s) => s.file).sort(), ['a.py', 'b.ts']);
			assert.deepEqual(report.skipped, []);
		} finally {
			parser.dispose();
		}
	});
});
