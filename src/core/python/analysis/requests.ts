import { type RequestFields, type RequestReader, readAnthropicRequest as readAnthropic, readOpenAiRequest as readOpenAi } from '../../analysis/requestModel';
import type { AnthropicApi, OpenAiApi, PromptSegment } from '../../analysis/types';
import { type ObjectView, isNone, renderJson, resolveBoolean, resolveDict, resolveList, resolveNumber, resolveString, resolveText, spanIn, unparen } from './resolve';
import type { PyCtx, Ref } from './scope';

// The request read from a call's keyword arguments through the request model the TypeScript
// analyser uses too (src/core/analysis/requestModel.ts): same segment roles, prefix order,
// `messageIndex` and cache-control rules. Only how a Python value is read lives here.

export { EMPTY_FIELDS } from '../../analysis/requestModel';

function isStringy(ref: Ref): boolean {
	const t = unparen(ref.node).type;
	return t === 'string' || t === 'concatenated_string';
}

/** A `schema` segment, only when the schema renders statically (a Pydantic model class is counted by the adapter's assumption, not here). */
function schemaSegments(ctx: PyCtx, ref: Ref): PromptSegment[] {
	const e = unparen(ref.node);
	if (e.type !== 'dictionary' && e.type !== 'identifier' && e.type !== 'attribute' && e.type !== 'call') return [];
	if (e.type !== 'dictionary' && !resolveDict(ctx, e, ref.env)) return [];
	const content = renderJson(ctx, ref.node, ref.env);
	return content.holes === 0 ? [{ role: 'schema', content, span: spanIn(ref.node, ref.env) }] : [];
}

/** The Python reader of the shared request model: keyword arguments, dicts and lists. */
const PY_REQUEST: RequestReader<PyCtx, Ref> = {
	param: (view, key) => {
		const ref = view.props.get(key);
		// `NOT_GIVEN` / `None` mean the parameter is absent.
		if (!ref) return undefined;
		const e = unparen(ref.node);
		if (e.type === 'none') return undefined;
		if (e.type === 'identifier' && ref.env.scope.file.text.slice(e.startIndex, e.endIndex) === 'NOT_GIVEN') return undefined;
		return ref;
	},
	isNullish: (ref) => isNone(ref.node),
	isStringLiteral: isStringy,
	array: (ctx, ref) => resolveList(ctx, ref.node, ref.env),
	object: (ctx, ref) => resolveDict(ctx, ref.node, ref.env),
	string: (ctx, ref) => resolveString(ctx, ref.node, ref.env),
	text: (ctx, ref) => resolveText(ctx, ref.node, ref.env),
	json: (ctx, ref) => renderJson(ctx, ref.node, ref.env),
	span: (ref) => spanIn(ref.node, ref.env),
	number: (ctx, ref) => resolveNumber(ctx, ref.node, ref.env),
	boolean: (ctx, ref) => resolveBoolean(ctx, ref.node, ref.env),
	schema: schemaSegments,
};

/**
 * Reads an Anthropic request. `messages.batches.create(requests=[{"custom_id": …, "params": {…}}])`
 * is read from the FIRST request's `params`.
 */
export function readAnthropicRequest(ctx: PyCtx, api: AnthropicApi, view: ObjectView): RequestFields {
	return readAnthropic(PY_REQUEST, ctx, api, view);
}

/** Reads an OpenAI request. `batches.create` carries no prompt (it points at an uploaded file). */
export function readOpenAiRequest(ctx: PyCtx, api: OpenAiApi, view: ObjectView): RequestFields {
	return readOpenAi(PY_REQUEST, ctx, api, view);
}
