/**
 * The call-site model shared by every adapter (extension, CLI, later the sidecar).
 * Everything here is plain data so it crosses worker and process boundaries as JSON.
 */

/** Half-open range of UTF-16 offsets into the analysed text (same units as JS strings and `TextDocument.positionAt`). */
export interface Span {
	readonly start: number;
	readonly end: number;
}

/** A value the analyser could read statically, or the place where it could not. */
export type Static<T> =
	| { readonly kind: 'literal'; readonly value: T; readonly span: Span }
	| { readonly kind: 'dynamic'; readonly span: Span };

/** `openai-compatible`: built with the `openai` SDK but pointed at another `baseURL` (Together, Ollama, a gateway…). */
export type Provider = 'anthropic' | 'openai' | 'openai-compatible';

export const ANTHROPIC_APIS = [
	'messages.create',
	'messages.stream',
	'beta.messages.create',
	'messages.batches.create',
	'messages.countTokens',
] as const;

export const OPENAI_APIS = [
	'chat.completions.create',
	'chat.completions.parse',
	'beta.chat.completions.parse',
	'chat.completions.stream',
	'responses.create',
	'responses.stream',
	'responses.parse',
	'embeddings.create',
	'batches.create',
] as const;

export type AnthropicApi = (typeof ANTHROPIC_APIS)[number];
export type OpenAiApi = (typeof OPENAI_APIS)[number];
export type Api = AnthropicApi | OpenAiApi;

/** Which request parameter carries the output cap for this call. */
export type MaxOutputParam = 'max_tokens' | 'max_completion_tokens' | 'max_output_tokens';

/**
 * Where a piece of prompt text sits in the request. Order in `CallSite.segments` is the provider's
 * prefix order (tools → system → messages), which is what prompt caching matches on.
 * - `system`: Anthropic `system`, OpenAI system/developer message, Responses `instructions`.
 * - `example`: a user/assistant turn before the last user message (few-shot or replayed history).
 * - `user`: the last user message (the per-request part).
 * - `schema`: `response_format` / `text.format` JSON schema (billed as input).
 * - `embedding-input`: `embeddings.create` input.
 */
export type SegmentRole = 'tools' | 'system' | 'example' | 'user' | 'assistant' | 'schema' | 'embedding-input';

/** A piece of text resolved statically: literal parts plus counted holes. */
export interface ResolvedText {
	/** Concatenation of every statically known part (holes removed). */
	readonly text: string;
	/** Number of `${…}` / unresolved operands inside otherwise known text; each is estimated with an assumption. */
	readonly holes: number;
	/** Spans (in the file where the call is) of the dynamic parts, for diagnostics later. */
	readonly holeSpans: readonly Span[];
	/** Where the text came from when not from this file: `./prompts.ts#SYSTEM`, `./prompt.txt`. */
	readonly origins: readonly string[];
}

export interface PromptSegment {
	readonly role: SegmentRole;
	/** `undefined`: the analyser knows a segment is there but nothing about its text (e.g. `messages: history`). */
	readonly content: ResolvedText | undefined;
	/**
	 * When the segment stands for an unknown number of messages (a spread or an identifier bound to a
	 * runtime array), the adapter estimates it with `tokensPerUnknownMessage`.
	 */
	readonly unknownMessages?: boolean;
	/** Anthropic `cache_control` placed on this segment (the breakpoint is after it). */
	readonly cacheControl?: { readonly ttl: '5m' | '1h' };
	readonly span: Span;
	/**
	 * Index of the message this segment belongs to in `messages` / Responses `input` (blocks of one
	 * message share it; per-message framing tokens are counted once per index). Absent for tools,
	 * schema, `system` / `instructions` parameters and embedding inputs.
	 */
	readonly messageIndex?: number;
}

export interface CallSite {
	readonly provider: Provider;
	readonly api: Api;
	/** The whole call expression; CodeLens anchors to `span.start`. */
	readonly span: Span;
	/** The callee, e.g. `client.messages.create`. */
	readonly calleeSpan: Span;
	/** The request object argument, if any (for fixes that insert parameters). */
	readonly argsSpan: Span | undefined;
	/** How the provider was established: traced to an import/constructor, or guessed from the method shape. */
	readonly providerEvidence: 'import' | 'constructor' | 'method-shape';
	readonly model: Static<string> | undefined;
	readonly maxOutputTokens: Static<number> | undefined;
	readonly maxOutputParam: MaxOutputParam | undefined;
	/** `undefined`: argument absent (a non-streaming call unless the API itself streams). */
	readonly stream: Static<boolean> | undefined;
	readonly segments: readonly PromptSegment[];
	readonly hasTools: boolean;
	readonly hasResponseFormat: boolean;
	/** A top-level `cache_control` (Anthropic automatic breakpoint on the last block). */
	readonly topLevelCacheControl: boolean;
	/** `baseURL` literal given to the client constructor, when it differs from the provider's. */
	readonly baseURL?: string;
	/**
	 * The request object could not be read statically (`create(params)` with `params` a parameter) or
	 * contains a spread of something unknown, so absent fields may still be set at run time.
	 */
	readonly unresolvedArgs?: boolean;
}

/** Why a file was not analysed; shown to the user, never silent. */
export interface SkipReason {
	readonly reason: string;
}

export interface FileAnalysis {
	readonly callSites: readonly CallSite[];
	readonly skipped: SkipReason | undefined;
}

/**
 * The only way the core reaches other files. The adapter implements it (fs in the CLI and worker,
 * open documents first in the editor); the core never does I/O itself.
 */
export interface SourceResolver {
	/** Text of the module `specifier` imported from `fromFile`, with its resolved file name; undefined if not found. */
	resolveModule(fromFile: string, specifier: string): { readonly fileName: string; readonly text: string } | undefined;
	/** Text of a file read with `readFileSync(path)`, `path` relative to `fromFile`'s directory. */
	readTextFile(fromFile: string, relativePath: string): string | undefined;
}
