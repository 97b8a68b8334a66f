// Nightly job: writes a short digest of each account's week for the Monday email. It works, but it
// carries three habits CostLens flags: a timestamp in the system prompt (the prompt cache never
// hits), no output cap, and two independent calls made one after the other.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { SUPPORT_SYSTEM_PROMPT } from './prompts';

const anthropic = new Anthropic();
const openai = new OpenAI();

export interface AccountWeek {
	accountName: string;
	tasksClosed: number;
	hoursTracked: number;
	notableEvents: string[];
}

export async function weeklyDigest(week: AccountWeek): Promise<{ digest: string; subject: string }> {
	const facts = [
		`Account: ${week.accountName}`,
		`Tasks closed: ${week.tasksClosed}`,
		`Hours tracked: ${week.hoursTracked}`,
		...week.notableEvents.map((e) => `- ${e}`),
	].join('\n');

	const digest = await anthropic.messages.create({
		model: 'claude-sonnet-4-5',
		max_tokens: 600,
		system: `${SUPPORT_SYSTEM_PROMPT}

You now write the Monday digest email instead of answering tickets. Today is ${new Date().toISOString()}.`,
		messages: [{ role: 'user', content: `Write this week's digest from these facts:\n${facts}` }],
	});
	const subject = await openai.chat.completions.create({
		model: 'gpt-4o-mini',
		messages: [
			{ role: 'system', content: 'Write one email subject line, under 60 characters, no emoji.' },
			{ role: 'user', content: facts },
		],
	});

	const first = digest.content[0];
	return {
		digest: first?.type === 'text' ? first.text : '',
		subject: subject.choices[0]?.message.content?.trim() ?? 'Your week in Lanternfish',
	};
}
