import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import { isFromWorker, type FileResult, type FromWorker, type WorkerSettings } from '../protocol/analysisWorker';

/** A completed analysis of one buffer. */
export interface AnalyzeAnswer {
	readonly result: FileResult;
	readonly priceWarnings: readonly string[];
}

/** Per-file progress of a workspace scan. */
export interface ScanFileEvent {
	readonly fileName: string;
	readonly done: number;
	readonly total: number;
	readonly result: FileResult | undefined;
	readonly error: string | undefined;
}

type Pending =
	| { readonly kind: 'analyze'; resolve(answer: AnalyzeAnswer): void; reject(e: Error): void }
	| { readonly kind: 'scan'; onFile(event: ScanFileEvent): void; resolve(answer: { cancelled: boolean; priceWarnings: readonly string[] }): void; reject(e: Error): void };

/** Same budget as vscode-languageclient's default error handler: 5 crashes within 3 minutes and we stop restarting. */
const CRASH_LIMIT = 5;
const CRASH_WINDOW_MS = 3 * 60 * 1000;

/**
 * Owns the analysis worker thread: started on the first request (never at activation), restarted on
 * the next request after it dies, terminated on dispose. Each request gets exactly one settlement.
 */
export class AnalysisWorkerClient implements vscode.Disposable {
	private worker: Worker | undefined;
	private nextId = 1;
	private readonly pending = new Map<number, Pending>();
	private readonly crashTimes: number[] = [];
	private disposed = false;

	constructor(
		private readonly workerPath: string,
		private readonly log: vscode.LogOutputChannel,
	) {}

	/** Whether the worker thread currently exists (for tests and the status tooltip). */
	get running(): boolean {
		return this.worker !== undefined;
	}

	analyze(fileName: string, text: string, settings: WorkerSettings): Promise<AnalyzeAnswer> {
		return new Promise((resolve, reject) => {
			const requestId = this.nextId++;
			const worker = this.ensureWorker();
			this.pending.set(requestId, { kind: 'analyze', resolve, reject });
			worker.postMessage({ type: 'analyze', requestId, fileName, text, settings });
		});
	}

	/** Analyses `files` from disk, reporting each file as it finishes. Cancelling stops after the current file. */
	scan(files: readonly string[], settings: WorkerSettings, onFile: (event: ScanFileEvent) => void, token?: vscode.CancellationToken): Promise<{ cancelled: boolean; priceWarnings: readonly string[] }> {
		return new Promise((resolve, reject) => {
			const requestId = this.nextId++;
			const worker = this.ensureWorker();
			const subscription = token?.onCancellationRequested(() => this.worker?.postMessage({ type: 'cancel', requestId }));
			this.pending.set(requestId, {
				kind: 'scan',
				onFile,
				resolve: (answer) => (subscription?.dispose(), resolve(answer)),
				reject: (e) => (subscription?.dispose(), reject(e)),
			});
			worker.postMessage({ type: 'scan', requestId, files, settings });
		});
	}

	private ensureWorker(): Worker {
		if (this.disposed) throw new Error('CostLens analysis worker is disposed.');
		if (this.worker) return this.worker;
		const now = Date.now();
		while (this.crashTimes.length > 0 && now - this.crashTimes[0]! > CRASH_WINDOW_MS) this.crashTimes.shift();
		if (this.crashTimes.length >= CRASH_LIMIT) {
			throw new Error(`The CostLens analysis worker crashed ${CRASH_LIMIT} times in 3 minutes and will not be restarted. See Output → CostLens.`);
		}
		this.log.info(`Starting analysis worker ${this.workerPath}`);
		const worker = new Worker(this.workerPath, { stderr: false });
		worker.on('message', (raw: unknown) => this.onMessage(raw));
		worker.on('error', (e: Error) => {
			this.log.error(`Analysis worker error: ${e.stack ?? e.message}`);
		});
		worker.on('exit', (code) => {
			if (this.worker !== worker) return;
			this.worker = undefined;
			if (!this.disposed) {
				this.crashTimes.push(Date.now());
				this.log.warn(`Analysis worker exited with code ${code}; it restarts on the next request.`);
			}
			this.failAll(new Error(`CostLens analysis worker exited (code ${code}).`));
		});
		this.worker = worker;
		return worker;
	}

	private onMessage(raw: unknown): void {
		if (!isFromWorker(raw)) {
			this.log.warn('Dropped a malformed message from the analysis worker.');
			return;
		}
		this.route(raw);
	}

	private route(message: FromWorker): void {
		const pending = this.pending.get(message.requestId);
		if (!pending) return;
		switch (message.type) {
			case 'analyzed':
				this.pending.delete(message.requestId);
				if (pending.kind === 'analyze') pending.resolve({ result: message.result, priceWarnings: message.priceWarnings });
				else pending.reject(new Error('Unexpected `analyzed` answer to a scan.'));
				return;
			case 'failed':
				this.pending.delete(message.requestId);
				pending.reject(new Error(message.message));
				return;
			case 'scanFile':
				if (pending.kind === 'scan') pending.onFile(message);
				return;
			case 'scanDone':
				this.pending.delete(message.requestId);
				if (pending.kind === 'scan') pending.resolve({ cancelled: message.cancelled, priceWarnings: message.priceWarnings });
				else pending.reject(new Error('Unexpected `scanDone` answer to an analysis.'));
				return;
		}
	}

	private failAll(error: Error): void {
		const entries = [...this.pending.values()];
		this.pending.clear();
		for (const entry of entries) entry.reject(error);
	}

	dispose(): void {
		this.disposed = true;
		const worker = this.worker;
		this.worker = undefined;
		this.failAll(new Error('CostLens is shutting down.'));
		void worker?.terminate();
	}
}
