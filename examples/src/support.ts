// Drafts a reply for a human agent in the support inbox, using the Responses API.
import OpenAI from 'openai';

const openai = new OpenAI();

const DRAFT_INSTRUCTIONS = `You draft email replies for Lanternfish support agents. The agent will edit and send the draft.
Write in a warm, direct tone. Start with the answer, then the steps. Keep it under 150 words.
Never promise refunds, credits or features; if the customer asks for one, write a placeholder line
"[Agent: decide on exception]" instead. Sign off as "The Lanternfish team".`;

export async function draftReply(ticketSubject: string, customerMessage: string, agentNotes?: string): Promise<string> {
	const response = await openai.responses.create({
		model: 'gpt-5-mini',
		instructions: DRAFT_INSTRUCTIONS,
		input: `Ticket: ${ticketSubject}

Customer wrote:
${customerMessage}

${agentNotes ? `Agent notes: ${agentNotes}` : ''}`,
		max_output_tokens: 800,
		reasoning: { effort: 'low' },
	});
	return response.output_text;
}
