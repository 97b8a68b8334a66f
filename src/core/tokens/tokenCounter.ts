/** Counts tokens with a real BPE encoding. One facade so the library behind it can change. */
export interface TokenCounter {
	count(text: string, encoding: 'o200k_base' | 'cl100k_base'): number;
}

/** The default counter (gpt-tokenizer; see ARCHITECTURE.md for the benchmark that chose it). Encodings load lazily. */
export function createTokenCounter(): TokenCounter {
	throw new Error('createTokenCounter: not implemented yet');
}
