import type { AnalysisCtx } from './context';
import { type RequestFields, EMPTY_FIELDS, messageSegments, readBlocks, readScalars, readTools, schemaSegment } from './messages';
import { type ObjectView, resolveArray, resolveObject, resolveText } from './resolve';
import { spanIn } from './context';
import type { OpenAiApi, PromptSegment } from './types';

/**
 * Reads an OpenAI request. Prefix order: tools → response schema → system (`instructions`) → messages/input.
 * `batches.create` carries no prompt (it points at an uploaded file), so only the call is reported.
 */
export function readOpenAiRequest(ctx: AnalysisCtx, api: OpenAiApi, view: ObjectView): RequestFields {
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

function readChat(ctx: AnalysisCtx, view: ObjectView): RequestFields {
	const tools = readTools(ctx, view);
	const segments: PromptSegment[] = [...tools.segments];
	const format = view.props.get('response_format');
	if (format) segments.push(schemaSegment(ctx, format));
	const messages = view.props.get('messages');
	if (messages) segments.push(...messageSegments(ctx, messages));
	return { ...readScalars(ctx, view), segments, hasTools: tools.hasTools, hasResponseFormat: format !== undefined };
}

function readResponses(ctx: AnalysisCtx, view: ObjectView): RequestFields {
	const tools = readTools(ctx, view);
	const segments: PromptSegment[] = [...tools.segments];
	const text = view.props.get('text');
	const format = text ? resolveObject(ctx, text.node, text.env)?.props.get('format') : undefined;
	if (format) segments.push(schemaSegment(ctx, format));
	const instructions = view.props.get('instructions');
	if (instructions) segments.push({ role: 'system', content: resolveText(ctx, instructions.node, instructions.env), span: spanIn(instructions.node, instructions.env) });
	const input = view.props.get('input');
	if (input) {
		// A string input is the user turn; an array is a list of messages / items like chat `messages`.
		if (resolveArray(ctx, input.node, input.env)) segments.push(...messageSegments(ctx, input));
		else segments.push(...readBlocks(ctx, input).map((b): PromptSegment => ({ role: 'user', content: b.content, span: b.span })));
	}
	return { ...readScalars(ctx, view), segments, hasTools: tools.hasTools, hasResponseFormat: format !== undefined };
}

/** One `embedding-input` segment per input string (each is embedded and billed separately). */
function embeddingSegments(ctx: AnalysisCtx, view: ObjectView): PromptSegment[] {
	const input = view.props.get('input');
	if (!input) return [];
	const items = resolveArray(ctx, input.node, input.env);
	if (!items) return [{ role: 'embedding-input', content: resolveText(ctx, input.node, input.env), span: spanIn(input.node, input.env) }];
	return items.map((item): PromptSegment => item.kind === 'unknown'
		? { role: 'embedding-input', content: undefined, unknownMessages: true, span: item.span }
		: { role: 'embedding-input', content: resolveText(ctx, item.ref.node, item.ref.env), span: spanIn(item.ref.node, item.ref.env) });
}
