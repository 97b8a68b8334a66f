/**
 * The supervised sidecar: spawns `dist/sidecar.js` with a Node runtime on first use, speaks
 * JSON-RPC over its stdio, restarts it with backoff after a crash (coalesced), and gives up after
 * 5 crashes in 3 minutes (the vscode-languageclient budget). Only `vscode` TYPES are imported: the
 * editor's services arrive through {@link SidecarHost}, which keeps this testable in plain Node.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as vscode from 'vscode';
import { CancellationTokenSource, createMessageConnection, ResponseError, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { PipelineEvent, PipelineResult } from '../../core/pipeline/types';
import {
	SIDECAR_PROTOCOL_VERSION,
	SidecarErrorCodes,
	type InitializeParams,
	type InitializeResult,
	type PipelineErrorData,
	type RunEventParams,
	type RunParams,
	type SidecarMethod,
	type SidecarNotifications,
	type SidecarRequests,
	type SidecarState,
} from '../../protocol/sidecar';
import type { RuntimeChoice } from './nodeRuntime';
import type { SidecarService } from './types';
import { CrashBudget, Emitter, LineSplitter, redactSecrets, UNTRUSTED_MESSAGE } from './supervision';

/** What `initialize` needs besides the keys, read from settings at each start. */
export type SidecarSettings = Pick<InitializeParams, 'providers' | 'embedder' | 'limits' | 'ttl' | 'cacheLimits'> & {
	/** `costlens.sidecar.nodePath` (machine scope). */
	readonly nodePath: string | undefined;
};

/** The editor as the client needs it; `registerSidecar` builds it from `vscode`, tests from fakes. */
export interface SidecarHost {
	readonly sidecarScript: string;
	/** Folder of the SQLite file (`context.globalStorageUri`); created before the first start. */
	readonly storageDir: string;
	readonly log: Pick<vscode.LogOutputChannel, 'info' | 'warn' | 'error'>;
	isTrusted(): boolean;
	readSettings(): SidecarSettings;
	readSecrets(): Promise<NonNullable<InitializeParams['secrets']>>;
	/** Key values to scrub from log lines. */
	knownSecrets(): Iterable<string>;
	resolveRuntime(nodePath: string | undefined): RuntimeChoice;
	/** Each distinct `initialize`/`sidecar/notice` message is passed once per session. */
	notify(message: string, severity: 'info' | 'warning' | 'error'): void;
	/** The single "gave up" notification (with a Show Logs action). */
	notifyFailed(reason: string): void;
	/** `new vscode.CancellationError()`, so callers can tell cancellation from failure. */
	cancellationError(): Error;
	/** Extra environment for the child (tests shorten the demo provider's latency). */
	readonly env?: NodeJS.ProcessEnv;
	/** Overrides the crash budget (tests use short delays). */
	readonly budget?: CrashBudget;
	/** How long `initialize` may take before the process counts as hung (default 30 s). */
	readonly initializeTimeoutMs?: number;
	/** How long `dispose`/`restart` wait for a clean exit before killing (default 2 s). */
	readonly shutdownGraceMs?: number;
}

/** A failed request: `code` is the JSON-RPC error code, `data` a {@link PipelineErrorData} for pipeline failures. */
export class SidecarRequestError extends Error {
	constructor(
		message: string,
		readonly code: number,
		readonly data: PipelineErrorData | undefined,
	) {
		super(message);
		this.name = 'SidecarRequestError';
	}
}

/** One spawned process and its connection. */
interface Running {
	readonly child: ChildProcessWithoutNullStreams;
	readonly connection: MessageConnection;
	/** Rejecters of every request in flight on this process. */
	readonly inFlight: Set<(error: Error) => void>;
	/** Set before we end it on purpose, so its exit is not counted as a crash. */
	stopping: boolean;
	gone: boolean;
	readonly exited: Promise<void>;
	info?: InitializeResult;
}

type PublicMethod = Exclude<SidecarMethod, 'initialize' | 'pipeline/run' | 'shutdown'>;

export class SidecarClient implements SidecarService {
	private currentState: SidecarState;
	private readonly stateEmitter = new Emitter<SidecarState>();
	readonly onDidChangeState = this.stateEmitter.event as vscode.Event<SidecarState>;

	private readonly budget: CrashBudget;
	private process: Running | undefined;
	/** The one start in progress (also covers the backoff wait after a crash): restarts are coalesced on it. */
	private starting: Promise<InitializeResult> | undefined;
	private restartTimer: NodeJS.Timeout | undefined;
	private userRestart: Promise<void> | undefined;
	private readonly eventRoutes = new Map<string, (event: PipelineEvent) => void>();
	private readonly shownNotices = new Set<string>();
	private disposed = false;

	constructor(private readonly host: SidecarHost) {
		this.budget = host.budget ?? new CrashBudget();
		this.currentState = host.isTrusted() ? { kind: 'idle' } : { kind: 'untrusted' };
	}

	get state(): SidecarState {
		return this.currentState;
	}

	/** Workspace Trust was granted: leave `untrusted` (the sidecar still starts only on first use). */
	trustGranted(): void {
		if (this.currentState.kind === 'untrusted') this.setState({ kind: 'idle' });
	}

	ensureStarted(): Promise<InitializeResult> {
		if (this.disposed) return Promise.reject(new Error('CostLens is shutting down.'));
		// Checked in code on every entry point, not only by hiding menus: commands can be invoked anyway.
		if (!this.host.isTrusted()) {
			if (this.currentState.kind !== 'untrusted') this.setState({ kind: 'untrusted' });
			return Promise.reject(new Error(UNTRUSTED_MESSAGE));
		}
		if (this.process?.info && !this.process.gone) return Promise.resolve(this.process.info);
		if (this.starting) return this.starting;
		if (this.currentState.kind === 'failed') return Promise.reject(new Error(this.currentState.reason));
		return this.startNow();
	}

	async run(params: RunParams, onEvent: (event: PipelineEvent) => void, token?: vscode.CancellationToken): Promise<PipelineResult> {
		if (token?.isCancellationRequested) throw this.host.cancellationError();
		await this.ensureStarted();
		if (this.eventRoutes.has(params.runId)) throw new Error(`A run with id ${params.runId} is already in progress.`);
		if (token?.isCancellationRequested) throw this.host.cancellationError();
		this.eventRoutes.set(params.runId, onEvent);
		const source = new CancellationTokenSource();
		const subscription = token?.onCancellationRequested(() => source.cancel());
		try {
			return await this.send('pipeline/run', params, source);
		} catch (e: unknown) {
			if (token?.isCancellationRequested) throw this.host.cancellationError();
			throw e;
		} finally {
			this.eventRoutes.delete(params.runId);
			subscription?.dispose();
			source.dispose();
		}
	}

	async request<M extends PublicMethod>(method: M, params: SidecarRequests[M]['params']): Promise<SidecarRequests[M]['result']> {
		await this.ensureStarted();
		return this.send(method, params);
	}

	restart(): Promise<void> {
		if (this.disposed) return Promise.reject(new Error('CostLens is shutting down.'));
		if (!this.host.isTrusted()) return Promise.reject(new Error(UNTRUSTED_MESSAGE));
		// Coalesced: a restart asked for while one runs joins it.
		this.userRestart ??= (async () => {
			try {
				this.budget.reset();
				this.cancelRestartTimer();
				const previous = this.process;
				this.process = undefined;
				this.starting = undefined;
				if (previous) await this.stop(previous, 'The CostLens sidecar was restarted while this request was running.');
				this.setState({ kind: 'idle' });
				await this.startNow();
			} finally {
				this.userRestart = undefined;
			}
		})();
		return this.userRestart;
	}

	dispose(): void {
		if (this.disposed) return;
		this.disposed = true;
		this.cancelRestartTimer();
		const previous = this.process;
		this.process = undefined;
		this.starting = undefined;
		if (previous) void this.stop(previous, 'CostLens is shutting down.');
		this.stateEmitter.dispose();
	}

	// ---- internals ----

	private setState(state: SidecarState): void {
		this.currentState = state;
		this.stateEmitter.fire(state);
	}

	private startNow(): Promise<InitializeResult> {
		const starting = this.start();
		this.starting = starting;
		// The caller gets the rejection; this only keeps an unobserved one from being reported as unhandled.
		starting.then(
			() => {
				if (this.starting === starting) this.starting = undefined;
			},
			() => {
				if (this.starting === starting) this.starting = undefined;
			},
		);
		return starting;
	}

	private async start(): Promise<InitializeResult> {
		this.setState({ kind: 'starting' });
		const settings = this.host.readSettings();
		const runtime = this.host.resolveRuntime(settings.nodePath);
		if (!runtime.ok) throw this.fail(runtime.reason, false);
		try {
			await fs.promises.mkdir(this.host.storageDir, { recursive: true });
		} catch (e: unknown) {
			throw this.fail(`CostLens could not create its storage folder ${this.host.storageDir}: ${errorText(e)}`, false);
		}
		const secrets = await this.host.readSecrets();
		if (this.disposed) throw new Error('CostLens is shutting down.');
		this.host.log.info(`Starting the sidecar: ${runtime.command} ${this.host.sidecarScript} (Node.js from ${runtime.source})`);
		const running = this.spawn(runtime.command);
		this.process = running;
		const { nodePath: _nodePath, ...options } = settings;
		const params: InitializeParams = {
			protocolVersion: SIDECAR_PROTOCOL_VERSION,
			clientName: 'costlens-vscode',
			dbFile: path.join(this.host.storageDir, 'costlens.db'),
			secrets,
			...options,
		};
		let info: InitializeResult;
		try {
			info = await this.withTimeout(this.sendOn(running, 'initialize', params), this.host.initializeTimeoutMs ?? 30_000, running);
		} catch (e: unknown) {
			if (running.gone || running.stopping) throw e instanceof Error ? e : new Error(String(e));
			// It answered with an error (e.g. a protocol version mismatch): restarting would not help.
			void this.stop(running, 'The CostLens sidecar failed to initialize.');
			if (this.process === running) this.process = undefined;
			throw this.fail(`The CostLens sidecar failed to initialize: ${errorText(e)}`, true);
		}
		running.info = info;
		if (this.process === running) this.setState({ kind: 'ready', info });
		this.host.log.info(`Sidecar ${info.sidecarVersion} ready: providers ${info.providers.join(', ')}; cache ${info.cache} (${info.dbFile}); embedder ${info.embedder}.`);
		for (const notice of info.notices) this.noticeOnce(notice, 'warning');
		return info;
	}

	private spawn(command: string): Running {
		const child = spawn(command, [this.host.sidecarScript], {
			cwd: this.host.storageDir,
			// Keys go over stdio in `initialize`, never in argv or env.
			env: { ...process.env, ...this.host.env },
			stdio: ['pipe', 'pipe', 'pipe'],
			windowsHide: true,
		});
		const reader = new StreamMessageReader(child.stdout);
		// vscode-jsonrpc re-arms its partial-message timer forever when a crashed sidecar leaves half a
		// message behind, and dispose() does not clear it: one live timer per crash otherwise.
		reader.partialMessageTimeout = 0;
		const connection = createMessageConnection(reader, new StreamMessageWriter(child.stdin));
		let markExited: () => void = () => undefined;
		const running: Running = { child, connection, inFlight: new Set(), stopping: false, gone: false, exited: new Promise<void>((r) => (markExited = r)) };

		const stderr = new LineSplitter();
		const forward = (line: string): void => this.host.log.info(redactSecrets(line, this.host.knownSecrets()));
		child.stderr.setEncoding('utf8');
		child.stderr.on('data', (chunk: string) => stderr.push(chunk).forEach(forward));
		// Writing to a pipe whose reader died raises EPIPE here; without a listener it would crash the extension host.
		child.stdin.on('error', (e) => this.host.log.warn(`Sidecar stdin: ${e.message}`));
		child.stdout.on('error', (e) => this.host.log.warn(`Sidecar stdout: ${e.message}`));

		connection.onNotification('pipeline/event', (params: RunEventParams) => {
			const route = typeof params?.runId === 'string' ? this.eventRoutes.get(params.runId) : undefined;
			if (!route) return;
			try {
				route(params.event);
			} catch (e: unknown) {
				this.host.log.error(`A pipeline event listener threw: ${errorText(e)}`);
			}
		});
		connection.onNotification('sidecar/notice', (params: SidecarNotifications['sidecar/notice']) => {
			if (typeof params?.message !== 'string') return;
			const severity = params.severity === 'info' || params.severity === 'error' ? params.severity : 'warning';
			this.noticeOnce(redactSecrets(params.message, this.host.knownSecrets()), severity);
		});
		connection.onError(([error]) => this.host.log.warn(`Sidecar connection: ${error.message}`));

		const gone = (description: string): void => {
			if (running.gone) return;
			running.gone = true;
			stderr.flush().forEach(forward);
			connection.dispose();
			markExited();
			this.onGone(running, description);
		};
		child.on('error', (e) => {
			this.host.log.error(`Sidecar process error: ${e.message}`);
			gone(e.message);
		});
		child.on('exit', (code, signal) => gone(signal ? `killed by ${signal}` : `exit code ${code}`));
		connection.listen();
		return running;
	}

	/** The process ended: settle its requests, then restart with backoff unless we ended it. */
	private onGone(running: Running, description: string): void {
		const expected = running.stopping || this.disposed;
		const message = expected ? 'The CostLens sidecar stopped while this request was running.' : `The CostLens sidecar stopped unexpectedly (${description}) while this request was running; it is restarting. Try again.`;
		for (const reject of [...running.inFlight]) reject(new Error(message));
		running.inFlight.clear();
		if (expected || this.process !== running) return;
		this.process = undefined;
		this.host.log.warn(`The sidecar stopped unexpectedly (${description}).`);
		const decision = this.budget.recordCrash(Date.now());
		if (decision.giveUp) {
			this.starting = undefined;
			this.fail(`The CostLens sidecar crashed ${decision.crashes} times in 3 minutes and will not be restarted (last: ${description}). See Output → CostLens, then run "CostLens: Restart Sidecar".`, true);
			return;
		}
		this.setState({ kind: 'restarting', crashes: decision.crashes, delayMs: decision.delayMs, reason: description });
		this.cancelRestartTimer();
		// One pending start covers the wait and the start; anyone calling ensureStarted meanwhile joins it.
		const restarted = new Promise<void>((resolve) => {
			this.restartTimer = setTimeout(() => {
				this.restartTimer = undefined;
				resolve();
			}, decision.delayMs);
		}).then(() => {
			if (this.disposed) throw new Error('CostLens is shutting down.');
			return this.start();
		});
		this.starting = restarted;
		restarted.then(
			() => {
				if (this.starting === restarted) this.starting = undefined;
			},
			(e: unknown) => {
				if (this.starting === restarted) this.starting = undefined;
				this.host.log.warn(`Restarting the sidecar failed: ${errorText(e)}`);
			},
		);
	}

	/** Enters `failed`, notifies once when asked, and returns the error to throw. */
	private fail(reason: string, notify: boolean): Error {
		this.host.log.error(reason);
		this.setState({ kind: 'failed', reason });
		if (notify) this.host.notifyFailed(reason);
		else this.host.notify(reason, 'error');
		return new Error(reason);
	}

	private noticeOnce(message: string, severity: 'info' | 'warning' | 'error'): void {
		if (this.shownNotices.has(message)) return;
		this.shownNotices.add(message);
		this.host.log.warn(`Sidecar notice: ${message}`);
		this.host.notify(message, severity);
	}

	private cancelRestartTimer(): void {
		if (this.restartTimer) clearTimeout(this.restartTimer);
		this.restartTimer = undefined;
	}

	private send<M extends SidecarMethod>(method: M, params: SidecarRequests[M]['params'], source?: CancellationTokenSource): Promise<SidecarRequests[M]['result']> {
		const running = this.process;
		if (!running || running.gone) return Promise.reject(new Error('The CostLens sidecar is not running; try again.'));
		return this.sendOn(running, method, params, source);
	}

	/** A request that settles exactly once: with the answer, a mapped error, or the process's death. */
	private sendOn<M extends SidecarMethod>(running: Running, method: M, params: SidecarRequests[M]['params'], source?: CancellationTokenSource): Promise<SidecarRequests[M]['result']> {
		return new Promise((resolve, reject) => {
			let settled = false;
			const rejecter = (error: Error): void => {
				if (settled) return;
				settled = true;
				running.inFlight.delete(rejecter);
				reject(error);
			};
			running.inFlight.add(rejecter);
			const sent = source ? running.connection.sendRequest(method, params, source.token) : running.connection.sendRequest(method, params);
			(sent as Promise<SidecarRequests[M]['result']>).then(
				(value) => {
					if (settled) return;
					settled = true;
					running.inFlight.delete(rejecter);
					resolve(value);
				},
				(e: unknown) => rejecter(toClientError(e)),
			);
		});
	}

	private withTimeout<T>(promise: Promise<T>, ms: number, running: Running): Promise<T> {
		return new Promise<T>((resolve, reject) => {
			const timer = setTimeout(() => {
				this.host.log.error(`The sidecar did not answer initialize within ${ms} ms; killing it.`);
				running.child.kill('SIGKILL');
				reject(new Error(`The CostLens sidecar did not start within ${Math.round(ms / 1000)} s.`));
			}, ms);
			promise.then(
				(v) => (clearTimeout(timer), resolve(v)),
				(e: unknown) => (clearTimeout(timer), reject(e)),
			);
		});
	}

	/** shutdown → close stdin → kill after a grace period (rust-analyzer's stop(…) pattern). */
	private async stop(running: Running, reason: string): Promise<void> {
		running.stopping = true;
		for (const reject of [...running.inFlight]) reject(new Error(reason));
		running.inFlight.clear();
		if (running.gone) return;
		const grace = this.host.shutdownGraceMs ?? 2000;
		const timer = setTimeout(() => {
			if (!running.gone) {
				this.host.log.warn('The sidecar did not exit after shutdown; killing it.');
				running.child.kill('SIGKILL');
			}
		}, grace);
		try {
			await Promise.race([running.connection.sendRequest('shutdown', {}).catch(() => undefined), running.exited, new Promise((r) => setTimeout(r, grace / 2))]);
		} catch {
			// Already gone or not answering: closing stdin and the kill timer handle it.
		}
		running.child.stdin.end();
		await running.exited;
		clearTimeout(timer);
	}
}

function toClientError(e: unknown): Error {
	if (e instanceof ResponseError) {
		const data = e.code === SidecarErrorCodes.PipelineFailed ? (e.data as PipelineErrorData | undefined) : undefined;
		return new SidecarRequestError(e.message, e.code, data);
	}
	return e instanceof Error ? e : new Error(String(e));
}

function errorText(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}
