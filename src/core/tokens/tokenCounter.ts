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

/** Texts longer than this are counted every time (rare, and they would crowd the memo out). */
const MEMO_MAX_TEXT = 64 * 1024;
/** Upper bound on the characters the memo keeps alive (~8 MB of UTF-16). */
const MEMO_MAX_CHARS = 4 * 1024 * 1024;

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
	// Between two keystrokes the prompts of a file almost never change, so counts are memoised:
	// re-tokenising every prompt on every edit was a third of the per-edit analysis time.
	const memo = new Map<string, number>();
	let memoChars = 0;
	return {
		count(text, encoding) {
			if (text.length === 0) return 0;
			if (text.length > MEMO_MAX_TEXT) return encoder(encoding).countTokens(text, PLAIN_TEXT);
			const key = encoding === 'cl100k_base' ? 'c' + text : 'o' + text;
			const hit = memo.get(key);
			if (hit !== undefined) {
				// Re-insert so the Map's insertion order doubles as least-recently-used order.
				memo.delete(key);
				memo.set(key, hit);
				return hit;
			}
			const count = encoder(encoding).countTokens(text, PLAIN_TEXT);
			memo.set(key, count);
			memoChars += key.length;
			for (const [oldKey] of memo) {
				if (memoChars <= MEMO_MAX_CHARS) break;
				memo.delete(oldKey);
				memoChars -= oldKey.length;
			}
			return count;
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
