import { createRequire } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import type * as vscode from 'vscode';
import type { CostOverview, ScanSummary } from './costOverview';
import type { CostStatusBar } from './statusBar';
import type { DocumentAnalyzer } from './documentAnalyzer';
import type { AnalysisWorkerClient } from './workerClient';
import type { PlaygroundView } from './playground/playgroundView';
import { ApiKeyStore, type StoreOutcome } from './sidecar/secrets';
import type { KeyProvider } from './sidecar/supervision';
import type { SidecarService } from './sidecar/types';

/** Hooks for the integration suite and the benchmarks; only returned when COSTLENS_TESTING=true. */
export interface TestingApi {
	/** Resolves once the document at `uri` has a result for its current version. */
	whenAnalyzed(uri: vscode.Uri): Promise<void>;
	/** Duration of CostLens's synchronous activate() and time to the first completed analysis. */
	activation(): ActivationReport;
	/** Resolves when the first analysis completed. */
	whenFirstAnalysisDone(): Promise<void>;
	/** The Cost Overview's files in display order. */
	overview(): ReadonlyArray<{ fileName: string; monthlyCostUsd: number; pricedCount: number; unpricedCount: number; note: string | undefined }>;
	/** Runs a workspace scan without UI and resolves with its summary. */
	scan(): Promise<ScanSummary>;
	/** The status bar's current text (undefined when hidden). */
	statusBarText(): string | undefined;
	/** Whether the analysis worker thread is running. */
	workerRunning(): boolean;
	/**
	 * Bench only: synchronously loads TypeScript and gpt-tokenizer's o200k encoding on the main thread
	 * (what the extension would pay without the worker) and returns the elapsed ms.
	 */
	measureNaiveLoadStallMs(): number;
	/** The supervised sidecar client (playground suite). */
	sidecar(): SidecarService | undefined;
	/** Stores a key through the same ApiKeyStore.set as "CostLens: Set API Key", then restarts a running sidecar. */
	setApiKey(provider: KeyProvider, value: string): Promise<StoreOutcome>;
	/** True once the Playground view was resolved and its webview script said `ready`. */
	playgroundReady(): boolean;
	/** Where this extension writes: globalStorage (the SQLite database) and its log folder. */
	storagePaths(): { globalStorage: string; logs: string };
}

/** How long CostLens's own activate() ran synchronously, and when the first analysis completed. */
export interface ActivationReport {
	readonly activateMs: number;
	/** From activation start to the first completed analysis; undefined until then. */
	readonly firstAnalysisMs: number | undefined;
}

/**
 * Times activation and the first analysis. Whole-host event-loop delay is measured by the stall test
 * itself (with a CPU profile that attributes it), not here: in here it would include other extensions.
 */
export class ActivationTimer {
	private readonly startedAt = performance.now();
	private activateMs = 0;
	private firstAnalysisMs: number | undefined;
	private resolveDone!: () => void;
	readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

	/** Called at the end of activate(). */
	activated(): void {
		this.activateMs = performance.now() - this.startedAt;
	}

	firstAnalysisCompleted(): void {
		if (this.firstAnalysisMs !== undefined) return;
		this.firstAnalysisMs = performance.now() - this.startedAt;
		this.resolveDone();
	}

	report(): ActivationReport {
		return { activateMs: this.activateMs, firstAnalysisMs: this.firstAnalysisMs };
	}
}

/** See {@link TestingApi.measureNaiveLoadStallMs}. Clears the modules from require's cache first so the load is real. */
export function measureNaiveLoadStallMs(extensionPath: string): number {
	const load = createRequire(path.join(extensionPath, 'package.json'));
	const modules = ['typescript', 'gpt-tokenizer/encoding/o200k_base'];
	const roots = [path.join(extensionPath, 'node_modules', 'typescript') + path.sep, path.join(extensionPath, 'node_modules', 'gpt-tokenizer') + path.sep];
	for (const key of Object.keys(load.cache)) if (roots.some((r) => key.startsWith(r))) delete load.cache[key];
	const started = performance.now();
	const ts = load(modules[0]!) as { createSourceFile?: unknown };
	const tokenizer = load(modules[1]!) as { encode?: (text: string) => number[] };
	// Touch both so lazy initialisation (the BPE ranks) is included, as a first real analysis would.
	if (typeof ts.createSourceFile !== 'function' || typeof tokenizer.encode !== 'function') throw new Error('naive load: unexpected module shape');
	tokenizer.encode('warm up the encoder');
	return performance.now() - started;
}

export function createTestingApi(parts: {
	extensionPath: string;
	analyzer: DocumentAnalyzer;
	overview: CostOverview;
	statusBar: CostStatusBar;
	worker: AnalysisWorkerClient;
	activation: ActivationTimer;
	context?: vscode.ExtensionContext;
	sidecar?: SidecarService;
	playground?: PlaygroundView;
	log?: vscode.LogOutputChannel;
}): TestingApi {
	const keys = parts.context && parts.log ? new ApiKeyStore(parts.context.secrets, parts.log) : undefined;
	return {
		whenAnalyzed: (uri) => parts.analyzer.whenAnalyzed(uri),
		activation: () => parts.activation.report(),
		whenFirstAnalysisDone: () => parts.activation.done,
		overview: () =>
			parts.overview.files().map((f) => ({ fileName: f.fileName, monthlyCostUsd: f.monthlyCostUsd, pricedCount: f.pricedCount, unpricedCount: f.unpricedCount, note: f.note })),
		scan: () => parts.overview.scan(false),
		statusBarText: () => parts.statusBar.text,
		workerRunning: () => parts.worker.running,
		measureNaiveLoadStallMs: () => measureNaiveLoadStallMs(parts.extensionPath),
		sidecar: () => parts.sidecar,
		setApiKey: async (provider, value) => {
			if (!keys) throw new Error('testing API: no extension context');
			const outcome = await keys.set(provider, value);
			const kind = parts.sidecar?.state.kind;
			if (kind === 'ready' || kind === 'starting' || kind === 'restarting' || kind === 'failed') await parts.sidecar?.restart();
			return outcome;
		},
		// The view keeps these private; a test-only peek is better than widening its API for tests.
		playgroundReady: () => {
			const view = parts.playground as unknown as { view?: unknown; ready?: boolean } | undefined;
			return view?.view !== undefined && view.ready === true;
		},
		storagePaths: () => ({ globalStorage: parts.context?.globalStorageUri.fsPath ?? '', logs: parts.context?.logUri.fsPath ?? '' }),
	};
}
