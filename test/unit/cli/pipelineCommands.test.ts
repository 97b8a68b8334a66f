// `costlens run | replay | usage | cache` as users run them: the bundled dist/cli.js in a child
// process, the real SDKs pointed at the loopback fake provider through the environment.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { fakeTokenCount, startFakeProvider, type FakeProvider } from '../../support/fakeProvider';
import { assertCliBuilt, cliPath, type CliResult } from './cliHelpers';
import { repoRoot } from '../helpers';

let fake: FakeProvider;
let dir: string;

before(async () => {
	assertCliBuilt();
	fake = await startFakeProvider();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-cli-pipeline-'));
});

after(async () => {
	await fake.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => fake.reset());

/** Like cliHelpers' runCli but asynchronous: spawnSync would block the event loop the fake provider answers on. */
function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}): Promise<CliResult> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [cliPath, ...args], {
			cwd: repoRoot,
			env: {
				...process.env,
				NO_COLOR: '1',
				COSTLENS_DB: '',
				COSTLENS_DEMO_LATENCY_SCALE: '0',
				ANTHROPIC_API_KEY: 'test-anthropic-key',
				OPENAI_API_KEY: 'test-openai-key',
				ANTHROPIC_BASE_URL: fake.anthropicBaseURL,
				OPENAI_BASE_URL: fake.openaiBaseURL,
				...env,
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		child.once('error', reject);
		child.once('close', (status) => resolve({ status, stdout, stderr }));
	});
}

let dbCounter = 0;
function newDb(): string {
	return path.join(dir, `cli-${++dbCounter}.db`);
}

function echo(prompt: string): string {
	return `Echo: ${prompt.replace(/\s+/g, ' ').trim().slice(0, 60)}. This is a deterministic answer from the CostLens fake provider.`;
}

function calls(route: 'anthropic' | 'openai-chat'): number {
	return fake.requests.filter((r) => r.route === route).length;
}

function writeWorkload(name: string, lines: readonly (Record<string, unknown> | string)[]): string {
	const file = path.join(dir, name);
	fs.writeFileSync(file, lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
	return file;
}

const anthropicLine = (tenant: string, user: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
	tenant,
	provider: 'anthropic',
	request: { model: 'claude-sonnet-4-6', max_tokens: 256, messages: [{ role: 'user', content: user }] },
	...extra,
});
const openaiLine = (tenant: string, user: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
	tenant,
	provider: 'openai',
	request: { model: 'gpt-4o-mini', max_completion_tokens: 256, messages: [{ role: 'user', content: user }] },
	...extra,
});

/** Nine requests: repeats, another tenant, a semantic paraphrase, a personalized one. Outcomes at --concurrency 1. */
const MIXED = [
	anthropicLine('acme', 'What is the refund window?'),
	openaiLine('acme', 'Where is my latest invoice?'),
	anthropicLine('acme', 'What is the refund window?'),
	anthropicLine('globex', 'What is the refund window?'),
	openaiLine('acme', 'How do I reset my password?', { semantic: true }),
	openaiLine('acme', 'how can i reset my password', { semantic: true }),
	openaiLine('acme', 'how can i reset my password please', { semantic: true, personalized: true }),
	openaiLine('globex', 'how can i reset my password', { semantic: true }),
	openaiLine('acme', 'Where is my latest invoice?'),
];
const MIXED_OUTCOMES = ['miss', 'miss', 'exact', 'miss', 'miss', 'semantic', 'miss', 'miss', 'exact'];
const MIXED_TENANTS = ['acme', 'acme', 'acme', 'globex', 'acme', 'acme', 'acme', 'globex', 'acme'];

interface ReplayJson {
	requests: { tenant: string; outcome: string; model: string; escalated: boolean; costUsd: number | null; inputTokens: number; outputTokens: number }[];
	summary: { requests: number; errors: number; exactHits: number; semanticHits: number; cascadeRequests: number; escalations: number; escalationRate: number; exactHitRate: number; layers: { layer: string; requests: number }[] };
}

void describe('costlens run', () => {
	const prompt = 'How long do refunds take?';

	void it('streams the answer, reports a miss, then serves the repeat from the exact cache at $0', async () => {
		const db = newDb();
		const args = ['run', '--db', db, '--provider', 'anthropic', '--model', 'claude-sonnet-4-6', prompt];
		const first = await cli(args);
		assert.equal(first.status, 0, first.stderr);
		assert.equal(first.stdout, `${echo(prompt)}\n`);
		const line = /^miss · claude-sonnet-4-6 · (\d+) in \(0 cached\) \/ (\d+) out · \$(0\.\d{6}) · \d+ ms · TTFT \d+ ms$/m.exec(first.stderr);
		assert.ok(line, first.stderr);
		assert.equal(Number(line[2]), fakeTokenCount(echo(prompt)));
		// claude-sonnet-4-6 at $3 / $15 per million input / output tokens.
		assert.equal(line[3], ((Number(line[1]) * 3 + Number(line[2]) * 15) / 1e6).toFixed(6));
		assert.equal(calls('anthropic'), 1);
		const body = fake.requests[0]!.body as Record<string, unknown>;
		assert.equal(body.stream, true, 'run streams by default');
		assert.equal(body.max_tokens, 1024);

		const second = await cli(args);
		assert.equal(second.status, 0, second.stderr);
		assert.equal(second.stdout, `${echo(prompt)}\n`);
		assert.match(second.stderr, /^exact-cache hit · claude-sonnet-4-6 · .* · \$0\.000000 · /m);
		assert.equal(calls('anthropic'), 1, 'the hit made no upstream call');
	});

	void it('--json prints one result object', async () => {
		const db = newDb();
		const args = ['run', '--db', db, '--provider', 'openai', '--model', 'gpt-4o-mini', '--no-stream', '--json', prompt];
		const first = await cli(args);
		assert.equal(first.status, 0, first.stderr);
		const json = JSON.parse(first.stdout) as Record<string, unknown>;
		assert.deepEqual(Object.keys(json).sort(), ['cachedInputTokens', 'costUsd', 'escalated', 'inputTokens', 'latencyMs', 'model', 'outcome', 'outputTokens', 'provider', 'requestId', 'text', 'ttftMs'].sort());
		assert.equal(json.outcome, 'miss');
		assert.equal(json.provider, 'openai');
		assert.equal(json.model, 'gpt-4o-mini');
		assert.equal(json.text, echo(prompt));
		assert.equal(json.outputTokens, fakeTokenCount(echo(prompt)));
		assert.equal(json.escalated, false);
		assert.ok(typeof json.costUsd === 'number' && json.costUsd > 0, String(json.costUsd));
		assert.equal((fake.requests[0]!.body as Record<string, unknown>).stream, false);
		const second = JSON.parse((await cli(args)).stdout) as Record<string, unknown>;
		assert.equal(second.outcome, 'exact');
		assert.equal(second.costUsd, 0);
		assert.equal(second.text, echo(prompt));
		assert.equal(calls('openai-chat'), 1);
	});

	void it('--provider demo needs no key and says so', async () => {
		const result = await cli(['run', '--db', newDb(), '--provider', 'demo', '--model', 'claude-haiku-4-5', 'Hello there'], { ANTHROPIC_API_KEY: '', OPENAI_API_KEY: '' });
		assert.equal(result.status, 0, result.stderr);
		assert.ok(result.stdout.trim().length > 0, 'an answer was printed');
		assert.match(result.stderr, /^miss · claude-haiku-4-5 \(demo provider: simulated answer, nothing billed/m);
		assert.equal(fake.requests.length, 0, 'the demo provider is offline');
	});

	void it('a missing key is a clear usage error (exit 2), with nothing sent', async () => {
		const result = await cli(['run', '--db', newDb(), '--provider', 'anthropic', '--model', 'claude-sonnet-4-6', 'Hi'], { ANTHROPIC_API_KEY: '' });
		assert.equal(result.status, 2);
		assert.match(result.stderr, /No Anthropic API key\. .*ANTHROPIC_API_KEY/);
		assert.equal(result.stdout, '');
		assert.equal(fake.requests.length, 0);
	});

	void it('bad flags exit 2 with a message', async () => {
		const cases: [string[], RegExp][] = [
			[['run', '--bogus', 'x'], /bogus/],
			[['run', '--provider', 'nope', '--model', 'm', 'x'], /--provider expects one of anthropic, openai, openai-compatible, demo, got 'nope'/],
			[['run', '--provider', 'anthropic', 'x'], /--model is required/],
			[['run', '--provider', 'anthropic', '--model', 'm', '--max-tokens', 'abc', 'x'], /--max-tokens expects a positive integer, got 'abc'/],
			[['run', '--provider', 'anthropic', '--model', 'm'], /needs a prompt/],
			[['replay', path.join(os.tmpdir(), 'costlens-no-such-workload.jsonl')], /cannot read/],
			[['replay', 'w.jsonl', '--cascade', 'only-one-model'], /--cascade expects CHEAP:STRONG/],
			[['cache', 'explode'], /cache expects stats or clear, got 'explode'/],
		];
		for (const [args, message] of cases) {
			const result = await cli([...args, '--db', newDb()]);
			assert.equal(result.status, 2, `${args.join(' ')}: exit ${result.status}\n${result.stderr}`);
			assert.match(result.stderr, message, args.join(' '));
		}
		assert.equal(fake.requests.length, 0);
	});
});

void describe('costlens replay, usage, cache', () => {
	void it('replay --json: per-request outcomes (exact, semantic, tenants apart) and a summary that matches', async () => {
		const db = newDb();
		const file = writeWorkload('mixed.jsonl', MIXED);
		const result = await cli(['replay', file, '--db', db, '--json', '--concurrency', '1', '--threshold', '0.8']);
		assert.equal(result.status, 0, result.stderr);
		const json = JSON.parse(result.stdout) as ReplayJson;
		assert.deepEqual(json.requests.map((r) => r.outcome), MIXED_OUTCOMES);
		assert.deepEqual(json.requests.map((r) => r.tenant), MIXED_TENANTS);
		assert.deepEqual(json.requests.map((r) => r.model), ['claude-sonnet-4-6', 'gpt-4o-mini', 'claude-sonnet-4-6', 'claude-sonnet-4-6', 'gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini', 'gpt-4o-mini']);
		assert.deepEqual(json.requests.map((r) => r.costUsd === 0), MIXED_OUTCOMES.map((o) => o !== 'miss'), 'hits cost $0, misses do not');
		assert.equal(json.summary.requests, 9);
		assert.equal(json.summary.errors, 0);
		assert.equal(json.summary.exactHits, 2);
		assert.equal(json.summary.semanticHits, 1);
		assert.equal(json.summary.exactHitRate, 2 / 9);
		assert.deepEqual(json.summary.layers.map((l) => [l.layer, l.requests]), [['exact-cache', 2], ['semantic-cache', 1], ['prompt-cache', 0], ['cascade', 0]]);
		assert.equal(calls('anthropic'), 2, 'lines 1 and 4 (another tenant) went upstream');
		assert.equal(calls('openai-chat'), 4, 'lines 2, 5, 7 (personalized) and 8 (another tenant) went upstream');

		// usage --json over the same file: grouped by model, tenant and outcome.
		const usage = await cli(['usage', '--db', db, '--json']);
		assert.equal(usage.status, 0, usage.stderr);
		const groups = JSON.parse(usage.stdout) as { rows: number; byModel: { key: string; requests: number }[]; byTenant: { key: string; requests: number }[]; byOutcome: { key: string; requests: number }[] };
		const counts = (list: { key: string; requests: number }[]): Record<string, number> => Object.fromEntries(list.map((g) => [g.key, g.requests]));
		assert.equal(groups.rows, 9, 'one usage row per request here (no retries, no cascade)');
		assert.deepEqual(counts(groups.byOutcome), { miss: 6, exact: 2, semantic: 1 });
		assert.deepEqual(counts(groups.byTenant), { acme: 7, globex: 2 });
		assert.deepEqual(counts(groups.byModel), { 'claude-sonnet-4-6': 3, 'gpt-4o-mini': 6 });
		const globex = JSON.parse((await cli(['usage', '--db', db, '--json', '--tenant', 'globex'])).stdout) as typeof groups;
		assert.equal(globex.rows, 2);

		// cache stats, then clearing the exact layer makes a repeat a miss again.
		const stats = JSON.parse((await cli(['cache', 'stats', '--db', db, '--json'])).stdout) as Record<string, unknown>;
		assert.equal(stats.exactEntries, 6, 'one entry per upstream answer');
		assert.equal(stats.semanticEntries, 2, 'lines 5 and 8 (globex) stored; the hit (6) and the personalized line 7 did not');
		assert.equal(stats.usageRows, 9);
		const repeat = ['run', '--db', db, '--tenant', 'acme', '--provider', 'anthropic', '--model', 'claude-sonnet-4-6', '--max-tokens', '256', '--no-stream', '--json', 'What is the refund window?'];
		const hit = await cli(repeat);
		assert.equal((JSON.parse(hit.stdout) as { outcome: string }).outcome, 'exact', 'run builds the same request as replay line 1');
		const cleared = await cli(['cache', 'clear', '--layer', 'exact', '--db', db, '--json']);
		assert.equal(cleared.status, 0, cleared.stderr);
		assert.deepEqual(JSON.parse(cleared.stdout), { exact: 6, semantic: 0 });
		const after = JSON.parse((await cli(['cache', 'stats', '--db', db, '--json'])).stdout) as Record<string, unknown>;
		assert.equal(after.exactEntries, 0);
		assert.equal(after.semanticEntries, 2);
		const before = calls('anthropic');
		const again = await cli(repeat);
		assert.equal(again.status, 0, again.stderr);
		assert.equal((JSON.parse(again.stdout) as { outcome: string }).outcome, 'miss');
		assert.equal(calls('anthropic'), before + 1);
	});

	void it('replay --cascade with the hedging gate: escalations counted, escalation rate right', async () => {
		fake.setResponder((r) => (r.model === 'claude-haiku-4-5' ? (r.lastUserText.includes('hard') ? "I'm not sure, it might depend." : 'The answer is 42.') : 'A careful, complete answer.'));
		const lines = ['An easy question', 'A hard question', 'Another easy one', 'Another hard one', 'A third easy one'].map((user) => ({ tenant: 'acme', provider: 'anthropic', request: { max_tokens: 256, messages: [{ role: 'user', content: user }] } }));
		const file = writeWorkload('cascade.jsonl', lines);
		const result = await cli(['replay', file, '--db', newDb(), '--json', '--concurrency', '2', '--cascade', 'claude-haiku-4-5:claude-sonnet-4-6', '--gate', 'hedging']);
		assert.equal(result.status, 0, result.stderr);
		const json = JSON.parse(result.stdout) as ReplayJson;
		assert.deepEqual(json.requests.map((r) => r.escalated), [false, true, false, true, false]);
		assert.deepEqual(json.requests.map((r) => r.model), ['claude-haiku-4-5', 'claude-sonnet-4-6', 'claude-haiku-4-5', 'claude-sonnet-4-6', 'claude-haiku-4-5']);
		assert.equal(json.summary.cascadeRequests, 5);
		assert.equal(json.summary.escalations, 2);
		assert.equal(json.summary.escalationRate, 0.4);
		const models = fake.requests.map((r) => (r.body as { model: string }).model);
		assert.equal(models.filter((m) => m === 'claude-haiku-4-5').length, 5);
		assert.equal(models.filter((m) => m === 'claude-sonnet-4-6').length, 2);
	});

	void it('replay without --json prints the layer table', async () => {
		const file = writeWorkload('mixed-table.jsonl', MIXED);
		const result = await cli(['replay', file, '--db', newDb(), '--concurrency', '1', '--threshold', '0.8']);
		assert.equal(result.status, 0, result.stderr);
		for (const row of ['Exact-match cache', 'Semantic cache', 'Provider prompt caching', 'Cheap-to-strong cascade']) {
			assert.match(result.stdout, new RegExp(`^${row} +\\| +\\d+ \\|`, 'm'), row);
		}
		assert.match(result.stdout, /^Exact-match cache +\| +2 \|/m);
		assert.match(result.stdout, /^Semantic cache +\| +1 \|/m);
		assert.match(result.stdout, /^All layers +\| +9 \|/m);
		assert.match(result.stdout, /^Hits: exact 2 \(22\.2%\), semantic 1 \(11\.1%\), prompt cache 0 \(0\.0%\)$/m);
	});

	void it('a workload with bad lines exits 2 naming them, and nothing runs', async () => {
		const file = writeWorkload('bad.jsonl', [anthropicLine('acme', 'fine'), openaiLine('acme', 'also fine'), { tenant: 'acme', provider: 'nope', request: {} }, '', '{not json', anthropicLine('acme', 'fine again')]);
		const db = newDb();
		const result = await cli(['replay', file, '--db', db, '--json']);
		assert.equal(result.status, 2);
		assert.match(result.stderr, /has 2 bad lines/);
		assert.match(result.stderr, /line 3: provider must be one of anthropic, openai, openai-compatible, demo/);
		assert.match(result.stderr, /line 5: not JSON/);
		assert.doesNotMatch(result.stderr, /line [1246]:/);
		assert.equal(result.stdout, '');
		assert.equal(fake.requests.length, 0, 'the fake provider saw no request');
		assert.equal(fs.existsSync(db), false, 'not even the database was created');
	});
});
