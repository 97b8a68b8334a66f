import * as vscode from 'vscode';
import type { Span } from '../core/analysis/types';
import type { Severity, TextEdit } from '../core/rules/types';

/** A core span (UTF-16 offsets into the analysed text) as an editor range of `doc`, which must be the analysed version. */
export function toRange(doc: vscode.TextDocument, span: Span): vscode.Range {
	return new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
}

export function toDiagnosticSeverity(severity: Severity): vscode.DiagnosticSeverity {
	switch (severity) {
		case 'error':
			return vscode.DiagnosticSeverity.Error;
		case 'warning':
			return vscode.DiagnosticSeverity.Warning;
		case 'info':
			return vscode.DiagnosticSeverity.Information;
		case 'hint':
			return vscode.DiagnosticSeverity.Hint;
	}
}

/** One fix's edits as a WorkspaceEdit on `doc` (offsets of the analysed version). */
export function toWorkspaceEdit(doc: vscode.TextDocument, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
	const edit = new vscode.WorkspaceEdit();
	for (const e of edits) edit.replace(doc.uri, toRange(doc, e.span), e.newText);
	return edit;
}
