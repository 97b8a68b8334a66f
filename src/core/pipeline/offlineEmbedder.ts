/**
 * A built-in embedder that needs no network and no model download, so the semantic cache works
 * out of the box and in tests. It is LEXICAL: feature hashing of content words plus their
 * character trigrams. It matches rewordings that share content words ("How do I reset my
 * password?" / "how can i reset my password") and near-spellings, not true paraphrases ("cancel
 * my plan" / "where's the cancellation button" share little). Use a real embedding model when
 * paraphrases matter; the id differs, so vectors of the two never compare.
 */
import type { Embedder } from './ports';

/** Default vector size. Part of the id: vectors of different sizes never compare. */
export const OFFLINE_EMBEDDER_DIMS = 512;
export const OFFLINE_EMBEDDER_ID = `costlens-lexical-v1@${OFFLINE_EMBEDDER_DIMS}`;

/** Id for a non-default size. */
export function offlineEmbedderId(dims: number): string {
	return `costlens-lexical-v1@${dims}`;
}

const WORD_WEIGHT = 1;
/** Trigrams catch inflections and typos the light stemmer misses, but must not outvote whole words. */
const TRIGRAM_WEIGHT = 0.25;

/**
 * Function words that carry no topic. Negations ("not", "no", "never") are deliberately NOT here:
 * they change the meaning, and the semantic guard checks them too.
 */
const STOPWORDS: ReadonlySet<string> = new Set([
	'a', 'an', 'the', 'and', 'or', 'but', 'if', 'then', 'so', 'of', 'to', 'in', 'on', 'at', 'by', 'for', 'with', 'from', 'into', 'about', 'as',
	'is', 'am', 'are', 'was', 'were', 'be', 'been', 'being', 'do', 'does', 'did', 'doing', 'have', 'has', 'had', 'having',
	'i', 'me', 'my', 'mine', 'we', 'us', 'our', 'you', 'your', 'yours', 'he', 'him', 'his', 'she', 'her', 'it', 'its', 'they', 'them', 'their',
	'this', 'that', 'these', 'those', 'there', 'here', 'what', 'which', 'who', 'whom', 'whose', 'how', 'why', 'when', 'where',
	'can', 'could', 'would', 'should', 'will', 'shall', 'may', 'might', 'must', 'please', 'just', 'also', 'any', 'some', 'very',
	'get', 'go', 'i\'m', 'im', 'let', 'lets', 'want', 'need', 'like', 'know', 'tell', 'way', 'able',
]);

/**
 * Deterministic unit vector (or the zero vector for text with no content words) of `dims`
 * dimensions. Signed feature hashing: each feature adds ±weight at one index, so unrelated
 * features cancel on average instead of piling up.
 */
export function embedOffline(text: string, dims: number = OFFLINE_EMBEDDER_DIMS): Float32Array {
	if (!Number.isInteger(dims) || dims <= 0) throw new RangeError(`embedOffline: dims must be a positive integer, got ${dims}`);
	const vector = new Float32Array(dims);
	for (const word of contentWords(text)) {
		add(vector, `w:${word}`, WORD_WEIGHT);
		const padded = `^${word}$`;
		for (let i = 0; i + 3 <= padded.length; i++) add(vector, `t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
	}
	let norm = 0;
	for (const value of vector) norm += value * value;
	if (norm === 0) return vector;
	const scale = 1 / Math.sqrt(norm);
	for (let i = 0; i < dims; i++) vector[i] = (vector[i] as number) * scale;
	return vector;
}

/** Lower-cased, stemmed words of `text` minus stopwords, in order. Letters and digits of any script. */
export function contentWords(text: string): string[] {
	const words = text.normalize('NFKC').toLowerCase().replace(/['’‘]/g, '').match(/[\p{L}\p{N}]+/gu) ?? [];
	return words.filter((w) => !STOPWORDS.has(w)).map(stem);
}

/** A deliberately small suffix stripper: enough to fold plurals and -ing/-ed forms together. */
function stem(word: string): string {
	if (word.length <= 4 || /\p{N}/u.test(word)) return word;
	if (word.endsWith('ies')) return `${word.slice(0, -3)}y`;
	if (word.endsWith('sses')) return word.slice(0, -2);
	for (const suffix of ['ing', 'ed', 'ly', 'es', 's']) {
		if (!word.endsWith(suffix) || word.length - suffix.length < 3) continue;
		if (suffix === 's' && word.endsWith('ss')) return word;
		// "boxes" → "box" but "invoices" → "invoice": -es only after a sibilant.
		if (suffix === 'es' && !/(?:s|x|z|ch|sh)es$/.test(word)) continue;
		let base = word.slice(0, -suffix.length);
		if ((suffix === 'ing' || suffix === 'ed') && base.length > 3 && base[base.length - 1] === base[base.length - 2] && !'lsz'.includes(base[base.length - 1] as string)) base = base.slice(0, -1);
		return base;
	}
	return word;
}

function add(vector: Float32Array, feature: string, weight: number): void {
	const h = fnv1a(feature);
	const index = h % vector.length;
	// The top bit of a second, differently seeded hash decides the sign, independent of the index.
	const sign = fnv1a(feature, 0x9e3779b9) & 0x80000000 ? -1 : 1;
	vector[index] = (vector[index] as number) + sign * weight;
}

/** 32-bit FNV-1a over UTF-16 code units; `>>> 0` keeps it unsigned. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
	let hash = seed >>> 0;
	for (let i = 0; i < text.length; i++) {
		hash ^= text.charCodeAt(i);
		hash = Math.imul(hash, 0x01000193) >>> 0;
	}
	return hash >>> 0;
}

/** Cosine similarity; 0 when either vector is all zeros (never NaN). Vectors must have equal length. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
	if (a.length !== b.length) throw new RangeError(`cosineSimilarity: lengths differ (${a.length} vs ${b.length})`);
	let dot = 0;
	let na = 0;
	let nb = 0;
	for (let i = 0; i < a.length; i++) {
		const x = a[i] as number;
		const y = b[i] as number;
		dot += x * y;
		na += x * x;
		nb += y * y;
	}
	return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** The offline embedder behind the pipeline's `Embedder` port. */
export function createOfflineEmbedder(dims: number = OFFLINE_EMBEDDER_DIMS): Embedder {
	return {
		id: offlineEmbedderId(dims),
		embed: (text: string) => Promise.resolve({ vector: embedOffline(text, dims) }),
	};
}
