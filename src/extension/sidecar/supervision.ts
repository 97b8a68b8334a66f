/**
 * The pure parts of sidecar supervision: crash budget and backoff, key redaction, stderr line
 * splitting, API-key validation and the status-bar presentation of a state. No `vscode` at run
 * time (types only), so unit tests run in plain Node.
 */
import type { SidecarState } from '../../protocol/sidecar';

/** Shown (and thrown) whenever something that spends money is asked for in an untrusted workspace. */
export const UNTRUSTED_MESSAGE =
	'CostLens does not run model requests in an untrusted workspace (Workspace Trust). Trust this folder (Manage Workspace Trust) to use the playground.';

export interface CrashDecision {
	/** Crashes inside the window, this one included. */
	readonly crashes: number;
	/** True once the budget is spent: stop restarting. */
	readonly giveUp: boolean;
	/** Wait before the next start (0 when giving up). */
	readonly delayMs: number;
}

/**
 * vscode-languageclient's default crash budget (5 crashes within 3 minutes and it stops
 * restarting), with an exponential backoff between restarts (1 s, 2 s, 4 s, …, capped).
 */
export class CrashBudget {
	private readonly times: number[] = [];

	constructor(
		readonly limit = 5,
		readonly windowMs = 3 * 60 * 1000,
		readonly baseDelayMs = 1000,
		readonly maxDelayMs = 30_000,
	) {}

	/** Records a crash at `now` (ms) and says whether, and after how long, to restart. */
	recordCrash(now: number): CrashDecision {
		this.times.push(now);
		while (this.times.length > 0 && now - this.times[0]! > this.windowMs) this.times.shift();
		const crashes = this.times.length;
		if (crashes >= this.limit) return { crashes, giveUp: true, delayMs: 0 };
		return { crashes, giveUp: false, delayMs: backoffDelay(crashes, this.baseDelayMs, this.maxDelayMs) };
	}

	/** Crashes currently inside the window ending at `now`. */
	count(now: number): number {
		return this.times.filter((t) => now - t <= this.windowMs).length;
	}

	/** A user-initiated restart starts with a fresh budget. */
	reset(): void {
		this.times.length = 0;
	}
}

/** Delay before restart number `attempt` (1-based): base · 2^(attempt−1), capped. */
export function backoffDelay(attempt: number, baseMs = 1000, maxMs = 30_000): number {
	const exponent = Math.max(0, Math.min(30, attempt - 1));
	return Math.min(maxMs, baseMs * 2 ** exponent);
}

const REDACTED = '[redacted]';
/** Shapes of provider keys, redacted even when the value is not known to us (e.g. read from env by the SDK). */
const KEY_SHAPES = /\b(?:sk-ant-[A-Za-z0-9_-]{10,}|sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,})/g;

/**
 * Removes every known key value, and anything shaped like an Anthropic/OpenAI key, from a log line.
 * Values shorter than 8 characters are not searched for: they would redact ordinary words.
 */
export function redactSecrets(text: string, knownValues: Iterable<string>): string {
	let out = text;
	const values = [...knownValues].filter((v) => v.length >= 8).sort((a, b) => b.length - a.length);
	for (const value of values) out = out.split(value).join(REDACTED);
	return out.replace(KEY_SHAPES, REDACTED);
}

/** Splits a byte stream into lines; a partial last line waits for the next chunk (or `flush`). */
export class LineSplitter {
	private rest = '';

	constructor(private readonly maxLineLength = 16_384) {}

	push(chunk: string): string[] {
		const parts = (this.rest + chunk).split(/\r?\n/);
		this.rest = parts.pop() ?? '';
		if (this.rest.length > this.maxLineLength) {
			// A runaway line without a newline must not grow without bound.
			parts.push(this.rest);
			this.rest = '';
		}
		return parts.filter((line) => line.length > 0);
	}

	flush(): string[] {
		const last = this.rest;
		this.rest = '';
		return last.length > 0 ? [last] : [];
	}
}

export type KeyProvider = 'anthropic' | 'openai' | 'compatible';

export const KEY_PROVIDERS: readonly KeyProvider[] = ['anthropic', 'openai', 'compatible'];

export const KEY_PROVIDER_LABELS: { readonly [P in KeyProvider]: string } = {
	anthropic: 'Anthropic',
	openai: 'OpenAI',
	compatible: 'OpenAI-compatible (Ollama, vLLM, a gateway)',
};

/** SecretStorage key of each provider's API key. */
export function secretKey(provider: KeyProvider): string {
	return `costlens.apiKey.${provider}`;
}

/** Input-box validation: an `error` blocks accepting, a `warning` only informs. */
export function validateApiKey(provider: KeyProvider, raw: string): { readonly severity: 'error' | 'warning'; readonly message: string } | undefined {
	const value = raw.trim();
	if (value.length === 0) return { severity: 'error', message: 'Enter a key, or press Escape to cancel.' };
	if (/\s/.test(value)) return { severity: 'error', message: 'An API key has no spaces or line breaks.' };
	if (value.length > 1024) return { severity: 'error', message: 'That is longer than any API key (1024 characters at most).' };
	if (provider === 'anthropic' && !value.startsWith('sk-ant-')) return { severity: 'warning', message: 'Anthropic keys usually start with `sk-ant-`.' };
	if (provider === 'openai' && !value.startsWith('sk-')) return { severity: 'warning', message: 'OpenAI keys usually start with `sk-`.' };
	return undefined;
}

export interface StatusPresentation {
	readonly text: string;
	readonly tooltip: string;
	/** Screen readers read this instead of the codicon syntax. */
	readonly accessibilityLabel: string;
	readonly error: boolean;
}

/** What the status bar shows for a state; undefined hides the item (idle, untrusted). */
export function statusPresentation(state: SidecarState): StatusPresentation | undefined {
	switch (state.kind) {
		case 'idle':
		case 'untrusted':
			return undefined;
		case 'starting':
			return { text: '$(sync~spin) CostLens: starting…', tooltip: 'The CostLens sidecar is starting.', accessibilityLabel: 'CostLens sidecar starting', error: false };
		case 'ready': {
			const info = state.info;
			const demoOnly = info.providers.every((p) => p === 'demo');
			const label = demoOnly ? 'demo provider' : 'ready';
			const lines = [
				`CostLens sidecar ${info.sidecarVersion}: ${demoOnly ? 'no API key set, only the offline demo provider is available (CostLens: Set API Key)' : `providers ${info.providers.join(', ')}`}.`,
				info.cache === 'ready' ? `Cache: ${info.dbFile}` : 'Cache unavailable: requests pass through uncached.',
				`Embedder: ${info.embedder}`,
				'Click to show the logs.',
			];
			return { text: `$(database) CostLens: ${label}`, tooltip: lines.join('\n'), accessibilityLabel: `CostLens sidecar ${label}`, error: false };
		}
		case 'restarting':
			return {
				text: '$(warning) CostLens: restarting',
				tooltip: `The CostLens sidecar stopped (${state.reason}); restarting in ${Math.round(state.delayMs / 1000)} s (crash ${state.crashes} of 5 allowed in 3 minutes). Click to show the logs.`,
				accessibilityLabel: 'CostLens sidecar restarting',
				error: false,
			};
		case 'failed':
			return { text: '$(error) CostLens sidecar failed', tooltip: `${state.reason}\nClick to show the logs.`, accessibilityLabel: 'CostLens sidecar failed, activate to show the logs', error: true };
	}
}

/** A minimal event emitter with the `vscode.Event` calling convention, so this folder's logic needs no `vscode` at run time. */
export class Emitter<T> {
	private listeners: ((value: T) => unknown)[] = [];

	readonly event = (listener: (value: T) => unknown, thisArgs?: unknown, disposables?: { dispose(): unknown }[]): { dispose(): void } => {
		const bound = thisArgs === undefined ? listener : listener.bind(thisArgs);
		this.listeners.push(bound);
		const subscription = { dispose: () => void (this.listeners = this.listeners.filter((l) => l !== bound)) };
		disposables?.push(subscription);
		return subscription;
	};

	fire(value: T): void {
		for (const listener of [...this.listeners]) listener(value);
	}

	dispose(): void {
		this.listeners = [];
	}
}
