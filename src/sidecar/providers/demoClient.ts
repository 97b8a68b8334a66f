/**
 * The demo provider: no key, no network. It answers any request deterministically with realistic
 * token counts (the real o200k tokenizer) and latency, so a newcomer can watch the pipeline —
 * caches, cascade, cost — before configuring a key. Every answer starts with "[demo]" and the
 * provider id is `demo` in every log row, so it is never mistaken for a model's output.
 *
 * To make the cascade visible, "cheap" models (haiku / mini / nano / flash in the name) hedge on
 * about a third of prompts, and a system prompt that asks for a confidence field gets JSON with a
 * confidence that is lower on cheap models.
 */
import { createHash } from 'node:crypto';
import type { Completion, NormalizedUsage, ProviderCall, ProviderClient, ProviderReply } from '../../core/pipeline';
import { stopKindAnthropic } from '../../core/pipeline';
import { abortableSleep } from '../sleep';
import type { TokenCounter } from '../../core/tokens/tokenCounter';

export interface DemoOptions {
	readonly tokens: TokenCounter;
	/** 1 = realistic timing, 0 = instant (tests, benchmarks). */
	readonly latencyScale?: number;
}

const CHEAP = /haiku|mini|nano|flash|small|cheap/i;

export class DemoClient implements ProviderClient {
	constructor(private readonly options: DemoOptions) {}

	async call(call: ProviderCall): Promise<ProviderReply> {
		const model = String(call.body.model ?? 'demo');
		const anthropic = call.wire === 'anthropic-messages';
		const { system, lastUser, allText } = readPrompt(call.body, anthropic);
		const cheap = CHEAP.test(model);
		const seed = createHash('sha256').update(`${model}\n${allText}`).digest();
		const wantsConfidence = /confidence/i.test(system);
		let text: string;
		if (wantsConfidence) {
			const confidence = cheap ? 0.35 + ((seed[0] ?? 0) / 255) * 0.6 : 0.9 + ((seed[0] ?? 0) / 255) * 0.09;
			text = JSON.stringify({ answer: `[demo] ${summary(lastUser)}`, confidence: Math.round(confidence * 100) / 100 });
		} else if (cheap && (seed[1] ?? 0) % 3 === 0) {
			text = `[demo] I'm not sure about this one. It might depend on details of "${summary(lastUser)}" that I can't verify.`;
		} else {
			text = `[demo] ${model} would answer "${summary(lastUser)}" here. This is a simulated answer from CostLens's offline demo provider: no API call was made and nothing was billed. Token counts and timing imitate a real ${cheap ? 'small' : 'large'} model.`;
		}
		const maxTokens = Number(call.body.max_tokens ?? call.body.max_completion_tokens ?? 4096);
		let outputTokens = this.options.tokens.count(text, 'o200k_base');
		let stop = 'end_turn';
		if (outputTokens > maxTokens) {
			text = text.slice(0, Math.max(0, maxTokens * 4));
			outputTokens = maxTokens;
			stop = 'max_tokens';
		}
		const usage: NormalizedUsage = { inputTokens: this.options.tokens.count(allText, 'o200k_base') + 3 * countMessages(call.body), cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens };

		const scale = this.options.latencyScale ?? 1;
		const firstTokenMs = (cheap ? 180 : 420) * scale;
		const perChunkMs = (cheap ? 12 : 28) * scale;
		const started = performance.now();
		let ttftMs: number | null = null;
		await abortableSleep(firstTokenMs, call.signal);
		if (call.body.stream === true) {
			for (const piece of text.match(/[\s\S]{1,12}/g) ?? []) {
				if (ttftMs === null) ttftMs = performance.now() - started;
				call.onDelta(piece);
				await abortableSleep(perChunkMs, call.signal);
			}
		} else {
			await abortableSleep(perChunkMs * Math.ceil(text.length / 12), call.signal);
			call.onDelta(text);
		}
		const completion: Completion = {
			provider: 'demo',
			wire: call.wire,
			model,
			text,
			stop: stopKindAnthropic(stop),
			rawStop: anthropic ? stop : stop === 'max_tokens' ? 'length' : 'stop',
			usage,
			raw: { demo: true, model, text, stop },
		};
		return { completion, ttftMs, complete: true };
	}
}

function readPrompt(body: Readonly<Record<string, unknown>>, anthropic: boolean): { system: string; lastUser: string; allText: string } {
	const parts: string[] = [];
	let system = '';
	if (anthropic && body.system !== undefined) system = textOf(body.system);
	let lastUser = '';
	for (const message of Array.isArray(body.messages) ? body.messages : []) {
		const m = message as { role?: unknown; content?: unknown };
		const text = textOf(m.content);
		if (m.role === 'system' || m.role === 'developer') system += text;
		if (m.role === 'user') lastUser = text;
		parts.push(text);
	}
	return { system, lastUser, allText: [system, ...parts].join('\n') };
}

function textOf(content: unknown): string {
	if (typeof content === 'string') return content;
	if (Array.isArray(content)) return content.map((part) => (typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '')).join('\n');
	return '';
}

function countMessages(body: Readonly<Record<string, unknown>>): number {
	return Array.isArray(body.messages) ? body.messages.length : 0;
}

function summary(text: string): string {
	const flat = text.replace(/\s+/g, ' ').trim();
	return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}
