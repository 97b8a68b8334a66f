import * as vscode from 'vscode';

/** The `CostLens` output channel (Output → CostLens). Created in activate(), never at import time. */
export function createLog(): vscode.LogOutputChannel {
	return vscode.window.createOutputChannel('CostLens', { log: true });
}
