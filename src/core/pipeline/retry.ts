import type { ProviderError } from './ports';

/** How upstream failures are retried. Defaults follow the providers' own guidance (and the SDKs'). */
export interface RetryPolicy {
	/** Attempts including the first. */
	readonly maxAttempts: number;
	/** No retry starts after this many ms since the first attempt began. */
	readonly deadlineMs: number;
	/** First backoff; doubles per retry, with ±25% jitter. */
	readonly baseDelayMs: number;
	readonly maxDelayMs: number;
	/** A `retry-after` longer than this is not waited for: the error goes to the caller. */
	readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 3, deadlineMs: 120_000, baseDelayMs: 500, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 };

/**
 * The wait before the next attempt, or undefined when the failure must not be retried: quota
 * exhaustion, bad requests, auth, aborts, and anything after bytes of the answer reached the
 * caller (a retry would show them a second, different answer).
 */
export function retryDelay(error: ProviderError, attempt: number, elapsedMs: number, policy: RetryPolicy, random: () => number = Math.random): number | undefined {
	if (attempt >= policy.maxAttempts) return undefined;
	if (error.options.streamed) return undefined;
	if (!['rate-limit', 'overloaded', 'server', 'timeout', 'connection', 'stream-cut'].includes(error.kind)) return undefined;
	const retryAfter = error.options.retryAfterMs;
	let delay: number;
	if (retryAfter !== undefined) {
		if (retryAfter > policy.maxRetryAfterMs) return undefined;
		delay = retryAfter;
	} else {
		const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
		delay = Math.round(backoff * (0.75 + random() * 0.5));
	}
	if (elapsedMs + delay > policy.deadlineMs) return undefined;
	return delay;
}
