import type { CallSite } from '../analysis/types';
import type { TokenCounter } from '../tokens/tokenCounter';
import type { Assumptions, CostEstimate } from './estimateTypes';
import type { PriceTable } from './types';

export interface EstimateContext {
	readonly prices: PriceTable;
	readonly tokens: TokenCounter;
	readonly assumptions: Assumptions;
}

/** Estimated tokens and cost of one call and of a month of calls. */
export function estimateCallSite(site: CallSite, context: EstimateContext): CostEstimate {
	void site; void context;
	throw new Error('estimateCallSite: not implemented yet');
}
