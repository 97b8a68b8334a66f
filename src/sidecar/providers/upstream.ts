/**
 * What the Anthropic and OpenAI adapters share: one attempt's abort/timeout plumbing and the
 * mapping of SDK errors onto `ProviderError` kinds the retry policy understands. The SDKs' own
 * retries are off (`maxRetries: 0`): the pipeline retries itself so that every attempt is logged
 * and `insufficient_quota` or a half-streamed answer is never retried.
 */
import { ProviderError, type NormalizedUsage } from '../../core/pipeline';

export const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * An abort signal for one attempt: fires when the caller cancels, or when `timeoutMs` pass without
 * progress (`touch()` on every stream event restarts the clock — an inactivity timeout, so a long
 * but live stream is never cut).
 */
export class AttemptControl {
	private readonly controller = new AbortController();
	private timer: NodeJS.Timeout | undefined;
	timedOut = false;

	constructor(
		private readonly callerSignal: AbortSignal,
		private readonly timeoutMs: number,
	) {
		if (callerSignal.aborted) this.controller.abort();
		else callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
		this.touch();
	}

	get signal(): AbortSignal {
		return this.controller.signal;
	}

	get cancelled(): boolean {
		return this.callerSignal.aborted;
	}

	touch(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = setTimeout(() => {
			this.timedOut = true;
			this.controller.abort();
		}, this.timeoutMs);
	}

	dispose(): void {
		if (this.timer) clearTimeout(this.timer);
		this.callerSignal.removeEventListener('abort', this.onCallerAbort);
	}

	/** The error to raise when the SDK ended early or threw because this attempt was aborted. */
	abortError(streamed: boolean, usage?: NormalizedUsage): ProviderError | undefined {
		if (this.cancelled) return new ProviderError('cancelled by the caller', 'aborted', { streamed });
		if (this.timedOut) return new ProviderError(`no response for ${Math.round(this.timeoutMs / 1000)} s (timeout)`, 'timeout', { streamed, ...(usage ? { usage } : {}) });
		return undefined;
	}

	private readonly onCallerAbort = (): void => this.controller.abort();
}

/** `retry-after-ms` (ms), else `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: { get(name: string): string | null } | undefined, now = Date.now()): number | undefined {
	if (!headers) return undefined;
	const ms = headers.get('retry-after-ms');
	if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
	const value = headers.get('retry-after');
	if (value === null || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(value);
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface SdkErrorShape {
	readonly name?: string;
	readonly message?: string;
	readonly status?: number;
	readonly headers?: { get(name: string): string | null };
	/** OpenAI: `code` (e.g. insufficient_quota); Anthropic: `error.error.type`. */
	readonly code?: string | null;
	readonly type?: string | null;
	readonly error?: unknown;
}

/** Maps an error thrown by either SDK (or by fetch) to a `ProviderError`. */
export function classifySdkError(error: unknown, context: { streamed: boolean; usage?: NormalizedUsage; model?: string }): ProviderError {
	if (error instanceof ProviderError) return error;
	const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as SdkErrorShape;
	const status = typeof e.status === 'number' ? e.status : undefined;
	const bodyType = errorType(e);
	const message = describe(e, status, bodyType);
	const options = {
		...(status !== undefined ? { status } : {}),
		...(retryAfterMs(e.headers) !== undefined ? { retryAfterMs: retryAfterMs(e.headers) } : {}),
		streamed: context.streamed,
		...(context.usage ? { usage: context.usage } : {}),
		...(context.model ? { model: context.model } : {}),
	};
	const name = e.name ?? '';
	if (name === 'APIUserAbortError') return new ProviderError(message, 'aborted', options);
	if (name === 'APIConnectionTimeoutError') return new ProviderError(message, 'timeout', options);
	if (name === 'APIConnectionError') return new ProviderError(message, 'connection', options);
	if (status === undefined) {
		// A mid-stream error event (no HTTP status), or the connection dropping while reading.
		if (bodyType) return new ProviderError(message, bodyType.includes('overloaded') ? 'overloaded' : 'stream-error', options);
		return new ProviderError(message, context.streamed ? 'stream-cut' : 'connection', options);
	}
	if (status === 429) return new ProviderError(message, bodyType === 'insufficient_quota' ? 'quota' : 'rate-limit', options);
	if (status === 529) return new ProviderError(message, 'overloaded', options);
	if (status === 408 || status === 409) return new ProviderError(message, 'server', options);
	if (status >= 500) return new ProviderError(message, 'server', options);
	if (status === 401 || status === 403) return new ProviderError(message, 'auth', options);
	return new ProviderError(message, 'client', options);
}

function errorType(e: SdkErrorShape): string | undefined {
	if (typeof e.code === 'string' && e.code) return e.code;
	const body = e.error as { error?: { type?: unknown; code?: unknown }; type?: unknown; code?: unknown } | undefined;
	const candidates = [body?.error?.code, body?.code, body?.error?.type, body?.type, e.type];
	for (const c of candidates) if (typeof c === 'string' && c && c !== 'error') return c;
	return undefined;
}

function describe(e: SdkErrorShape, status: number | undefined, type: string | undefined): string {
	const raw = (e.message ?? 'request failed').replace(/\s+/g, ' ').trim();
	const label =
		status === 429 && type === 'insufficient_quota'
			? 'quota exhausted (429 insufficient_quota; not retried)'
			: status === 429
				? 'rate limited (429)'
				: status === 529
					? 'overloaded (529)'
					: status !== undefined
						? `HTTP ${status}`
						: type
							? `stream error (${type})`
							: undefined;
	return label ? `${label}: ${raw}` : raw;
}
