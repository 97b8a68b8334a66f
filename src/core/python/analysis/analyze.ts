import type { AnalyzeOptions } from '../../analysis/analyze';
import type { FileAnalysis, SourceResolver } from '../../analysis/types';
import type { PyNode, PyTree, PythonParser } from '../parser';

/**
 * `analyzePythonFile` plus the tree it was read from, for the Python rules. `calls[i]` is the `call`
 * node of `analysis.callSites[i]`. `tree` is undefined when the file was skipped or had no SDK-shaped
 * call. The tree belongs to `parser` (valid until the next parse of the same file).
 */
export interface PythonSourceAnalysis {
	readonly analysis: FileAnalysis;
	readonly tree: PyTree | undefined;
	readonly calls: readonly PyNode[];
}

// SCAFFOLD (replaced by the Python analyser): finds nothing yet.
export function analyzePythonSource(_text: string, _fileName: string, _parser: PythonParser, _resolver?: SourceResolver, _options?: AnalyzeOptions): PythonSourceAnalysis {
	return { analysis: { callSites: [], skipped: undefined }, tree: undefined, calls: [] };
}
