import type { FileAnalysis, SourceResolver } from './types';

export interface AnalyzeOptions {
	/** Files larger than this are skipped with a reason (default 2 MB). */
	readonly maxBytes?: number;
}

/**
 * Finds every Anthropic / OpenAI SDK call site in a TS/JS file and resolves its arguments statically.
 * Pure: other files are reached only through `resolver`. Never throws on bad input.
 */
export function analyzeFile(text: string, fileName: string, resolver?: SourceResolver, options?: AnalyzeOptions): FileAnalysis {
	void text; void fileName; void resolver; void options;
	throw new Error('analyzeFile: not implemented yet');
}
