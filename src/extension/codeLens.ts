import * as vscode from 'vscode';
import { formatLensTitle } from '../core/pricing/format';
import { CommandId, type SiteRef } from './commands';
import type { Config } from './config';
import type { DocumentAnalyzer } from './documentAnalyzer';

/**
 * One lens per call site at `span.start`: "≈ $0.0061/call · … · $183/mo @ 1k/day", or "unpriced".
 * Clicking it opens the Cost Breakdown for that call.
 */
export class CostCodeLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
	private readonly emitter = new vscode.EventEmitter<void>();
	readonly onDidChangeCodeLenses = this.emitter.event;
	private readonly subscriptions: vscode.Disposable[];

	constructor(
		private readonly analyzer: DocumentAnalyzer,
		private readonly config: Config,
	) {
		this.subscriptions = [this.emitter, analyzer.onDidChange(() => this.emitter.fire()), config.onDidChange(() => this.emitter.fire())];
	}

	async provideCodeLenses(doc: vscode.TextDocument, token: vscode.CancellationToken): Promise<vscode.CodeLens[]> {
		if (!this.config.read(doc.uri).codeLensEnabled) return [];
		const result = await this.analyzer.analyze(doc);
		// A newer version may exist by now: its offsets would land on the wrong lines, and VS Code asks again.
		if (!result || token.isCancellationRequested || result.version !== doc.version || result.skipped !== undefined) return [];
		return result.callSites.map((site, i) => {
			const position = doc.positionAt(site.span.start);
			const estimate = result.estimates[i]!;
			const ref: SiteRef = { uri: doc.uri.toString(), spanStart: site.span.start };
			let title: string;
			try {
				title = formatLensTitle(estimate, result.assumptions);
			} catch (e: unknown) {
				title = `CostLens: ${e instanceof Error ? e.message : String(e)}`;
			}
			return new vscode.CodeLens(new vscode.Range(position, position), { title, command: CommandId.ShowCostBreakdown, arguments: [ref], tooltip: 'Show the cost breakdown of this call' });
		});
	}

	dispose(): void {
		for (const d of this.subscriptions) d.dispose();
	}
}
