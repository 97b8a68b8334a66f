import * as vscode from 'vscode';
import { formatBreakdownMarkdown } from '../core/pricing/format';
import type { SiteRef } from './commands';
import type { DocumentAnalyzer } from './documentAnalyzer';
import { siteIndexForHover } from './siteLookup';

/** Hovering a call site's callee (or anywhere in the call) shows its cost breakdown as Markdown. */
export class CostHoverProvider implements vscode.HoverProvider {
	constructor(private readonly analyzer: DocumentAnalyzer) {}

	async provideHover(doc: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
		const result = await this.analyzer.analyze(doc);
		if (!result || token.isCancellationRequested || result.version !== doc.version) return undefined;
		const index = siteIndexForHover(result.callSites, doc.offsetAt(position));
		const site = result.callSites[index];
		const estimate = result.estimates[index];
		if (!site || !estimate) return undefined;
		// Untrusted: the Markdown quotes model names and prompt text from the user's code.
		const markdown = new vscode.MarkdownString(formatBreakdownMarkdown(site, estimate, result.assumptions), false);
		markdown.isTrusted = false;
		markdown.supportHtml = false;
		const offset = doc.offsetAt(position);
		const span = site.calleeSpan.start <= offset && offset <= site.calleeSpan.end ? site.calleeSpan : site.span;
		const range = new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
		return new vscode.Hover([markdown, playgroundLink({ uri: doc.uri.toString(), spanStart: site.span.start })], range);
	}
}

/**
 * "Open in Playground" as its own Markdown block: only this block is trusted, and only for that one
 * command, so a command link quoted from the user's code in the breakdown above stays inert.
 */
function playgroundLink(ref: SiteRef): vscode.MarkdownString {
	const args = encodeURIComponent(JSON.stringify([ref]));
	const link = new vscode.MarkdownString(`[$(play) Open in Playground](command:costlens.openInPlayground?${args} "Run this call in the CostLens Playground")`, true);
	link.isTrusted = { enabledCommands: ['costlens.openInPlayground'] };
	link.supportHtml = false;
	return link;
}
