/**
 * The Playground view (activity bar → CostLens → Playground): a webview that runs one request
 * through the sidecar's pipeline and shows each stage. The webview never reaches the sidecar: this
 * class validates every message it posts (`parseFromWebview`), relays runs to `SidecarService.run`
 * and forwards each pipeline event back as `runEvent`.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import type { CascadeSpec, GateSpec, PipelineResult, ProviderId, UsageRecord } from '../../core/pipeline/types';
import { formToRequest, providerForModel } from '../../core/playground/formToRequest';
import { BUILTIN_PRICES } from '../../core/pricing/prices';
import { parseFromWebview, type FromWebview, type PlaygroundForm, type PlaygroundSetup, type ToWebview } from '../../protocol/playground';
import { SidecarErrorCodes, type PipelineErrorData } from '../../protocol/sidecar';
import { UNTRUSTED_MESSAGE } from '../sidecar/supervision';
import type { SidecarService } from '../sidecar/types';
import { exportUsage } from './exportUsage';
import { createNonce, renderPlaygroundHtml } from './playgroundHtml';
import { replayWorkload } from './replayWorkload';

const PROVIDER_NAMES: Readonly<Record<ProviderId, string>> = { anthropic: 'Anthropic', openai: 'OpenAI', 'openai-compatible': 'OpenAI-compatible', demo: 'Demo' };
const USAGE_LIMIT = 500;
const GATES = ['hedging', 'truncated', 'confidence', 'schema'] as const;

/** Command ids handled by the webview's settings buttons; a fixed map, never an id from the webview. */
const WEBVIEW_COMMANDS: Readonly<Record<(FromWebview & { type: 'command' })['command'], string>> = {
	setApiKey: 'costlens.setApiKey',
	showLogs: 'costlens.showLogs',
	restartSidecar: 'costlens.restartSidecar',
	openSettings: 'workbench.action.openSettings',
};

function messageOf(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

function pipelineRows(e: unknown): readonly UsageRecord[] {
	const data = (e as { data?: PipelineErrorData } | undefined)?.data;
	return data && Array.isArray(data.rows) ? data.rows : [];
}

/** `costlens.playground.*` settings, clamped. */
export function readPlaygroundDefaults(providers: readonly ProviderId[]): PlaygroundForm {
	const section = vscode.workspace.getConfiguration('costlens.playground');
	const model = section.get<string>('defaultModel', 'claude-haiku-4-5').trim() || 'claude-haiku-4-5';
	const tenant = section.get<string>('tenant', 'playground').trim() || 'playground';
	const threshold = section.get<number>('semanticThreshold', 0.95);
	const maxTokens = section.get<number>('maxTokens', 512);
	return {
		provider: providerForModel(model, providers),
		model,
		system: '',
		prompt: '',
		maxTokens: Number.isInteger(maxTokens) && maxTokens >= 1 && maxTokens <= 1_000_000 ? maxTokens : 512,
		stream: true,
		exactCache: true,
		semanticCache: false,
		threshold: typeof threshold === 'number' && threshold >= 0.5 && threshold <= 1 ? threshold : 0.95,
		tenant: tenant.slice(0, 200),
		personalized: false,
	};
}

/** The cascade the form offers when the user ticks "Cascade" (`costlens.playground.cascade.*`). */
export function readCascadeDefaults(): CascadeSpec {
	const section = vscode.workspace.getConfiguration('costlens.playground.cascade');
	const cheapModel = section.get<string>('cheapModel', 'claude-haiku-4-5').trim() || 'claude-haiku-4-5';
	const strongModel = section.get<string>('strongModel', 'claude-sonnet-4-6').trim() || 'claude-sonnet-4-6';
	const kinds = section.get<unknown>('gates', ['hedging', 'truncated']);
	const min = section.get<number>('confidenceMin', 0.7);
	const gates: GateSpec[] = [];
	for (const kind of Array.isArray(kinds) ? kinds : []) {
		if (kind === 'hedging' || kind === 'truncated') gates.push({ kind });
		else if (kind === 'confidence') gates.push({ kind, min: typeof min === 'number' && min >= 0 && min <= 1 ? min : 0.7 });
	}
	return { cheapModel, strongModel, gates: gates.length > 0 ? gates : [{ kind: 'hedging' }, { kind: 'truncated' }] };
}

export class PlaygroundView implements vscode.WebviewViewProvider, vscode.Disposable {
	static readonly viewId = 'costlens.playground';
	private view: vscode.WebviewView | undefined;
	private ready = false;
	/** A "fill" asked for before the webview said `ready`. */
	private pendingFill: (ToWebview & { type: 'fill' }) | undefined;
	private readonly runs = new Map<string, vscode.CancellationTokenSource>();
	private readonly replays = new Map<string, vscode.CancellationTokenSource>();
	private lastRows: readonly UsageRecord[] = [];
	private readonly subscriptions: vscode.Disposable[] = [];

	constructor(
		private readonly extension: vscode.ExtensionContext,
		private readonly sidecar: SidecarService,
		private readonly log: vscode.LogOutputChannel,
	) {
		this.subscriptions.push(
			sidecar.onDidChangeState((state) => {
				this.post({ type: 'sidecarState', state });
				// New keys (or a restart) change which providers can run.
				if (state.kind === 'ready') this.post({ type: 'setup', setup: this.setup() });
			}),
			vscode.workspace.onDidChangeConfiguration((e) => {
				if (e.affectsConfiguration('costlens.playground')) this.post({ type: 'setup', setup: this.setup() });
			}),
		);
	}

	resolveWebviewView(view: vscode.WebviewView): void {
		this.view = view;
		this.ready = false;
		const media = vscode.Uri.joinPath(this.extension.extensionUri, 'media');
		const dist = vscode.Uri.joinPath(this.extension.extensionUri, 'dist');
		view.webview.options = { enableScripts: true, enableCommandUris: false, localResourceRoots: [media, dist] };
		view.webview.html = renderPlaygroundHtml({
			cspSource: view.webview.cspSource,
			scriptUri: view.webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview', 'playground.js')).toString(),
			styleUri: view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'playground.css')).toString(),
			extraStyleUris: [view.webview.asWebviewUri(vscode.Uri.joinPath(media, 'dashboard.css')).toString()],
			nonce: createNonce(),
		});
		const listener = view.webview.onDidReceiveMessage((raw: unknown) => {
			const message = parseFromWebview(raw);
			if (!message) {
				this.log.warn(`Playground: ignored a malformed message from the webview (${typeof raw === 'object' && raw !== null ? String((raw as { type?: unknown }).type) : typeof raw}).`);
				return;
			}
			void this.handle(message).catch((e: unknown) => {
				this.log.error(`Playground: ${message.type} failed: ${messageOf(e)}`);
				this.post({ type: 'error', message: messageOf(e) });
			});
		});
		view.onDidDispose(() => {
			listener.dispose();
			if (this.view === view) {
				this.view = undefined;
				this.ready = false;
			}
		});
	}

	/** Fills the form (Open in Playground) and shows the view. */
	async fill(form: Partial<PlaygroundForm>, source?: string): Promise<void> {
		const message: ToWebview & { type: 'fill' } = { type: 'fill', form, ...(source !== undefined ? { source } : {}) };
		if (this.view && this.ready) this.post(message);
		else this.pendingFill = message;
		await this.reveal();
	}

	async reveal(): Promise<void> {
		await vscode.commands.executeCommand(`${PlaygroundView.viewId}.focus`);
	}

	private post(message: ToWebview): void {
		if (!this.view || !this.ready) return;
		void this.view.webview.postMessage(message);
	}

	private available(): readonly ProviderId[] {
		const state = this.sidecar.state;
		return state.kind === 'ready' ? state.info.providers : ['demo'];
	}

	private setup(): PlaygroundSetup {
		const providers = this.available();
		const withDemo: ProviderId[] = providers.includes('demo') ? [...providers] : [...providers, 'demo'];
		const models = [...new Set(BUILTIN_PRICES.filter((p) => !p.model.startsWith('text-embedding')).map((p) => p.model))];
		return { providers: withDemo, demoOnly: withDemo.every((p) => p === 'demo'), models, defaults: readPlaygroundDefaults(withDemo), cascadeDefaults: readCascadeDefaults(), gates: GATES };
	}

	private async handle(message: FromWebview): Promise<void> {
		switch (message.type) {
			case 'ready':
				this.ready = true;
				this.post({ type: 'setup', setup: this.setup() });
				this.post({ type: 'sidecarState', state: vscode.workspace.isTrusted ? this.sidecar.state : { kind: 'untrusted' } });
				if (this.pendingFill) {
					this.post(this.pendingFill);
					this.pendingFill = undefined;
				}
				// Opening the playground is using it: start the sidecar now so the providers with keys show.
				if (vscode.workspace.isTrusted && this.sidecar.state.kind === 'idle') void this.sidecar.ensureStarted().then(() => this.refreshUsage(), (e: unknown) => this.log.warn(`Playground: sidecar did not start: ${messageOf(e)}`));
				else if (this.sidecar.state.kind === 'ready') await this.refreshUsage();
				return;
			case 'run':
				await this.run(message.runId, message.form);
				return;
			case 'cancel':
				this.runs.get(message.runId)?.cancel();
				return;
			case 'refreshUsage':
				await this.refreshUsage();
				return;
			case 'export':
				await exportUsage(this.lastRows, message.format);
				return;
			case 'replay':
				await this.replay();
				return;
			case 'cancelReplay':
				this.replays.get(message.replayId)?.cancel();
				return;
			case 'clearCache': {
				if (!this.trusted()) return;
				const cleared = await this.sidecar.request('cache/clear', { layer: message.layer });
				void vscode.window.showInformationMessage(`CostLens: cleared ${cleared.exact} exact and ${cleared.semantic} semantic cache entries.`);
				return;
			}
			case 'command':
				if (message.command === 'openSettings') await vscode.commands.executeCommand(WEBVIEW_COMMANDS.openSettings, `@ext:${this.extension.extension.id}`);
				else await vscode.commands.executeCommand(WEBVIEW_COMMANDS[message.command]);
				return;
			default:
				return assertNever(message);
		}
	}

	private trusted(): boolean {
		if (vscode.workspace.isTrusted) return true;
		this.post({ type: 'sidecarState', state: { kind: 'untrusted' } });
		this.post({ type: 'error', message: UNTRUSTED_MESSAGE });
		return false;
	}

	private async run(runId: string, form: PlaygroundForm): Promise<void> {
		if (!vscode.workspace.isTrusted) {
			this.post({ type: 'runFailed', runId, message: UNTRUSTED_MESSAGE, rows: [] });
			this.post({ type: 'sidecarState', state: { kind: 'untrusted' } });
			return;
		}
		if (this.runs.has(runId)) return;
		const source = new vscode.CancellationTokenSource();
		this.runs.set(runId, source);
		try {
			const info = await this.sidecar.ensureStarted();
			const provider = info.providers.includes(form.provider) ? form.provider : 'demo';
			if (provider !== form.provider) {
				this.post({ type: 'runEvent', runId, event: { type: 'warning', message: `No ${PROVIDER_NAMES[form.provider]} key is set, so the demo provider answered (simulated, nothing billed). Use the key button to add one.` } });
			}
			const request = formToRequest(form, provider);
			const result: PipelineResult = await this.sidecar.run({ runId, request }, (event) => this.post({ type: 'runEvent', runId, event }), source.token);
			this.post({ type: 'runDone', runId, result });
		} catch (e: unknown) {
			const cancelled = source.token.isCancellationRequested || e instanceof vscode.CancellationError || (e as { code?: unknown })?.code === SidecarErrorCodes.RequestCancelled;
			this.post({ type: 'runFailed', runId, message: cancelled ? 'Cancelled.' : messageOf(e), rows: pipelineRows(e) });
			if (!cancelled) this.log.warn(`Playground run failed: ${messageOf(e)}`);
		} finally {
			this.runs.delete(runId);
			source.dispose();
		}
		await this.refreshUsage();
	}

	private async refreshUsage(): Promise<void> {
		if (!vscode.workspace.isTrusted) return;
		try {
			// Rows only: the dashboard shapes them itself, and the whole log is not read after every run.
			const usage = await this.sidecar.request('usage/query', { limit: USAGE_LIMIT, groups: false });
			this.lastRows = usage.rows;
			this.post({ type: 'usage', rows: usage.rows });
		} catch (e: unknown) {
			this.log.warn(`Playground: usage query failed: ${messageOf(e)}`);
		}
	}

	private async replay(): Promise<void> {
		if (!this.trusted()) return;
		const picked = await vscode.window.showOpenDialog({ canSelectMany: false, openLabel: 'Replay', title: 'Replay a JSONL workload', filters: { 'JSON Lines': ['jsonl', 'ndjson'], 'All files': ['*'] } });
		const uri = picked?.[0];
		if (!uri) return;
		const replayId = `replay-${randomUUID()}`;
		const source = new vscode.CancellationTokenSource();
		this.replays.set(replayId, source);
		const file = vscode.workspace.asRelativePath(uri, false);
		try {
			this.post({ type: 'replayProgress', replayId, done: 0, total: 0, file });
			const outcome = await replayWorkload(uri, this.sidecar, (done, total) => this.post({ type: 'replayProgress', replayId, done, total, file }), source.token);
			this.post({ type: 'replayDone', replayId, summary: outcome.summary, cancelled: outcome.cancelled, errors: outcome.errors });
		} catch (e: unknown) {
			this.post({ type: 'error', message: messageOf(e) });
		} finally {
			this.replays.delete(replayId);
			source.dispose();
		}
		await this.refreshUsage();
	}

	dispose(): void {
		for (const s of [...this.runs.values(), ...this.replays.values()]) s.cancel();
		for (const d of this.subscriptions) d.dispose();
	}
}

function assertNever(value: never): never {
	throw new Error(`unhandled message ${JSON.stringify(value)}`);
}
