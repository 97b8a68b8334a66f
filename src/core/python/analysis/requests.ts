import type { RequestFields } from '../../analysis/messages';
import type { AnthropicApi, MaxOutputParam, OpenAiApi, PromptSegment, ResolvedText, SegmentRole, Span } from '../../analysis/types';
import type { PyNode } from '../parser';
import { type ObjectView, isNone, renderJson, resolveDict, resolveList, resolveString, resolveText, spanIn, staticBoolean, staticNumber, staticString, unparen } from './resolve';
import type { PyCtx, Ref } from './scope';

// The request read from a call's keyword arguments, the same way as the TypeScript analyser reads
// the request object (src/core/analysis/messages.ts, anthropic.ts, openai.ts): same segment roles,
// prefix order, `messageIndex` and cache-control rules.

export const EMPTY_FIELDS: RequestFields = {
	model: undefined, maxOutputTokens: undefined, maxOutputParam: undefined, stream: undefined,
	segments: [], hasTools: false, hasResponseFormat: false, topLevelCacheControl: false,
};

const MAX_PARAMS: readonly MaxOutputParam[] = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'];

/** Block types that carry no prompt text (images, files): not turned into segments. */
const NON_TEXT_BLOCKS = new Set(['image', 'image_url', 'input_image', 'document', 'input_file', 'file', 'input_audio']);

type CacheControl = NonNullable<PromptSegment['cacheControl']>;

function present(view: ObjectView, key: string): Ref | undefined {
	const ref = view.props.get(key);
	// `NOT_GIVEN` / `None` mean the parameter is absent.
	if (!ref) return undefined;
	const e = unparen(ref.node);
	if (e.type === 'none') return undefined;
	if (e.type === 'identifier' && ref.env.scope.file.text.slice(e.startIndex, e.endIndex) === 'NOT_GIVEN') return undefined;
	return ref;
}

function readScalars(ctx: PyCtx, view: ObjectView): Pick<RequestFields, 'model' | 'maxOutputTokens' | 'maxOutputParam' | 'stream' | 'topLevelCacheControl'> {
	const model = present(view, 'model');
	const stream = present(view, 'stream');
	const maxParam = MAX_PARAMS.find((p) => present(view, p));
	const maxRef = maxParam ? present(view, maxParam) : undefined;
	return {
		model: model ? staticString(ctx, model) : undefined,
		maxOutputTokens: maxRef ? staticNumber(ctx, maxRef) : undefined,
		maxOutputParam: maxParam,
		stream: stream ? staticBoolean(ctx, stream) : undefined,
		topLevelCacheControl: present(view, 'cache_control') !== undefined,
	};
}

function readTools(ctx: PyCtx, view: ObjectView): { segments: PromptSegment[]; hasTools: boolean } {
	const ref = present(view, 'tools');
	if (!ref) return { segments: [], hasTools: false };
	const items = resolveList(ctx, ref.node, ref.env);
	if (items && items.length === 0) return { segments: [], hasTools: false };
	return { segments: [{ role: 'tools', content: renderJson(ctx, ref.node, ref.env), span: spanIn(ref.node, ref.env) }], hasTools: true };
}

/** A `schema` segment, only when the schema renders statically (a Pydantic model class is counted by the adapter's assumption, not here). */
function schemaSegments(ctx: PyCtx, ref: Ref): PromptSegment[] {
	const e = unparen(ref.node);
	if (e.type !== 'dictionary' && e.type !== 'identifier' && e.type !== 'attribute' && e.type !== 'call') return [];
	if (e.type !== 'dictionary' && !resolveDict(ctx, e, ref.env)) return [];
	const content = renderJson(ctx, ref.node, ref.env);
	return content.holes === 0 ? [{ role: 'schema', content, span: spanIn(ref.node, ref.env) }] : [];
}

function readCacheControl(ctx: PyCtx, ref: Ref | undefined): CacheControl | undefined {
	if (!ref || isNone(ref.node)) return undefined;
	const view = resolveDict(ctx, ref.node, ref.env);
	const ttlRef = view?.props.get('ttl');
	const ttl = ttlRef ? resolveString(ctx, ttlRef.node, ttlRef.env) : undefined;
	return { ttl: ttl === '1h' ? '1h' : '5m' };
}

interface Block {
	readonly content: ResolvedText | undefined;
	readonly cacheControl: CacheControl | undefined;
	readonly span: Span;
}

function isStringy(node: PyNode): boolean {
	const t = unparen(node).type;
	return t === 'string' || t === 'concatenated_string';
}

/** Text blocks of a `content` / `system` value: a string gives one block; a list of `{"type": "text", "text": …}` one per text block. */
function readBlocks(ctx: PyCtx, ref: Ref): Block[] {
	const items = isStringy(ref.node) ? undefined : resolveList(ctx, ref.node, ref.env);
	if (!items) return [{ content: resolveText(ctx, ref.node, ref.env), cacheControl: undefined, span: spanIn(ref.node, ref.env) }];
	const blocks: Block[] = [];
	for (const item of items) {
		if (item.kind === 'unknown') {
			blocks.push({ content: undefined, cacheControl: undefined, span: item.span });
			continue;
		}
		const span = spanIn(item.ref.node, item.ref.env);
		const view = resolveDict(ctx, item.ref.node, item.ref.env);
		if (!view) {
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
	readonly role: string | undefined;
	readonly unknown: boolean;
	readonly blocks: Block[];
	readonly span: Span;
}

/** Segments of a chat `messages` list (or a Responses `input` list), with the same pivot rule as the TS analyser. */
function messageSegments(ctx: PyCtx, ref: Ref): PromptSegment[] {
	const items = resolveList(ctx, ref.node, ref.env);
	if (!items) return [{ role: 'user', content: undefined, unknownMessages: true, span: spanIn(ref.node, ref.env) }];
	const messages: Message[] = items.map((item) => {
		if (item.kind === 'unknown') return { role: undefined, unknown: true, blocks: [], span: item.span };
		const span = spanIn(item.ref.node, item.ref.env);
		const view = resolveDict(ctx, item.ref.node, item.ref.env);
		if (!view) return { role: undefined, unknown: true, blocks: [], span };
		const roleRef = view.props.get('role');
		const typeRef = view.props.get('type');
		let role = roleRef ? resolveString(ctx, roleRef.node, roleRef.env) : undefined;
		// Responses API items without a role (`function_call_output`, …) are tool traffic.
		if (!roleRef && typeRef) role = 'tool';
		const content = view.props.get('content');
		let blocks: Block[];
		if (content && !isNone(content.node)) blocks = readBlocks(ctx, content);
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

/**
 * Reads an Anthropic request. `messages.batches.create(requests=[{"custom_id": …, "params": {…}}])`
 * is read from the FIRST request's `params`.
 */
export function readAnthropicRequest(ctx: PyCtx, api: AnthropicApi, view: ObjectView): RequestFields {
	if (api === 'messages.batches.create') {
		const requests = view.props.get('requests');
		const first = requests ? resolveList(ctx, requests.node, requests.env)?.[0] : undefined;
		const request = first?.kind === 'item' ? resolveDict(ctx, first.ref.node, first.ref.env) : undefined;
		const params = request?.props.get('params');
		const paramsView = params ? resolveDict(ctx, params.node, params.env) : undefined;
		return paramsView ? readMessagesParams(ctx, paramsView) : { ...readScalars(ctx, view), segments: [], hasTools: false, hasResponseFormat: false };
	}
	return readMessagesParams(ctx, view);
}

/** Prefix order: tools → (structured-output schema) → system → messages. */
function readMessagesParams(ctx: PyCtx, view: ObjectView): RequestFields {
	const tools = readTools(ctx, view);
	const segments: PromptSegment[] = [...tools.segments];
	const format = present(view, 'output_format');
	if (format) segments.push(...schemaSegments(ctx, format));
	const system = present(view, 'system');
	if (system) segments.push(...readBlocks(ctx, system).map((b) => segment('system', b)));
	const messages = present(view, 'messages');
	if (messages) segments.push(...messageSegments(ctx, messages));
	return { ...readScalars(ctx, view), segments, hasTools: tools.hasTools, hasResponseFormat: format !== undefined };
}

/** Reads an OpenAI request. `batches.create` carries no prompt (it points at an uploaded file). */
export function readOpenAiRequest(ctx: PyCtx, api: OpenAiApi, view: ObjectView): RequestFields {
	switch (api) {
		case 'batches.create':
			return EMPTY_FIELDS;
		case 'embeddings.create':
			return { ...readScalars(ctx, view), segments: embeddingSegments(ctx, view), hasTools: false, hasResponseFormat: false };
		case 'responses.create':
		case 'responses.stream':
		case 'responses.parse':
			return readResponses(ctx, view);
		default:
			return readChat(ctx, view);
	}
}

function readChat(ctx: PyCtx, view: ObjectView): RequestFields {
	const tools = readTools(ctx, view);
	const segments: PromptSegment[] = [...tools.segments];
	const format = present(view, 'response_format');
	if (format) segments.push(...schemaSegments(ctx, format));
	const messages = present(view, 'messages');
	if (messages) segments.push(...messageSegments(ctx, messages));
	return { ...readScalars(ctx, view), segments, hasTools: tools.hasTools, hasResponseFormat: format !== undefined };
}

function readResponses(ctx: PyCtx, view: ObjectView): RequestFields {
	const tools = readTools(ctx, view);
	const segments: PromptSegment[] = [...tools.segments];
	const text = present(view, 'text');
	const format = text ? resolveDict(ctx, text.node, text.env)?.props.get('format') : undefined;
	if (format) segments.push(...schemaSegments(ctx, format));
	const textFormat = present(view, 'text_format');
	const instructions = present(view, 'instructions');
	if (instructions) segments.push({ role: 'system', content: resolveText(ctx, instructions.node, instructions.env), span: spanIn(instructions.node, instructions.env) });
	const input = present(view, 'input');
	if (input) {
		// A string input is the user turn; a list is a list of messages / items like chat `messages`.
		if (!isStringy(input.node) && resolveList(ctx, input.node, input.env)) segments.push(...messageSegments(ctx, input));
		else segments.push(...readBlocks(ctx, input).map((b): PromptSegment => ({ role: 'user', content: b.content, span: b.span })));
	}
	return { ...readScalars(ctx, view), segments, hasTools: tools.hasTools, hasResponseFormat: format !== undefined || textFormat !== undefined };
}

/** One `embedding-input` segment per input string (each is embedded and billed separately). */
function embeddingSegments(ctx: PyCtx, view: ObjectView): PromptSegment[] {
	const input = present(view, 'input');
	if (!input) return [];
	const items = isStringy(input.node) ? undefined : resolveList(ctx, input.node, input.env);
	if (!items) return [{ role: 'embedding-input', content: resolveText(ctx, input.node, input.env), span: spanIn(input.node, input.env) }];
	return items.map((item): PromptSegment => item.kind === 'unknown'
		? { role: 'embedding-input', content: undefined, unknownMessages: true, span: item.span }
		: { role: 'embedding-input', content: resolveText(ctx, item.ref.node, item.ref.env), span: spanIn(item.ref.node, item.ref.env) });
}
