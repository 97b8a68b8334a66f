// Prototype for a self-hosted model behind an OpenAI-compatible gateway, plus an A/B switch whose
// model is only known at runtime. Neither can be priced from source.
import OpenAI from 'openai';

const gateway = new OpenAI({ baseURL: 'https://llm-gateway.internal.lanternfish.example/v1', apiKey: process.env.GATEWAY_KEY });
const openai = new OpenAI();

export async function tagTicket(text: string): Promise<string> {
	const completion = await gateway.chat.completions.create({
		model: 'lanternfish-tagger-7b',
		max_tokens: 20,
		messages: [
			{ role: 'system', content: 'Reply with up to three comma-separated tags for this support ticket.' },
			{ role: 'user', content: text },
		],
	});
	return completion.choices[0]?.message.content ?? '';
}

export async function rewriteForTone(text: string, variant: string): Promise<string> {
	const completion = await openai.chat.completions.create({
		model: process.env[`TONE_MODEL_${variant.toUpperCase()}`] ?? 'gpt-4o-mini',
		stream: false,
		messages: [{ role: 'user', content: `Rewrite this reply in a friendlier tone, same meaning:\n\n${text}` }],
	});
	return completion.choices[0]?.message.content ?? '';
}
