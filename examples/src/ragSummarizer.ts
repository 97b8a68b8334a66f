// Help-center search: retrieve a few article chunks, then ask a fast model for a short grounded answer.
import Anthropic from '@anthropic-ai/sdk';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

const client = new Anthropic({ maxRetries: 2 });

// Loaded once at startup; the prompt lives in a text file so the docs team can edit it.
const SUMMARIZE_PROMPT = readFileSync(path.join(__dirname, '../prompts/summarize.txt'), 'utf8');

export interface Chunk {
	articleTitle: string;
	text: string;
	score: number;
}

export async function answerFromHelpCenter(question: string, chunks: Chunk[]): Promise<string> {
	const top = chunks.sort((a, b) => b.score - a.score).slice(0, 4);
	const context = top.map((c, i) => `[${i + 1}] ${c.articleTitle}\n${c.text}`).join('\n\n');

	const response = await client.messages.create({
		model: 'claude-haiku-4-5',
		max_tokens: 300,
		system: SUMMARIZE_PROMPT,
		messages: [
			{
				role: 'user',
				content: `Question: ${question}

Passages:
${context}

Answer the question using only these passages.`,
			},
		],
	});

	const first = response.content[0];
	return first?.type === 'text' ? first.text.trim() : "I couldn't find this in the help center.";
}
