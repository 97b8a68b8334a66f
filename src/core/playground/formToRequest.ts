/**
 * The playground form ↔ the pipeline's request, both ways, PURE (the extension and the unit tests
 * share it). Form → request builds the body the real SDK would send for the chosen provider's wire
 * format; call site → form lifts what the static analysis could read from the code.
 */
import type { CallSite, PromptSegment } from '../analysis/types';
import type { PipelineRequest, ProviderId, WireFormat } from '../pipeline/types';
import type { PlaygroundForm } from '../../protocol/playground';

/** The wire format the playground uses for a provider. The demo provider takes either: it follows the model's family. */
export function playgroundWire(provider: ProviderId, model: string): WireFormat {
	if (provider === 'anthropic') return 'anthropic-messages';
	if (provider === 'demo') return /^claude/i.test(model) ? 'anthropic-messages' : 'openai-chat';
	return 'openai-chat';
}

/**
 * Builds the `PipelineRequest` for one playground run. `provider` is the one that will answer
 * (the extension substitutes `demo` when the chosen one has no key). With a cascade the body's
 * `model` is the cheap model (the pipeline ignores it, but the request stays valid on its own).
 */
export function formToRequest(form: PlaygroundForm, provider: ProviderId = form.provider): PipelineRequest {
	const model = form.cascade ? form.cascade.cheapModel : form.model;
	const wire = playgroundWire(provider, model);
	const system = form.system.trim().length > 0 ? form.system : undefined;
	const user = { role: 'user', content: form.prompt };
	let body: Record<string, unknown>;
	if (wire === 'anthropic-messages') {
		body = { model, max_tokens: form.maxTokens, ...(system !== undefined ? { system } : {}), messages: [user], stream: form.stream };
	} else {
		// OpenAI's own API wants max_completion_tokens (reasoning models reject max_tokens); compatible servers mostly still read max_tokens.
		const cap = provider === 'openai' ? { max_completion_tokens: form.maxTokens } : { max_tokens: form.maxTokens };
		body = { model, ...cap, messages: system !== undefined ? [{ role: 'system', content: system }, user] : [user], stream: form.stream };
	}
	return {
		tenant: form.tenant,
		provider,
		wire,
		body,
		...(form.semanticCache ? { semantic: { threshold: form.threshold } } : {}),
		...(form.personalized ? { personalized: true } : {}),
		...(form.cascade ? { cascade: form.cascade } : {}),
		// The pipeline has no "skip the exact lookup" switch: with the exact cache off the answer is at least not stored.
		...(form.exactCache ? {} : { exactCache: false }),
	};
}

/**
 * The provider a model id belongs to when it can run now, else `demo`: a Claude model goes to
 * Anthropic, a GPT / o-series model to OpenAI, anything else (a local model) to an
 * OpenAI-compatible server, each only when `available` has it.
 */
export function providerForModel(model: string, available: readonly ProviderId[]): ProviderId {
	const family: ProviderId = /^claude/i.test(model) ? 'anthropic' : /^(gpt-|o\d|chatgpt|text-embedding)/i.test(model) ? 'openai' : 'openai-compatible';
	return available.includes(family) ? family : 'demo';
}

function segmentText(segment: PromptSegment): string | undefined {
	return segment.content?.text;
}

/** Placeholder for the parts of a prompt only known at run time, so the user sees where to type. */
export const HOLE_MARK = '…';

/**
 * A segment's known text. Where inside it the run-time parts were is not in `ResolvedText` (only
 * their spans in the file), so they are left blank, and counted by {@link dynamicParts} for the
 * "filled from" note; a segment known only to exist becomes {@link HOLE_MARK}.
 */
function withHoles(segment: PromptSegment): string {
	const text = segmentText(segment) ?? '';
	if (segment.unknownMessages || segment.content === undefined) return text || HOLE_MARK;
	return text;
}

/**
 * What "Open in Playground" fills from a call site: model, system prompt, the last user message,
 * the output cap and streaming, when the code states them literally. Run-time parts of a prompt
 * are left blank; few-shot turns are left out (the form has one user message).
 */
export function callSiteToForm(site: CallSite): Partial<PlaygroundForm> {
	const form: { -readonly [K in keyof PlaygroundForm]?: PlaygroundForm[K] } = { provider: site.provider };
	if (site.model?.kind === 'literal') form.model = site.model.value;
	if (site.maxOutputTokens?.kind === 'literal' && Number.isInteger(site.maxOutputTokens.value) && site.maxOutputTokens.value > 0) form.maxTokens = site.maxOutputTokens.value;
	if (site.stream?.kind === 'literal') form.stream = site.stream.value;
	const system = site.segments.filter((s) => s.role === 'system').map(withHoles).filter((t) => t.length > 0);
	if (system.length > 0) form.system = system.join('\n\n');
	const users = site.segments.filter((s) => s.role === 'user' || s.role === 'embedding-input');
	const lastUser = users.at(-1);
	if (lastUser) {
		// Blocks of one message share a messageIndex: join them all, not just the last block.
		const blocks = lastUser.messageIndex === undefined ? [lastUser] : users.filter((s) => s.messageIndex === lastUser.messageIndex);
		form.prompt = blocks.map(withHoles).join('\n');
	}
	return form;
}

/** How many run-time parts the filled prompt leaves for the user to type (shown next to "filled from …"). */
export function dynamicParts(site: CallSite): number {
	return site.segments
		.filter((s) => s.role === 'system' || s.role === 'user')
		.reduce((n, s) => n + (s.content === undefined || s.unknownMessages ? 1 : s.content.holes), 0);
}
