/**
 * Anthropic Messages through the real `@anthropic-ai/sdk`. Streams by iterating the raw SSE
 * events, so the adapter itself sees whether `message_stop` arrived: an answer is `complete` only
 * with the terminal event, a stop reason and usage.
 */
import Anthropic from '@anthropic-ai/sdk';
import { anthropicUsage, stopKindAnthropic, type Completion, type NormalizedUsage, type ProviderCall, type ProviderClient, type ProviderReply } from '../../core/pipeline';
import { AttemptControl, classifySdkError, DEFAULT_TIMEOUT_MS } from './upstream';

export interface AnthropicOptions {
	readonly apiKey: string;
	readonly baseURL?: string;
	readonly timeoutMs?: number;
}

type ContentBlock = { type: string; text?: string; [key: string]: unknown };

export class AnthropicClient implements ProviderClient {
	private readonly sdk: Anthropic;
	private readonly timeoutMs: number;

	constructor(options: AnthropicOptions) {
		this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
		this.sdk = new Anthropic({ apiKey: options.apiKey, ...(options.baseURL ? { baseURL: options.baseURL } : {}), maxRetries: 0, timeout: this.timeoutMs });
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
		try {
			const message = (await this.sdk.messages.create({ ...call.body, stream: false } as unknown as Anthropic.MessageCreateParamsNonStreaming, { signal: control.signal })) as unknown as Anthropic.Message;
			const completion = toCompletion(message);
			call.onDelta(completion.text);
			return { completion, ttftMs: null, complete: message.stop_reason !== null && message.usage !== undefined };
		} catch (error) {
			throw control.abortError(false) ?? classifySdkError(error, { streamed: false });
		}
	}

	private async streamed(call: ProviderCall, control: AttemptControl): Promise<ProviderReply> {
		const started = performance.now();
		let ttftMs: number | null = null;
		let message: { id: string; model: string; role: string; type: string; content: ContentBlock[]; stop_reason: string | null; stop_sequence: string | null; usage: Record<string, unknown> } | undefined;
		let sawStop = false;
		let streamedText = false;
		const usageSoFar = (): NormalizedUsage | undefined => (message ? anthropicUsage(message.usage as Parameters<typeof anthropicUsage>[0]) : undefined);
		try {
			const stream = await this.sdk.messages.create({ ...call.body, stream: true } as unknown as Anthropic.MessageCreateParamsStreaming, { signal: control.signal });
			for await (const event of stream) {
				control.touch();
				switch (event.type) {
					case 'message_start':
						message = { ...(event.message as unknown as NonNullable<typeof message>), content: [] };
						break;
					case 'content_block_start':
						message?.content.splice(event.index, 0, { ...(event.content_block as unknown as ContentBlock) });
						break;
					case 'content_block_delta': {
						const block = message?.content[event.index];
						if (event.delta.type === 'text_delta' && block) {
							block.text = (block.text ?? '') + event.delta.text;
							if (ttftMs === null) ttftMs = performance.now() - started;
							streamedText = true;
							call.onDelta(event.delta.text);
						}
						break;
					}
					case 'message_delta':
						if (message) {
							message.stop_reason = event.delta.stop_reason ?? message.stop_reason;
							message.stop_sequence = event.delta.stop_sequence ?? message.stop_sequence;
							// `message_delta.usage` carries cumulative output (and, on newer APIs, input) counts.
							message.usage = { ...message.usage, ...Object.fromEntries(Object.entries(event.usage).filter(([, v]) => v !== null && v !== undefined)) };
						}
						break;
					case 'message_stop':
						sawStop = true;
						break;
					default:
						break;
				}
			}
		} catch (error) {
			throw control.abortError(streamedText, usageSoFar()) ?? classifySdkError(error, { streamed: streamedText, ...(usageSoFar() ? { usage: usageSoFar() } : {}), ...(message ? { model: message.model } : {}) });
		}
		const aborted = control.abortError(streamedText, usageSoFar());
		if (aborted) throw aborted;
		if (!message || !sawStop) {
			throw classifySdkError(new Error('the stream ended before message_stop (answer incomplete)'), { streamed: streamedText, ...(usageSoFar() ? { usage: usageSoFar() } : {}) });
		}
		const completion = toCompletion(message as unknown as Anthropic.Message);
		return { completion, ttftMs, complete: sawStop && message.stop_reason !== null && typeof message.usage.output_tokens === 'number' };
	}
}

function toCompletion(message: Anthropic.Message): Completion {
	const text = message.content
		.filter((block): block is Anthropic.TextBlock => block.type === 'text')
		.map((block) => block.text)
		.join('');
	return {
		provider: 'anthropic',
		wire: 'anthropic-messages',
		model: message.model,
		text,
		stop: stopKindAnthropic(message.stop_reason),
		rawStop: message.stop_reason,
		usage: anthropicUsage(message.usage as unknown as Parameters<typeof anthropicUsage>[0]),
		raw: message,
	};
}
