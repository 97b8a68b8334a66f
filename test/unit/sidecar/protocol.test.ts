// The sidecar as the extension sees it: dist/sidecar.js spawned with stdio pipes, spoken to with
// vscode-jsonrpc, and fed raw malformed frames. The demo provider keeps it offline.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CancellationTokenSource, createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { PipelineRequest, PipelineResult } from '../../../src/core/pipeline';
import { SIDECAR_PROTOCOL_VERSION, SidecarErrorCodes, type InitializeResult, type RunEventParams, type SidecarMethod, type SidecarRequests } from '../../../src/protocol/sidecar';
import { FrameDecoder, MAX_FRAME_BYTES } from '../../../src/sidecar/frameReader';
import { repoRoot } from '../helpers';

const sidecarJs = path.join(repoRoot, 'dist', 'sidecar.js');

interface Sidecar {
	readonly child: ChildProcessWithoutNullStreams;
	readonly connection: MessageConnection;
	readonly events: RunEventParams[];
	stderr(): string;
	request<M extends SidecarMethod>(method: M, params: SidecarRequests[M]['params'], token?: CancellationTokenSource): Promise<SidecarRequests[M]['result']>;
	exited: Promise<number | null>;
}

function startSidecar(env: NodeJS.ProcessEnv = {}): Sidecar {
	assert.ok(fs.existsSync(sidecarJs), `${sidecarJs} is missing: run npm run build`);
	const child = spawn(process.execPath, [sidecarJs], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, COSTLENS_DEMO_LATENCY_SCALE: '0', ...env } });
	let stderr = '';
	child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
	const reader = new StreamMessageReader(child.stdout);
	// vscode-jsonrpc re-arms this timer forever when a killed child leaves half a message behind.
	reader.partialMessageTimeout = 0;
	const connection = createMessageConnection(reader, new StreamMessageWriter(child.stdin));
	const events: RunEventParams[] = [];
	connection.onNotification('pipeline/event', (params: RunEventParams) => {
		events.push(params);
	});
	connection.listen();
	const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
	return {
		child,
		connection,
		events,
		stderr: () => stderr,
		request: (method, params, token) => (token ? connection.sendRequest(method, params, token.token) : connection.sendRequest(method, params)) as never,
		exited,
	};
}

let dir: string;
const running: Sidecar[] = [];

before(() => {
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-protocol-'));
});

after(() => {
	for (const s of running) s.child.kill('SIGKILL');
	fs.rmSync(dir, { recursive: true, force: true });
});

async function initialized(name: string): Promise<{ sidecar: Sidecar; init: InitializeResult }> {
	const sidecar = startSidecar();
	running.push(sidecar);
	const init = await sidecar.request('initialize', { protocolVersion: SIDECAR_PROTOCOL_VERSION, clientName: 'test', dbFile: path.join(dir, `${name}.db`) });
	return { sidecar, init };
}

const demoRequest = (user: string, stream = true): PipelineRequest => ({
	tenant: 'acme',
	provider: 'demo',
	body: { model: 'claude-sonnet-4-6', max_tokens: 200, stream, messages: [{ role: 'user', content: user }] },
});

void describe('sidecar over JSON-RPC', () => {
	void it('initializes, runs a streamed request with progress notifications, then serves the repeat from the exact cache', async () => {
		const { sidecar, init } = await initialized('run');
		assert.equal(init.protocolVersion, SIDECAR_PROTOCOL_VERSION);
		assert.equal(init.cache, 'ready');
		assert.ok(init.providers.includes('demo'));
		assert.match(init.embedder, /^costlens-lexical/);
		const first: PipelineResult = await sidecar.request('pipeline/run', { runId: 'r1', request: demoRequest('What does CostLens do?') });
		assert.equal(first.outcome, 'miss');
		assert.equal(first.completion.provider, 'demo');
		const deltas = sidecar.events.filter((e) => e.runId === 'r1' && e.event.type === 'delta').map((e) => (e.event as { text: string }).text);
		assert.ok(deltas.length > 1, 'the answer streamed as several notifications');
		assert.equal(deltas.join(''), first.completion.text);
		assert.ok(sidecar.events.some((e) => e.runId === 'r1' && e.event.type === 'stage' && e.event.stage === 'exact-cache' && e.event.status === 'miss'));
		const second = await sidecar.request('pipeline/run', { runId: 'r2', request: demoRequest('What does CostLens do?') });
		assert.equal(second.outcome, 'exact');
		assert.equal(second.costUsd, 0);
		const usage = await sidecar.request('usage/query', {});
		assert.deepEqual(usage.rows.map((r) => r.cacheHit), ['miss', 'exact']);
		assert.deepEqual(usage.byOutcome.map((g) => [g.key, g.requests]).sort(), [['exact', 1], ['miss', 1]]);
		const stats = await sidecar.request('cache/stats', {});
		assert.equal(stats.exactEntries, 1);
		assert.equal(stats.usageRows, 2);
		const cleared = await sidecar.request('cache/clear', { layer: 'exact' });
		assert.equal(cleared.exact, 1);
		const third = await sidecar.request('pipeline/run', { runId: 'r3', request: demoRequest('What does CostLens do?') });
		assert.equal(third.outcome, 'miss', 'cleared entries are gone');
	});

	void it('rejects requests before initialize, bad params and a wrong protocol version, and keeps serving', async () => {
		const sidecar = startSidecar();
		running.push(sidecar);
		await assert.rejects(sidecar.request('cache/stats', {}), (e: unknown) => e instanceof ResponseError && e.code === SidecarErrorCodes.NotInitialized);
		await assert.rejects(sidecar.request('initialize', { protocolVersion: 99, clientName: 't', dbFile: path.join(dir, 'v.db') }), /protocol version 99/);
		await sidecar.request('initialize', { protocolVersion: SIDECAR_PROTOCOL_VERSION, clientName: 't', dbFile: path.join(dir, 'params.db') });
		const bad = { runId: 'x', request: { ...demoRequest('hi'), provider: 'acme-llm' } } as unknown as SidecarRequests['pipeline/run']['params'];
		await assert.rejects(sidecar.request('pipeline/run', bad), (e: unknown) => e instanceof ResponseError && e.code === -32602 && /provider must be one of/.test(e.message));
		const noMessages = { runId: 'y', request: { tenant: 'acme', provider: 'demo', body: { model: 'm', max_tokens: 5 } } } as unknown as SidecarRequests['pipeline/run']['params'];
		await assert.rejects(sidecar.request('pipeline/run', noMessages), (e: unknown) => e instanceof ResponseError && e.code === SidecarErrorCodes.PipelineFailed && /messages/.test(e.message));
		const ok = await sidecar.request('pipeline/run', { runId: 'z', request: demoRequest('still serving', false) });
		assert.equal(ok.outcome, 'miss');
	});

	void it('cancels a running request when the client cancels it', async () => {
		const sidecar = startSidecar({ COSTLENS_DEMO_LATENCY_SCALE: '1' });
		running.push(sidecar);
		await sidecar.request('initialize', { protocolVersion: SIDECAR_PROTOCOL_VERSION, clientName: 't', dbFile: path.join(dir, 'cancel.db') });
		const source = new CancellationTokenSource();
		const pending = sidecar.request('pipeline/run', { runId: 'slow', request: demoRequest('a slow streamed answer') }, source);
		// Cancel once the answer has started streaming.
		for (let i = 0; i < 200 && !sidecar.events.some((e) => e.runId === 'slow' && e.event.type === 'delta'); i++) await new Promise((r) => setTimeout(r, 10));
		source.cancel();
		await assert.rejects(pending, (e: unknown) => e instanceof ResponseError && e.code === SidecarErrorCodes.RequestCancelled);
		const stats = await sidecar.request('cache/stats', {});
		assert.equal(stats.exactEntries, 0, 'a cancelled answer is not cached');
	});

	void it('answers malformed frames with JSON-RPC errors and keeps serving', async () => {
		const child = spawn(process.execPath, [sidecarJs], { stdio: ['pipe', 'pipe', 'pipe'] });
		let out = '';
		child.stdout.on('data', (d: Buffer) => (out += d.toString()));
		const frame = (body: string): string => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
		child.stdin.write(frame('{not json'));
		child.stdin.write(frame('[1,2]'));
		child.stdin.write(frame('{"jsonrpc":"2.0","id":8}'));
		child.stdin.write('Bogus-Header\r\n\r\n');
		child.stdin.write(Buffer.concat([Buffer.from('Content-Length: 4\r\n\r\n'), Buffer.from([0xff, 0xfe, 0x7b, 0x7d])]));
		child.stdin.write(frame('{"jsonrpc":"2.0","id":11,"method":"cache/stats","params":{}}'));
		const deadline = Date.now() + 10_000;
		while (!out.includes('"id":11') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
		child.stdin.end();
		await new Promise((r) => child.on('exit', r));
		const responses = out
			.split(/Content-Length: \d+\r\n\r\n/)
			.filter(Boolean)
			.map((b) => JSON.parse(b) as { id: unknown; error?: { code: number; message: string } });
		assert.deepEqual(
			responses.map((r) => [r.id, r.error?.code]),
			[
				[null, -32700],
				[null, -32600],
				[8, -32600],
				[null, -32700],
				[null, -32700],
				[11, SidecarErrorCodes.NotInitialized],
			],
		);
		assert.match(responses[4]!.error!.message, /UTF-8/);
	});

	void it('exits when stdin closes', async () => {
		const { sidecar } = await initialized('exit');
		sidecar.child.stdin.end();
		assert.equal(await sidecar.exited, 0);
	});
});

void describe('frame decoder', () => {
	const frame = (body: string): Buffer => Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
	const msg = '{"jsonrpc":"2.0","id":1,"method":"m","params":{}}';

	void it('reassembles a frame split across chunks, byte by byte', () => {
		const decoder = new FrameDecoder();
		const bytes = Buffer.concat([frame(msg), frame(msg.replace('"id":1', '"id":2'))]);
		const out = [];
		for (const byte of bytes) out.push(...decoder.push(Buffer.from([byte])));
		assert.deepEqual(out.map((f) => (f.kind === 'message' ? (f.message as unknown as { id: number }).id : f.kind)), [1, 2]);
	});

	void it('skips an oversized frame without buffering it and reads the next one', () => {
		const decoder = new FrameDecoder();
		const header = Buffer.from(`Content-Length: ${MAX_FRAME_BYTES + 1}\r\n\r\n`);
		const first = decoder.push(header);
		assert.equal(first.length, 1);
		assert.equal(first[0]!.kind, 'error');
		let out = decoder.push(Buffer.alloc(MAX_FRAME_BYTES, 0x20));
		assert.deepEqual(out, []);
		out = decoder.push(Buffer.concat([Buffer.from(' '), frame(msg)]));
		assert.deepEqual(out.map((f) => f.kind), ['message']);
	});

	void it('refuses JSON nested deeper than the limit without overflowing the stack', () => {
		const decoder = new FrameDecoder();
		const deep = '['.repeat(100_000) + ']'.repeat(100_000);
		const out = decoder.push(frame(deep));
		assert.equal(out.length, 1);
		assert.equal(out[0]!.kind, 'error');
		assert.match((out[0] as { message: string }).message, /nested deeper/);
	});

	void it('rejects a header without Content-Length and recovers at the next frame', () => {
		const decoder = new FrameDecoder();
		const out = decoder.push(Buffer.concat([Buffer.from('Content-Type: application/json\r\n\r\n'), frame(msg)]));
		assert.deepEqual(out.map((f) => (f.kind === 'error' ? f.code : 'message')), [-32700, 'message']);
	});
});
