import * as vscode from 'vscode';
import { IGNORE_DIRECTIVE, suppressionEdit } from '../core/rules/suppress';
import { toRange, toWorkspaceEdit } from './convert';
import { diagnosticRuleId } from './diagnostics';
import type { DocumentAnalyzer } from './documentAnalyzer';

/**
 * Quick fixes for CostLens diagnostics. A fix is looked up by (uri, document version, rule id, range)
 * in the analyzer's cache: fixes carry offsets of the analysed text, so for any other version
 * (the user typed since) nothing is offered rather than an edit that lands in the wrong place.
 */
export class CostFixProvider implements vscode.CodeActionProvider {
	static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

	constructor(private readonly analyzer: DocumentAnalyzer) {}

	provideCodeActions(doc: vscode.TextDocument, _range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
		if (context.only && !vscode.CodeActionKind.QuickFix.contains(context.only) && !context.only.contains(vscode.CodeActionKind.QuickFix)) return [];
		const result = this.analyzer.peek(doc);
		if (!result || result.version !== doc.version) return [];
		const actions: vscode.CodeAction[] = [];
		const comment = doc.languageId === 'python' ? '#' : '//';
		let text: string | undefined;
		for (const diagnostic of context.diagnostics) {
			const ruleId = diagnosticRuleId(diagnostic);
			if (ruleId === undefined) continue;
			const finding = result.findings.find((f) => f.ruleId === ruleId && toRange(doc, f.span).isEqual(diagnostic.range));
			if (!finding) continue;
			for (const fix of finding.fixes) {
				if (fix.edits.length === 0) continue;
				const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
				action.diagnostics = [diagnostic];
				action.isPreferred = fix.preferred === true;
				action.edit = toWorkspaceEdit(doc, fix.edits);
				actions.push(action);
			}
			// Always offered, never preferred: the escape hatch when the finding is deliberate.
			const ignore = new vscode.CodeAction(`Ignore ${ruleId} on this line (${IGNORE_DIRECTIVE})`, vscode.CodeActionKind.QuickFix);
			ignore.diagnostics = [diagnostic];
			ignore.edit = toWorkspaceEdit(doc, [suppressionEdit((text ??= doc.getText()), finding, comment)]);
			actions.push(ignore);
		}
		// Preferred fixes first: Ctrl+. → Enter applies the top entry.
		return actions.sort((a, b) => Number(b.isPreferred === true) - Number(a.isPreferred === true));
	}
}
