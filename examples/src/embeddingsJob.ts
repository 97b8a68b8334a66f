// Nightly job: re-embeds help-center chunks whose text changed, 100 at a time.
import OpenAI from 'openai';

const openai = new OpenAI();

export interface ArticleChunk {
	id: string;
	text: string;
}

export interface EmbeddedChunk extends ArticleChunk {
	embedding: number[];
}

const BATCH_SIZE = 100;

export async function embedChangedChunks(chunks: ArticleChunk[]): Promise<EmbeddedChunk[]> {
	const out: EmbeddedChunk[] = [];
	for (let i = 0; i < chunks.length; i += BATCH_SIZE) {
		const batch = chunks.slice(i, i + BATCH_SIZE);
		const result = await openai.embeddings.create({
			model: 'text-embedding-3-small',
			input: batch.map((c) => c.text),
			dimensions: 512,
		});
		result.data.forEach((item, j) => {
			const chunk = batch[j];
			if (chunk) out.push({ ...chunk, embedding: item.embedding });
		});
	}
	return out;
}
