// The sidecar (issue #4): cache-hit latency through JSON-RPC, replay throughput, and RSS with a full cache.
// `npm run build && npm run compile-tests && node --expose-gc out/bench/sidecar.bench.js`
//
// 1. Exact-cache hit through `dist/sidecar.js` (one call in flight, non-streamed and streamed):
//    p50/p95/p99. Peers in the same run, interleaved in rounds: (a) a trivial `echo` request to a
//    bare vscode-jsonrpc server over the same kind of stdio pipe (the transport floor), (b) the same
//    server replaying the exact notifications and result a real hit produced (same messages and
//    bytes, no pipeline). Also in-process `engine.run` on an exact hit, and a breakdown of the
//    hit's store work (key, SELECT, hit-counter UPDATE, usage-log append with synchronous=FULL).
// 2. Replay throughput, in-process `engine.run`, concurrency 8, fake provider at 0 ms: all misses
//    (unique prompts) and a 50 % repeat mix, half Anthropic / half OpenAI, non-streamed, ~1–2 KB
//    answers. Peer: the same requests through the same provider clients (real SDKs) straight to the
//    fake provider. Also the pipeline without a database (pass-through) to isolate SQLite's share,
//    and the CLI (`costlens replay --json`) end to end once.
// 3. Sidecar RSS after opening a database filled with EXACT_ENTRIES exact entries (~1–2 KB answers,
//    keys computed like the pipeline's) and SEMANTIC_ENTRIES semantic entries (offline embedder,
//    512 dims, one partition) and serving hits of both kinds; peer: an idle sidecar on an empty db
//    that served the same requests as misses.
// Env: COSTLENS_BENCH_SIDECAR_N (hits per variant, default 2000), COSTLENS_BENCH_SIDECAR_REPLAY_N
// (requests per replay run, default 2000), COSTLENS_BENCH_SIDECAR_ROUNDS (replay rounds, default 3),
// COSTLENS_BENCH_SIDECAR_CLI_N (default 1000), COSTLENS_BENCH_SIDECAR_ENTRIES (default 100000),
// COSTLENS_BENCH_SIDECAR_SEMANTIC (default 20000), COSTLENS_BENCH_SIDECAR_SKIP (comma list of:
// hits, replay, cli, rss).
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import { embedOffline, exactKey, OFFLINE_EMBEDDER_ID, semanticParts, type Completion, type PipelineEvent, type PipelineRequest, type PipelineResult, type ProviderClient } from '../src/core/pipeline';
import { SIDECAR_PROTOCOL_VERSION, type InitializeResult, type CacheStats } from '../src/protocol/sidecar';
import { Engine } from '../src/sidecar/engine';
import { AnthropicClient } from '../src/sidecar/providers/anthropicClient';
import { OpenAIClient } from '../src/sidecar/providers/openaiClient';
import { openStore } from '../src/sidecar/store/sqliteStore';
import { startFakeProvider, type FakeProvider } from '../test/support/fakeProvider';
import { median, printFigures, printTable, quantile, repoRoot, round, seededRandom, type Figure } from './benchUtil';

const env = process.env;
const HITS = Number(env.COSTLENS_BENCH_SIDECAR_N ?? 2000);
const REPLAY_N = Number(env.COSTLENS_BENCH_SIDECAR_REPLAY_N ?? 2000);
const ROUNDS = Number(env.COSTLENS_BENCH_SIDECAR_ROUNDS ?? 3);
const CLI_N = Number(env.COSTLENS_BENCH_SIDECAR_CLI_N ?? 1000);
const EXACT_ENTRIES = Number(env.COSTLENS_BENCH_SIDECAR_ENTRIES ?? 100_000);
const SEMANTIC_ENTRIES = Number(env.COSTLENS_BENCH_SIDECAR_SEMANTIC ?? 20_000);
const SKIP = new Set((env.COSTLENS_BENCH_SIDECAR_SKIP ?? '').split(',').filter(Boolean));
const CONCURRENCY = 8;
const HIT_ROUNDS = 10;
const TENANT = 'bench';
const KEY = 'bench-dummy-key';
const SIDECAR_JS = path.join(repoRoot, 'dist', 'sidecar.js');
const CLI_JS = path.join(repoRoot, 'dist', 'cli.js');
const ECHO_JS = path.join(__dirname, 'sidecarEcho.js');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-sidecar-bench-'));
const figures: Figure[] = [];

// ── child processes: every one is tracked and killed on any exit path ────────────

const children = new Set<ChildProcess>();
function killAll(): void {
	for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
	children.clear();
}
process.on('exit', () => {
	killAll();
	fs.rmSync(tmp, { recursive: true, force: true });
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		killAll();
		process.exit(130);
	});
}

interface RpcChild {
	readonly child: ChildProcess;
	readonly connection: MessageConnection;
	stderr(): string;
	close(): Promise<void>;
}

function spawnRpc(script: string): RpcChild {
	const child = spawn(process.execPath, [script], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'], env: { ...env, COSTLENS_DEMO_LATENCY_SCALE: '0' } });
	children.add(child);
	let stderr = '';
	child.stderr!.setEncoding('utf8');
	child.stderr!.on('data', (chunk: string) => {
		stderr = (stderr + chunk).slice(-8000);
	});
	const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
	connection.listen();
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	return {
		child,
		connection,
		stderr: () => stderr,
		async close() {
			try {
				await Promise.race([connection.sendRequest('shutdown', {}), delay(5000)]);
			} catch {
				// Already gone: the kill below is a no-op then.
			}
			connection.dispose();
			child.stdin!.end();
			await Promise.race([exited, delay(5000)]);
			if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
			children.delete(child);
		},
	};
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

// ── workload ─────────────────────────────────────────────────────────────────────

const random = seededRandom(20260404);
const WORDS = (
	'account invoice billing refund order shipment delivery tracking password login email address payment card plan ' +
	'subscription upgrade downgrade cancel renew export report dashboard project team member role permission api key ' +
	'webhook integration calendar timezone language currency tax receipt discount coupon trial limit quota storage ' +
	'backup restore sync device mobile desktop browser notification alert schedule meeting ticket support agent ' +
	'priority status error timeout latency region server database migration schema field column table filter search'
).split(' ');
const SYSTEM = 'You are the support assistant of Acme Cloud. Answer briefly and precisely, cite the relevant help-centre article, and never invent account data.';

function words(n: number, rnd: () => number): string {
	const out: string[] = [];
	for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rnd() * WORDS.length)] as string);
	return out.join(' ');
}

/** A 1–2 KB answer, deterministic per prompt so repeats are answered alike. */
function answerFor(prompt: string): string {
	let seed = 0;
	for (let i = 0; i < prompt.length; i++) seed = (Math.imul(seed, 31) + prompt.charCodeAt(i)) >>> 0;
	const rnd = seededRandom(seed);
	const target = 1000 + Math.floor(rnd() * 1000);
	let text = '';
	while (text.length < target) text += `${words(8 + Math.floor(rnd() * 8), rnd)}. `;
	return text.slice(0, target);
}

let promptCounter = 0;
function uniquePrompt(salt: string): string {
	const n = promptCounter++;
	return `Ticket ${salt}-${n}: ${words(10 + Math.floor(random() * 20), random)}?`;
}

function request(provider: 'anthropic' | 'openai', prompt: string, stream: boolean, extra: Partial<PipelineRequest> = {}): PipelineRequest {
	const body =
		provider === 'anthropic'
			? { model: 'claude-haiku-4-5', max_tokens: 1024, system: SYSTEM, messages: [{ role: 'user', content: prompt }], stream }
			: { model: 'gpt-4o-mini', max_tokens: 1024, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: prompt }], stream };
	return { tenant: TENANT, provider, body, ...extra };
}

/** `n` requests alternating providers; `repeatShare` of them repeat an earlier prompt at least 2×concurrency positions back (so it is a stored hit, not in flight). */
function workload(n: number, repeatShare: number, salt: string): PipelineRequest[] {
	const out: PipelineRequest[] = [];
	for (let i = 0; i < n; i++) {
		const back = 2 * CONCURRENCY;
		if (i >= back && random() < repeatShare) {
			const earlier = out[Math.floor(random() * (i - back))] as PipelineRequest;
			out.push(earlier);
		} else {
			out.push(request(i % 2 === 0 ? 'anthropic' : 'openai', uniquePrompt(salt), false));
		}
	}
	return out;
}

// ── helpers ──────────────────────────────────────────────────────────────────────

function engineOptions(fake: FakeProvider, dbFile: string | undefined) {
	return {
		...(dbFile ? { dbFile } : {}),
		providers: { anthropicBaseURL: fake.anthropicBaseURL, openaiBaseURL: fake.openaiBaseURL },
		secrets: { anthropicApiKey: KEY, openaiApiKey: KEY },
		embedder: { kind: 'offline' as const },
		env: {},
	};
}

async function initialize(rpc: RpcChild, fake: FakeProvider, dbFile: string): Promise<InitializeResult> {
	const { dbFile: _db, env: _env, ...options } = engineOptions(fake, dbFile);
	return rpc.connection.sendRequest('initialize', { protocolVersion: SIDECAR_PROTOCOL_VERSION, clientName: 'sidecar.bench', dbFile, ...options });
}

let runCounter = 0;
function runRpc(rpc: RpcChild, req: PipelineRequest): Promise<PipelineResult> {
	return rpc.connection.sendRequest('pipeline/run', { runId: `r${runCounter++}`, request: req });
}

const ms = (v: number): string => (v < 1 ? v.toFixed(3) : v.toFixed(2));
function stats(samples: readonly number[]): { p50: number; p95: number; p99: number } {
	return { p50: quantile(samples, 0.5), p95: quantile(samples, 0.95), p99: quantile(samples, 0.99) };
}
function rssKb(pid: number): { rss: number; hwm: number } {
	const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
	const field = (name: string): number => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
	return { rss: field('VmRSS'), hwm: field('VmHWM') };
}
function fileBytes(file: string): number {
	let total = 0;
	for (const suffix of ['', '-wal', '-shm']) {
		try {
			total += fs.statSync(file + suffix).size;
		} catch {
			// absent side file
		}
	}
	return total;
}

/** Times `fn` `n` times, one at a time. */
async function timeEach(n: number, fn: () => unknown): Promise<number[]> {
	const samples: number[] = [];
	for (let i = 0; i < n; i++) {
		const t0 = performance.now();
		await fn();
		samples.push(performance.now() - t0);
	}
	return samples;
}

// ── 1. exact hits through the sidecar ────────────────────────────────────────────

async function benchHits(fake: FakeProvider): Promise<void> {
	console.log(`\n■ Exact-cache hit through the sidecar: ${HITS} calls per variant, one in flight, ${HIT_ROUNDS} interleaved rounds`);
	const sidecar = spawnRpc(SIDECAR_JS);
	const echo = spawnRpc(ECHO_JS);
	try {
		const events: PipelineEvent[] = [];
		sidecar.connection.onNotification('pipeline/event', (params: { event: PipelineEvent }) => {
			events.push(params.event);
		});
		await initialize(sidecar, fake, path.join(tmp, 'hits.db'));
		const prompt = uniquePrompt('hit');
		const plain = request('openai', prompt, false);
		const streamed = request('openai', prompt, true);
		const miss = await runRpc(sidecar, plain);
		if (miss.outcome !== 'miss') throw new Error(`warm-up: expected a miss, got ${miss.outcome}`);
		const canned: Record<'plain' | 'streamed', { bytes: number; events: number }> = { plain: { bytes: 0, events: 0 }, streamed: { bytes: 0, events: 0 } };
		for (const [name, req] of [['plain', plain], ['streamed', streamed]] as const) {
			events.length = 0;
			const hit = await runRpc(sidecar, req);
			if (hit.outcome !== 'exact') throw new Error(`warm-up: expected an exact hit (${name}), got ${hit.outcome}`);
			await delay(20); // let trailing notifications (none expected after the response) land
			canned[name] = { bytes: JSON.stringify(hit).length + JSON.stringify(events).length, events: events.length };
			await echo.connection.sendRequest('reply/set', { name, result: hit, events: [...events] });
		}
		console.log(`answer ${miss.completion.text.length} chars; a hit moves ${canned.plain.events} notifications (${canned.plain.bytes} B JSON) non-streamed, ${canned.streamed.events} (${canned.streamed.bytes} B) streamed`);

		const variants: Record<string, () => Promise<unknown>> = {
			'sidecar hit': () => runRpc(sidecar, plain),
			'sidecar hit, streamed': () => runRpc(sidecar, streamed),
			'echo (trivial request)': () => echo.connection.sendRequest('echo', { ping: 1 }),
			'echo, same messages as hit': () => echo.connection.sendRequest('reply/play', { name: 'plain', runId: `e${runCounter++}` }),
			'echo, same messages as streamed hit': () => echo.connection.sendRequest('reply/play', { name: 'streamed', runId: `e${runCounter++}` }),
			'sidecar cache/stats': () => sidecar.connection.sendRequest('cache/stats', {}),
		};
		const samples: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
		for (const fn of Object.values(variants)) await timeEach(50, fn); // warm-up
		const perRound = Math.ceil(HITS / HIT_ROUNDS);
		for (let r = 0; r < HIT_ROUNDS; r++) {
			const names = Object.keys(variants);
			if (r % 2 === 1) names.reverse();
			for (const name of names) (samples[name] as number[]).push(...(await timeEach(perRound, variants[name] as () => Promise<unknown>)));
		}
		const stat = (name: string) => stats(samples[name] as number[]);
		printTable(
			['variant (ms)', 'p50', 'p95', 'p99'],
			Object.keys(variants).map((name) => {
				const s = stat(name);
				return [name, ms(s.p50), ms(s.p95), ms(s.p99)];
			}),
		);
		const hit = stat('sidecar hit');
		const hitS = stat('sidecar hit, streamed');
		const floor = stat('echo (trivial request)');
		const same = stat('echo, same messages as hit');
		const sameS = stat('echo, same messages as streamed hit');
		figures.push(
			{ bench: 'sidecar', metric: 'exact hit via JSON-RPC p50', value: round(hit.p50), unit: 'ms', peer: 'trivial echo request, bare vscode-jsonrpc stdio server', peerValue: round(floor.p50) },
			{ bench: 'sidecar', metric: 'exact hit via JSON-RPC p95', value: round(hit.p95), unit: 'ms' },
			{ bench: 'sidecar', metric: 'exact hit via JSON-RPC p99', value: round(hit.p99), unit: 'ms' },
			{ bench: 'sidecar', metric: 'exact hit p50 / transport floor p50', value: round(hit.p50 / floor.p50), unit: 'x', peer: 'trivial echo request', peerValue: round(floor.p50) },
			{ bench: 'sidecar', metric: 'exact hit p50 / same-messages echo p50', value: round(hit.p50 / same.p50), unit: 'x', peer: 'echo server replaying the hit\'s messages', peerValue: round(same.p50) },
			{ bench: 'sidecar', metric: 'streamed exact hit via JSON-RPC p50', value: round(hitS.p50), unit: 'ms', peer: 'echo server replaying the streamed hit\'s messages', peerValue: round(sameS.p50) },
			{ bench: 'sidecar', metric: 'streamed exact hit via JSON-RPC p95', value: round(hitS.p95), unit: 'ms' },
			{ bench: 'sidecar', metric: 'streamed exact hit via JSON-RPC p99', value: round(hitS.p99), unit: 'ms' },
			{ bench: 'sidecar', metric: 'streamed exact hit p50 / same-messages echo p50', value: round(hitS.p50 / sameS.p50), unit: 'x' },
		);
	} finally {
		await Promise.all([sidecar.close(), echo.close()]);
	}

	// In-process: no RPC, then the store's parts of a hit.
	console.log(`\n■ Exact hit in process (engine.run, no RPC) and its store work, ${HITS} each`);
	const dbFile = path.join(tmp, 'inproc.db');
	const engine = new Engine(engineOptions(fake, dbFile));
	const raw = new Database(dbFile);
	try {
		const prompt = uniquePrompt('inproc');
		const plain = request('openai', prompt, false);
		const streamed = request('openai', prompt, true);
		await engine.run(plain);
		const hitResult = await engine.run(plain);
		if (hitResult.outcome !== 'exact') throw new Error(`in-process warm-up: expected an exact hit, got ${hitResult.outcome}`);
		const store = engine.store!;
		const key = exactKey({ tenant: TENANT, provider: 'openai', wire: 'openai-chat', body: plain.body });
		if (!store.getExact(key, TENANT, Date.now())) throw new Error('the bench computes a different exact key than the pipeline');
		const noop = (): void => undefined;
		const select = raw.prepare('SELECT answer_json, original_cost_usd, created_at FROM exact_cache WHERE key = @key AND tenant = @tenant AND expires_at > @now');
		const touch = raw.prepare('UPDATE exact_cache SET last_hit_at = @now, hits = hits + 1 WHERE key = @key AND tenant = @tenant');
		const copyUsage = raw.prepare('INSERT INTO usage_log (request_id, attempt, ts, tenant, provider, model, stage, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, cost_usd, latency_ms, ttft_ms, cache_hit, escalated, gate_verdict, error, row_check) SELECT request_id, attempt, ts, tenant, provider, model, stage, input_tokens, cached_input_tokens, cache_write_tokens, output_tokens, cost_usd, latency_ms, ttft_ms, cache_hit, escalated, gate_verdict, error, row_check FROM usage_log WHERE id = (SELECT max(id) FROM usage_log)');
		const parts: Record<string, () => unknown> = {
			'engine.run hit': () => engine.run(plain),
			'engine.run hit, streamed (no-op listener)': () => engine.run(streamed, { listener: noop }),
			'exactKey (canonical JSON + sha256)': () => exactKey({ tenant: TENANT, provider: 'openai', wire: 'openai-chat', body: plain.body }),
			'store.getExact (SELECT + parse + touch)': () => store.getExact(key, TENANT, Date.now()),
			'  SELECT only (2nd connection)': () => select.get({ key, tenant: TENANT, now: Date.now() }),
			'  touch UPDATE, synchronous=NORMAL': () => {
				raw.pragma('synchronous = NORMAL');
				touch.run({ key, tenant: TENANT, now: Date.now() });
			},
			'store.appendUsage 1 row (FULL)': () => store.appendUsage(hitResult.rows),
			'  usage INSERT, synchronous=NORMAL': () => {
				raw.pragma('synchronous = NORMAL');
				copyUsage.run();
			},
			'  usage INSERT, synchronous=FULL': () => {
				raw.pragma('synchronous = FULL');
				copyUsage.run();
			},
		};
		for (const fn of Object.values(parts)) await timeEach(50, fn);
		const samples: Record<string, number[]> = Object.fromEntries(Object.keys(parts).map((k) => [k, []]));
		const perRound = Math.ceil(HITS / HIT_ROUNDS);
		for (let r = 0; r < HIT_ROUNDS; r++) for (const [name, fn] of Object.entries(parts)) (samples[name] as number[]).push(...(await timeEach(perRound, fn)));
		printTable(
			['in process (ms)', 'p50', 'p95', 'p99'],
			Object.keys(parts).map((name) => {
				const s = stats(samples[name] as number[]);
				return [name, ms(s.p50), ms(s.p95), ms(s.p99)];
			}),
		);
		const p50 = (name: string): number => median(samples[name] as number[]);
		figures.push(
			{ bench: 'sidecar', metric: 'exact hit in process (engine.run) p50', value: round(p50('engine.run hit')), unit: 'ms' },
			{ bench: 'sidecar', metric: 'streamed exact hit in process (engine.run) p50', value: round(p50('engine.run hit, streamed (no-op listener)')), unit: 'ms' },
			{ bench: 'sidecar', metric: 'hit: store.appendUsage 1 row (FULL) p50', value: round(p50('store.appendUsage 1 row (FULL)')), unit: 'ms', peer: 'same INSERT at synchronous=NORMAL', peerValue: round(p50('  usage INSERT, synchronous=NORMAL')) },
			{ bench: 'sidecar', metric: 'hit: store.getExact p50', value: round(p50('store.getExact (SELECT + parse + touch)')), unit: 'ms', peer: 'SELECT only', peerValue: round(p50('  SELECT only (2nd connection)')) },
		);
	} finally {
		raw.close();
		engine.close();
	}
}

// ── 2. replay throughput ─────────────────────────────────────────────────────────

async function pool(requests: readonly PipelineRequest[], run: (req: PipelineRequest) => Promise<unknown>): Promise<number> {
	let next = 0;
	const t0 = performance.now();
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			for (;;) {
				const req = requests[next++];
				if (!req) return;
				await run(req);
			}
		}),
	);
	return requests.length / ((performance.now() - t0) / 1000);
}

async function benchReplay(fake: FakeProvider): Promise<void> {
	console.log(`\n■ Replay throughput: ${REPLAY_N} requests per run, concurrency ${CONCURRENCY}, fake provider at 0 ms, ${ROUNDS} interleaved rounds`);
	const clients: Record<'anthropic' | 'openai', ProviderClient> = {
		anthropic: new AnthropicClient({ apiKey: KEY, baseURL: fake.anthropicBaseURL }),
		openai: new OpenAIClient({ provider: 'openai', apiKey: KEY, baseURL: fake.openaiBaseURL }),
	};
	const signal = new AbortController().signal;
	const direct = (req: PipelineRequest): Promise<unknown> =>
		clients[req.provider as 'anthropic' | 'openai'].call({ provider: req.provider, wire: req.provider === 'anthropic' ? 'anthropic-messages' : 'openai-chat', body: { ...req.body, stream: false }, signal, onDelta: () => undefined });
	let dbCounter = 0;
	const outcomes = new Map<string, number>();
	const viaEngine = async (requests: readonly PipelineRequest[], withDb: boolean): Promise<number> => {
		const engine = new Engine(engineOptions(fake, withDb ? path.join(tmp, `replay-${dbCounter++}.db`) : undefined));
		try {
			return await pool(requests, async (req) => {
				const result = await engine.run(req);
				if (withDb) outcomes.set(result.outcome, (outcomes.get(result.outcome) ?? 0) + 1);
			});
		} finally {
			engine.close();
		}
	};
	type Mode = 'pipeline' | 'pipeline, no db' | 'direct SDK client';
	const modes: Record<Mode, (requests: readonly PipelineRequest[]) => Promise<number>> = {
		'pipeline': (r) => viaEngine(r, true),
		'pipeline, no db': (r) => viaEngine(r, false),
		'direct SDK client': (r) => pool(r, direct),
	};
	for (const run of Object.values(modes)) await run(workload(200, 0, 'warm'));
	fake.reset();
	outcomes.clear();
	const rates: Record<string, number[]> = {};
	const outcomesBy: Record<string, Map<string, number>> = {};
	for (let r = 0; r < ROUNDS; r++) {
		for (const [label, share] of [['all misses', 0], ['50% repeats', 0.5]] as const) {
			const requests = workload(REPLAY_N, share, `${label}-${r}`);
			const names = Object.keys(modes) as Mode[];
			if (r % 2 === 1) names.reverse();
			for (const mode of names) {
				const rate = await modes[mode](requests);
				(rates[`${label} | ${mode}`] ??= []).push(rate);
				if (mode === 'pipeline') {
					const seen = (outcomesBy[label] ??= new Map());
					for (const [k, v] of outcomes) seen.set(k, (seen.get(k) ?? 0) + v);
					outcomes.clear();
				}
				fake.reset();
			}
		}
	}
	printTable(
		['workload | mode', 'req/s (median)', 'runs'],
		Object.entries(rates).map(([name, values]) => [name, median(values).toFixed(0), values.map((v) => v.toFixed(0)).join(' ')]),
	);
	for (const [label, seen] of Object.entries(outcomesBy)) console.log(`${label}: pipeline outcomes ${[...seen].map(([k, v]) => `${k}=${v}`).join(', ')}`);
	for (const label of ['all misses', '50% repeats']) {
		const pipe = median(rates[`${label} | pipeline`] ?? []);
		const noDb = median(rates[`${label} | pipeline, no db`] ?? []);
		const peer = median(rates[`${label} | direct SDK client`] ?? []);
		figures.push(
			{ bench: 'sidecar', metric: `replay ${label}: pipeline req/s`, value: round(pipe), unit: 'req/s', peer: 'same requests, same SDK clients, no pipeline', peerValue: round(peer) },
			{ bench: 'sidecar', metric: `replay ${label}: pipeline / direct`, value: round(pipe / peer), unit: 'x', peer: 'direct SDK client req/s', peerValue: round(peer) },
			{ bench: 'sidecar', metric: `replay ${label}: pipeline without db req/s`, value: round(noDb), unit: 'req/s', peer: 'direct SDK client', peerValue: round(peer) },
		);
	}
}

async function benchCli(fake: FakeProvider): Promise<void> {
	console.log(`\n■ CLI end to end: costlens replay --json, ${CLI_N} requests (50% repeats), concurrency ${CONCURRENCY}`);
	const runCli = async (requests: readonly PipelineRequest[], name: string): Promise<{ seconds: number; summary: unknown }> => {
		const file = path.join(tmp, `${name}.jsonl`);
		fs.writeFileSync(file, requests.map((r) => JSON.stringify({ tenant: r.tenant, provider: r.provider, request: r.body })).join('\n') + '\n');
		const t0 = performance.now();
		const child = spawn(process.execPath, [CLI_JS, 'replay', file, '--json', '--db', path.join(tmp, `${name}.db`), '--concurrency', String(CONCURRENCY)], {
			cwd: repoRoot,
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...env, ANTHROPIC_BASE_URL: fake.anthropicBaseURL, OPENAI_BASE_URL: fake.openaiBaseURL, ANTHROPIC_API_KEY: KEY, OPENAI_API_KEY: KEY },
		});
		children.add(child);
		let out = '';
		let err = '';
		child.stdout!.on('data', (c: Buffer) => (out += c.toString('utf8')));
		child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
		const status = await new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
		children.delete(child);
		const seconds = (performance.now() - t0) / 1000;
		if (status !== 0) throw new Error(`costlens replay exited ${status}: ${err.slice(-2000)}`);
		return { seconds, summary: (JSON.parse(out) as { summary: unknown }).summary };
	};
	const one = await runCli(workload(1, 0, 'cli-one'), 'cli-one');
	const full = await runCli(workload(CLI_N, 0.5, 'cli'), 'cli');
	fake.reset();
	console.log(`1 request: ${one.seconds.toFixed(2)} s (start-up, open db, one miss); ${CLI_N} requests: ${full.seconds.toFixed(2)} s = ${(CLI_N / full.seconds).toFixed(0)} req/s wall`);
	console.log(`summary: ${JSON.stringify(full.summary).slice(0, 400)}`);
	figures.push(
		{ bench: 'sidecar', metric: `costlens replay --json, ${CLI_N} requests, wall`, value: round(full.seconds), unit: 's', peer: 'the same CLI on 1 request (start-up floor)', peerValue: round(one.seconds) },
	);
}

// ── 3. RSS with a full cache ─────────────────────────────────────────────────────

async function benchRss(fake: FakeProvider): Promise<void> {
	console.log(`\n■ Sidecar RSS: ${EXACT_ENTRIES} exact + ${SEMANTIC_ENTRIES} semantic (512-dim offline embedder, one partition) entries vs an empty db`);
	const bigDb = path.join(tmp, 'big.db');
	// A template completion from a real miss, so the stored JSON has the real shape (raw SDK response included).
	const seedEngine = new Engine(engineOptions(fake, path.join(tmp, 'seed.db')));
	const seedPrompt = uniquePrompt('seed');
	const template = (await seedEngine.run(request('openai', seedPrompt, false))).completion;
	seedEngine.close();
	const templateJson = JSON.stringify(template);
	const templateText = JSON.stringify(template.text).slice(1, -1);
	const completionWith = (text: string): Completion => JSON.parse(templateJson.split(templateText).join(JSON.stringify(text).slice(1, -1))) as Completion;

	const t0 = performance.now();
	const { store } = openStore({ file: bigDb, maxExactEntries: EXACT_ENTRIES * 10, maxSemanticEntries: SEMANTIC_ENTRIES * 10 });
	const exactPrompts: string[] = [];
	let answerBytes = 0;
	const now = Date.now();
	for (let i = 0; i < EXACT_ENTRIES; i++) {
		const prompt = uniquePrompt('fill');
		exactPrompts.push(prompt);
		const req = request('openai', prompt, false);
		const completion = completionWith(answerFor(prompt));
		answerBytes += JSON.stringify(completion).length;
		store.putExact({ key: exactKey({ tenant: TENANT, provider: 'openai', wire: 'openai-chat', body: req.body }), tenant: TENANT, answer: { completion, originalCostUsd: 0.0004, createdAt: now }, ttlMs: 7 * 86_400_000 }, now + i);
	}
	const exactSeconds = (performance.now() - t0) / 1000;
	const semanticTexts: string[] = [];
	const t1 = performance.now();
	for (let i = 0; i < SEMANTIC_ENTRIES; i++) {
		const text = `How do I ${words(6 + Math.floor(random() * 8), random)}`;
		semanticTexts.push(text);
		const body = request('openai', text, false).body;
		const parts = semanticParts({ wire: 'openai-chat', body, provider: 'openai' });
		if (!parts) throw new Error('semanticParts refused a plain user message');
		store.putSemantic({ tenant: TENANT, scope: parts.scopeHash, embedder: OFFLINE_EMBEDDER_ID, vector: embedOffline(parts.cacheText), cacheText: parts.cacheText, answer: { completion: completionWith(answerFor(text)), originalCostUsd: 0.0004, createdAt: now }, ttlMs: 86_400_000 }, now + i);
	}
	const semanticSeconds = (performance.now() - t1) / 1000;
	const filled = store.stats();
	store.close();
	const bytes = fileBytes(bigDb);
	console.log(`filled in ${exactSeconds.toFixed(1)} s (exact, ${(EXACT_ENTRIES / exactSeconds).toFixed(0)}/s) + ${semanticSeconds.toFixed(1)} s (semantic, ${(SEMANTIC_ENTRIES / semanticSeconds).toFixed(0)}/s); mean stored answer JSON ${(answerBytes / Math.max(1, EXACT_ENTRIES)).toFixed(0)} B; file ${(bytes / 1e6).toFixed(1)} MB; stats ${JSON.stringify({ exact: filled.exactEntries, semantic: filled.semanticEntries })}`);

	interface Probe {
		readonly initMs: number;
		readonly after: CacheStats;
		readonly rssIdle: { rss: number; hwm: number };
		readonly rssServed: { rss: number; hwm: number };
		readonly outcomes: Map<string, number>;
		readonly exactMs: number[];
		readonly semanticMs: number[];
	}
	/**
	 * `fill` true: probes hit entries of the filled db. false (the peer, empty db): the same number of
	 * requests, each kind first missing once and then hitting that one entry, so both sidecars have
	 * run the same code paths and differ in the data they hold.
	 */
	const probe = async (dbFile: string, fill: boolean): Promise<Probe> => {
		const sidecar = spawnRpc(SIDECAR_JS);
		try {
			const t = performance.now();
			await initialize(sidecar, fake, dbFile);
			const initMs = performance.now() - t;
			await delay(200);
			const rssIdle = rssKb(sidecar.child.pid!);
			const outcomes = new Map<string, number>();
			const count = (r: PipelineResult): void => void outcomes.set(r.outcome, (outcomes.get(r.outcome) ?? 0) + 1);
			const pick = seededRandom(7);
			const peerPrompt = uniquePrompt('peer');
			const peerText = `How do I ${words(8, pick)}`;
			// Exact probes from the newest entries (eviction on open drops the least recently hit first).
			const exactMs: number[] = [];
			for (let i = 0; i < 300; i++) {
				const prompt = fill ? (exactPrompts[exactPrompts.length - 1 - Math.floor(pick() * Math.min(exactPrompts.length, 20_000))] as string) : peerPrompt;
				const t2 = performance.now();
				count(await runRpc(sidecar, request('openai', prompt, i % 2 === 1)));
				exactMs.push(performance.now() - t2);
			}
			// Semantic probes: a stored question reworded by case and punctuation only (exact miss, semantic hit).
			const semanticMs: number[] = [];
			for (let i = 0; i < 30; i++) {
				const text = fill ? (semanticTexts[Math.floor(pick() * semanticTexts.length)] as string) : peerText;
				const t2 = performance.now();
				count(await runRpc(sidecar, request('openai', `${text.toUpperCase()} ${'?'.repeat(i + 1)}`, false, { semantic: {} })));
				semanticMs.push(performance.now() - t2);
			}
			const after = await sidecar.connection.sendRequest<CacheStats>('cache/stats', {});
			await delay(200);
			return { initMs, after, rssIdle, rssServed: rssKb(sidecar.child.pid!), outcomes, exactMs, semanticMs };
		} finally {
			await sidecar.close();
		}
	};
	const empty = await probe(path.join(tmp, 'empty.db'), false);
	const full = await probe(bigDb, true);
	const row = (name: string, p: Probe): string[] => [
		name,
		p.initMs.toFixed(0),
		`${p.after.exactEntries}/${p.after.semanticEntries}`,
		(p.rssIdle.rss / 1024).toFixed(1),
		(p.rssServed.rss / 1024).toFixed(1),
		(p.rssServed.hwm / 1024).toFixed(1),
		[...p.outcomes].map(([k, v]) => `${k}=${v}`).join(' '),
		ms(median(p.exactMs)),
		`${ms(p.semanticMs[0] ?? Number.NaN)} / ${ms(median(p.semanticMs.slice(1)))}`,
	];
	printTable(['db', 'init ms', 'exact/sem after open', 'RSS idle MB', 'RSS served MB', 'peak MB', 'outcomes', 'exact p50 ms', 'semantic 1st / p50 ms'], [row('empty (peer)', empty), row(`${EXACT_ENTRIES}+${SEMANTIC_ENTRIES}`, full)]);
	if ((full.outcomes.get('exact') ?? 0) === 0 || (full.outcomes.get('semantic') ?? 0) === 0) console.log('WARNING: the full-db probe did not see hits of both kinds; RSS may not include the bit index');
	figures.push(
		{ bench: 'sidecar', metric: `sidecar RSS after hits, db filled with ${EXACT_ENTRIES} exact + ${SEMANTIC_ENTRIES} semantic`, value: round(full.rssServed.rss / 1024), unit: 'MB', peer: 'sidecar on an empty db after as many requests (one miss, then hits, per kind)', peerValue: round(empty.rssServed.rss / 1024) },
		{ bench: 'sidecar', metric: 'sidecar RSS full / empty', value: round(full.rssServed.rss / empty.rssServed.rss), unit: 'x' },
		{ bench: 'sidecar', metric: `db file size, ${EXACT_ENTRIES} exact + ${SEMANTIC_ENTRIES} semantic`, value: round(bytes / 1e6), unit: 'MB' },
		{ bench: 'sidecar', metric: `initialize on the filled db`, value: round(full.initMs), unit: 'ms', peer: 'initialize on an empty db', peerValue: round(empty.initMs) },
		{ bench: 'sidecar', metric: 'exact entries left after the sidecar opened the filled db', value: full.after.exactEntries, unit: 'entries', peer: 'entries filled', peerValue: EXACT_ENTRIES },
	);
}

async function main(): Promise<void> {
	for (const file of [SIDECAR_JS, CLI_JS, ECHO_JS]) if (!fs.existsSync(file)) throw new Error(`${file} is missing: run npm run build && npm run compile-tests`);
	const fake = await startFakeProvider({ responder: (r) => answerFor(r.lastUserText) });
	try {
		if (!SKIP.has('hits')) await benchHits(fake);
		if (!SKIP.has('replay')) await benchReplay(fake);
		if (!SKIP.has('cli')) await benchCli(fake);
		if (!SKIP.has('rss')) await benchRss(fake);
	} finally {
		await fake.close();
		killAll();
	}
	console.log('');
	printFigures(figures);
}

main().catch((error: unknown) => {
	console.error(error instanceof Error ? (error.stack ?? error.message) : error);
	killAll();
	process.exitCode = 1;
});
