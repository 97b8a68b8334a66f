import * as path from 'node:path';
import * as vscode from 'vscode';
import { BreakdownPanel } from './breakdownPanel';
import { CostFixProvider } from './codeActions';
import { CostCodeLensProvider } from './codeLens';
import { CommandId } from './commands';
import { Config } from './config';
import { CostOverview, revealCallSite } from './costOverview';
import { CostDiagnostics } from './diagnostics';
import { DocumentAnalyzer, SUPPORTED_DOCUMENTS } from './documentAnalyzer';
import { CostHoverProvider } from './hover';
import { createLog } from './log';
import { registerPlayground } from './playground/registerPlayground';
import { registerSidecar } from './sidecar/registerSidecar';
import { CostStatusBar } from './statusBar';
import { ActivationTimer, createTestingApi, type TestingApi } from './testing';
import { AnalysisWorkerClient } from './workerClient';

/** What activate() returns. `testing` is set only when COSTLENS_TESTING=true (integration tests, benchmarks). */
export interface CostlensApi {
	readonly testing?: TestingApi;
}

export function activate(context: vscode.ExtensionContext): CostlensApi {
	try {
		return compose(context);
	} catch (e: unknown) {
		// VS Code doesn't show a notification when an extension fails to activate, so we do it ourselves.
		void vscode.window.showErrorMessage(`CostLens failed to start: ${e instanceof Error ? e.message : String(e)}`);
		throw e;
	}
}

function compose(context: vscode.ExtensionContext): CostlensApi {
	const testing = process.env['COSTLENS_TESTING'] === 'true';
	// Started first so the measured window covers all of activation.
	const activation = testing ? new ActivationTimer() : undefined;
	const log = createLog();
	const config = new Config();
	// The worker (parser + tokenizer) starts on the first analysis, not here.
	const worker = new AnalysisWorkerClient(path.join(context.extensionPath, 'dist', 'analysisWorker.js'), log);
	const analyzer = new DocumentAnalyzer(config, worker, log);
	const codeLens = new CostCodeLensProvider(analyzer, config);
	const breakdown = new BreakdownPanel(context.extensionUri, analyzer, log);
	const overview = new CostOverview(config, analyzer, worker, log);
	const statusBar = new CostStatusBar(analyzer);
	const diagnostics = new CostDiagnostics(analyzer, config, context.extensionUri);
	// Neither spawns anything here: the sidecar starts on first use, the webview when the view opens.
	const sidecar = registerSidecar(context, log);
	const playground = registerPlayground(context, { sidecar, analyzer, log });

	context.subscriptions.push(
		log,
		config,
		worker,
		analyzer,
		codeLens,
		breakdown,
		overview,
		statusBar,
		diagnostics,
		vscode.languages.registerCodeActionsProvider(SUPPORTED_DOCUMENTS, new CostFixProvider(analyzer), CostFixProvider.metadata),
		vscode.languages.registerCodeLensProvider(SUPPORTED_DOCUMENTS, codeLens),
		vscode.languages.registerHoverProvider(SUPPORTED_DOCUMENTS, new CostHoverProvider(analyzer)),
		vscode.commands.registerCommand(CommandId.ShowCostBreakdown, (target?: unknown) => breakdown.show(target)),
		vscode.commands.registerCommand(CommandId.ScanWorkspace, () => overview.scan(true)),
		vscode.commands.registerCommand(CommandId.ToggleCodeLens, () => toggleCodeLens()),
		vscode.commands.registerCommand(CommandId.ShowLogs, () => log.show()),
		vscode.commands.registerCommand(CommandId.RevealOverview, () => vscode.commands.executeCommand(`${CostOverview.viewId}.focus`)),
		vscode.commands.registerCommand(CommandId.RevealCallSite, revealCallSite),
	);
	if (!activation) return {};
	analyzer.onNextAnalysis(() => activation.firstAnalysisCompleted());
	activation.activated();
	return { testing: createTestingApi({ extensionPath: context.extensionPath, analyzer, overview, statusBar, worker, activation, context, sidecar, playground, log }) };
}

/** Flips `costlens.codeLens.enabled` where it is set (workspace if overridden there, else user settings). */
async function toggleCodeLens(): Promise<void> {
	const section = vscode.workspace.getConfiguration('costlens');
	const enabled = section.get<boolean>('codeLens.enabled', true);
	const inspected = section.inspect<boolean>('codeLens.enabled');
	const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
	await section.update('codeLens.enabled', !enabled, target);
}

export function deactivate(): void {
	// Everything is in context.subscriptions; VS Code disposes it (the worker thread included).
}
