/**
 * Messages between the playground webview (`src/webview/`, a browser bundle) and the extension
 * host. Discriminated unions on `type`; both ends validate what arrives with the guards below
 * (webview content is untrusted: it renders model output) and handle it with an exhaustive switch.
 * The webview never talks to the sidecar: the extension relays.
 *
 * TYPES ONLY plus small guards: no I/O, no `vscode`, no DOM.
 */
import type { CascadeSpec, GateSpec, PipelineEvent, PipelineResult, ProviderId, UsageRecord } from '../core/pipeline/types';
import type { ReplaySummary } from '../core/pipeline/summary';
import type { SidecarState } from './sidecar';

/** What the form holds; the extension turns it into a `PipelineRequest`. */
export interface PlaygroundForm {
	readonly provider: ProviderId;
	readonly model: string;
	readonly system: string;
	readonly prompt: string;
	readonly maxTokens: number;
	readonly stream: boolean;
	readonly exactCache: boolean;
	readonly semanticCache: boolean;
	/** Cosine similarity threshold for a semantic hit, 0.5–1. */
	readonly threshold: number;
	readonly tenant: string;
	/** Cheap → strong cascade; absent = one model. */
	readonly cascade?: CascadeSpec;
	readonly personalized: boolean;
}

export interface PlaygroundSetup {
	/** Providers that can run now (keys present); `demo` always can. */
	readonly providers: readonly ProviderId[];
	/** True when no real provider has a key: the demo provider is selected and labelled. */
	readonly demoOnly: boolean;
	/** Model ids the price table knows, for the model pickers. */
	readonly models: readonly string[];
	/** Defaults from settings (`costlens.playground.*`). */
	readonly defaults: PlaygroundForm;
	/** What the cascade fields hold until the user changes them (`costlens.playground.cascade.*`). */
	readonly cascadeDefaults: CascadeSpec;
	readonly gates: readonly GateSpec['kind'][];
}

/** Sent by the extension host to the webview. */
export type ToWebview =
	| { readonly type: 'setup'; readonly setup: PlaygroundSetup }
	/** Fill the form (from "Open in Playground" on a call site). */
	| { readonly type: 'fill'; readonly form: Partial<PlaygroundForm>; readonly source?: string }
	| { readonly type: 'sidecarState'; readonly state: SidecarState }
	| { readonly type: 'runEvent'; readonly runId: string; readonly event: PipelineEvent }
	| { readonly type: 'runDone'; readonly runId: string; readonly result: PipelineResult }
	| { readonly type: 'runFailed'; readonly runId: string; readonly message: string; readonly rows: readonly UsageRecord[] }
	/** The usage log for the dashboard (newest last). */
	| { readonly type: 'usage'; readonly rows: readonly UsageRecord[] }
	| { readonly type: 'replayProgress'; readonly replayId: string; readonly done: number; readonly total: number; readonly file: string }
	| { readonly type: 'replayDone'; readonly replayId: string; readonly summary: ReplaySummary; readonly cancelled: boolean; readonly errors: readonly string[] }
	| { readonly type: 'error'; readonly message: string };

/** Sent by the webview. */
export type FromWebview =
	| { readonly type: 'ready' }
	| { readonly type: 'run'; readonly runId: string; readonly form: PlaygroundForm }
	| { readonly type: 'cancel'; readonly runId: string }
	| { readonly type: 'refreshUsage' }
	| { readonly type: 'export'; readonly format: 'csv' | 'json' }
	/** Asks the extension to pick a JSONL file and replay it. */
	| { readonly type: 'replay' }
	| { readonly type: 'cancelReplay'; readonly replayId: string }
	| { readonly type: 'clearCache'; readonly layer: 'exact' | 'semantic' | 'all' }
	/** Opens a fixed, allow-listed command (never an arbitrary command id from the webview). */
	| { readonly type: 'command'; readonly command: 'setApiKey' | 'showLogs' | 'openSettings' | 'restartSidecar' };

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= 128;
const PROVIDERS: readonly string[] = ['anthropic', 'openai', 'openai-compatible', 'demo'];
const GATE_KINDS: readonly string[] = ['confidence', 'hedging', 'schema', 'truncated'];
const COMMANDS: readonly string[] = ['setApiKey', 'showLogs', 'openSettings', 'restartSidecar'];
const MAX_TEXT = 1_000_000;

/** Why `value` is not a valid form, or undefined. */
export function formProblem(value: unknown): string | undefined {
	if (!isRecord(value)) return 'form must be an object';
	const f = value;
	if (typeof f.provider !== 'string' || !PROVIDERS.includes(f.provider)) return 'unknown provider';
	if (typeof f.model !== 'string' || f.model.length > 200) return 'model must be a string';
	if (typeof f.system !== 'string' || f.system.length > MAX_TEXT) return 'system prompt must be text under 1 MB';
	if (typeof f.prompt !== 'string' || f.prompt.length > MAX_TEXT) return 'prompt must be text under 1 MB';
	if (typeof f.maxTokens !== 'number' || !Number.isInteger(f.maxTokens) || f.maxTokens < 1 || f.maxTokens > 1_000_000) return 'max tokens must be a positive integer';
	for (const flag of ['stream', 'exactCache', 'semanticCache', 'personalized'] as const) if (typeof f[flag] !== 'boolean') return `${flag} must be true or false`;
	if (typeof f.threshold !== 'number' || !(f.threshold >= 0.5 && f.threshold <= 1)) return 'threshold must be between 0.5 and 1';
	if (typeof f.tenant !== 'string' || f.tenant.length === 0 || f.tenant.length > 200) return 'tenant must be a non-empty string';
	if (f.cascade !== undefined) {
		const c = f.cascade;
		if (!isRecord(c) || typeof c.cheapModel !== 'string' || typeof c.strongModel !== 'string' || !c.cheapModel || !c.strongModel) return 'cascade needs a cheap and a strong model';
		if (!Array.isArray(c.gates) || c.gates.length === 0) return 'cascade needs at least one gate';
		for (const g of c.gates) {
			if (!isRecord(g) || typeof g.kind !== 'string' || !GATE_KINDS.includes(g.kind)) return 'unknown gate';
			if (g.kind === 'confidence' && (typeof g.min !== 'number' || g.min < 0 || g.min > 1)) return 'confidence gate needs min in [0, 1]';
			if (g.kind === 'schema' && !isRecord(g.schema)) return 'schema gate needs a JSON Schema object';
		}
	}
	return undefined;
}

/** Validates a message from the webview; undefined when it is not one we accept. */
export function parseFromWebview(value: unknown): FromWebview | undefined {
	if (!isRecord(value) || typeof value.type !== 'string') return undefined;
	const m = value;
	switch (m.type as FromWebview['type']) {
		case 'ready':
		case 'refreshUsage':
		case 'replay':
			return { type: m.type as 'ready' | 'refreshUsage' | 'replay' };
		case 'run':
			return isId(m.runId) && formProblem(m.form) === undefined ? { type: 'run', runId: m.runId, form: m.form as unknown as PlaygroundForm } : undefined;
		case 'cancel':
			return isId(m.runId) ? { type: 'cancel', runId: m.runId } : undefined;
		case 'cancelReplay':
			return isId(m.replayId) ? { type: 'cancelReplay', replayId: m.replayId } : undefined;
		case 'export':
			return m.format === 'csv' || m.format === 'json' ? { type: 'export', format: m.format } : undefined;
		case 'clearCache':
			return m.layer === 'exact' || m.layer === 'semantic' || m.layer === 'all' ? { type: 'clearCache', layer: m.layer } : undefined;
		case 'command':
			return typeof m.command === 'string' && COMMANDS.includes(m.command) ? { type: 'command', command: m.command as FromWebview & { type: 'command' } extends { command: infer C } ? C : never } : undefined;
		default:
			return undefined;
	}
}

/** Validates a message from the extension (the webview checks too: a bug must not become an XSS). */
export function parseToWebview(value: unknown): ToWebview | undefined {
	if (!isRecord(value) || typeof value.type !== 'string') return undefined;
	const m = value;
	switch (m.type as ToWebview['type']) {
		case 'setup':
			return isRecord(m.setup) && Array.isArray(m.setup.providers) && isRecord(m.setup.defaults) ? (m as unknown as ToWebview) : undefined;
		case 'fill':
			return isRecord(m.form) ? (m as unknown as ToWebview) : undefined;
		case 'sidecarState':
			return isRecord(m.state) && typeof m.state.kind === 'string' ? (m as unknown as ToWebview) : undefined;
		case 'runEvent':
			return isId(m.runId) && isRecord(m.event) && typeof m.event.type === 'string' ? (m as unknown as ToWebview) : undefined;
		case 'runDone':
			return isId(m.runId) && isRecord(m.result) && isRecord(m.result.completion) && typeof m.result.completion.text === 'string' ? (m as unknown as ToWebview) : undefined;
		case 'runFailed':
			return isId(m.runId) && typeof m.message === 'string' && Array.isArray(m.rows) ? (m as unknown as ToWebview) : undefined;
		case 'usage':
			return Array.isArray(m.rows) ? (m as unknown as ToWebview) : undefined;
		case 'replayProgress':
			return isId(m.replayId) && typeof m.done === 'number' && typeof m.total === 'number' && typeof m.file === 'string' ? (m as unknown as ToWebview) : undefined;
		case 'replayDone':
			return isId(m.replayId) && isRecord(m.summary) && typeof m.cancelled === 'boolean' && Array.isArray(m.errors) ? (m as unknown as ToWebview) : undefined;
		case 'error':
			return typeof m.message === 'string' ? (m as unknown as ToWebview) : undefined;
		default:
			return undefined;
	}
}
