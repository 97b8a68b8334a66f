/**
 * Cache keys. The exact key is a hash of the WHOLE request plus identity (tenant, provider,
 * endpoint) and the normalizer version, as the security notes require; the semantic parts split a
 * request into the text that is embedded (the last user message) and a scope hash of everything
 * else, so a semantic match can only ever be served to an otherwise identical request.
 */
import { createHash } from 'node:crypto';
import type { ProviderId, WireFormat } from './types';

/** Bumped whenever normalisation changes, so old entries stop matching instead of matching wrongly. */
export const NORMALIZER_VERSION = 'n1';

/**
 * Fields that change how an answer is delivered, not what it says. A cached answer is replayed as
 * a stream when the caller asks for one, so streamed and non-streamed requests share entries.
 * `metadata` / `user` are deliberately NOT here: they identify an end user and keeping them in the
 * key can only narrow sharing, never widen it.
 */
const TRANSPORT_ONLY: ReadonlySet<string> = new Set(['stream', 'stream_options']);

const ENDPOINTS: Readonly<Record<WireFormat, string>> = {
	'anthropic-messages': 'POST /v1/messages',
	'openai-chat': 'POST /v1/chat/completions',
};

/**
 * Deterministic JSON: object keys sorted (by UTF-16 code unit) at every depth, strings trimmed at
 * both ends (inner whitespace kept), `undefined` members dropped, arrays in order (`undefined`
 * elements become `null`, as in `JSON.stringify`), numbers as JSON writes them (non-finite → null).
 * Throws on cycles.
 */
export function canonicalJson(value: unknown): string {
	return write(value, new Set());
}

function write(value: unknown, ancestors: Set<object>): string {
	if (value === null || value === undefined) return 'null';
	switch (typeof value) {
		case 'string': return JSON.stringify(value.trim());
		case 'number': return JSON.stringify(value);
		case 'boolean': return value ? 'true' : 'false';
		case 'bigint': return value.toString();
		case 'object': break;
		default: return 'null';
	}
	const obj = value as object;
	if (ancestors.has(obj)) throw new TypeError('canonicalJson: cyclic value');
	ancestors.add(obj);
	try {
		if (Array.isArray(obj)) return `[${obj.map((item: unknown) => write(item, ancestors)).join(',')}]`;
		const record = obj as Record<string, unknown>;
		const members = Object.keys(record)
			.filter((key) => record[key] !== undefined && typeof record[key] !== 'function')
			.sort()
			.map((key) => `${JSON.stringify(key)}:${write(record[key], ancestors)}`);
		return `{${members.join(',')}}`;
	} finally {
		ancestors.delete(obj);
	}
}

function sha256(text: string): string {
	return createHash('sha256').update(text, 'utf8').digest('hex');
}

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * `[{ type: 'text', text: 'x' }]` → `'x'` when that is the block's only content. Both SDKs and both
 * APIs document the string form as shorthand for exactly this single block (Anthropic `system` and
 * message `content`, OpenAI message `content`). Anything more (two blocks, `cache_control`,
 * images) is left alone: we only merge shapes we are certain the provider treats identically.
 */
function collapseSingleTextBlock(content: unknown): unknown {
	if (!Array.isArray(content) || content.length !== 1) return content;
	const block: unknown = content[0];
	if (!isRecord(block) || block.type !== 'text' || typeof block.text !== 'string') return content;
	if (Object.keys(block).some((key) => key !== 'type' && key !== 'text' && block[key] !== undefined)) return content;
	return block.text;
}

/** The request as it is hashed: transport-only fields removed, equivalent content shapes merged. */
function normalizedRequest(wire: WireFormat, body: Readonly<Record<string, unknown>>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [key, value] of Object.entries(body)) if (!TRANSPORT_ONLY.has(key)) out[key] = value;
	if (wire === 'anthropic-messages' && 'system' in out) out.system = collapseSingleTextBlock(out.system);
	if (Array.isArray(out.messages)) {
		out.messages = out.messages.map((message: unknown) => (isRecord(message) && 'content' in message ? { ...message, content: collapseSingleTextBlock(message.content) } : message));
	}
	return out;
}

export interface ExactKeyInput {
	readonly tenant: string;
	readonly provider: ProviderId;
	readonly wire: WireFormat;
	readonly body: Readonly<Record<string, unknown>>;
}

/**
 * sha256 (hex) of the canonical JSON of `{ v, tenant, provider, wire, endpoint, request }`, where
 * `request` is the whole body except `stream` / `stream_options`. Any difference in model, system
 * prompt, messages, tools, response format or generation parameters gives a different key.
 */
export function exactKey(input: ExactKeyInput): string {
	return sha256(canonicalJson({
		v: NORMALIZER_VERSION,
		tenant: input.tenant,
		provider: input.provider,
		wire: input.wire,
		endpoint: ENDPOINTS[input.wire],
		request: normalizedRequest(input.wire, input.body),
	}));
}

export interface SemanticPartsInput {
	readonly wire: WireFormat;
	readonly body: Readonly<Record<string, unknown>>;
	/**
	 * Included in the scope when given. The store's semantic query carries the tenant and embedder
	 * but not the provider, so the pipeline should pass it: `gpt-4o` via a gateway is not `gpt-4o`
	 * via OpenAI.
	 */
	readonly provider?: ProviderId;
}

export interface SemanticParts {
	/** The last user message's text (text blocks joined with a newline), trimmed. */
	readonly cacheText: string;
	/** sha256 of everything else in the request, plus the normalizer version. */
	readonly scopeHash: string;
}

/**
 * Splits a request for the semantic cache. Undefined when the last message is not a user message
 * made only of text (a tool result, an image, an assistant prefill), because such a request cannot
 * be answered from a match on its wording alone.
 */
export function semanticParts(input: SemanticPartsInput): SemanticParts | undefined {
	const request = normalizedRequest(input.wire, input.body);
	const messages = request.messages;
	if (!Array.isArray(messages) || messages.length === 0) return undefined;
	const last: unknown = messages[messages.length - 1];
	if (!isRecord(last) || last.role !== 'user') return undefined;
	const cacheText = textOnly(last.content);
	if (cacheText === undefined || cacheText === '') return undefined;
	const scope = {
		v: NORMALIZER_VERSION,
		wire: input.wire,
		...(input.provider !== undefined ? { provider: input.provider } : {}),
		request: { ...request, messages: messages.slice(0, -1) },
		// Any field of the last message other than its content (e.g. OpenAI `name`) stays in scope.
		lastMessage: { ...last, content: undefined },
	};
	return { cacheText, scopeHash: sha256(canonicalJson(scope)) };
}

/** A string, or an array of only text blocks / parts; anything else is not plain text. */
function textOnly(content: unknown): string | undefined {
	if (typeof content === 'string') return content.trim();
	if (!Array.isArray(content) || content.length === 0) return undefined;
	const parts: string[] = [];
	for (const block of content as unknown[]) {
		if (!isRecord(block) || block.type !== 'text' || typeof block.text !== 'string') return undefined;
		parts.push(block.text);
	}
	return parts.join('\n').trim();
}
