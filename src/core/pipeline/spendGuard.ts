/**
 * A local brake on spending: at most `requestsPerMinute` upstream attempts in any 60 s window and
 * at most `dailyBudgetUsd` per UTC day. Checked before every upstream attempt; cache hits are free
 * and never limited. Zero or absent limits mean "no limit".
 */
export interface SpendLimits {
	readonly requestsPerMinute?: number;
	readonly dailyBudgetUsd?: number;
}

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export class SpendGuard {
	private readonly recent: number[] = [];
	private day = -1;
	private spentToday = 0;

	constructor(
		private readonly limits: SpendLimits,
		/** Spend already recorded today (from the usage log) when the sidecar starts. */
		initialSpentToday = 0,
		now = Date.now(),
	) {
		this.day = Math.floor(now / DAY_MS);
		this.spentToday = initialSpentToday;
	}

	/** Why the next upstream attempt must not happen, or undefined when it may. */
	check(now: number): string | undefined {
		this.rollDay(now);
		while (this.recent.length > 0 && (this.recent[0] ?? 0) <= now - MINUTE_MS) this.recent.shift();
		const rpm = this.limits.requestsPerMinute ?? 0;
		if (rpm > 0 && this.recent.length >= rpm) {
			return `Request limit reached: ${rpm} upstream requests in the last minute (costlens spend guard). Try again in a moment or raise the limit.`;
		}
		const budget = this.limits.dailyBudgetUsd ?? 0;
		if (budget > 0 && this.spentToday >= budget) {
			return `Daily budget reached: $${this.spentToday.toFixed(4)} of $${budget.toFixed(2)} spent today (UTC). Raise the budget to continue.`;
		}
		return undefined;
	}

	/** Counts one upstream attempt; `costUsd` may be null (unpriced) and then adds nothing to the budget. */
	record(now: number, costUsd: number | null): void {
		this.rollDay(now);
		this.recent.push(now);
		if (costUsd !== null) this.spentToday += costUsd;
	}

	private rollDay(now: number): void {
		const day = Math.floor(now / DAY_MS);
		if (day !== this.day) {
			this.day = day;
			this.spentToday = 0;
		}
	}
}
