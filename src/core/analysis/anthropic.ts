import type { AnalysisCtx } from './context';
import { type RequestFields, messageSegments, readScalars, readTools, schemaSegment, systemSegments } from './messages';
import { type ObjectView, resolveArray, resolveObject } from './resolve';
import type { AnthropicApi, PromptSegment } from './types';

/**
 * Reads an Anthropic request: `messages.create` / `stream` / `countTokens` / `beta.messages.create`
 * share one shape. `messages.batches.create({ requests: [{ custom_id, params }] })` is read from the
 * FIRST request's `params` (batches are usually built from one template; the rest are not summed).
 */
export function readAnthropicRequest(ctx: AnalysisCtx, api: AnthropicApi, view: ObjectView): RequestFields {
	if (api === 'messages.batches.create') {
		const requests = view.props.get('requests');
		const first = requests ? resolveArray(ctx, requests.node, requests.env)?.[0] : undefined;
		const request = first?.kind === 'item' ? resolveObject(ctx, first.ref.node, first.ref.env) : undefined;
		const params = request?.props.get('params');
		const paramsView = params ? resolveObject(ctx, params.node, params.env) : undefined;
		return paramsView ? readMessagesParams(ctx, paramsView) : { ...readScalars(ctx, view), segments: [], hasTools: false, hasResponseFormat: false };
	}
	return readMessagesParams(ctx, view);
}

/** Prefix order: tools → (structured-output schema) → system → messages. */
function readMessagesParams(ctx: AnalysisCtx, view: ObjectView): RequestFields {
	const tools = readTools(ctx, view);
	const segments: PromptSegment[] = [...tools.segments];
	const format = view.props.get('output_format');
	if (format) segments.push(schemaSegment(ctx, format));
	const system = view.props.get('system');
	if (system) segments.push(...systemSegments(ctx, system));
	const messages = view.props.get('messages');
	if (messages) segments.push(...messageSegments(ctx, messages));
	return { ...readScalars(ctx, view), segments, hasTools: tools.hasTools, hasResponseFormat: format !== undefined };
}
