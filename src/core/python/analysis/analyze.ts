import type { AnalyzeOptions } from '../../analysis/analyze';
import type { ClientTrace } from '../../analysis/detect';
import type { RequestFields } from '../../analysis/requestModel';
import { DEFAULT_MAX_BYTES, checkSkip } from '../../analysis/skip';
import type { AnthropicApi, CallSite, FileAnalysis, OpenAiApi, SourceResolver } from '../../analysis/types';
import type { PyNode, PyTree, PythonParser } from '../parser';
import { type PyCandidate, familyOfApi, findCandidates, mayContainPythonCalls, traceClient } from './detect';
import { EMPTY_FIELDS, readAnthropicRequest, readOpenAiRequest } from './requests';
import { callArgumentsView } from './resolve';
import { type Env, PyCtx } from './scope';

export { mayContainPythonCalls } from './detect';

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

/**
 * `PythonSourceAnalysis` plus the analysis context (scope tables, imported modules' trees), kept
 * alive so the rules reuse what the analysis already scanned instead of scanning again. The caller
 * must `context.dispose()` when the rules are done (imported trees live in wasm memory).
 */
export interface PythonAnalysisSession extends PythonSourceAnalysis {
	readonly context: PyCtx | undefined;
}

/**
 * Keys of which at least one must appear in a readable request when the client could not be traced,
 * so `Message.objects.create(...)`-like ORMs and unknown wrappers are not reported.
 */
const REQUEST_KEYS: Record<'anthropic' | 'openai', readonly string[]> = {
	anthropic: ['model', 'messages', 'max_tokens', 'system', 'requests'],
	openai: ['model', 'messages', 'input', 'instructions', 'input_file_id', 'endpoint'],
};

/** Call sites only (no tree), for callers that do not run rules. */
export function analyzePythonFile(text: string, fileName: string, parser: PythonParser, resolver?: SourceResolver, options?: AnalyzeOptions): FileAnalysis {
	return analyzePythonSource(text, fileName, parser, resolver, options).analysis;
}

/**
 * Finds every Anthropic / OpenAI Python SDK call site in a file and resolves its arguments
 * statically. Pure: other files are reached only through `resolver`. Never throws on bad input.
 *
 * Cost: files without an SDK-shaped call text are rejected by one regex before parsing. Otherwise
 * one (incremental) parse, then work proportional to the call sites: `descendantForIndex` at each
 * regex hit, and lazy, memoised scans of the scopes their arguments and receivers refer to.
 */
export function analyzePythonSource(text: string, fileName: string, parser: PythonParser, resolver?: SourceResolver, options?: AnalyzeOptions): PythonSourceAnalysis {
	const { context, ...result } = openPythonAnalysis(text, fileName, parser, resolver, options);
	context?.dispose();
	return result;
}

/** `analyzePythonSource` that leaves its context open for the rules (see `PythonAnalysisSession`). */
export function openPythonAnalysis(text: string, fileName: string, parser: PythonParser, resolver?: SourceResolver, options?: AnalyzeOptions): PythonAnalysisSession {
	const maxBytes = options?.maxBytes ?? DEFAULT_MAX_BYTES;
	const none = (skipped: FileAnalysis['skipped'], tree?: PyTree): PythonAnalysisSession => ({ analysis: { callSites: [], skipped }, tree, calls: [], context: undefined });
	const skipped = checkSkip(text, maxBytes);
	if (skipped) return none(skipped);
	if (!mayContainPythonCalls(text)) return none(undefined);
	let tree: PyTree;
	try {
		tree = parser.parse(fileName, text);
	} catch (err) {
		return none({ reason: `parse failed: ${err instanceof Error ? err.message : String(err)}` });
	}
	const ctx = new PyCtx(parser, tree.rootNode, fileName, text, resolver, maxBytes);
	const callSites: CallSite[] = [];
	const calls: PyNode[] = [];
	try {
		for (const candidate of findCandidates(ctx)) {
			let site: CallSite | undefined;
			try {
				site = toCallSite(ctx, candidate);
			} catch (err) {
				// One unreadable call (a stack overflow on hostile nesting) does not hide the others.
				if (!(err instanceof RangeError)) throw err;
			}
			if (!site) continue;
			callSites.push(site);
			calls.push(candidate.call);
		}
		return { analysis: { callSites, skipped: undefined }, tree, calls, context: ctx };
	} catch (err) {
		if (err instanceof RangeError) return { analysis: { callSites, skipped: undefined }, tree, calls, context: ctx };
		ctx.dispose();
		return none({ reason: `analysis failed: ${err instanceof Error ? err.message : String(err)}` }, tree);
	}
}

function toCallSite(ctx: PyCtx, c: PyCandidate): CallSite | undefined {
	const env: Env = { scope: c.scope, anchor: undefined, hops: 0 };
	const family = familyOfApi(c.api);
	const trace: ClientTrace = traceClient(ctx, c.receiver, env);
	if (trace.kind === 'foreign' || trace.kind === 'subresource') return undefined;
	if (trace.kind === 'sdk' && trace.family !== family) return undefined;

	const args = c.call.childForFieldName('arguments');
	const view = callArgumentsView(ctx, c.call, env, 0, false);
	const hasPositional = args?.type === 'argument_list' && args.namedChildren.some((a) => a !== null && a.type !== 'comment' && a.type !== 'keyword_argument' && a.type !== 'dictionary_splat');
	if (trace.kind === 'unknown' && !view.unknownSpread && !REQUEST_KEYS[family].some((k) => view.props.has(k))) return undefined;

	const fields: RequestFields = family === 'anthropic' ? readAnthropicRequest(ctx, c.api as AnthropicApi, view) : readOpenAiRequest(ctx, c.api as OpenAiApi, view);
	const unresolved = view.unknownSpread || hasPositional;
	return {
		provider: trace.kind === 'sdk' ? trace.provider : family,
		api: c.api,
		span: { start: c.call.startIndex, end: c.call.endIndex },
		calleeSpan: { start: c.callee.startIndex, end: c.callee.endIndex },
		argsSpan: args?.type === 'argument_list' ? { start: args.startIndex, end: args.endIndex } : undefined,
		providerEvidence: trace.kind === 'sdk' ? trace.evidence : 'method-shape',
		...(fields ?? EMPTY_FIELDS),
		...(trace.kind === 'sdk' && trace.baseURL !== undefined ? { baseURL: trace.baseURL } : {}),
		...(unresolved ? { unresolvedArgs: true } : {}),
	};
}
