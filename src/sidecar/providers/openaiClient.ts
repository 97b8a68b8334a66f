/**
 * OpenAI Chat Completions (and any OpenAI-compatible base URL) through the real `openai` SDK.
 * Streams ask for `stream_options.include_usage`, so a streamed answer is `complete` only when a
 * `finish_reason` and the usage chunk both arrived. The SDK ends iteration quietly when its request
 * is aborted, so the adapter checks its own abort state after the loop.
 */
import OpenAI from 'openai';
import { openaiUsage, stopKindOpenAI, type Completion, type ProviderCall, type ProviderClient, type ProviderId, type ProviderReply } from '../../core/pipeline';
import { AttemptControl, classifySdkError, DEFAULT_TIMEOUT_MS } from './upstream';

export interface OpenAIOptions {
	readonly provider: Extract<ProviderId, 'openai' | 'openai-compatible'>;
	readonly apiKey: string;
	readonly baseURL?: string;
	readonly timeoutMs?: number;
}

type Usage = Parameters<typeof openaiUsage>[0];

export class OpenAIClient implements ProviderClient {
	private readonly sdk: OpenAI;
	private readonly timeoutMs: number;

	constructor(private readonly options: OpenAIOptions) {
		this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		this.sdk = new OpenAI({ apiKey: options.apiKey, ...(options.baseURL ? { baseURL: options.baseURL } : {}), maxRetries: 0, timeout: this.timeoutMs });
	}

	async call(call: ProviderCall): Promise<ProviderReply> {
		const control = new AttemptControl(call.signal, this.timeoutMs);
		try {
			return call.body.stream === true ? await this.streamed(call, control) : await this.whole(call, control);
		} finally {
			control.dispose();
		}
	}

	private async whole(call: ProviderCall, control: AttemptControl): Promise<ProviderReply> {
		let result: OpenAI.ChatCompletion;
		try {
			const { stream_options: _transportOnly, ...body } = call.body;
			result = (await this.sdk.chat.completions.create({ ...body, stream: false } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming, { signal: control.signal })) as OpenAI.ChatCompletion;
		} catch (error) {
			throw control.abortError(false) ?? classifySdkError(error, { streamed: false });
		}
		const completion = this.toCompletion(result);
		call.onDelta(completion.text);
		return { completion, ttftMs: null, complete: result.choices[0]?.finish_reason != null && result.usage != null };
	}

	private async streamed(call: ProviderCall, control: AttemptControl): Promise<ProviderReply> {
		const started = performance.now();
		let ttftMs: number | null = null;
		let text = '';
		let refusal = '';
		let finish: string | null = null;
		let usage: Usage | undefined;
		let id = '';
		let model = String(call.body.model);
		let created = 0;
		let fingerprint: string | null | undefined;
		const streamOptions = { ...((call.body.stream_options as object | undefined) ?? {}), include_usage: true };
		try {
			const stream = await this.sdk.chat.completions.create({ ...call.body, stream: true, stream_options: streamOptions } as unknown as OpenAI.ChatCompletionCreateParamsStreaming, { signal: control.signal });
			for await (const chunk of stream) {
				control.touch();
				id = chunk.id || id;
				model = chunk.model || model;
				created = chunk.created || created;
				fingerprint = chunk.system_fingerprint ?? fingerprint;
				if (chunk.usage) usage = chunk.usage as Usage;
				const choice = chunk.choices.find((c) => c.index === 0);
				if (!choice) continue;
				const delta = choice.delta?.content;
				if (typeof delta === 'string' && delta.length > 0) {
					text += delta;
					if (ttftMs === null) ttftMs = performance.now() - started;
					call.onDelta(delta);
				}
				if (typeof choice.delta?.refusal === 'string') refusal += choice.delta.refusal;
				if (choice.finish_reason) finish = choice.finish_reason;
			}
		} catch (error) {
			const partial = usage ? openaiUsage(usage) : undefined;
			throw control.abortError(text.length > 0, partial) ?? classifySdkError(error, { streamed: text.length > 0, ...(partial ? { usage: partial } : {}), model });
		}
		const aborted = control.abortError(text.length > 0, usage ? openaiUsage(usage) : undefined);
		if (aborted) throw aborted;
		if (finish === null) {
			throw classifySdkError(new Error('the stream ended without a finish_reason (answer incomplete)'), { streamed: text.length > 0, model });
		}
		// The same object a non-streamed call returns, so a cache hit can be replayed either way.
		const assembled: OpenAI.ChatCompletion = {
			id,
			object: 'chat.completion',
			created,
			model,
			...(fingerprint ? { system_fingerprint: fingerprint } : {}),
			choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: refusal || null }, finish_reason: finish as OpenAI.ChatCompletion.Choice['finish_reason'], logprobs: null }],
			...(usage ? { usage: usage as OpenAI.CompletionUsage } : {}),
		};
		return { completion: this.toCompletion(assembled), ttftMs, complete: usage !== undefined };
	}

	private toCompletion(result: OpenAI.ChatCompletion): Completion {
		const choice = result.choices[0];
		const finish = choice?.finish_reason ?? null;
		return {
			provider: this.options.provider,
			wire: 'openai-chat',
			model: result.model,
			text: choice?.message.content ?? '',
			stop: choice?.message.refusal ? 'refusal' : stopKindOpenAI(finish),
			rawStop: finish,
			usage: openaiUsage((result.usage ?? {}) as Usage),
			raw: result,
		};
	}
}
