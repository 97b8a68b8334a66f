import * as vscode from 'vscode';
import type { Finding, RuleId } from '../core/rules/types';
import type { Config } from './config';
import { toDiagnosticSeverity, toRange } from './convert';
import { isSupported, type DocumentAnalyzer } from './documentAnalyzer';

/** `diagnostic.source` of every CostLens diagnostic; the quick-fix provider only answers these. */
export const DIAGNOSTIC_SOURCE = 'costlens';

/** The README section explaining a rule (the anchors are `### rule-<id>` headings). */
export function ruleHelpUri(extensionUri: vscode.Uri, ruleId: RuleId): vscode.Uri {
	return vscode.Uri.joinPath(extensionUri, 'README.md').with({ fragment: `rule-${ruleId}` });
}

/** The rule id of a CostLens diagnostic, if it is one. */
export function diagnosticRuleId(diagnostic: vscode.Diagnostic): string | undefined {
	if (diagnostic.source !== DIAGNOSTIC_SOURCE) return undefined;
	const code = diagnostic.code;
	if (typeof code === 'object' && code !== null) return String(code.value);
	return code === undefined ? undefined : String(code);
}

/**
 * Publishes the DocumentAnalyzer's findings to the Problems panel and as squiggles. Always shows the
 * findings of the analysed version (the editor moves diagnostics along with edits until the next
 * result replaces them); cleared when the document closes or diagnostics are switched off.
 */
export class CostDiagnostics implements vscode.Disposable {
	private readonly collection = vscode.languages.createDiagnosticCollection(DIAGNOSTIC_SOURCE);
	private readonly subscriptions: vscode.Disposable[];

	constructor(
		private readonly analyzer: DocumentAnalyzer,
		private readonly config: Config,
		private readonly extensionUri: vscode.Uri,
	) {
		this.subscriptions = [
			this.collection,
			analyzer.onDidChange((uri) => this.refresh(uri)),
			vscode.workspace.onDidCloseTextDocument((doc) => this.collection.delete(doc.uri)),
			// With CodeLens off nothing else asks for an analysis: diagnostics need one per visible editor.
			vscode.window.onDidChangeVisibleTextEditors((editors) => this.analyzeVisible(editors)),
			config.onDidChange(() => {
				for (const doc of vscode.workspace.textDocuments) this.refresh(doc.uri);
				this.analyzeVisible(vscode.window.visibleTextEditors);
			}),
		];
		// After activate() returns, so the worker still starts on first use rather than during activation.
		setTimeout(() => this.analyzeVisible(vscode.window.visibleTextEditors), 0);
	}

	private analyzeVisible(editors: readonly vscode.TextEditor[]): void {
		for (const editor of editors) {
			const doc = editor.document;
			if (isSupported(doc) && this.config.read(doc.uri).diagnosticsEnabled) void this.analyzer.analyze(doc);
		}
	}

	private refresh(uri: vscode.Uri): void {
		const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
		if (!doc || doc.isClosed || !this.config.read(doc.uri).diagnosticsEnabled) {
			this.collection.delete(uri);
			return;
		}
		const result = this.analyzer.peek(doc);
		// No result for the current version yet: keep the previous diagnostics (VS Code shifts them with the edits).
		if (!result) return;
		this.collection.set(uri, result.skipped === undefined ? result.findings.map((f) => this.toDiagnostic(doc, f)) : []);
	}

	private toDiagnostic(doc: vscode.TextDocument, finding: Finding): vscode.Diagnostic {
		const diagnostic = new vscode.Diagnostic(toRange(doc, finding.span), finding.message, toDiagnosticSeverity(finding.severity));
		diagnostic.source = DIAGNOSTIC_SOURCE;
		diagnostic.code = { value: finding.ruleId, target: ruleHelpUri(this.extensionUri, finding.ruleId) };
		return diagnostic;
	}

	dispose(): void {
		for (const d of this.subscriptions) d.dispose();
	}
}
