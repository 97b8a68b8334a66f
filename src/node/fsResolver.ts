import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SourceResolver } from '../core/analysis/types';

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];
/** Imported prompt modules and read prompt files larger than this are ignored (the analysis stays bounded). */
const MAX_RESOLVED_BYTES = 2 * 1024 * 1024;

/**
 * The Node adapter's `SourceResolver`: relative imports and `readFileSync` paths, read from disk.
 * `overlay` lets the editor supply unsaved buffers first. Bare specifiers (packages) are not followed.
 */
export function createFsResolver(overlay?: (fileName: string) => string | undefined): SourceResolver {
	const read = (fileName: string): string | undefined => {
		const open = overlay?.(fileName);
		if (open !== undefined) return open;
		try {
			const stat = fs.statSync(fileName);
			if (!stat.isFile() || stat.size > MAX_RESOLVED_BYTES) return undefined;
			return fs.readFileSync(fileName, 'utf8');
		} catch {
			return undefined;
		}
	};
	return {
		resolveModule(fromFile, specifier) {
			if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
			const base = path.resolve(path.dirname(fromFile), specifier);
			// TS sources import `./x.js` for `./x.ts` under Node16/NodeNext resolution.
			const stripped = base.replace(/\.(m|c)?js$/, '');
			const candidates = [base, ...SOURCE_EXTENSIONS.map((ext) => stripped + ext), ...SOURCE_EXTENSIONS.map((ext) => path.join(base, 'index' + ext))];
			for (const candidate of candidates) {
				const text = read(candidate);
				if (text !== undefined) return { fileName: candidate, text };
			}
			return undefined;
		},
		readTextFile(fromFile, relativePath) {
			if (path.isAbsolute(relativePath)) return undefined;
			return read(path.resolve(path.dirname(fromFile), relativePath));
		},
	};
}
