import type { CallSite } from '../analysis/types';
import type { Assumptions, CostEstimate } from './estimateTypes';

/** `≈ $0.0061/call · in 1.2k (0.9k cacheable) · out ≤1k · $183/mo @ 1k/day`, or an unpriced title. */
export function formatLensTitle(estimate: CostEstimate, assumptions: Assumptions): string {
	void estimate; void assumptions;
	throw new Error('formatLensTitle: not implemented yet');
}

/** The hover / breakdown text as Markdown. */
export function formatBreakdownMarkdown(site: CallSite, estimate: CostEstimate, assumptions: Assumptions): string {
	void site; void estimate; void assumptions;
	throw new Error('formatBreakdownMarkdown: not implemented yet');
}

/** Money with a sensible number of significant digits: $0.0061, $183, $1.2k. */
export function formatUsd(value: number): string {
	void value;
	throw new Error('formatUsd: not implemented yet');
}
