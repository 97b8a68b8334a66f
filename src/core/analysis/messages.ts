import * as ts from 'typescript';
import { type AnalysisCtx, spanIn, unwrap } from './context';
import { type ObjectView, type Ref, renderJson, resolveArray, resolveObject, resolveBoolean, resolveNumber, resolveString, resolveText } from './resolve';
import { type RequestFields, type RequestReader, readAnthropicRequest as readAnthropic, readOpenAiRequest as readOpenAi } from './requestModel';
import type { AnthropicApi, OpenAiApi } from './types';

export { EMPTY_FIELDS, type RequestFields } from './requestModel';

// Bound once: the compiler API's exports are getters, and calling through them on every node
// check cost about a fifth of the analysis time.
const { SyntaxKind, isIdentifier, isStringLiteralLike, isTemplateExpression } = ts;

function isNullish(node: ts.Expression): boolean {
	const e = unwrap(node);
	return e.kind === SyntaxKind.NullKeyword || e.kind === SyntaxKind.UndefinedKeyword || (isIdentifier(e) && e.text === 'undefined');
}

/**
 * The TypeScript reader of the shared request model (requestModel.ts): request parameters are the
 * properties of the object literal, read as they are (`undefined` values stay present, as the
 * TypeScript analyser has always read them, except where the model asks `isNullish`).
 */
export const TS_REQUEST: RequestReader<AnalysisCtx, Ref> = {
	param: (view, key) => view.props.get(key),
	isNullish: (ref) => isNullish(ref.node),
	isStringLiteral: (ref) => {
		const e = unwrap(ref.node);
		return isStringLiteralLike(e) || isTemplateExpression(e);
	},
	array: (ctx, ref) => resolveArray(ctx, ref.node, ref.env),
	object: (ctx, ref) => resolveObject(ctx, ref.node, ref.env),
	string: (ctx, ref) => resolveString(ctx, ref.node, ref.env),
	text: (ctx, ref) => resolveText(ctx, ref.node, ref.env),
	json: (ctx, ref) => renderJson(ctx, ref.node, ref.env),
	span: (ref) => spanIn(ref.node, ref.env),
	number: (ctx, ref) => resolveNumber(ctx, ref.node, ref.env),
	boolean: (ctx, ref) => resolveBoolean(ctx, ref.node, ref.env),
	// Any schema value is one segment (a `zodResponseFormat(...)` call renders as a hole the adapter estimates).
	schema: (ctx, ref) => [{ role: 'schema', content: renderJson(ctx, ref.node, ref.env), span: spanIn(ref.node, ref.env) }],
};

/** Reads an Anthropic request object (see `readAnthropicRequest` in requestModel.ts). */
export function readAnthropicRequest(ctx: AnalysisCtx, api: AnthropicApi, view: ObjectView): RequestFields {
	return readAnthropic(TS_REQUEST, ctx, api, view);
}

/** Reads an OpenAI request object (see `readOpenAiRequest` in requestModel.ts). */
export function readOpenAiRequest(ctx: AnalysisCtx, api: OpenAiApi, view: ObjectView): RequestFields {
	return readOpenAi(TS_REQUEST, ctx, api, view);
}
