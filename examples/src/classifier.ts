// Routes each incoming support email to a queue before a human sees it. Runs on every email, so
// it uses a small model, a strict JSON schema and a tiny output cap.
import OpenAI from 'openai';

const openai = new OpenAI();

export type Queue = 'billing' | 'bug' | 'how-to' | 'account-access' | 'feature-request' | 'spam';

export interface Classification {
	queue: Queue;
	urgent: boolean;
	confidence: number;
}

const CLASSIFIER_PROMPT = `You triage support emails for Lanternfish, a project-management and time-tracking SaaS.
Pick exactly one queue:
- billing: charges, refunds, invoices from Lanternfish to the customer, plan changes, seats.
- bug: something in the product behaves wrongly or shows an error.
- how-to: the customer asks how to do something the product supports.
- account-access: login, SSO, two-factor, invitations, lost access to a workspace.
- feature-request: the customer asks for something the product does not do.
- spam: marketing, cold outreach, automated messages, anything not from a customer.
Set urgent to true only for payment taken twice, data that looks lost, a security concern, or a
whole team unable to log in. Confidence is your probability (0 to 1) that the queue is right.`;

export async function classifyEmail(subject: string, bodyText: string): Promise<Classification> {
	const completion = await openai.chat.completions.create({
		model: 'gpt-4o-mini',
		max_tokens: 50,
		temperature: 0,
		messages: [
			{ role: 'system', content: CLASSIFIER_PROMPT },
			{ role: 'user', content: `Subject: ${subject}\n\n${bodyText.slice(0, 4000)}` },
		],
		response_format: {
			type: 'json_schema',
			json_schema: {
				name: 'classification',
				strict: true,
				schema: {
					type: 'object',
					additionalProperties: false,
					required: ['queue', 'urgent', 'confidence'],
					properties: {
						queue: { type: 'string', enum: ['billing', 'bug', 'how-to', 'account-access', 'feature-request', 'spam'] },
						urgent: { type: 'boolean' },
						confidence: { type: 'number', minimum: 0, maximum: 1 },
					},
				},
			},
		},
	});
	const content = completion.choices[0]?.message.content;
	if (!content) throw new Error('classifier returned no content');
	return JSON.parse(content) as Classification;
}
