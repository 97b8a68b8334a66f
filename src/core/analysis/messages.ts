import * as ts from 'typescript';
import { type AnalysisCtx, spanIn, unwrap } from './context';
import { type ObjectView, type Ref, renderJson, resolveArray, resolveObject, resolveString, resolveText, staticBoolean, staticNumber, staticString } from './resolve';
import type { CallSite, MaxOutputParam, PromptSegment, ResolvedText, SegmentRole, Span } from './types';

// Bound once: the compiler API's exports are getters, and calling through them on every node
// check cost about a fifth of the analysis time.
const { SyntaxKind, isIdentifier, isStringLiteralLike, isTemplateExpression } = ts;

/** The request-derived part of a `CallSite`. */
export type RequestFields = Pick<CallSite, 'model' | 'maxOutputTokens' | 'maxOutputParam' | 'stream' | 'segments' | 'hasTools' | 'hasResponseFormat' | 'topLevelCacheControl'>;

export const EMPTY_FIELDS: RequestFields = {
	model: undefined, maxOutputTokens: undefined, maxOutputParam: undefined, stream: undefined,
	segments: [], hasTools: false, hasResponseFormat: false, topLevelCacheControl: false,
};

const MAX_PARAMS: readonly MaxOutputParam[] = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'];

/** Block types that carry no prompt text (images, files): not turned into segments. */
const NON_TEXT_BLOCKS = new Set(['image', 'image_url', 'input_image', 'document', 'input_file', 'file', 'input_audio']);

type CacheControl = NonNullable<PromptSegment['cacheControl']>;

/** `model`, the output cap, `stream` and top-level `cache_control`: the same keys in both SDKs. */
export function readScalars(ctx: AnalysisCtx, view: ObjectView): Pick<RequestFields, 'model' | 'maxOutputTokens' | 'maxOutputParam' | 'stream' | 'topLevelCacheControl'> {
	const model = view.props.get('model');
	const stream = view.props.get('stream');
	const maxParam = MAX_PARAMS.find((p) => view.props.has(p));
	const maxRef = maxParam ? view.props.get(maxParam) : undefined;
	const cache = view.props.get('cache_control');
	return {
		model: model ? staticString(ctx, model) : undefined,
		maxOutputTokens: maxRef ? staticNumber(ctx, maxRef) : undefined,
		maxOutputParam: maxParam,
		stream: stream ? staticBoolean(ctx, stream) : undefined,
		topLevelCacheControl: cache !== undefined && !isNullish(cache.node),
	};
}

function isNullish(node: ts.Expression): boolean {
	const e = unwrap(node);
	return e.kind === SyntaxKind.NullKeyword || e.kind === SyntaxKind.UndefinedKeyword || (isIdentifier(e) && e.text === 'undefined');
}

/** One `tools` segment holding the whole array rendered as compact JSON; `hasTools` unless the array is known empty. */
export function readTools(ctx: AnalysisCtx, view: ObjectView): { segments: PromptSegment[]; hasTools: boolean } {
	const ref = view.props.get('tools');
	if (!ref || isNullish(ref.node)) return { segments: [], hasTools: false };
	const items = resolveArray(ctx, ref.node, ref.env);
	if (items && items.length === 0) return { segments: [], hasTools: false };
	return { segments: [{ role: 'tools', content: renderJson(ctx, ref.node, ref.env), span: spanIn(ref.node, ref.env) }], hasTools: true };
}

/** A `schema` segment for a response format (rendered as JSON). */
export function schemaSegment(ctx: AnalysisCtx, ref: Ref): PromptSegment {
	return { role: 'schema', content: renderJson(ctx, ref.node, ref.env), span: spanIn(ref.node, ref.env) };
}

export function readCacheControl(ctx: AnalysisCtx, ref: Ref | undefined): CacheControl | undefined {
	if (!ref || isNullish(ref.node)) return undefined;
	const view = resolveObject(ctx, ref.node, ref.env);
	const ttlRef = view?.props.get('ttl');
	const ttl = ttlRef ? resolveString(ctx, ttlRef.node, ttlRef.env) : undefined;
	return { ttl: ttl === '1h' ? '1h' : '5m' };
}

interface Block {
	readonly content: ResolvedText | undefined;
	readonly cacheControl: CacheControl | undefined;
	readonly span: Span;
}

/**
 * Text blocks of a `content` / `system` value: a string gives one block; an array of
 * `{ type: 'text' | 'input_text' | 'output_text', text, cache_control? }` gives one block per text block.
 */
export function readBlocks(ctx: AnalysisCtx, ref: Ref): Block[] {
	const e = unwrap(ref.node);
	const items = isStringLiteralLike(e) || isTemplateExpression(e) ? undefined : resolveArray(ctx, ref.node, ref.env);
	if (!items) return [{ content: resolveText(ctx, ref.node, ref.env), cacheControl: undefined, span: spanIn(ref.node, ref.env) }];
	const blocks: Block[] = [];
	for (const item of items) {
		if (item.kind === 'unknown') {
			blocks.push({ content: undefined, cacheControl: undefined, span: item.span });
			continue;
		}
		const span = spanIn(item.ref.node, item.ref.env);
		const view = resolveObject(ctx, item.ref.node, item.ref.env);
		if (!view) {
			// A bare string element is accepted by some SDK shapes; anything else is unknown text.
			blocks.push({ content: resolveText(ctx, item.ref.node, item.ref.env), cacheControl: undefined, span });
			continue;
		}
		const typeRef = view.props.get('type');
		const type = typeRef ? resolveString(ctx, typeRef.node, typeRef.env) : undefined;
		if (type !== undefined && NON_TEXT_BLOCKS.has(type)) continue;
		const text = view.props.get('text');
		blocks.push({
			content: text ? resolveText(ctx, text.node, text.env) : renderJson(ctx, item.ref.node, item.ref.env),
			cacheControl: readCacheControl(ctx, view.props.get('cache_control')),
			span,
		});
	}
	return blocks;
}

/** `system` segments, one per block. */
export function systemSegments(ctx: AnalysisCtx, ref: Ref): PromptSegment[] {
	return readBlocks(ctx, ref).map((b) => segment('system', b));
}

function segment(role: SegmentRole, b: Block, messageIndex?: number): PromptSegment {
	return {
		role,
		content: b.content,
		...(b.cacheControl ? { cacheControl: b.cacheControl } : {}),
		span: b.span,
		...(messageIndex !== undefined ? { messageIndex } : {}),
	};
}

interface Message {
	/** Literal role; undefined for unknown messages or a dynamic role. */
	readonly role: string | undefined;
	readonly unknown: boolean;
	readonly blocks: Block[];
	readonly span: Span;
}

/**
 * Segments for a chat `messages` array (or a Responses `input` array), in array order.
 *
 * Roles: `system`/`developer` → `system`. The pivot is the last literal `user` message, or a later
 * unknown entry (a spread of runtime history, whose last element is presumably the user turn):
 * entries before it → `example`, the pivot → `user`, entries after it → `assistant` (prefill, tool
 * results). An array that cannot be read at all is one `user` segment with `unknownMessages`.
 * Content arrays give one segment per text block (sharing `messageIndex`), so a `cache_control`
 * breakpoint sits exactly after its block.
 */
export function messageSegments(ctx: AnalysisCtx, ref: Ref): PromptSegment[] {
	const items = resolveArray(ctx, ref.node, ref.env);
	if (!items) return [{ role: 'user', content: undefined, unknownMessages: true, span: spanIn(ref.node, ref.env) }];
	const messages: Message[] = items.map((item) => {
		if (item.kind === 'unknown') return { role: undefined, unknown: true, blocks: [], span: item.span };
		const span = spanIn(item.ref.node, item.ref.env);
		const view = resolveObject(ctx, item.ref.node, item.ref.env);
		if (!view) return { role: undefined, unknown: true, blocks: [], span };
		const roleRef = view.props.get('role');
		const typeRef = view.props.get('type');
		let role = roleRef ? resolveString(ctx, roleRef.node, roleRef.env) : undefined;
		// Responses API items without a role (`function_call_output`, …) are tool traffic.
		if (!roleRef && typeRef) role = 'tool';
		const content = view.props.get('content');
		let blocks: Block[];
		if (content && !isNullish(content.node)) blocks = readBlocks(ctx, content);
		else {
			const calls = view.props.get('tool_calls');
			blocks = [{ content: calls ? renderJson(ctx, calls.node, calls.env) : { text: '', holes: 0, holeSpans: [], origins: [] }, cacheControl: undefined, span }];
		}
		return { role, unknown: false, blocks, span };
	});
	let pivot = -1;
	messages.forEach((m, i) => {
		if (m.unknown || m.role === 'user') pivot = i;
	});
	const segments: PromptSegment[] = [];
	messages.forEach((m, i) => {
		const role: SegmentRole = m.role === 'system' || m.role === 'developer' ? 'system' : i < pivot ? 'example' : i === pivot ? 'user' : 'assistant';
		if (m.unknown) segments.push({ role, content: undefined, unknownMessages: true, span: m.span, messageIndex: i });
		else for (const b of m.blocks) segments.push(segment(role, b, i));
	});
	return segments;
}
