import * as vscode from 'vscode';
import { formatUsd } from '../core/pricing/format';
import { CommandId } from './commands';
import { toWorkerSettings, type Config } from './config';
import { isSupported, type DocumentAnalyzer } from './documentAnalyzer';
import { buildOverviewFile, sortOverview, totals, type OverviewFile, type OverviewSite } from './overviewModel';
import type { AnalysisWorkerClient } from './workerClient';

const SCAN_INCLUDE = '**/*.{ts,tsx,js,jsx,mjs,cjs,py}';
/** Dependencies and build output of both ecosystems: a virtualenv holds thousands of SDK-calling `.py` files that are not the user's. */
const DEFAULT_EXCLUDES = ['**/node_modules/**', '**/dist/**', '**/out/**', '**/build/**', '**/*.min.js', '**/.venv/**', '**/venv/**', '**/site-packages/**', '**/__pycache__/**', '**/.tox/**'];
/** Upper bound on files per scan, so a monorepo cannot keep the worker busy for minutes. */
export const MAX_SCAN_FILES = 5000;
/** Tree refreshes during a scan are batched to at most one per this many ms. */
const REFRESH_THROTTLE_MS = 300;

type Node =
	| { readonly kind: 'folder'; readonly name: string; readonly files: readonly OverviewFile[] }
	| { readonly kind: 'file'; readonly file: OverviewFile }
	| { readonly kind: 'site'; readonly file: OverviewFile; readonly site: OverviewSite };

/** What a scan found, returned by `costlens.scanWorkspace` (and used by tests). */
export interface ScanSummary {
	readonly files: number;
	readonly withCalls: number;
	readonly cancelled: boolean;
}

function describeCost(monthlyCostUsd: number, pricedCount: number, unpricedCount: number): string {
	const parts: string[] = [];
	if (pricedCount > 0) parts.push(`${formatUsd(monthlyCostUsd)}/mo`);
	if (unpricedCount > 0) parts.push(`${unpricedCount} unpriced`);
	return parts.join(' · ');
}

/**
 * The "Cost Overview" tree (workspace → file → call site), filled by a background scan that runs in
 * the analysis worker. Files are sorted by estimated monthly cost, unpriced calls last and labelled.
 */
export class CostOverview implements vscode.TreeDataProvider<Node>, vscode.Disposable {
	static readonly viewId = 'costlens.overview';
	private readonly emitter = new vscode.EventEmitter<Node | undefined>();
	readonly onDidChangeTreeData = this.emitter.event;
	private entries = new Map<string, OverviewFile>();
	private scanned = false;
	private running: { cancel: vscode.CancellationTokenSource; promise: Promise<ScanSummary> } | undefined;
	private refreshTimer: NodeJS.Timeout | undefined;
	private readonly subscriptions: vscode.Disposable[] = [];
	readonly treeView: vscode.TreeView<Node>;

	constructor(
		private readonly config: Config,
		private readonly analyzer: DocumentAnalyzer,
		private readonly worker: AnalysisWorkerClient,
		private readonly log: vscode.LogOutputChannel,
	) {
		this.treeView = vscode.window.createTreeView(CostOverview.viewId, { treeDataProvider: this, showCollapseAll: true });
		this.subscriptions.push(
			this.emitter,
			this.treeView,
			// The first time the view is shown, fill it; later scans are explicit or per saved file.
			this.treeView.onDidChangeVisibility((e) => {
				if (e.visible && !this.scanned && !this.running) void this.scan(false);
			}),
			vscode.workspace.onDidSaveTextDocument((doc) => void this.onSaved(doc)),
		);
	}

	/** Files in display order (for the testing API and the status bar). */
	files(): OverviewFile[] {
		return sortOverview(this.entries.values());
	}

	/**
	 * Scans the workspace in the worker. A new scan cancels a running one. `interactive` scans show a
	 * cancellable notification; background ones only the status-bar progress.
	 */
	scan(interactive: boolean): Promise<ScanSummary> {
		this.running?.cancel.cancel();
		const cancel = new vscode.CancellationTokenSource();
		const promise = Promise.resolve(
			vscode.window.withProgress(
				{ location: interactive ? vscode.ProgressLocation.Notification : vscode.ProgressLocation.Window, title: 'CostLens: scanning workspace', cancellable: true },
				(progress, progressToken) => {
					const sub = progressToken.onCancellationRequested(() => cancel.cancel());
					return this.runScan(progress, cancel.token).finally(() => sub.dispose());
				},
			),
		);
		const entry = { cancel, promise };
		this.running = entry;
		void promise.finally(() => {
			if (this.running === entry) this.running = undefined;
			cancel.dispose();
		});
		return promise;
	}

	private async runScan(progress: vscode.Progress<{ message?: string; increment?: number }>, token: vscode.CancellationToken): Promise<ScanSummary> {
		const settings = this.config.read();
		const exclude = `{${[...DEFAULT_EXCLUDES, ...settings.scanExclude].join(',')}}`;
		const uris = (await vscode.workspace.findFiles(SCAN_INCLUDE, exclude, MAX_SCAN_FILES, token)).filter((u) => u.scheme === 'file');
		if (token.isCancellationRequested) return { files: 0, withCalls: 0, cancelled: true };
		if (uris.length === MAX_SCAN_FILES) this.log.warn(`Workspace scan capped at ${MAX_SCAN_FILES} files; add globs to costlens.scan.exclude to narrow it.`);
		const found = new Map<string, OverviewFile>();
		const started = Date.now();
		const answer = await this.worker.scan(
			uris.map((u) => u.fsPath),
			toWorkerSettings(settings),
			(event) => {
				const result = event.result;
				const note = event.error ?? result?.analysis.skipped?.reason;
				found.set(event.fileName, buildOverviewFile(event.fileName, result?.analysis.callSites ?? [], result?.estimates ?? [], note));
				if (event.error) this.log.warn(`Scan: ${event.fileName}: ${event.error}`);
				progress.report({ increment: 100 / Math.max(1, event.total), message: `${event.done}/${event.total} files` });
			},
			token,
		);
		for (const warning of answer.priceWarnings) this.log.warn(warning);
		// A cancelled scan keeps the previous results rather than showing a half-empty tree.
		if (!answer.cancelled) {
			this.entries = found;
			this.scanned = true;
			this.scheduleRefresh(true);
		}
		const withCalls = [...found.values()].filter((f) => f.sites.length > 0).length;
		this.log.info(`Scanned ${found.size} files in ${Date.now() - started} ms (${withCalls} with LLM calls)${answer.cancelled ? ', cancelled' : ''}.`);
		return { files: found.size, withCalls, cancelled: answer.cancelled };
	}

	private async onSaved(doc: vscode.TextDocument): Promise<void> {
		if (!this.scanned || doc.uri.scheme !== 'file' || !isSupported(doc)) return;
		if (!this.entries.has(doc.uri.fsPath) && (!vscode.workspace.getWorkspaceFolder(doc.uri) || /[\\/](node_modules|dist|out|build|\.venv|venv|site-packages|__pycache__|\.tox)[\\/]|\.min\.js$/.test(doc.uri.fsPath))) return;
		const result = await this.analyzer.analyze(doc);
		if (!result) return;
		this.entries.set(doc.uri.fsPath, buildOverviewFile(doc.uri.fsPath, result.callSites, result.estimates, result.skipped));
		this.scheduleRefresh(false);
	}

	private scheduleRefresh(now: boolean): void {
		if (now) {
			if (this.refreshTimer) clearTimeout(this.refreshTimer);
			this.refreshTimer = undefined;
			this.emitter.fire(undefined);
			return;
		}
		this.refreshTimer ??= setTimeout(() => {
			this.refreshTimer = undefined;
			this.emitter.fire(undefined);
		}, REFRESH_THROTTLE_MS);
	}

	getChildren(node?: Node): Node[] {
		if (!node) {
			const files = this.files();
			if (files.length === 0) return [];
			const folders = new Map<string, OverviewFile[]>();
			for (const file of files) {
				const name = vscode.workspace.getWorkspaceFolder(vscode.Uri.file(file.fileName))?.name ?? 'Other files';
				const list = folders.get(name) ?? [];
				list.push(file);
				folders.set(name, list);
			}
			return [...folders].map(([name, list]) => ({ kind: 'folder', name, files: list }));
		}
		switch (node.kind) {
			case 'folder':
				return node.files.map((file) => ({ kind: 'file', file }));
			case 'file':
				return node.file.sites.map((site) => ({ kind: 'site', file: node.file, site }));
			case 'site':
				return [];
		}
	}

	getTreeItem(node: Node): vscode.TreeItem {
		switch (node.kind) {
			case 'folder': {
				const t = totals(node.files);
				const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
				item.description = describeCost(t.monthlyCostUsd, t.pricedCount, t.unpricedCount);
				item.iconPath = new vscode.ThemeIcon('root-folder');
				item.contextValue = 'costlens.folder';
				return item;
			}
			case 'file': {
				const uri = vscode.Uri.file(node.file.fileName);
				const item = new vscode.TreeItem(uri, node.file.sites.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
				item.label = vscode.workspace.asRelativePath(uri, false);
				item.description = node.file.note ?? describeCost(node.file.monthlyCostUsd, node.file.pricedCount, node.file.unpricedCount);
				item.tooltip = node.file.note ? `${node.file.fileName}\n${node.file.note}` : node.file.fileName;
				item.contextValue = 'costlens.file';
				return item;
			}
			case 'site': {
				const { site } = node;
				const item = new vscode.TreeItem(site.label, vscode.TreeItemCollapsibleState.None);
				item.description = site.monthlyCostUsd === null ? 'unpriced' : `${formatUsd(site.monthlyCostUsd)}/mo`;
				item.tooltip = site.unpricedReason ? `Unpriced: ${site.unpricedReason}` : site.costUsd !== null ? `${formatUsd(site.costUsd)} per call` : undefined;
				item.iconPath = new vscode.ThemeIcon(site.monthlyCostUsd === null ? 'question' : 'symbol-method');
				item.command = { title: 'Reveal call', command: CommandId.RevealCallSite, arguments: [vscode.Uri.file(node.file.fileName).toString(), site.span.start, site.span.end] };
				item.contextValue = 'costlens.site';
				return item;
			}
		}
	}

	dispose(): void {
		this.running?.cancel.cancel();
		if (this.refreshTimer) clearTimeout(this.refreshTimer);
		for (const d of this.subscriptions) d.dispose();
	}
}

/** Opens `uri` with the call at [start, end) selected (tree clicks). */
export async function revealCallSite(uri: unknown, start: unknown, end: unknown): Promise<void> {
	if (typeof uri !== 'string' || typeof start !== 'number' || typeof end !== 'number') return;
	const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(uri));
	const range = new vscode.Range(doc.positionAt(start), doc.positionAt(end));
	await vscode.window.showTextDocument(doc, { selection: new vscode.Range(range.start, range.start), preview: true });
}
