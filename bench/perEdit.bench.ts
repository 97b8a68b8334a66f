// Per-edit cost in the editor: what CostLens does after each keystroke (analyse the file, count
// tokens, price every call site) against the floor any TS-aware tool pays (a bare
// `ts.createSourceFile` of the same text, without parent pointers, as the analyser parses).
// `npm run build && npm run compile-tests && node out/bench/perEdit.bench.js`
//
// - Input: a generated ~300-line TypeScript module with 5 SDK call sites (both providers, template
//   literals with holes, a const system prompt, a JSON schema), the shape of a real route file.
// - Each iteration edits the text (a changing comment in the middle) so nothing is served from a
//   cache keyed on the text; both sides parse the same edited text.
// - Warm: modules loaded, tokenizer encodings loaded, JIT warmed, before measuring.
// - The sides (full per-edit work, analyzeFile alone, bare parse) run in turn, the order rotating
//   every iteration, so drift on a shared machine hits all; figures are medians (p10/p90 shown).
import * as ts from 'typescript';
import { analyzeFile, checkFile, createPriceTable, createTokenCounter, DEFAULT_ASSUMPTIONS, estimateCallSite } from '../src/core';
import { median, printFigures, printTable, quantile, round } from './benchUtil';

const ITERATIONS = Number(process.env.BENCH_PER_EDIT_ITERATIONS ?? 400);
const WARMUP = 100;

/** ~300 lines: helpers and types around five call sites, as in a real service module. */
export function perEditSource(): string {
	const helpers = (n: number) => `
export interface Ticket${n} {
	id: string;
	subject: string;
	body: string;
	customer: { id: string; plan: 'solo' | 'studio' | 'agency'; locale: string };
	createdAt: Date;
	tags: string[];
}

function normalise${n}(ticket: Ticket${n}): Ticket${n} {
	const body = ticket.body.replace(/\\s+/g, ' ').trim().slice(0, 8000);
	const tags = [...new Set(ticket.tags.map((t) => t.toLowerCase()))].sort();
	return { ...ticket, body, tags };
}

export function priority${n}(ticket: Ticket${n}): number {
	let score = 0;
	if (ticket.customer.plan === 'agency') score += 3;
	else if (ticket.customer.plan === 'studio') score += 1;
	if (/refund|charged twice|data loss|cannot log in/i.test(ticket.body)) score += 5;
	const ageHours = (Date.now() - ticket.createdAt.getTime()) / 3_600_000;
	return score + Math.min(4, Math.floor(ageHours / 6));
}

export function describe${n}(ticket: Ticket${n}, now = new Date()): string {
	const minutes = Math.round((now.getTime() - ticket.createdAt.getTime()) / 60_000);
	const age = minutes < 60 ? \`\${minutes} min\` : minutes < 1440 ? \`\${Math.round(minutes / 60)} h\` : \`\${Math.round(minutes / 1440)} d\`;
	const flags: string[] = [];
	if (priority${n}(ticket) >= 5) flags.push('urgent');
	if (ticket.tags.includes('vip')) flags.push('vip');
	if (ticket.customer.locale !== 'en') flags.push(ticket.customer.locale);
	return [ticket.id, ticket.subject.slice(0, 60), age, ...flags].join(' · ');
}

export function group${n}(tickets: readonly Ticket${n}[]): Map<string, Ticket${n}[]> {
	const groups = new Map<string, Ticket${n}[]>();
	for (const ticket of tickets) {
		const key = ticket.tags[0] ?? 'untagged';
		const list = groups.get(key);
		if (list) list.push(ticket);
		else groups.set(key, [ticket]);
	}
	return groups;
}
`;
	return `// Support service: triage, drafting, summaries and search for incoming tickets.
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';

const anthropic = new Anthropic();
const openai = new OpenAI();

const SYSTEM = \`You are a support assistant for a project-management product. Answer accurately and briefly.
Lead with the answer, then numbered steps with exact menu paths. Never promise refunds or features.
If you are unsure, say so and offer to hand the conversation to a human agent. Use the customer's language.
Keep answers under 180 words unless the customer asks for detail. Do not use tables or emoji.\`;
${helpers(1)}
export async function answer(ticket: Ticket1, history: { role: 'user' | 'assistant'; content: string }[]) {
	const t = normalise1(ticket);
	return anthropic.messages.create({
		model: 'claude-sonnet-4-5',
		max_tokens: 1024,
		system: [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }],
		messages: [...history, { role: 'user', content: \`Subject: \${t.subject}\\n\\n\${t.body}\` }],
	});
}
${helpers(2)}
export async function classify(ticket: Ticket2) {
	const completion = await openai.chat.completions.create({
		model: 'gpt-4o-mini',
		max_tokens: 50,
		messages: [
			{ role: 'system', content: 'Classify the ticket into billing, bug, how-to, access or feature-request. Reply as JSON.' },
			{ role: 'user', content: \`\${ticket.subject}\\n\${ticket.body}\` },
		],
		response_format: {
			type: 'json_schema',
			json_schema: { name: 'triage', strict: true, schema: { type: 'object', properties: { queue: { type: 'string' }, urgent: { type: 'boolean' } }, required: ['queue', 'urgent'], additionalProperties: false } },
		},
	});
	return JSON.parse(completion.choices[0]?.message.content ?? '{}') as { queue: string; urgent: boolean };
}
${helpers(3)}
export async function summarise(tickets: Ticket3[]) {
	const joined = tickets.map((t, i) => \`#\${i + 1} [\${t.customer.plan}] \${t.subject}: \${t.body.slice(0, 500)}\`).join('\\n');
	const response = await anthropic.messages.create({
		model: 'claude-haiku-4-5',
		max_tokens: 400,
		system: 'Summarise these support tickets for the weekly report: themes, counts, anything urgent. Plain text.',
		messages: [{ role: 'user', content: \`Tickets this week:\\n\${joined}\\n\\nWrite the summary.\` }],
	});
	return response.content[0]?.type === 'text' ? response.content[0].text : '';
}
${helpers(4)}
export async function draft(ticket: Ticket4, notes: string) {
	const response = await openai.responses.create({
		model: 'gpt-5-mini',
		instructions: 'Draft a warm, direct email reply for a support agent to edit. Under 150 words. Sign as The team.',
		input: \`Ticket: \${ticket.subject}\\n\\nCustomer wrote:\\n\${ticket.body}\\n\\nAgent notes: \${notes}\`,
		max_output_tokens: 800,
	});
	return response.output_text;
}
${helpers(5)}
export async function embed(tickets: Ticket5[]) {
	const result = await openai.embeddings.create({
		model: 'text-embedding-3-small',
		input: tickets.map((t) => \`\${t.subject}\\n\${t.body}\`),
	});
	return result.data.map((d, i) => ({ id: tickets[i]?.id, vector: d.embedding }));
}

export async function handle(ticket: Ticket1) {
	const started = Date.now();
	const reply = await answer(ticket, []);
	console.log('answered', ticket.id, 'in', Date.now() - started, 'ms');
	return reply;
}
`;
}

/** The text after the n-th keystroke: a comment in the middle of the file changes each time. */
function edited(base: string, n: number): string {
	const middle = base.indexOf('export async function summarise');
	return `${base.slice(0, middle)}// edit ${n}\n${base.slice(middle)}`;
}

function main(): void {
	const base = perEditSource();
	const lineCount = base.split('\n').length;
	const prices = createPriceTable();
	const tokens = createTokenCounter();
	const context = { prices, tokens, assumptions: DEFAULT_ASSUMPTIONS };
	const fileName = '/bench/supportService.ts';

	let sink = 0;
	const costlens = (text: string): void => {
		const analysis = analyzeFile(text, fileName);
		for (const site of analysis.callSites) {
			const estimate = estimateCallSite(site, context);
			sink += estimate.inputTokens;
		}
		sink += analysis.callSites.length;
	};
	const parseOnly = (text: string): void => {
		const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
		sink += sf.statements.length;
	};

	const sites = analyzeFile(base, fileName).callSites.length;
	if (sites !== 5) throw new Error(`perEdit: expected 5 call sites in the generated file, found ${sites}`);

	for (let i = 0; i < WARMUP; i++) {
		costlens(edited(base, -i - 1));
		parseOnly(edited(base, -i - 1));
	}

	const full: number[] = [];
	const parse: number[] = [];
	const analyseOnly: number[] = [];
	const analyse = (text: string): void => {
		sink += analyzeFile(text, fileName).callSites.length;
	};
	// What the worker runs per edit since the diagnostics: analysis + estimates + every rule.
	const withRules: number[] = [];
	const checked = (text: string): void => {
		sink += checkFile(text, fileName, context).findings.length;
	};
	for (let i = 0; i < WARMUP; i++) checked(edited(base, -i - 1));
	// Rotating the order each iteration spreads warm-cache and drift effects over all three sides.
	const sides: [(t: string) => void, number[]][] = [
		[costlens, full],
		[parseOnly, parse],
		[analyse, analyseOnly],
		[checked, withRules],
	];
	for (let i = 0; i < ITERATIONS; i++) {
		const text = edited(base, i);
		for (let k = 0; k < sides.length; k++) {
			const [fn, into] = sides[(i + k) % sides.length] as [(t: string) => void, number[]];
			const t0 = process.hrtime.bigint();
			fn(text);
			into.push(Number(process.hrtime.bigint() - t0) / 1e6);
		}
	}

	const ratio = median(full) / median(parse);
	console.log(`perEdit: ${lineCount}-line file, 5 call sites, ${ITERATIONS} interleaved iterations each, warm (sink ${sink % 10})`);
	printTable(
		['', 'p10 ms', 'median ms', 'p90 ms'],
		[
			['CostLens per edit (analyse + price 5 sites)', quantile(full, 0.1).toFixed(3), median(full).toFixed(3), quantile(full, 0.9).toFixed(3)],
			['with all rules (checkFile)', quantile(withRules, 0.1).toFixed(3), median(withRules).toFixed(3), quantile(withRules, 0.9).toFixed(3)],
			['  of which analyzeFile alone', quantile(analyseOnly, 0.1).toFixed(3), median(analyseOnly).toFixed(3), quantile(analyseOnly, 0.9).toFixed(3)],
			['ts.createSourceFile only', quantile(parse, 0.1).toFixed(3), median(parse).toFixed(3), quantile(parse, 0.9).toFixed(3)],
		],
	);
	const rulesRatio = median(withRules) / median(full);
	console.log(`ratio of medians: ${ratio.toFixed(2)}× (target ≤ 1.5×); p10 ratio ${(quantile(full, 0.1) / quantile(parse, 0.1)).toFixed(2)}×`);
	console.log(`rules add ${((rulesRatio - 1) * 100).toFixed(1)}% to the per-edit analysis (target ≤ 25%)`);
	printFigures([
		{ bench: 'perEdit', metric: 'median time ratio vs bare parse', value: round(ratio), unit: '×', peer: 'ts.createSourceFile', peerValue: 1 },
		{ bench: 'perEdit', metric: 'median time ratio with all rules vs analysis + estimate', value: round(rulesRatio), unit: '×', peer: 'analyzeFile + estimateCallSite', peerValue: 1 },
		{ bench: 'perEdit', metric: 'median per-edit time', value: round(median(full)), unit: 'ms', peer: 'ts.createSourceFile', peerValue: round(median(parse)) },
		{ bench: 'perEdit', metric: 'p10 time ratio vs bare parse', value: round(quantile(full, 0.1) / quantile(parse, 0.1)), unit: '×', peer: 'ts.createSourceFile', peerValue: 1 },
		{ bench: 'perEdit', metric: 'median analyzeFile-only time', value: round(median(analyseOnly)), unit: 'ms', peer: 'ts.createSourceFile', peerValue: round(median(parse)) },
		{ bench: 'perEdit', metric: 'p90 per-edit time', value: round(quantile(full, 0.9)), unit: 'ms', peer: 'ts.createSourceFile', peerValue: round(quantile(parse, 0.9)) },
	]);
}

if (require.main === module) main();
