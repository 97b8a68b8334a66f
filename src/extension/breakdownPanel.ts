import * as vscode from 'vscode';
import { renderBreakdownHtml } from './breakdownHtml';
import { isSiteRef, type SiteRef } from './commands';
import type { DocumentAnalyzer, DocumentResult } from './documentAnalyzer';
import { siteIndexAt } from './siteLookup';

/**
 * The "Cost Breakdown" webview panel: one panel, reused, showing one call site. No scripts
 * (`enableScripts: false`), resources only from the extension's `media/` folder.
 */
export class BreakdownPanel implements vscode.Disposable {
	static readonly viewType = 'costlens.breakdown';
	private panel: vscode.WebviewPanel | undefined;
	private shown: SiteRef | undefined;
	private readonly mediaRoot: vscode.Uri;
	private readonly subscription: vscode.Disposable;

	constructor(
		extensionUri: vscode.Uri,
		private readonly analyzer: DocumentAnalyzer,
		private readonly log: vscode.LogOutputChannel,
	) {
		this.mediaRoot = vscode.Uri.joinPath(extensionUri, 'media');
		// Keep the panel in step with edits to the file it shows (re-rendered only if the call still exists).
		this.subscription = analyzer.onDidChange((uri) => {
			if (this.panel && this.shown?.uri === uri.toString()) void this.refresh();
		});
	}

	/** Command handler: `target` from a CodeLens, else the call under the active editor's cursor. */
	async show(target?: unknown): Promise<boolean> {
		let ref: SiteRef | undefined = isSiteRef(target) ? target : undefined;
		if (!ref) {
			const editor = vscode.window.activeTextEditor;
			if (!editor) {
				void vscode.window.showInformationMessage('CostLens: put the cursor on an LLM API call to see its cost breakdown.');
				return false;
			}
			const result = await this.analyzer.analyze(editor.document);
			const site = result?.callSites[siteIndexAt(result.callSites, editor.document.offsetAt(editor.selection.active))];
			if (!result || !site) {
				void vscode.window.showInformationMessage('CostLens: no Anthropic or OpenAI call under the cursor.');
				return false;
			}
			ref = { uri: editor.document.uri.toString(), spanStart: site.span.start };
		}
		this.shown = ref;
		const panel = this.ensurePanel();
		const rendered = await this.refresh();
		if (rendered) panel.reveal(vscode.ViewColumn.Beside, true);
		return rendered;
	}

	private ensurePanel(): vscode.WebviewPanel {
		if (this.panel) return this.panel;
		const panel = vscode.window.createWebviewPanel(BreakdownPanel.viewType, 'Cost Breakdown', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
			enableScripts: false,
			enableCommandUris: false,
			localResourceRoots: [this.mediaRoot],
		});
		panel.onDidDispose(() => {
			if (this.panel === panel) {
				this.panel = undefined;
				this.shown = undefined;
			}
		});
		this.panel = panel;
		return panel;
	}

	private async refresh(): Promise<boolean> {
		const panel = this.panel;
		const ref = this.shown;
		if (!panel || !ref) return false;
		const uri = vscode.Uri.parse(ref.uri);
		let doc: vscode.TextDocument;
		try {
			doc = await vscode.workspace.openTextDocument(uri);
		} catch (e: unknown) {
			this.log.warn(`Cost Breakdown: cannot open ${ref.uri}: ${e instanceof Error ? e.message : String(e)}`);
			return false;
		}
		const result: DocumentResult | undefined = await this.analyzer.analyze(doc);
		const index = result ? result.callSites.findIndex((s) => s.span.start === ref.spanStart) : -1;
		const site = result?.callSites[index];
		const estimate = result?.estimates[index];
		if (!result || !site || !estimate) return false;
		panel.webview.html = renderBreakdownHtml({
			cspSource: panel.webview.cspSource,
			styleUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(this.mediaRoot, 'breakdown.css')).toString(),
			fileLabel: vscode.workspace.asRelativePath(uri, false),
			line: doc.positionAt(site.span.start).line + 1,
			site,
			estimate,
			assumptions: result.assumptions,
		});
		return true;
	}

	dispose(): void {
		this.subscription.dispose();
		this.panel?.dispose();
	}
}
