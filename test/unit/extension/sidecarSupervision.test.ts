// Sidecar supervision: the pure policies (crash budget, backoff, Node runtime choice, redaction,
// key validation, status text), then the client itself against the real dist/sidecar.js with a fake
// editor host (the client imports only vscode TYPES). The demo provider keeps everything offline.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { PipelineEvent } from '../../../src/core/pipeline/types';
import type { InitializeResult, SidecarState } from '../../../src/protocol/sidecar';
import { ApiKeyStore } from '../../../src/extension/sidecar/secrets';
import { chooseNodeRuntime, findOnPath, type RuntimeChoice } from '../../../src/extension/sidecar/nodeRuntime';
import { SidecarClient, type SidecarHost } from '../../../src/extension/sidecar/sidecarClient';
import { backoffDelay, CrashBudget, LineSplitter, redactSecrets, statusPresentation, UNTRUSTED_MESSAGE, validateApiKey } from '../../../src/extension/sidecar/supervision';
import { repoRoot } from '../helpers';

const MINUTE = 60_000;

void describe('crash budget and backoff', () => {
	void it('backs off 1 s, 2 s, 4 s, 8 s and gives up on the 5th crash within 3 minutes', () => {
		const budget = new CrashBudget();
		const decisions = [0, 10_000, 20_000, 30_000, 40_000].map((t) => budget.recordCrash(t));
		assert.deepEqual(
			decisions.map((d) => [d.crashes, d.giveUp, d.delayMs]),
			[
				[1, false, 1000],
				[2, false, 2000],
				[3, false, 4000],
				[4, false, 8000],
				[5, true, 0],
			],
		);
	});

	void it('forgets crashes older than the window', () => {
		const budget = new CrashBudget();
		for (const t of [0, 1000, 2000, 3000]) budget.recordCrash(t);
		const later = budget.recordCrash(3 * MINUTE + 2500);
		assert.equal(later.giveUp, false);
		assert.equal(later.crashes, 2, 'only the crashes at 3000 ms and now are inside the window');
		assert.equal(budget.count(3 * MINUTE + 2500), 2);
	});

	void it('reset() gives a fresh budget (a user-initiated restart)', () => {
		const budget = new CrashBudget();
		for (const t of [0, 1, 2, 3]) budget.recordCrash(t);
		budget.reset();
		assert.deepEqual(budget.recordCrash(4), { crashes: 1, giveUp: false, delayMs: 1000 });
	});

	void it('caps the backoff', () => {
		assert.equal(backoffDelay(1), 1000);
		assert.equal(backoffDelay(3), 4000);
		assert.equal(backoffDelay(50), 30_000);
		assert.equal(backoffDelay(2, 10, 15), 15);
	});
});

void describe('Node runtime choice', () => {
	const base = { setting: undefined, settingIsFile: false, electronVersion: '34.2.0', execPath: '/opt/vscode/code', pathNode: '/usr/bin/node' };

	void it('uses the machine setting when it names an existing file', () => {
		assert.deepEqual(chooseNodeRuntime({ ...base, setting: '/opt/node22/bin/node', settingIsFile: true }), { ok: true, command: '/opt/node22/bin/node', source: 'setting' });
	});

	void it('refuses a relative or missing setting instead of silently falling back', () => {
		const relative = chooseNodeRuntime({ ...base, setting: 'bin/node', settingIsFile: true });
		assert.equal(relative.ok, false);
		assert.match((relative as { reason: string }).reason, /absolute path/);
		const missing = chooseNodeRuntime({ ...base, setting: '/nope/node', settingIsFile: false });
		assert.equal(missing.ok, false);
		assert.match((missing as { reason: string }).reason, /does not exist/);
	});

	void it('uses the extension host runtime when it is plain Node (code-server, remote)', () => {
		assert.deepEqual(chooseNodeRuntime({ ...base, electronVersion: undefined }), { ok: true, command: '/opt/vscode/code', source: 'extensionHost' });
	});

	void it('uses node from PATH under Electron, and explains the native module when there is none', () => {
		assert.deepEqual(chooseNodeRuntime(base), { ok: true, command: '/usr/bin/node', source: 'path' });
		const none: RuntimeChoice = chooseNodeRuntime({ ...base, pathNode: undefined });
		assert.equal(none.ok, false);
		const reason = (none as { reason: string }).reason;
		assert.match(reason, /better-sqlite3/);
		assert.match(reason, /Electron/);
		assert.match(reason, /costlens\.sidecar\.nodePath/);
	});

	void it('finds an executable on PATH and skips relative entries', () => {
		const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-path-'));
		try {
			const fake = path.join(dir, 'node');
			fs.writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
			assert.equal(findOnPath('node', ['relative/dir', '', dir].join(':'), 'linux'), fake);
			assert.equal(findOnPath('node', 'relative/dir', 'linux'), undefined);
			assert.equal(findOnPath('node', undefined, 'linux'), undefined);
			fs.chmodSync(fake, 0o644);
			assert.equal(findOnPath('node', dir, 'linux'), undefined, 'not executable');
		} finally {
			fs.rmSync(dir, { recursive: true, force: true });
		}
	});
});

void describe('redaction, key validation, status text', () => {
	void it('redacts known key values and key-shaped strings', () => {
		const line = 'auth failed for key my-compat-secret-123 and sk-ant-api03-AbCdEfGhIjKlMnOp and sk-proj-ABCDEFGHIJKLMNOPQRSTUV';
		const out = redactSecrets(line, ['my-compat-secret-123', 'short']);
		assert.equal(out, 'auth failed for key [redacted] and [redacted] and [redacted]');
		assert.equal(redactSecrets('a short word stays', ['short']), 'a short word stays', 'values under 8 characters are not searched for');
	});

	void it('splits stderr into lines across chunks', () => {
		const splitter = new LineSplitter();
		assert.deepEqual(splitter.push('one\ntw'), ['one']);
		assert.deepEqual(splitter.push('o\r\nthree'), ['two']);
		assert.deepEqual(splitter.flush(), ['three']);
	});

	void it('validates keys: errors block, prefix mismatches only warn', () => {
		assert.equal(validateApiKey('anthropic', '  ')?.severity, 'error');
		assert.equal(validateApiKey('openai', 'sk-abc def')?.severity, 'error');
		assert.equal(validateApiKey('anthropic', 'sk-proj-123456')?.severity, 'warning');
		assert.equal(validateApiKey('anthropic', 'sk-ant-api03-xyz'), undefined);
		assert.equal(validateApiKey('compatible', 'ollama'), undefined);
	});

	void it('shows the state only when it is not idle, with an accessible label', () => {
		const info: InitializeResult = { protocolVersion: 1, sidecarVersion: 'dev', dbFile: '/x/costlens.db', cache: 'ready', notices: [], embedder: 'e', providers: ['demo'] };
		assert.equal(statusPresentation({ kind: 'idle' }), undefined);
		assert.equal(statusPresentation({ kind: 'untrusted' }), undefined);
		assert.equal(statusPresentation({ kind: 'starting' })?.text, '$(sync~spin) CostLens: starting…');
		assert.equal(statusPresentation({ kind: 'ready', info })?.text, '$(database) CostLens: demo provider');
		assert.equal(statusPresentation({ kind: 'ready', info: { ...info, providers: ['anthropic', 'demo'] } })?.text, '$(database) CostLens: ready');
		assert.equal(statusPresentation({ kind: 'restarting', crashes: 1, delayMs: 1000, reason: 'exit code 1' })?.text, '$(warning) CostLens: restarting');
		const failed = statusPresentation({ kind: 'failed', reason: 'gave up' });
		assert.equal(failed?.text, '$(error) CostLens sidecar failed');
		assert.equal(failed?.error, true);
		assert.ok(!failed?.accessibilityLabel.includes('$('), 'no codicon syntax in the accessible name');
	});
});

void describe('API key store', () => {
	void it('falls back to memory for the session when SecretStorage throws, and never logs the key', async () => {
		const logged: string[] = [];
		const broken = {
			get: () => Promise.reject(new Error('no keyring')),
			store: () => Promise.reject(new Error('no keyring')),
			delete: () => Promise.reject(new Error('no keyring')),
		};
		const store = new ApiKeyStore(broken as never, { warn: (m: string) => void logged.push(m) } as never);
		assert.equal(await store.set('anthropic', 'sk-ant-canary-0123456789'), 'sessionOnly');
		assert.equal(await store.get('anthropic'), 'sk-ant-canary-0123456789');
		assert.deepEqual(await store.forInitialize(), { anthropicApiKey: 'sk-ant-canary-0123456789' });
		await store.delete('anthropic');
		assert.equal(await store.get('anthropic'), undefined);
		assert.ok(logged.length > 0);
		assert.ok(logged.every((m) => !m.includes('canary')), 'the key never reaches the log');
	});

	void it('stores in SecretStorage under costlens.apiKey.<provider>', async () => {
		const map = new Map<string, string>();
		const secrets = { get: async (k: string) => map.get(k), store: async (k: string, v: string) => void map.set(k, v), delete: async (k: string) => void map.delete(k) };
		const store = new ApiKeyStore(secrets as never, { warn: () => undefined } as never);
		assert.equal(await store.set('compatible', 'local-key-123'), 'stored');
		assert.deepEqual([...map.keys()], ['costlens.apiKey.compatible']);
		assert.deepEqual([...store.knownValues()], ['local-key-123']);
	});
});

// ---- the client against the real sidecar ----

const sidecarJs = path.join(repoRoot, 'dist', 'sidecar.js');
let dir: string;
const clients: SidecarClient[] = [];

before(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-supervision-'));
});

after(() => {
	for (const c of clients) c.dispose();
	fs.rmSync(dir, { recursive: true, force: true });
});

interface Recorder {
	readonly logs: string[];
	readonly notices: string[];
	readonly failures: string[];
	readonly states: SidecarState['kind'][];
	spawned: number;
}

function makeClient(overrides: Partial<SidecarHost> & { trusted?: () => boolean } = {}): { client: SidecarClient; rec: Recorder } {
	const rec: Recorder = { logs: [], notices: [], failures: [], states: [], spawned: 0 };
	const { trusted, ...rest } = overrides;
	const host: SidecarHost = {
		sidecarScript: sidecarJs,
		storageDir: fs.mkdtempSync(path.join(dir, 'storage-')),
		log: { info: (m: string) => void rec.logs.push(m), warn: (m: string) => void rec.logs.push(m), error: (m: string) => void rec.logs.push(m) } as never,
		isTrusted: trusted ?? (() => true),
		readSettings: () => ({ nodePath: undefined, providers: {}, limits: {}, embedder: { kind: 'offline' } }),
		readSecrets: async () => ({ compatibleApiKey: 'compat-canary-key-42' }),
		knownSecrets: () => ['compat-canary-key-42'],
		resolveRuntime: () => {
			rec.spawned++;
			return { ok: true, command: process.execPath, source: 'extensionHost' };
		},
		notify: (m) => void rec.notices.push(m),
		notifyFailed: (m) => void rec.failures.push(m),
		cancellationError: () => Object.assign(new Error('Canceled'), { name: 'Canceled' }),
		env: { COSTLENS_DEMO_LATENCY_SCALE: '0' },
		budget: new CrashBudget(5, 3 * MINUTE, 5, 20),
		shutdownGraceMs: 500,
		...rest,
	};
	const client = new SidecarClient(host);
	clients.push(client);
	client.onDidChangeState((s) => void rec.states.push(s.kind));
	return { client, rec };
}

const demoRun = (runId: string, text: string) => ({
	runId,
	request: { tenant: 'acme', provider: 'demo' as const, body: { model: 'claude-sonnet-4-6', max_tokens: 100, stream: true, messages: [{ role: 'user', content: text }] } },
});

async function waitFor(condition: () => boolean, what: string): Promise<void> {
	for (let i = 0; i < 1000 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
	assert.ok(condition(), `timed out waiting for ${what}`);
}

void describe('SidecarClient', () => {
	void it('spawns nothing and rejects every entry point in an untrusted workspace, until trust is granted', async () => {
		let trusted = false;
		const { client, rec } = makeClient({ trusted: () => trusted });
		assert.equal(client.state.kind, 'untrusted');
		await assert.rejects(client.ensureStarted(), (e: Error) => e.message === UNTRUSTED_MESSAGE);
		await assert.rejects(client.run(demoRun('u1', 'hi'), () => undefined), /Workspace Trust/);
		await assert.rejects(client.request('cache/stats', {}), /Workspace Trust/);
		await assert.rejects(client.restart(), /Workspace Trust/);
		assert.equal(rec.spawned, 0);
		trusted = true;
		client.trustGranted();
		assert.equal(client.state.kind, 'idle');
		assert.equal(rec.spawned, 0, 'granting trust does not start it either');
	});

	void it('starts on first use, routes pipeline events by runId, and answers other requests', async () => {
		assert.ok(fs.existsSync(sidecarJs), `${sidecarJs} is missing: run npm run build`);
		const { client, rec } = makeClient();
		assert.equal(client.state.kind, 'idle');
		const a: PipelineEvent[] = [];
		const b: PipelineEvent[] = [];
		const [ra, rb] = await Promise.all([client.run(demoRun('a', 'first question'), (e) => a.push(e)), client.run(demoRun('b', 'second question'), (e) => b.push(e))]);
		assert.equal(rec.spawned, 1, 'concurrent first uses share one start');
		assert.equal(client.state.kind, 'ready');
		assert.deepEqual(rec.states.slice(0, 2), ['starting', 'ready']);
		const text = (events: PipelineEvent[]): string => events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
		assert.equal(text(a), ra.completion.text);
		assert.equal(text(b), rb.completion.text);
		assert.notEqual(ra.completion.text, '');
		const stats = await client.request('cache/stats', {});
		assert.equal(stats.exactEntries, 2);
		assert.ok(rec.logs.every((l) => !l.includes('compat-canary-key-42')), 'the key is never logged');
	});

	void it('rejects in-flight runs when the process dies, restarts with backoff, and serves again', async () => {
		const { client, rec } = makeClient({ env: { COSTLENS_DEMO_LATENCY_SCALE: '1' } });
		await client.ensureStarted();
		const pids: number[] = [];
		const deltas: PipelineEvent[] = [];
		const pending = client.run(demoRun('slow', 'a long streamed answer please'), (e) => {
			deltas.push(e);
		});
		await waitFor(() => deltas.length > 0, 'the run to start');
		const child = (client as unknown as { process: { child: { pid: number; kill(s: string): void } } }).process.child;
		pids.push(child.pid);
		child.kill('SIGKILL');
		await assert.rejects(pending, /stopped unexpectedly \(killed by SIGKILL\)/);
		await waitFor(() => client.state.kind === 'ready', 'the restart');
		assert.ok(rec.states.includes('restarting'));
		assert.equal(rec.spawned, 2);
		const again = await client.run(demoRun('after', 'hello again'), () => undefined);
		assert.equal(again.outcome, 'miss');
		assert.equal(rec.failures.length, 0);
	});

	void it('maps token cancellation to JSON-RPC cancellation', async () => {
		const { client } = makeClient({ env: { COSTLENS_DEMO_LATENCY_SCALE: '1' } });
		const listeners: (() => void)[] = [];
		const token = { isCancellationRequested: false, onCancellationRequested: (l: () => void) => (listeners.push(l), { dispose: () => undefined }) };
		const deltas: PipelineEvent[] = [];
		const pending = client.run(demoRun('c', 'a slow answer to cancel'), (e) => deltas.push(e), token as never);
		await waitFor(() => deltas.length > 0, 'the stream to start');
		token.isCancellationRequested = true;
		listeners.forEach((l) => l());
		await assert.rejects(pending, (e: Error) => e.name === 'Canceled');
		const stats = await client.request('cache/stats', {});
		assert.equal(stats.exactEntries, 0, 'the sidecar saw the cancellation (nothing cached)');
	});

	void it('gives up after 5 crashes in 3 minutes with one notification, redacting keys from stderr; restart() resets', async () => {
		const crashing = path.join(dir, 'crash.js');
		fs.writeFileSync(crashing, "process.stderr.write('boom with compat-canary-key-42\\n'); process.exit(3);\n");
		const { client, rec } = makeClient({ sidecarScript: crashing });
		await assert.rejects(client.ensureStarted(), /stopped unexpectedly/);
		await waitFor(() => client.state.kind === 'failed', 'giving up');
		assert.equal(rec.spawned, 5);
		assert.equal(rec.failures.length, 1, 'one error notification');
		assert.match(rec.failures[0]!, /crashed 5 times in 3 minutes/);
		await assert.rejects(client.ensureStarted(), /crashed 5 times/);
		assert.equal(rec.spawned, 5, 'no restart once failed');
		assert.ok(rec.logs.some((l) => l.includes('boom with [redacted]')));
		assert.ok(rec.logs.every((l) => !l.includes('compat-canary-key-42')));
		await assert.rejects(client.restart());
		assert.equal(rec.spawned, 6, 'restart() tries again with a fresh budget');
		await waitFor(() => client.state.kind === 'failed' && rec.failures.length === 2, 'giving up again');
	});

	void it('fails clearly without spawning when no Node runtime is found', async () => {
		const { client, rec } = makeClient({ resolveRuntime: () => ({ ok: false, reason: 'no node: better-sqlite3 needs Node.js' }) });
		await assert.rejects(client.ensureStarted(), /better-sqlite3/);
		assert.deepEqual(client.state, { kind: 'failed', reason: 'no node: better-sqlite3 needs Node.js' });
		assert.equal(rec.spawned, 0);
	});

	void it('dispose() shuts the process down', async () => {
		const { client } = makeClient();
		await client.ensureStarted();
		const running = (client as unknown as { process: { exited: Promise<void> } }).process;
		client.dispose();
		await running.exited;
		await assert.rejects(client.ensureStarted(), /shutting down/);
	});
});
