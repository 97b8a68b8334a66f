import * as vscode from 'vscode';
import { formatInteger, formatUsd } from '../core/pricing/format';
import { CommandId } from './commands';
import { isSupported, type DocumentAnalyzer, type DocumentResult } from './documentAnalyzer';
import { siteLabel } from './overviewModel';

/** Pure: the status text for one file's result; undefined hides the item (no calls, nothing skipped). */
export function statusText(result: DocumentResult): string | undefined {
	if (result.skipped !== undefined) return '$(circle-slash) CostLens: skipped';
	if (result.callSites.length === 0) return undefined;
	let monthly = 0;
	let priced = 0;
	for (const e of result.estimates) {
		if (e.monthlyCostUsd === null) continue;
		monthly += e.monthlyCostUsd;
		priced += 1;
	}
	const unpriced = result.estimates.length - priced;
	if (priced === 0) return `CostLens: ${unpriced} unpriced`;
	return `CostLens: ${formatUsd(monthly)}/mo${unpriced > 0 ? ` (+${unpriced} unpriced)` : ''}`;
}

/**
 * The active file's estimated monthly cost (`CostLens: $183/mo`), with each call in the tooltip.
 * Unpriced calls are counted separately, never added as $0. Click → Cost Overview.
 */
export class CostStatusBar implements vscode.Disposable {
	private readonly item = vscode.window.createStatusBarItem('costlens.status', vscode.StatusBarAlignment.Right, 100);
	private readonly subscriptions: vscode.Disposable[];
	private readonly initialUpdate: NodeJS.Timeout;
	/** Last text shown, for the testing API. */
	text: string | undefined;

	constructor(private readonly analyzer: DocumentAnalyzer) {
		this.item.name = 'CostLens';
		this.item.command = CommandId.RevealOverview;
		this.subscriptions = [
			this.item,
			vscode.window.onDidChangeActiveTextEditor(() => void this.update()),
			analyzer.onDidChange((uri) => {
				if (vscode.window.activeTextEditor?.document.uri.toString() === uri.toString()) void this.update();
			}),
		];
		// Not inside activate(): the first update starts the analysis worker, which is its own main-thread task.
		this.initialUpdate = setTimeout(() => void this.update(), 0);
	}

	private async update(): Promise<void> {
		const doc = vscode.window.activeTextEditor?.document;
		if (!doc || !isSupported(doc)) return this.hide();
		const result = this.analyzer.peek(doc) ?? (await this.analyzer.analyze(doc));
		if (vscode.window.activeTextEditor?.document !== doc) return;
		const text = result && statusText(result);
		if (!result || !text) return this.hide();
		this.item.text = text;
		this.item.tooltip = this.tooltip(result);
		this.text = text;
		this.item.show();
	}

	private tooltip(result: DocumentResult): vscode.MarkdownString {
		const md = new vscode.MarkdownString(undefined, false);
		md.isTrusted = false;
		if (result.skipped !== undefined) {
			md.appendText(`CostLens did not analyse this file: ${result.skipped}`);
			return md;
		}
		md.appendMarkdown(`**CostLens** — estimated at ${formatInteger(result.assumptions.callsPerDay)} calls/day per call site\n\n`);
		result.callSites.forEach((site, i) => {
			const estimate = result.estimates[i]!;
			const cost = estimate.monthlyCostUsd === null ? 'unpriced' : `${formatUsd(estimate.monthlyCostUsd)}/mo`;
			md.appendText(`• ${siteLabel(site, estimate)}: ${cost}\n`);
		});
		md.appendMarkdown('\nClick to open the Cost Overview.');
		return md;
	}

	private hide(): void {
		this.text = undefined;
		this.item.hide();
	}

	dispose(): void {
		clearTimeout(this.initialUpdate);
		for (const d of this.subscriptions) d.dispose();
	}
}
