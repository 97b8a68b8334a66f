// app/api/chat/route.ts in the real app: the help widget posts the conversation here and reads the
// answer back as a text stream.
import Anthropic from '@anthropic-ai/sdk';
import { CONTINUATION_HINT, SUPPORT_SYSTEM_PROMPT } from './prompts';

const anthropic = new Anthropic();

interface ChatTurn {
	role: 'user' | 'assistant';
	content: string;
}

interface ChatRequestBody {
	history: ChatTurn[];
	message: string;
	customer: { plan: 'solo' | 'studio' | 'agency'; locale: string };
}

export async function POST(request: Request): Promise<Response> {
	const body = (await request.json()) as ChatRequestBody;
	if (!body.message?.trim()) return new Response('empty message', { status: 400 });

	const stream = anthropic.messages.stream({
		model: 'claude-sonnet-4-5',
		max_tokens: 1024,
		system: [
			// The long, stable part first and marked for caching; the per-customer line after the breakpoint.
			{ type: 'text', text: SUPPORT_SYSTEM_PROMPT, cache_control: { type: 'ephemeral' } },
			{ type: 'text', text: `${CONTINUATION_HINT} The customer is on the ${body.customer.plan} plan and writes in ${body.customer.locale}.` },
		],
		messages: [...body.history, { role: 'user', content: body.message }],
	});

	const encoder = new TextEncoder();
	const readable = new ReadableStream<Uint8Array>({
		async start(controller) {
			try {
				for await (const event of stream) {
					if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') {
						controller.enqueue(encoder.encode(event.delta.text));
					}
				}
				controller.close();
			} catch (error) {
				controller.error(error);
			}
		},
		cancel() {
			stream.abort();
		},
	});
	return new Response(readable, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
