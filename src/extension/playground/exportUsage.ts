/** "Export CSV" / "Export JSON" from the playground dashboard: the usage rows to a file the user picks. */
import * as os from 'node:os';
import * as vscode from 'vscode';
import { usageToCsv } from '../../core/playground/dashboardData';
import type { UsageRecord } from '../../core/pipeline/types';

/**
 * Asks where to save (default `costlens-usage.csv|json` in the first workspace folder, else the
 * home folder), writes the rows, and offers to open the file. Returns the file, or undefined when
 * the user cancelled the dialog. Write errors are shown, not thrown.
 */
export async function exportUsage(rows: readonly UsageRecord[], format: 'csv' | 'json'): Promise<vscode.Uri | undefined> {
	const fileName = `costlens-usage.${format}`;
	const folder = vscode.workspace.workspaceFolders?.[0]?.uri ?? vscode.Uri.file(os.homedir());
	const target = await vscode.window.showSaveDialog({
		defaultUri: vscode.Uri.joinPath(folder, fileName),
		filters: format === 'csv' ? { 'CSV': ['csv'] } : { 'JSON': ['json'] },
		saveLabel: 'Export',
		title: `Export usage as ${format.toUpperCase()}`,
	});
	if (!target) return undefined;
	const text = format === 'csv' ? usageToCsv(rows) : JSON.stringify(rows, null, 2) + '\n';
	try {
		await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
	} catch (error) {
		void vscode.window.showErrorMessage(`CostLens: could not write ${target.fsPath}: ${error instanceof Error ? error.message : String(error)}`);
		return undefined;
	}
	const noun = rows.length === 1 ? 'row' : 'rows';
	void vscode.window.showInformationMessage(`CostLens: exported ${rows.length} usage ${noun} to ${vscode.workspace.asRelativePath(target, false)}.`, 'Open').then((choice) => {
		if (choice === 'Open') void vscode.commands.executeCommand('vscode.open', target);
	});
	return target;
}
