import type * as GptEncodingModule from 'gpt-tokenizer/encoding/o200k_base';

export type EncodingName = 'o200k_base' | 'cl100k_base';

/** Counts tokens with a real BPE encoding. One facade so the library behind it can change. */
export interface TokenCounter {
	count(text: string, encoding: EncodingName): number;
}

/** The gpt-tokenizer counter, which can also say which encodings it has loaded so far. */
export interface LazyTokenCounter extends TokenCounter {
	loadedEncodings(): readonly EncodingName[];
}

type Encoder = Pick<typeof GptEncodingModule, 'countTokens'>;

/**
 * Text such as `<|endoftext|>` inside a prompt is plain text to the API, so it is counted as text
 * instead of making the library throw.
 */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * The default counter (gpt-tokenizer; see ARCHITECTURE.md and bench/tokenizers.bench.ts for the
 * measurements that chose it). Each encoding is required on first use: o200k costs ~200 ms and
 * ~14 MB to load, and cl100k (text-embedding-3 only) is never loaded unless asked for.
 */
export function createTokenCounter(): LazyTokenCounter {
	const encoders = new Map<EncodingName, Encoder>();
	function encoder(encoding: EncodingName): Encoder {
		let loaded = encoders.get(encoding);
		if (!loaded) {
			// Literal specifiers so esbuild bundles both; the require runs only on first use.
			loaded = encoding === 'cl100k_base'
				? (require('gpt-tokenizer/encoding/cl100k_base') as Encoder)
				: (require('gpt-tokenizer/encoding/o200k_base') as Encoder);
			encoders.set(encoding, loaded);
		}
		return loaded;
	}
	return {
		count(text, encoding) {
			if (text.length === 0) return 0;
			return encoder(encoding).countTokens(text, PLAIN_TEXT);
		},
		loadedEncodings: () => [...encoders.keys()],
	};
}

/**
 * chars/4, for the moments before the real tokenizer is loaded (measured within ±8% of o200k on
 * this project's samples). Callers must present its results as rough.
 */
export function createApproximateTokenCounter(): TokenCounter {
	return { count: (text) => Math.ceil(text.length / 4) };
}
