import * as ts from 'typescript';
import { AnalysisCtx, type Env, nodeSpan, scriptKindFor, unwrap } from './context';
import { type Candidate, type ClientTrace, familyOfApi, findCandidates, traceClient } from './detect';
import { EMPTY_FIELDS, type RequestFields, readAnthropicRequest, readOpenAiRequest } from './messages';
import { type ObjectView, resolveObject } from './resolve';
import { DEFAULT_MAX_BYTES, checkSkip, mayContainCalls } from './skip';
import type { AnthropicApi, CallSite, FileAnalysis, OpenAiApi, SourceResolver } from './types';

// Bound once: the compiler API's exports are getters, and calling through them on every node
// check cost about a fifth of the analysis time.
const { ScriptTarget, createSourceFile, isObjectLiteralExpression } = ts;

export interface AnalyzeOptions {
	/** Files larger than this are skipped with a reason (default 2 MB). */
	readonly maxBytes?: number;
}

/**
 * Keys of which at least one must appear in a readable request object when the client could not be
 * traced, so `prisma.messages.create({ data })` and similar ORMs are not reported.
 */
const REQUEST_KEYS: Record<'anthropic' | 'openai', readonly string[]> = {
	anthropic: ['model', 'messages', 'max_tokens', 'system', 'requests'],
	openai: ['model', 'messages', 'input', 'instructions', 'input_file_id', 'endpoint'],
};

/**
 * Finds every Anthropic / OpenAI SDK call site in a TS/JS file and resolves its arguments statically.
 * Pure: other files are reached only through `resolver`. Never throws on bad input.
 *
 * Cost: files without an SDK-shaped call (`messages.create`, `chat.completions.parse`, …) are
 * rejected by one regex before parsing. Otherwise one `createSourceFile` (no parent pointers, no
 * program), then work proportional to the call sites: a descent to each and lazy scans of the
 * scopes their arguments refer to.
 */
export function analyzeFile(text: string, fileName: string, resolver?: SourceResolver, options?: AnalyzeOptions): FileAnalysis {
	return analyzeSource(text, fileName, resolver, options).analysis;
}

/**
 * `analyzeFile` plus the syntax tree it was read from, for the rules (`src/core/rules/`), which need
 * to look around a call (its enclosing function, sibling statements, data flow into the prompt).
 * `calls[i]` is the call expression of `analysis.callSites[i]`. `sourceFile` is undefined when the
 * file was skipped or had no SDK-shaped call.
 */
export interface SourceAnalysis {
	readonly analysis: FileAnalysis;
	readonly sourceFile: ts.SourceFile | undefined;
	readonly calls: readonly ts.CallExpression[];
}

export function analyzeSource(text: string, fileName: string, resolver?: SourceResolver, options?: AnalyzeOptions): SourceAnalysis {
	const maxBytes = options?.maxBytes ?? DEFAULT_MAX_BYTES;
	const none = (skipped: FileAnalysis['skipped']): SourceAnalysis => ({ analysis: { callSites: [], skipped }, sourceFile: undefined, calls: [] });
	try {
		const skipped = checkSkip(text, maxBytes);
		if (skipped) return none(skipped);
		if (!mayContainCalls(text)) return none(undefined);
		const sf = createSourceFile(fileName, text, ScriptTarget.Latest, false, scriptKindFor(fileName));
		const ctx = new AnalysisCtx(sf, resolver, maxBytes);
		const callSites: CallSite[] = [];
		const calls: ts.CallExpression[] = [];
		for (const candidate of findCandidates(ctx.main)) {
			const site = toCallSite(ctx, candidate);
			if (!site) continue;
			callSites.push(site);
			calls.push(candidate.call);
		}
		return { analysis: { callSites, skipped: undefined }, sourceFile: sf, calls };
	} catch (err) {
		// The parser and the walkers recurse; input nested beyond what the stack allows is skipped, not fatal.
		if (err instanceof RangeError) return none({ reason: 'nesting too deep to analyse (stack overflow)' });
		return none({ reason: `analysis failed: ${err instanceof Error ? err.message : String(err)}` });
	}
}

function toCallSite(ctx: AnalysisCtx, c: Candidate): CallSite | undefined {
	const sf = ctx.main.sf;
	const env: Env = { scope: c.scope, anchor: undefined, hops: 0 };
	const family = familyOfApi(c.api);
	const trace: ClientTrace = traceClient(ctx, c.receiver, env);
	if (trace.kind === 'foreign' || trace.kind === 'subresource') return undefined;
	if (trace.kind === 'sdk' && trace.family !== family) return undefined;

	const arg = c.call.arguments[0];
	const view: ObjectView | undefined = arg ? resolveObject(ctx, arg, env) : undefined;
	if (trace.kind === 'unknown' && view && !view.unknownSpread && !REQUEST_KEYS[family].some((k) => view.props.has(k))) return undefined;

	const fields: RequestFields = !view ? EMPTY_FIELDS
		: family === 'anthropic' ? readAnthropicRequest(ctx, c.api as AnthropicApi, view)
		: readOpenAiRequest(ctx, c.api as OpenAiApi, view);
	const argNode = arg ? unwrap(arg) : undefined;
	const unresolved = (arg !== undefined && !view) || (view?.unknownSpread ?? false);
	return {
		provider: trace.kind === 'sdk' ? trace.provider : family,
		api: c.api,
		span: nodeSpan(c.call, sf),
		calleeSpan: nodeSpan(c.callee, sf),
		argsSpan: argNode && isObjectLiteralExpression(argNode) ? nodeSpan(argNode, sf) : undefined,
		providerEvidence: trace.kind === 'sdk' ? trace.evidence : 'method-shape',
		...fields,
		...(trace.kind === 'sdk' && trace.baseURL !== undefined ? { baseURL: trace.baseURL } : {}),
		...(unresolved ? { unresolvedArgs: true } : {}),
	};
}
