/**
 * Wires the sidecar into the editor: the supervised client, its status-bar item, the API-key and
 * restart commands, and Workspace Trust. Nothing here is slow: the sidecar starts on first use.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { resolveNodeRuntime } from './nodeRuntime';
import { ApiKeyStore } from './secrets';
import { SidecarClient, type SidecarSettings } from './sidecarClient';
import { KEY_PROVIDER_LABELS, KEY_PROVIDERS, statusPresentation, UNTRUSTED_MESSAGE, validateApiKey, type KeyProvider } from './supervision';
import type { SidecarService } from './types';

/** The extension's log channel (`createLog()` in ../log.ts). */
export type Log = vscode.LogOutputChannel;

/** Commands registered here (contributed in package.json, category "CostLens"). */
export const SidecarCommandId = {
	SetApiKey: 'costlens.setApiKey',
	ClearApiKey: 'costlens.clearApiKey',
	RestartSidecar: 'costlens.restartSidecar',
} as const;

/** `costlens.showLogs`, registered in extension.ts. */
const SHOW_LOGS = 'costlens.showLogs';

/** Settings whose change restarts a running sidecar (they are read only at start). */
const RESTART_SECTIONS = ['costlens.providers', 'costlens.limits', 'costlens.semantic', 'costlens.sidecar'];

/**
 * Creates the sidecar service, registers its commands and status-bar item, and pushes every
 * disposable into `context.subscriptions`. Call once from `activate()`; cheap (spawns nothing).
 */
export function registerSidecar(context: vscode.ExtensionContext, log: Log): SidecarService {
	const keys = new ApiKeyStore(context.secrets, log);
	const client = new SidecarClient({
		sidecarScript: path.join(context.extensionPath, 'dist', 'sidecar.js'),
		storageDir: context.globalStorageUri.fsPath,
		log,
		isTrusted: () => vscode.workspace.isTrusted,
		readSettings,
		readSecrets: () => keys.forInitialize(),
		knownSecrets: () => keys.knownValues(),
		resolveRuntime: resolveNodeRuntime,
		notify: (message, severity) => {
			if (severity === 'error') void vscode.window.showErrorMessage(message);
			else if (severity === 'warning') void vscode.window.showWarningMessage(`CostLens: ${message}`);
			else void vscode.window.showInformationMessage(`CostLens: ${message}`);
		},
		notifyFailed: (reason) => {
			void vscode.window.showErrorMessage(reason, 'Show Logs').then((choice) => {
				if (choice === 'Show Logs') void vscode.commands.executeCommand(SHOW_LOGS);
			});
		},
		cancellationError: () => new vscode.CancellationError(),
	});

	const status = vscode.window.createStatusBarItem('costlens.sidecar', vscode.StatusBarAlignment.Right, 99);
	status.name = 'CostLens Sidecar';
	status.command = SHOW_LOGS;
	const showState = (): void => {
		const view = statusPresentation(client.state);
		if (!view) return status.hide();
		status.text = view.text;
		status.tooltip = view.tooltip;
		status.accessibilityInformation = { label: view.accessibilityLabel, role: 'button' };
		status.backgroundColor = view.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
		status.show();
	};
	showState();

	/** After a key or settings change; `failed` too, since the change may be the fix (a Node path, a base URL). */
	const restartIfRunning = async (): Promise<void> => {
		const kind = client.state.kind;
		if (kind !== 'ready' && kind !== 'starting' && kind !== 'restarting' && kind !== 'failed') return;
		try {
			await client.restart();
		} catch (e: unknown) {
			log.error(`Restarting the sidecar failed: ${e instanceof Error ? e.message : String(e)}`);
		}
	};

	context.subscriptions.push(
		client,
		status,
		client.onDidChangeState(showState),
		vscode.workspace.onDidGrantWorkspaceTrust(() => client.trustGranted()),
		vscode.workspace.onDidChangeConfiguration((e) => {
			if (RESTART_SECTIONS.some((s) => e.affectsConfiguration(s))) void restartIfRunning();
		}),
		vscode.commands.registerCommand(SidecarCommandId.SetApiKey, () => setApiKey(keys, restartIfRunning)),
		vscode.commands.registerCommand(SidecarCommandId.ClearApiKey, () => clearApiKey(keys, restartIfRunning)),
		vscode.commands.registerCommand(SidecarCommandId.RestartSidecar, async () => {
			try {
				await client.restart();
			} catch (e: unknown) {
				void vscode.window.showErrorMessage(e instanceof Error ? e.message : String(e));
			}
		}),
	);
	return client;
}

/**
 * A destination or program must come from the user's own (or remote machine's) settings, never a
 * repository's `.vscode/settings.json`. `scope: machine` already makes VS Code ignore workspace
 * values; reading only the global value makes that hold even if the contribution changed.
 */
function machineString(section: vscode.WorkspaceConfiguration, key: string): string | undefined {
	const value = section.inspect<unknown>(key)?.globalValue;
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function positiveNumber(section: vscode.WorkspaceConfiguration, key: string): number | undefined {
	const value = section.get<unknown>(key);
	return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}

function readSettings(): SidecarSettings {
	const section = vscode.workspace.getConfiguration('costlens');
	const anthropicBaseURL = machineString(section, 'providers.anthropicBaseURL');
	const openaiBaseURL = machineString(section, 'providers.openaiBaseURL');
	const compatibleBaseURL = machineString(section, 'providers.compatibleBaseURL');
	const requestsPerMinute = positiveNumber(section, 'limits.requestsPerMinute');
	const dailyBudgetUsd = positiveNumber(section, 'limits.dailyBudgetUsd');
	return {
		nodePath: machineString(section, 'sidecar.nodePath'),
		providers: {
			...(anthropicBaseURL ? { anthropicBaseURL } : {}),
			...(openaiBaseURL ? { openaiBaseURL } : {}),
			...(compatibleBaseURL ? { compatibleBaseURL } : {}),
		},
		limits: { ...(requestsPerMinute ? { requestsPerMinute } : {}), ...(dailyBudgetUsd ? { dailyBudgetUsd } : {}) },
		embedder: machineString(section, 'semantic.embedder') === 'openai' ? { kind: 'openai' } : { kind: 'offline' },
	};
}

async function pickProvider(keys: ApiKeyStore, placeHolder: string, onlySet: boolean): Promise<KeyProvider | undefined> {
	const items: (vscode.QuickPickItem & { provider: KeyProvider })[] = [];
	for (const provider of KEY_PROVIDERS) {
		const isSet = (await keys.get(provider)) !== undefined;
		if (onlySet && !isSet) continue;
		items.push({ label: KEY_PROVIDER_LABELS[provider], description: isSet ? 'key set' : 'no key', provider });
	}
	if (items.length === 0) {
		void vscode.window.showInformationMessage('CostLens has no API keys stored.');
		return undefined;
	}
	return (await vscode.window.showQuickPick(items, { placeHolder, ignoreFocusOut: true }))?.provider;
}

async function setApiKey(keys: ApiKeyStore, restartIfRunning: () => Promise<void>): Promise<void> {
	// Keys only matter for requests that spend money, which an untrusted workspace never makes.
	if (!vscode.workspace.isTrusted) {
		void vscode.window.showWarningMessage(UNTRUSTED_MESSAGE);
		return;
	}
	const provider = await pickProvider(keys, 'Set the API key for…', false);
	if (!provider) return;
	const value = await vscode.window.showInputBox({
		title: `CostLens: ${KEY_PROVIDER_LABELS[provider]} API key`,
		prompt: 'Stored in the OS keychain (SecretStorage); never in settings or logs.',
		password: true,
		ignoreFocusOut: true,
		validateInput: (text) => {
			const problem = validateApiKey(provider, text);
			if (!problem) return undefined;
			return { message: problem.message, severity: problem.severity === 'error' ? vscode.InputBoxValidationSeverity.Error : vscode.InputBoxValidationSeverity.Warning };
		},
	});
	if (value === undefined || validateApiKey(provider, value)?.severity === 'error') return;
	const outcome = await keys.set(provider, value.trim());
	if (outcome === 'stored') void vscode.window.showInformationMessage(`CostLens: ${KEY_PROVIDER_LABELS[provider]} API key stored in the OS keychain.`);
	else void vscode.window.showWarningMessage(`CostLens: the OS keychain is unavailable, so the ${KEY_PROVIDER_LABELS[provider]} API key is kept in memory for this session only. It was not written anywhere.`);
	await restartIfRunning();
}

async function clearApiKey(keys: ApiKeyStore, restartIfRunning: () => Promise<void>): Promise<void> {
	const provider = await pickProvider(keys, 'Clear the API key of…', true);
	if (!provider) return;
	await keys.delete(provider);
	void vscode.window.showInformationMessage(`CostLens: ${KEY_PROVIDER_LABELS[provider]} API key removed.`);
	await restartIfRunning();
}
