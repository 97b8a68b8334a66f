import * as fs from 'node:fs';
import * as path from 'node:path';
import { createPythonParser, type PythonParser, type PythonParserOptions, type PythonWasm } from '../core/python/parser';

/** File names of the two wasm binaries, copied next to the bundles by esbuild.mjs. */
export const PYTHON_WASM_FILES = { runtime: 'web-tree-sitter.wasm', grammar: 'tree-sitter-python.wasm' } as const;

/**
 * Reads the parser's wasm binaries from beside the running bundle (`dist/`, also inside the VSIX),
 * falling back to the packages in node_modules (tests run from `out/`), and makes a parser.
 */
export async function loadPythonParser(options?: PythonParserOptions): Promise<PythonParser> {
	// Read once per process: the worker makes two parsers (editor and scan) from the same bytes.
	wasm ??= {
		runtime: readWasm(PYTHON_WASM_FILES.runtime, 'web-tree-sitter/web-tree-sitter.wasm'),
		grammar: readWasm(PYTHON_WASM_FILES.grammar, 'tree-sitter-python/tree-sitter-python.wasm'),
	};
	return createPythonParser(wasm, options);
}

let wasm: PythonWasm | undefined;

/** A loaded parser, or why it could not be loaded; the adapters skip Python files with that reason. */
export type PythonSupport = { readonly parser: PythonParser } | { readonly error: string };

/** `loadPythonParser` that never rejects. A failure (a missing wasm file) will not mend itself: callers keep the result. */
export function loadPythonSupport(options?: PythonParserOptions): Promise<PythonSupport> {
	return loadPythonParser(options).then(
		(parser) => ({ parser }),
		(error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }),
	);
}

function readWasm(fileName: string, packagePath: string): Uint8Array {
	const beside = path.join(__dirname, fileName);
	if (fs.existsSync(beside)) return fs.readFileSync(beside);
	try {
		return fs.readFileSync(require.resolve(packagePath));
	} catch {
		throw new Error(`The Python parser is missing: neither ${beside} nor the ${packagePath.split('/')[0]} package was found. Reinstall CostLens or run \`npm run build\`.`);
	}
}
