import type { SourceResolver } from './types';

// Reading other files through the `SourceResolver`, shared by the TypeScript and Python analysers.

/** Text the analysers will read: within the size limit and not binary (a NUL byte). */
export function isReadableSource(text: string, maxBytes: number): boolean {
	return text.length <= maxBytes && text.indexOf('\0') === -1;
}

/**
 * A text file read by the analysed code (`readFileSync(rel)`, `open(rel).read()`) in `fromFile`,
 * cached per (file, path) in `cache`; undefined when missing, binary, too large or when the
 * resolver throws (an unreadable file only makes the value dynamic).
 */
export function readTextFileCached(resolver: SourceResolver | undefined, cache: Map<string, string | null>, maxBytes: number, fromFile: string, rel: string): string | undefined {
	if (!resolver) return undefined;
	const key = fromFile + '\0' + rel;
	const cached = cache.get(key);
	if (cached !== undefined) return cached ?? undefined;
	let text: string | null = null;
	try {
		const read = resolver.readTextFile(fromFile, rel);
		if (read !== undefined && isReadableSource(read, maxBytes)) text = read;
	} catch {
		text = null;
	}
	cache.set(key, text);
	return text ?? undefined;
}
