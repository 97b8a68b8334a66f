/**
 * A small typed JSON-RPC client for tests: spawns the bundled `dist/sidecar.js` with this Node
 * binary and talks to it over stdio exactly as the extension does (vscode-jsonrpc, Content-Length
 * framing). Free of `node:test`, so bench scripts can use it too.
 *
 *     const sidecar = startSidecar({ env: { COSTLENS_DEMO_LATENCY_SCALE: '0' } });
 *     await sidecar.initialize({ dbFile });
 *     const result = await sidecar.request('pipeline/run', { runId: 'r1', request });
 *     sidecar.eventsFor('r1');           // the run's pipeline/event notifications
 *     await sidecar.kill('SIGKILL');     // or: await sidecar.close() for an orderly shutdown
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { CancellationTokenSource, createMessageConnection, StreamMessageReader, StreamMessageWriter, type CancellationToken, type MessageConnection } from 'vscode-jsonrpc/node';
import { repoRoot } from '../unit/helpers';
import type { PipelineEvent } from '../../src/core/pipeline/types';
import { SIDECAR_PROTOCOL_VERSION, type InitializeParams, type InitializeResult, type RunEventParams, type SidecarMethod, type SidecarNotifications, type SidecarRequests } from '../../src/protocol/sidecar';

export { CancellationTokenSource };

/** `dist/sidecar.js` of this checkout (`npm run build` writes it). */
export const sidecarPath = path.join(repoRoot, 'dist', 'sidecar.js');

export interface StartSidecarOptions {
	/** Defaults to `sidecarPath`. */
	readonly script?: string;
	/** Added to `process.env` (a value of `undefined` removes the variable). */
	readonly env?: Readonly<Record<string, string | undefined>>;
	readonly cwd?: string;
}

export interface SidecarExit {
	readonly code: number | null;
	readonly signal: NodeJS.Signals | null;
}

export type SidecarNotice = SidecarNotifications['sidecar/notice'];

export interface SidecarClient {
	readonly child: ChildProcess;
	readonly pid: number;
	readonly connection: MessageConnection;
	/** Every `pipeline/event` notification received, in arrival order. */
	readonly events: RunEventParams[];
	/** Every `sidecar/notice` notification received. */
	readonly notices: SidecarNotice[];
	/** Everything the sidecar wrote to stderr so far. */
	readonly stderr: string;
	/** Resolves once the process has exited (never rejects). */
	readonly exited: Promise<SidecarExit>;
	/** True once the process has exited. */
	readonly hasExited: boolean;
	/** A typed request. Rejects with the sidecar's `ResponseError` (its `code`, `message`, `data`). */
	request<M extends SidecarMethod>(method: M, params: SidecarRequests[M]['params'], token?: CancellationToken): Promise<SidecarRequests[M]['result']>;
	/** An untyped request, for sending deliberately malformed params. */
	requestRaw(method: string, params: unknown, token?: CancellationToken): Promise<unknown>;
	/** `initialize` with this build's protocol version and client name `test` unless given. */
	initialize(params: Omit<InitializeParams, 'protocolVersion' | 'clientName'> & Partial<Pick<InitializeParams, 'protocolVersion' | 'clientName'>>): Promise<InitializeResult>;
	/** The events of one run, in order. */
	eventsFor(runId: string): PipelineEvent[];
	/** Sends a signal (default SIGKILL) and waits for the exit. */
	kill(signal?: NodeJS.Signals): Promise<SidecarExit>;
	/** Orderly stop: `shutdown`, then stdin closed; kills after `timeoutMs` (default 5 s). */
	close(timeoutMs?: number): Promise<SidecarExit>;
}

/** Spawns the sidecar and connects to it. The connection is listening when this returns. */
export function startSidecar(options: StartSidecarOptions = {}): SidecarClient {
	const env: NodeJS.ProcessEnv = { ...process.env };
	for (const [name, value] of Object.entries(options.env ?? {})) {
		if (value === undefined) delete env[name];
		else env[name] = value;
	}
	const child = spawn(process.execPath, [options.script ?? sidecarPath], { cwd: options.cwd ?? process.cwd(), env, stdio: ['pipe', 'pipe', 'pipe'] });
	let stderr = '';
	child.stderr!.setEncoding('utf8');
	child.stderr!.on('data', (chunk: string) => (stderr += chunk));
	// Writing to a killed child fails with EPIPE; that is expected here, not a test crash.
	child.stdin!.on('error', () => undefined);
	child.stdout!.on('error', () => undefined);

	let exitedFlag = false;
	const exited = new Promise<SidecarExit>((resolve) => {
		child.once('exit', (code, signal) => {
			exitedFlag = true;
			resolve({ code, signal });
		});
		child.once('error', () => {
			exitedFlag = true;
			resolve({ code: null, signal: null });
		});
	});

	const reader = new StreamMessageReader(child.stdout!);
	// vscode-jsonrpc re-arms its 10 s partial-message timer forever, even after dispose, when the
	// stream ends mid-frame (a SIGKILLed sidecar): that timer would keep the test process alive.
	reader.partialMessageTimeout = 0;
	const connection = createMessageConnection(reader, new StreamMessageWriter(child.stdin!));
	const events: RunEventParams[] = [];
	const notices: SidecarNotice[] = [];
	connection.onNotification('pipeline/event', (params: RunEventParams) => void events.push(params));
	connection.onNotification('sidecar/notice', (params: SidecarNotice) => void notices.push(params));
	connection.onError(() => undefined);
	connection.listen();
	// Pending requests of a dead sidecar reject (connection disposed) instead of hanging the test.
	void exited.then(() => connection.dispose());

	const client: SidecarClient = {
		child,
		pid: child.pid ?? -1,
		connection,
		events,
		notices,
		get stderr() {
			return stderr;
		},
		exited,
		get hasExited() {
			return exitedFlag;
		},
		request(method, params, token) {
			return (token ? connection.sendRequest(method, params, token) : connection.sendRequest(method, params)) as Promise<never>;
		},
		requestRaw(method, params, token) {
			return token ? connection.sendRequest(method, params, token) : connection.sendRequest(method, params);
		},
		initialize(params) {
			return client.request('initialize', { protocolVersion: SIDECAR_PROTOCOL_VERSION, clientName: 'test', ...params });
		},
		eventsFor(runId) {
			return events.filter((e) => e.runId === runId).map((e) => e.event);
		},
		async kill(signal = 'SIGKILL') {
			if (!exitedFlag) child.kill(signal);
			return exited;
		},
		async close(timeoutMs = 5_000) {
			if (!exitedFlag) {
				try {
					await Promise.race([client.request('shutdown', {}), exited]);
				} catch {
					// A sidecar that cannot answer shutdown is still stopped below.
				}
				child.stdin!.end();
				const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
				await exited;
				clearTimeout(timer);
			}
			return exited;
		},
	};
	return client;
}
