import type { CallSite, PromptSegment, ResolvedText, SegmentRole } from '../../../../src/core/analysis/types';
import type { TokenCounter } from '../../../../src/core/tokens/tokenCounter';

// Hand-built call sites and a word-counting tokenizer, so expected costs can be worked out by hand.

export const SPAN = { start: 0, end: 0 } as const;

export function text(value: string, holes = 0): ResolvedText {
	return { text: value, holes, holeSpans: [], origins: [] };
}

/** `n` words: the fake counter reads them as exactly `n` tokens. */
export function words(n: number): string {
	return 'w '.repeat(n).trim();
}

export function seg(role: SegmentRole, content: ResolvedText | undefined, extra: Partial<PromptSegment> = {}): PromptSegment {
	return { role, content, span: SPAN, ...extra };
}

export function callSite(overrides: Omit<Partial<CallSite>, 'model'> & { model?: CallSite['model'] | string }): CallSite {
	const { model, ...rest } = overrides;
	return {
		provider: 'anthropic',
		api: 'messages.create',
		span: SPAN,
		calleeSpan: SPAN,
		argsSpan: SPAN,
		providerEvidence: 'import',
		maxOutputTokens: undefined,
		maxOutputParam: undefined,
		stream: undefined,
		segments: [],
		hasTools: false,
		hasResponseFormat: false,
		topLevelCacheControl: false,
		...rest,
		model: typeof model === 'string' ? { kind: 'literal', value: model, span: SPAN } : model,
	};
}

/** Counts whitespace-separated words and records which encodings were asked for. */
export function wordCounter(): TokenCounter & { encodings: string[] } {
	const encodings: string[] = [];
	return {
		encodings,
		count(value, encoding) {
			encodings.push(encoding);
			return value.split(/\s+/).filter(Boolean).length;
		},
	};
}

/** Floating-point money: equal to 1e-12 USD. */
export function near(actual: number | null, expected: number, message?: string): void {
	if (actual === null || Math.abs(actual - expected) > 1e-12) {
		throw new Error(`${message ?? 'value'}: expected ${expected}, got ${String(actual)}`);
	}
}
