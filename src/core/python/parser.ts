import { Edit, Language, Parser, type Node, type Point, type Tree } from 'web-tree-sitter';

// The Python parser: web-tree-sitter (the tree-sitter runtime compiled to wasm) with the grammar's
// own `tree-sitter-python.wasm`. Pure in the core's sense: the adapter reads the two wasm files and
// passes their bytes in, so nothing here touches the file system.
//
// Offsets: web-tree-sitter parses JS strings as UTF-16, and `startIndex`/`endIndex` are UTF-16 code
// units, the same units as `Span` and `TextDocument.positionAt` (checked by a test with non-ASCII text).

export type PyTree = Tree;
export type PyNode = Node;

/** The wasm binaries the parser needs: web-tree-sitter's runtime and the Python grammar. */
export interface PythonWasm {
	readonly runtime: Uint8Array;
	readonly grammar: Uint8Array;
}

/** How the last `parse` was done, for tests and the bench. */
export type ParseKind = 'full' | 'incremental';

export interface PythonParser {
	/**
	 * The syntax tree of `text`. When the previous text of `fileName` is remembered, the old tree is
	 * edited with the changed range and reparsed incrementally (tree-sitter reuses every subtree the
	 * edit did not touch). The parser owns the trees: a returned tree stays valid until the next
	 * `parse` of the same file or until `forget`/`dispose`; callers never delete it.
	 */
	parse(fileName: string, text: string): PyTree;
	/**
	 * A one-off full parse (an imported module read for its constants). Not remembered: the caller
	 * must `delete()` the tree when done (trees live in wasm memory, not the JS heap).
	 */
	parseDetached(text: string): PyTree;
	/** How the last `parse` call was done. */
	readonly lastParse: ParseKind;
	/** Drops the remembered tree of `fileName` (the document closed). */
	forget(fileName: string): void;
	dispose(): void;
}

export interface PythonParserOptions {
	/** How many files keep their tree for incremental reparsing (least recently parsed dropped first). Default 16; the CLI passes 1 (every file is new). */
	readonly rememberFiles?: number;
}

let runtimeReady: Promise<void> | undefined;
let grammar: Promise<Language> | undefined;

/** Loads the runtime and the grammar once per process (both are immutable), then makes a parser. */
export async function createPythonParser(wasm: PythonWasm, options: PythonParserOptions = {}): Promise<PythonParser> {
	runtimeReady ??= Parser.init({ wasmBinary: wasm.runtime });
	await runtimeReady;
	grammar ??= Language.load(wasm.grammar);
	const language = await grammar;
	const parser = new Parser();
	parser.setLanguage(language);
	// The newest tree is always kept: the caller reads it until its next `parse`.
	return new RememberingParser(parser, Math.max(1, options.rememberFiles ?? 16));
}

class RememberingParser implements PythonParser {
	private readonly memory = new Map<string, { text: string; tree: PyTree }>();
	lastParse: ParseKind = 'full';

	constructor(private readonly parser: Parser, private readonly capacity: number) {}

	parse(fileName: string, text: string): PyTree {
		const previous = this.memory.get(fileName);
		let tree: PyTree | null = null;
		if (previous && previous.text === text) {
			this.touch(fileName, previous);
			this.lastParse = 'incremental';
			return previous.tree;
		}
		if (previous) {
			const edit = editBetween(previous.text, text);
			// The old tree is edited in place and then reused by the new parse; it is deleted afterwards.
			previous.tree.edit(edit);
			tree = this.parser.parse(text, previous.tree);
			previous.tree.delete();
			this.memory.delete(fileName);
			this.lastParse = 'incremental';
		}
		if (!tree) {
			this.parser.reset();
			tree = this.parser.parse(text);
			this.lastParse = 'full';
		}
		if (!tree) throw new Error('the Python parser returned no tree');
		this.touch(fileName, { text, tree });
		return tree;
	}

	parseDetached(text: string): PyTree {
		this.parser.reset();
		const tree = this.parser.parse(text);
		if (!tree) throw new Error('the Python parser returned no tree');
		return tree;
	}

	forget(fileName: string): void {
		this.memory.get(fileName)?.tree.delete();
		this.memory.delete(fileName);
	}

	dispose(): void {
		for (const { tree } of this.memory.values()) tree.delete();
		this.memory.clear();
		this.parser.delete();
	}

	private touch(fileName: string, entry: { text: string; tree: PyTree }): void {
		this.memory.delete(fileName);
		this.memory.set(fileName, entry);
		this.evict(this.capacity);
	}

	/** Keeps at most `keep` trees, deleting the least recently parsed (Map order is insertion order). */
	private evict(keep: number): void {
		for (const [name, entry] of this.memory) {
			if (this.memory.size <= keep) break;
			entry.tree.delete();
			this.memory.delete(name);
		}
	}
}

/**
 * The single edit that turns `before` into `after`: the common prefix and suffix are kept and the
 * middle is replaced. An editor change is one contiguous range almost always; when it is not, the
 * range covers all of them, which is still correct (tree-sitter reparses a bit more).
 */
export function editBetween(before: string, after: string): Edit {
	const shorter = Math.min(before.length, after.length);
	let start = 0;
	while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
	let suffix = 0;
	while (suffix < shorter - start && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
	// Never split a surrogate pair: tree-sitter decodes code points.
	if (start > 0 && isHighSurrogate(before.charCodeAt(start - 1))) start--;
	const oldEnd = before.length - suffix;
	const newEnd = after.length - suffix;
	return new Edit({
		startIndex: start,
		oldEndIndex: oldEnd,
		newEndIndex: newEnd,
		startPosition: pointAt(before, start),
		oldEndPosition: pointAt(before, oldEnd),
		newEndPosition: pointAt(after, newEnd),
	});
}

function isHighSurrogate(code: number): boolean {
	return code >= 0xd800 && code <= 0xdbff;
}

/** Row and column (UTF-16 code units, like the indices) of `offset`. */
function pointAt(text: string, offset: number): Point {
	let row = 0;
	let lineStart = 0;
	for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
		row++;
		lineStart = i + 1;
	}
	return { row, column: offset - lineStart };
}

/** `.py` and `.pyi` files go to the Python analyser; everything else to the TypeScript one. */
export function isPythonFile(fileName: string): boolean {
	return /\.pyi?$/i.test(fileName);
}
