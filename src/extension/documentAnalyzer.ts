import * as vscode from 'vscode';
import type { CallSite } from '../core/analysis/types';
import type { Assumptions, CostEstimate } from '../core/pricing/estimateTypes';
import type { Finding } from '../core/rules/types';
import { toAssumptions, toWorkerSettings, type Config } from './config';
import type { AnalysisWorkerClient } from './workerClient';

/** Languages CostLens analyses (`.mjs`/`.cjs` open as `javascript`; `.py`/`.pyi` as `python`). */
export const SUPPORTED_LANGUAGES = ['typescript', 'typescriptreact', 'javascript', 'javascriptreact', 'python'] as const;

/**
 * The name the worker analyses a document under. The core picks its parser by extension, so an
 * unsaved buffer (`untitled:Untitled-1`, no extension) gets one that matches its language: a Python
 * buffer must not go to the TypeScript parser.
 */
export function analysisFileName(doc: Pick<vscode.TextDocument, 'uri' | 'languageId'>): string {
	if (doc.uri.scheme === 'file') return doc.uri.fsPath;
	const name = doc.uri.toString();
	return doc.languageId === 'python' && !/\.pyi?$/i.test(name) ? `${name}.py` : name;
}

/** Document selector for providers: files on disk and unsaved buffers. */
export const SUPPORTED_DOCUMENTS: vscode.DocumentSelector = SUPPORTED_LANGUAGES.flatMap((language) => [
	{ language, scheme: 'file' },
	{ language, scheme: 'untitled' },
]);

/** Edits arriving closer together than this are analysed once. */
const DEBOUNCE_MS = 250;

/** One document version's analysis, with one estimate per call site. */
export interface DocumentResult {
	readonly uri: vscode.Uri;
	readonly version: number;
	readonly callSites: readonly CallSite[];
	readonly estimates: readonly CostEstimate[];
	/** The rules' findings; offsets refer to this `version`'s text. */
	readonly findings: readonly Finding[];
	/** Why the core skipped this file (size, minified); shown in the status bar, no lenses. */
	readonly skipped: string | undefined;
	readonly assumptions: Assumptions;
}

export function isSupported(doc: vscode.TextDocument): boolean {
	return (doc.uri.scheme === 'file' || doc.uri.scheme === 'untitled') && (SUPPORTED_LANGUAGES as readonly string[]).includes(doc.languageId);
}

/**
 * Caches worker results per (uri, version), debounces edits, and fires `onDidChange` when a document's
 * result changes. The single source of truth for CodeLens, hover, status bar and breakdown.
 */
export class DocumentAnalyzer implements vscode.Disposable {
	private readonly results = new Map<string, DocumentResult>();
	private readonly inFlight = new Map<string, { version: number; generation: number; promise: Promise<DocumentResult | undefined> }>();
	private readonly lastEdit = new Map<string, number>();
	/** Bumped on settings changes so cached results computed with old settings are not reused. */
	private generation = 0;
	private readonly resultGeneration = new Map<string, number>();
	private readonly emitter = new vscode.EventEmitter<vscode.Uri>();
	private readonly disposables: vscode.Disposable[] = [];
	private readonly analyzedListeners: Array<() => void> = [];
	private shownWarnings = new Set<string>();

	/** Fires with the document's URI whenever its result changes (or all documents after a settings change). */
	readonly onDidChange = this.emitter.event;

	constructor(
		private readonly config: Config,
		private readonly worker: AnalysisWorkerClient,
		private readonly log: vscode.LogOutputChannel,
	) {
		this.disposables.push(
			this.emitter,
			vscode.workspace.onDidChangeTextDocument((e) => {
				if (!isSupported(e.document) || e.contentChanges.length === 0) return;
				this.lastEdit.set(e.document.uri.toString(), Date.now());
				void this.analyze(e.document);
			}),
			vscode.workspace.onDidCloseTextDocument((doc) => {
				const key = doc.uri.toString();
				this.results.delete(key);
				this.resultGeneration.delete(key);
				this.lastEdit.delete(key);
			}),
			config.onDidChange(() => {
				this.generation += 1;
				this.shownWarnings = new Set();
				for (const doc of vscode.workspace.textDocuments) if (this.results.has(doc.uri.toString())) void this.analyze(doc);
			}),
		);
	}

	/** The cached result for this exact document version, if any (never a stale one: its offsets would be wrong). */
	peek(doc: vscode.TextDocument): DocumentResult | undefined {
		const key = doc.uri.toString();
		const result = this.results.get(key);
		return result && result.version === doc.version && this.resultGeneration.get(key) === this.generation ? result : undefined;
	}

	/** Registers a one-shot listener for the next completed analysis (used by the stall monitor). */
	onNextAnalysis(listener: () => void): void {
		this.analyzedListeners.push(listener);
	}

	/**
	 * The result for the document's current version, analysing it if needed. Waits for the debounce
	 * when the user is typing. Resolves undefined for unsupported documents or when analysis fails
	 * (the failure is logged).
	 */
	analyze(doc: vscode.TextDocument): Promise<DocumentResult | undefined> {
		if (!isSupported(doc)) return Promise.resolve(undefined);
		const cached = this.peek(doc);
		if (cached) return Promise.resolve(cached);
		const key = doc.uri.toString();
		const running = this.inFlight.get(key);
		if (running && running.version === doc.version && running.generation === this.generation) return running.promise;
		const entry = { version: doc.version, generation: this.generation, promise: this.run(doc, key) };
		this.inFlight.set(key, entry);
		void entry.promise.finally(() => {
			if (this.inFlight.get(key) === entry) this.inFlight.delete(key);
		});
		return entry.promise;
	}

	private async run(doc: vscode.TextDocument, key: string): Promise<DocumentResult | undefined> {
		for (;;) {
			const wait = (this.lastEdit.get(key) ?? 0) + DEBOUNCE_MS - Date.now();
			if (wait <= 0) break;
			await new Promise((resolve) => setTimeout(resolve, wait));
		}
		const version = doc.version;
		const generation = this.generation;
		const settings = this.config.read(doc.uri);
		const assumptions = toAssumptions(settings);
		try {
			const answer = await this.worker.analyze(analysisFileName(doc), doc.getText(), toWorkerSettings(settings));
			this.showPriceWarnings(answer.priceWarnings);
			const result: DocumentResult = {
				uri: doc.uri,
				version,
				callSites: answer.result.analysis.callSites,
				estimates: answer.result.estimates,
				findings: answer.result.findings,
				skipped: answer.result.analysis.skipped?.reason,
				assumptions,
			};
			if (generation === this.generation && !doc.isClosed) {
				this.results.set(key, result);
				this.resultGeneration.set(key, generation);
				this.emitter.fire(doc.uri);
			}
			const listeners = this.analyzedListeners.splice(0);
			for (const listener of listeners) listener();
			return result;
		} catch (e: unknown) {
			this.log.error(`Analysis of ${doc.uri.toString(true)} failed: ${e instanceof Error ? e.message : String(e)}`);
			return undefined;
		}
	}

	/** Waits until the document behind `uri` has a result for its current version. */
	async whenAnalyzed(uri: vscode.Uri): Promise<void> {
		const doc = await vscode.workspace.openTextDocument(uri);
		for (let attempt = 0; attempt < 20; attempt++) {
			const result = await this.analyze(doc);
			if (!result) throw new Error(`CostLens could not analyse ${uri.toString(true)} (see Output → CostLens).`);
			if (this.peek(doc)) return;
		}
		throw new Error(`CostLens: ${uri.toString(true)} kept changing while being analysed.`);
	}

	/** Reports invalid `costlens.pricing.overrides` once per distinct problem, with a way to fix it. */
	private showPriceWarnings(warnings: readonly string[]): void {
		const fresh = warnings.filter((w) => !this.shownWarnings.has(w));
		if (fresh.length === 0) return;
		for (const w of fresh) {
			this.shownWarnings.add(w);
			this.log.warn(w);
		}
		const message = fresh.length === 1 ? `CostLens: ${fresh[0]}` : `CostLens: ${fresh.length} price overrides are invalid and were ignored. ${fresh[0]}`;
		void vscode.window.showWarningMessage(message, 'Open Settings').then((choice) => {
			if (choice === 'Open Settings') void vscode.commands.executeCommand('workbench.action.openSettings', 'costlens.pricing.overrides');
		});
	}

	dispose(): void {
		for (const d of this.disposables) d.dispose();
		this.results.clear();
		this.inFlight.clear();
	}
}
