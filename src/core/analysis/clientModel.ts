import { ANTHROPIC_APIS, OPENAI_APIS, type Api, type Provider } from './types';

// Which SDK method paths are API calls and which provider a client constructor makes: shared by the
// TypeScript and the Python analysers (only the spelling of the names and the syntax differ).

export type Family = 'anthropic' | 'openai';

/** What the receiver of an SDK-shaped call was traced to. */
export type ClientTrace =
	| { readonly kind: 'sdk'; readonly family: Family; readonly provider: Provider; readonly evidence: 'import' | 'constructor'; readonly baseURL?: string | undefined }
	/** Built by another SDK with the same method names (Together, Groq, Mistral…): never reported. */
	| { readonly kind: 'foreign'; readonly module: string }
	/** A member of an SDK client that is not itself a client (`openai.beta.threads`): never reported. */
	| { readonly kind: 'subresource' }
	| { readonly kind: 'unknown' };

export interface ApiPath {
	readonly api: Api;
	readonly parts: readonly string[];
}

/** Every API's member path in a language's spelling (`messages.count_tokens` in Python), longest first so `beta.chat.completions.parse` wins over `chat.completions.parse`. */
export function apiPaths(spell: (api: Api) => string = (api) => api): readonly ApiPath[] {
	return [...ANTHROPIC_APIS, ...OPENAI_APIS]
		.map((api) => ({ api, parts: spell(api).split('.') }))
		.sort((a, b) => b.parts.length - a.parts.length);
}

/**
 * The API whose path ends the member chain `names` (`['client', 'chat', 'completions', 'create']`
 * read as member names, outermost first), with `offset`: the index of the path's first name (the
 * receiver is the object that name is read from).
 */
export function matchApiPath(paths: readonly ApiPath[], names: readonly (string | undefined)[]): { api: Api; offset: number } | undefined {
	for (const { api, parts } of paths) {
		if (parts.length > names.length) continue;
		const offset = names.length - parts.length;
		if (parts.every((p, i) => names[offset + i] === p)) return { api, offset };
	}
	return undefined;
}

const ANTHROPIC_API_SET: ReadonlySet<string> = new Set(ANTHROPIC_APIS);

export function familyOfApi(api: Api): Family {
	return ANTHROPIC_API_SET.has(api) ? 'anthropic' : 'openai';
}

const OPENAI_DEFAULT_URLS = new Set(['https://api.openai.com/v1', 'https://api.openai.com']);
const ANTHROPIC_DEFAULT_URLS = new Set(['https://api.anthropic.com', 'https://api.anthropic.com/v1']);

/**
 * Provider of an SDK client from its constructor's base URL option (`baseURL` / `base_url`):
 * `urlGiven` says the option is set at all, `url` is its literal value when known. An OpenAI client
 * whose URL is given and is not a literal OpenAI URL is `openai-compatible` (conservative: an
 * environment URL may point anywhere, so OpenAI prices are not asserted); the literal is kept in
 * `baseURL`. `AzureOpenAI` is `openai`. An Anthropic client keeps its provider and records a
 * non-default literal URL.
 */
export function sdkClient(family: Family, azure: boolean, urlGiven: boolean, url: string | undefined, evidence: 'import' | 'constructor'): ClientTrace {
	const normalised = url?.replace(/\/+$/, '').toLowerCase();
	if (family === 'anthropic') {
		const baseURL = url !== undefined && !ANTHROPIC_DEFAULT_URLS.has(normalised ?? '') ? url : undefined;
		return { kind: 'sdk', family, provider: 'anthropic', evidence, ...(baseURL !== undefined ? { baseURL } : {}) };
	}
	if (azure || !urlGiven || (normalised !== undefined && OPENAI_DEFAULT_URLS.has(normalised))) return { kind: 'sdk', family, provider: 'openai', evidence };
	return { kind: 'sdk', family, provider: 'openai-compatible', evidence, ...(url !== undefined ? { baseURL: url } : {}) };
}
