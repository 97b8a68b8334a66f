import { toStatic } from './text';
import type { AnthropicApi, CallSite, MaxOutputParam, OpenAiApi, PromptSegment, ResolvedText, SegmentRole, Span, Static } from './types';

// The request model shared by the TypeScript and the Python analysers: which request parameters
// become which prompt segments, in which prefix order, with which roles and cache breakpoints.
// Each analyser supplies a `RequestReader` that reads its own syntax (a TS object literal, Python
// keyword arguments and dicts); everything here only walks the plain data the reader hands back,
// so the two languages cannot drift apart in their segment rules.

/** The request-derived part of a `CallSite`. */
export type RequestFields = Pick<CallSite, 'model' | 'maxOutputTokens' | 'maxOutputParam' | 'stream' | 'segments' | 'hasTools' | 'hasResponseFormat' | 'topLevelCacheControl'>;

export const EMPTY_FIELDS: RequestFields = {
	model: undefined, maxOutputTokens: undefined, maxOutputParam: undefined, stream: undefined,
	segments: [], hasTools: false, hasResponseFormat: false, topLevelCacheControl: false,
};

/** The keys of a statically known object / dict; `R` is the reader's reference to an unevaluated value. */
export interface RequestView<R> {
	readonly props: ReadonlyMap<string, R>;
	readonly unknownSpread: boolean;
}

export type RequestItem<R> = { readonly kind: 'item'; readonly ref: R } | { readonly kind: 'unknown'; readonly span: Span };

/**
 * How one language reads the values of a request. `C` is the analyser's context (budget, memo),
 * `R` a value reference (expression + environment). Every method is total: unreadable values come
 * back as `undefined` or as holes, never as exceptions.
 */
export interface RequestReader<C, R> {
	/** A top-level request parameter; `undefined` when absent (the language decides which spellings mean "absent"). */
	param(view: RequestView<R>, key: string): R | undefined;
	/** `null` / `undefined` / `None`: the value is there but means "not set". */
	isNullish(ref: R): boolean;
	/** A string literal (template / f-string included): never read as a list of blocks. */
	isStringLiteral(ref: R): boolean;
	array(ctx: C, ref: R): readonly RequestItem<R>[] | undefined;
	object(ctx: C, ref: R): RequestView<R> | undefined;
	string(ctx: C, ref: R): string | undefined;
	text(ctx: C, ref: R): ResolvedText;
	json(ctx: C, ref: R): ResolvedText;
	span(ref: R): Span;
	number(ctx: C, ref: R): number | undefined;
	boolean(ctx: C, ref: R): boolean | undefined;
	/** Segments for a response-format schema (the languages differ in what a schema value may be). */
	schema(ctx: C, ref: R): PromptSegment[];
}

const MAX_PARAMS: readonly MaxOutputParam[] = ['max_tokens', 'max_completion_tokens', 'max_output_tokens'];

/** Block types that carry no prompt text (images, files): not turned into segments. */
const NON_TEXT_BLOCKS = new Set(['image', 'image_url', 'input_image', 'document', 'input_file', 'file', 'input_audio']);

const EMPTY_TEXT: ResolvedText = { text: '', holes: 0, holeSpans: [], origins: [] };

type CacheControl = NonNullable<PromptSegment['cacheControl']>;

/** `model`, the output cap, `stream` and top-level `cache_control`: the same keys in both SDKs. */
export function readScalars<C, R>(lang: RequestReader<C, R>, ctx: C, view: RequestView<R>): Pick<RequestFields, 'model' | 'maxOutputTokens' | 'maxOutputParam' | 'stream' | 'topLevelCacheControl'> {
	const model = lang.param(view, 'model');
	const stream = lang.param(view, 'stream');
	let maxParam: MaxOutputParam | undefined;
	let maxRef: R | undefined;
	for (const p of MAX_PARAMS) {
		maxRef = lang.param(view, p);
		if (maxRef !== undefined) {
			maxParam = p;
			break;
		}
	}
	const cache = lang.param(view, 'cache_control');
	return {
		model: model !== undefined ? toStatic(lang.string(ctx, model), lang.span(model)) : undefined,
		maxOutputTokens: maxRef !== undefined ? staticNumber(lang.number(ctx, maxRef), lang.span(maxRef)) : undefined,
		maxOutputParam: maxParam,
		stream: stream !== undefined ? toStatic(lang.boolean(ctx, stream), lang.span(stream)) : undefined,
		topLevelCacheControl: cache !== undefined && !lang.isNullish(cache),
	};
}

function staticNumber(value: number | undefined, span: Span): Static<number> {
	return toStatic(value !== undefined && Number.isFinite(value) ? value : undefined, span);
}

export function readCacheControl<C, R>(lang: RequestReader<C, R>, ctx: C, ref: R | undefined): CacheControl | undefined {
	if (ref === undefined || lang.isNullish(ref)) return undefined;
	const ttlRef = lang.object(ctx, ref)?.props.get('ttl');
	const ttl = ttlRef !== undefined ? lang.string(ctx, ttlRef) : undefined;
	return { ttl: ttl === '1h' ? '1h' : '5m' };
}

/**
 * One `tools` segment holding the whole array rendered as compact JSON; `hasTools` unless the array
 * is known empty. A `cache_control` on a tool definition marks the segment: tools are one segment,
 * so a marker on any tool counts as a breakpoint after all of them (in practice it is on the last
 * one; a marker on an earlier tool over-counts the cached part by the tools after it).
 */
export function readTools<C, R>(lang: RequestReader<C, R>, ctx: C, view: RequestView<R>): { segments: PromptSegment[]; hasTools: boolean } {
	const ref = lang.param(view, 'tools');
	if (ref === undefined || lang.isNullish(ref)) return { segments: [], hasTools: false };
	const items = lang.array(ctx, ref);
	if (items && items.length === 0) return { segments: [], hasTools: false };
	let cacheControl: CacheControl | undefined;
	for (const item of items ?? []) {
		if (item.kind !== 'item') continue;
		const marker = readCacheControl(lang, ctx, lang.object(ctx, item.ref)?.props.get('cache_control'));
		if (marker) cacheControl = marker;
	}
	const segment: PromptSegment = { role: 'tools', content: lang.json(ctx, ref), ...(cacheControl ? { cacheControl } : {}), span: lang.span(ref) };
	return { segments: [segment], hasTools: true };
}

/** One text block of a `content` / `system` value. */
export interface Block {
	readonly content: ResolvedText | undefined;
	readonly cacheControl: CacheControl | undefined;
	readonly span: Span;
}

/**
 * Text blocks of a `content` / `system` value: a string gives one block; an array of
 * `{ type: 'text' | 'input_text' | 'output_text', text, cache_control? }` gives one block per text block.
 */
export function readBlocks<C, R>(lang: RequestReader<C, R>, ctx: C, ref: R): Block[] {
	const items = lang.isStringLiteral(ref) ? undefined : lang.array(ctx, ref);
	if (!items) return [{ content: lang.text(ctx, ref), cacheControl: undefined, span: lang.span(ref) }];
	const blocks: Block[] = [];
	for (const item of items) {
		if (item.kind === 'unknown') {
			blocks.push({ content: undefined, cacheControl: undefined, span: item.span });
			continue;
		}
		const span = lang.span(item.ref);
		const view = lang.object(ctx, item.ref);
		if (!view) {
			// A bare string element is accepted by some SDK shapes; anything else is unknown text.
			blocks.push({ content: lang.text(ctx, item.ref), cacheControl: undefined, span });
			continue;
		}
		const typeRef = view.props.get('type');
		const type = typeRef !== undefined ? lang.string(ctx, typeRef) : undefined;
		if (type !== undefined && NON_TEXT_BLOCKS.has(type)) continue;
		const text = view.props.get('text');
		blocks.push({
			content: text !== undefined ? lang.text(ctx, text) : lang.json(ctx, item.ref),
			cacheControl: readCacheControl(lang, ctx, view.props.get('cache_control')),
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

/** A message as read from the request: the data `messageListSegments` turns into segments. */
export interface ReadMessage {
	/** Literal role; undefined for unknown messages or a dynamic role. */
	readonly role: string | undefined;
	readonly unknown: boolean;
	readonly blocks: readonly Block[];
	readonly span: Span;
}

/**
 * Segments of an already-read message list, in list order.
 *
 * Roles: `system`/`developer` → `system`. The pivot is the last literal `user` message, or a later
 * unknown entry (a spread of runtime history, whose last element is presumably the user turn):
 * entries before it → `example`, the pivot → `user`, entries after it → `assistant` (prefill, tool
 * results). Content arrays give one segment per text block (sharing `messageIndex`), so a
 * `cache_control` breakpoint sits exactly after its block.
 */
export function messageListSegments(messages: readonly ReadMessage[]): PromptSegment[] {
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

/** Segments for a chat `messages` array (or a Responses `input` array); unreadable → one `user` segment with `unknownMessages`. */
export function messageSegments<C, R>(lang: RequestReader<C, R>, ctx: C, ref: R): PromptSegment[] {
	const items = lang.array(ctx, ref);
	if (!items) return [{ role: 'user', content: undefined, unknownMessages: true, span: lang.span(ref) }];
	return messageListSegments(items.map((item): ReadMessage => {
		if (item.kind === 'unknown') return { role: undefined, unknown: true, blocks: [], span: item.span };
		const span = lang.span(item.ref);
		const view = lang.object(ctx, item.ref);
		if (!view) return { role: undefined, unknown: true, blocks: [], span };
		const roleRef = view.props.get('role');
		const typeRef = view.props.get('type');
		let role = roleRef !== undefined ? lang.string(ctx, roleRef) : undefined;
		// Responses API items without a role (`function_call_output`, …) are tool traffic.
		if (roleRef === undefined && typeRef !== undefined) role = 'tool';
		const content = view.props.get('content');
		let blocks: Block[];
		if (content !== undefined && !lang.isNullish(content)) blocks = readBlocks(lang, ctx, content);
		else {
			const calls = view.props.get('tool_calls');
			blocks = [{ content: calls !== undefined ? lang.json(ctx, calls) : EMPTY_TEXT, cacheControl: undefined, span }];
		}
		return { role, unknown: false, blocks, span };
	}));
}

/**
 * Reads an Anthropic request: `messages.create` / `stream` / `countTokens` / `beta.messages.create`
 * share one shape. `messages.batches.create({ requests: [{ custom_id, params }] })` is read from the
 * FIRST request's `params` (batches are usually built from one template; the rest are not summed).
 */
export function readAnthropicRequest<C, R>(lang: RequestReader<C, R>, ctx: C, api: AnthropicApi, view: RequestView<R>): RequestFields {
	if (api === 'messages.batches.create') {
		const requests = view.props.get('requests');
		const first = requests !== undefined ? lang.array(ctx, requests)?.[0] : undefined;
		const request = first?.kind === 'item' ? lang.object(ctx, first.ref) : undefined;
		const params = request?.props.get('params');
		const paramsView = params !== undefined ? lang.object(ctx, params) : undefined;
		return paramsView ? readMessagesParams(lang, ctx, paramsView) : { ...readScalars(lang, ctx, view), segments: [], hasTools: false, hasResponseFormat: false };
	}
	return readMessagesParams(lang, ctx, view);
}

/**
 * The fields of one request in prefix order: tools → response schema (`format`) → whatever `rest`
 * adds (system / instructions, then messages / input).
 */
function assemble<C, R>(lang: RequestReader<C, R>, ctx: C, view: RequestView<R>, format: R | undefined, hasResponseFormat: boolean, rest: (segments: PromptSegment[]) => void): RequestFields {
	const tools = readTools(lang, ctx, view);
	const segments: PromptSegment[] = [...tools.segments];
	if (format !== undefined) segments.push(...lang.schema(ctx, format));
	rest(segments);
	return { ...readScalars(lang, ctx, view), segments, hasTools: tools.hasTools, hasResponseFormat };
}

/** Prefix order: tools → (structured-output schema) → system → messages. */
function readMessagesParams<C, R>(lang: RequestReader<C, R>, ctx: C, view: RequestView<R>): RequestFields {
	const format = lang.param(view, 'output_format');
	return assemble(lang, ctx, view, format, format !== undefined, (segments) => {
		const system = lang.param(view, 'system');
		if (system !== undefined) segments.push(...readBlocks(lang, ctx, system).map((b) => segment('system', b)));
		const messages = lang.param(view, 'messages');
		if (messages !== undefined) segments.push(...messageSegments(lang, ctx, messages));
	});
}

/**
 * Reads an OpenAI request. Prefix order: tools → response schema → system (`instructions`) → messages/input.
 * `batches.create` carries no prompt (it points at an uploaded file), so only the call is reported.
 */
export function readOpenAiRequest<C, R>(lang: RequestReader<C, R>, ctx: C, api: OpenAiApi, view: RequestView<R>): RequestFields {
	switch (api) {
		case 'batches.create':
			return EMPTY_FIELDS;
		case 'embeddings.create':
			return { ...readScalars(lang, ctx, view), segments: embeddingSegments(lang, ctx, view), hasTools: false, hasResponseFormat: false };
		case 'responses.create':
		case 'responses.stream':
		case 'responses.parse':
			return readResponses(lang, ctx, view);
		default:
			return readChat(lang, ctx, view);
	}
}

function readChat<C, R>(lang: RequestReader<C, R>, ctx: C, view: RequestView<R>): RequestFields {
	const format = lang.param(view, 'response_format');
	return assemble(lang, ctx, view, format, format !== undefined, (segments) => {
		const messages = lang.param(view, 'messages');
		if (messages !== undefined) segments.push(...messageSegments(lang, ctx, messages));
	});
}

function readResponses<C, R>(lang: RequestReader<C, R>, ctx: C, view: RequestView<R>): RequestFields {
	const text = lang.param(view, 'text');
	const format = text !== undefined ? lang.object(ctx, text)?.props.get('format') : undefined;
	// Python's `responses.parse(text_format=Model)`: a structured output whose schema is a class.
	const textFormat = lang.param(view, 'text_format');
	return assemble(lang, ctx, view, format, format !== undefined || textFormat !== undefined, (segments) => {
		const instructions = lang.param(view, 'instructions');
		if (instructions !== undefined) segments.push({ role: 'system', content: lang.text(ctx, instructions), span: lang.span(instructions) });
		const input = lang.param(view, 'input');
		if (input === undefined) return;
		// A string input is the user turn; an array is a list of messages / items like chat `messages`.
		if (!lang.isStringLiteral(input) && lang.array(ctx, input)) segments.push(...messageSegments(lang, ctx, input));
		else segments.push(...readBlocks(lang, ctx, input).map((b): PromptSegment => ({ role: 'user', content: b.content, span: b.span })));
	});
}

/** One `embedding-input` segment per input string (each is embedded and billed separately). */
function embeddingSegments<C, R>(lang: RequestReader<C, R>, ctx: C, view: RequestView<R>): PromptSegment[] {
	const input = lang.param(view, 'input');
	if (input === undefined) return [];
	const items = lang.isStringLiteral(input) ? undefined : lang.array(ctx, input);
	if (!items) return [{ role: 'embedding-input', content: lang.text(ctx, input), span: lang.span(input) }];
	return items.map((item): PromptSegment => item.kind === 'unknown'
		? { role: 'embedding-input', content: undefined, unknownMessages: true, span: item.span }
		: { role: 'embedding-input', content: lang.text(ctx, item.ref), span: lang.span(item.ref) });
}
