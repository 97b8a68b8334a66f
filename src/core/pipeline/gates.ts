/**
 * Cascade gates: cheap checks on the cheap model's answer (the seed article's `isConfident`). Every
 * selected gate runs, so a verdict lists all its failures, and no gate throws: a broken schema or
 * non-JSON answer is a failure with a reason, which escalates instead of failing the request.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { canonicalJson } from './requestKey';
import type { Completion, GateFailure, GateSpec, GateVerdict } from './types';

/**
 * Lower-case hedging and refusal phrases, matched on word boundaries. Deliberately phrases, not
 * single words like "may", which an answer uses when it is perfectly sure ("this may be set to…").
 */
export const HEDGING_PHRASES: readonly string[] = [
	"i'm not sure", 'i am not sure', "i'm not certain", 'i am not certain', 'not entirely sure', "i'm unsure", 'i am unsure',
	'i cannot', "i can't", "i can't help", 'i am unable', "i'm unable", 'i was unable', 'unable to determine',
	'as an ai', 'as a language model', "i don't know", 'i do not know', "i don't have enough", 'i do not have enough',
	'it depends', 'unclear', 'hard to say', 'difficult to say', 'possibly', 'perhaps', 'maybe', 'might be', 'not enough information',
	"i'm sorry, but", 'i am sorry, but', "i won't be able", 'i will not be able', "i'd rather not", 'i must decline',
];

/** Runs every gate; `pass` is true only when none failed. */
export function evaluateGates(completion: Completion, gates: readonly GateSpec[]): GateVerdict {
	const failures: GateFailure[] = [];
	for (const gate of gates) {
		const reason = check(completion, gate);
		if (reason !== undefined) failures.push({ kind: gate.kind, reason });
	}
	return { pass: failures.length === 0, failures };
}

/** `pass`, or every failure's reason joined with `; ` (the usage log's `gateVerdict` column). */
export function formatVerdict(verdict: GateVerdict): string {
	return verdict.pass ? 'pass' : verdict.failures.map((f) => f.reason).join('; ');
}

function check(completion: Completion, gate: GateSpec): string | undefined {
	switch (gate.kind) {
		case 'confidence': return checkConfidence(completion.text, gate.field ?? 'confidence', gate.min);
		case 'hedging': return checkHedging(completion, gate.phrases ?? HEDGING_PHRASES);
		case 'schema': return checkSchema(completion.text, gate.schema);
		case 'truncated': return checkTruncated(completion);
	}
}

type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: string };

/** The answer as JSON: the whole text, or the body of its first ```json (or bare ```) fence. */
export function parseJsonAnswer(text: string): Parsed {
	const trimmed = text.trim();
	if (trimmed === '') return { ok: false, error: 'empty answer' };
	try {
		return { ok: true, value: JSON.parse(trimmed) as unknown };
	} catch (wholeError) {
		const fenced = fenceBody(trimmed);
		if (fenced !== undefined) {
			try {
				return { ok: true, value: JSON.parse(fenced) as unknown };
			} catch (fenceError) {
				return { ok: false, error: `invalid JSON in code fence (${message(fenceError)})` };
			}
		}
		return { ok: false, error: `answer is not JSON (${message(wholeError)})` };
	}
}

function fenceBody(text: string): string | undefined {
	const open = text.indexOf('```');
	if (open === -1) return undefined;
	const lineEnd = text.indexOf('\n', open + 3);
	if (lineEnd === -1) return undefined;
	const language = text.slice(open + 3, lineEnd).trim().toLowerCase();
	if (language !== '' && language !== 'json') return undefined;
	const close = text.indexOf('```', lineEnd + 1);
	if (close === -1) return undefined;
	return text.slice(lineEnd + 1, close).trim();
}

function message(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

function checkConfidence(text: string, field: string, min: number): string | undefined {
	const parsed = parseJsonAnswer(text);
	if (!parsed.ok) return `confidence: ${parsed.error}`;
	let value: unknown = parsed.value;
	for (const segment of field.split('.')) {
		value = typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, segment) ? (value as Record<string, unknown>)[segment] : undefined;
	}
	if (value === undefined) return `confidence: field "${field}" missing`;
	if (typeof value !== 'number' || !Number.isFinite(value)) return `confidence: field "${field}" is not a number (${JSON.stringify(value)})`;
	return value < min ? `${field} ${value} < ${min}` : undefined;
}

function checkHedging(completion: Completion, phrases: readonly string[]): string | undefined {
	if (completion.stop === 'refusal') return `hedging: refusal (stop reason ${completion.rawStop ?? 'refusal'})`;
	const text = completion.text.toLowerCase().replace(/[’‘]/g, "'");
	for (const phrase of phrases) {
		const needle = phrase.toLowerCase().replace(/[’‘]/g, "'").trim();
		if (needle !== '' && containsPhrase(text, needle)) return `hedging: "${phrase}"`;
	}
	return undefined;
}

/** indexOf with word boundaries at both ends of the phrase; linear per phrase. */
function containsPhrase(text: string, phrase: string): boolean {
	for (let at = text.indexOf(phrase); at !== -1; at = text.indexOf(phrase, at + 1)) {
		const before = at === 0 ? '' : (text[at - 1] as string);
		const after = text[at + phrase.length] ?? '';
		if (!isWordChar(before) && !isWordChar(after)) return true;
	}
	return false;
}

function isWordChar(c: string): boolean {
	return c !== '' && /[\p{L}\p{N}_]/u.test(c);
}

const ajv = new Ajv({ allErrors: true, strict: false });
/** Compiled validators by canonical schema JSON; a schema that does not compile is cached as its error. */
const compiled = new Map<string, ValidateFunction | Error>();
const MAX_COMPILED = 256;

function validatorFor(schema: Readonly<Record<string, unknown>>): ValidateFunction | Error {
	const key = canonicalJson(schema);
	const hit = compiled.get(key);
	if (hit !== undefined) return hit;
	let result: ValidateFunction | Error;
	try {
		result = ajv.compile(schema);
	} catch (error) {
		result = error instanceof Error ? error : new Error(String(error));
	}
	// Schemas come from call-site config, so few distinct ones exist; the cap only stops a misuse from growing memory forever.
	if (compiled.size >= MAX_COMPILED) compiled.clear();
	compiled.set(key, result);
	return result;
}

function checkSchema(text: string, schema: Readonly<Record<string, unknown>>): string | undefined {
	const validate = validatorFor(schema);
	if (validate instanceof Error) return `schema: invalid schema (${validate.message})`;
	const parsed = parseJsonAnswer(text);
	if (!parsed.ok) return `schema: ${parsed.error}`;
	if (validate(parsed.value)) return undefined;
	const errors = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath === '' ? '/' : e.instancePath} ${e.message ?? 'invalid'}`);
	return `schema: ${errors.join(', ') || 'does not match'}`;
}

/**
 * Empty text fails, except for a tool-use stop: tool calls are excluded from `text`, so an answer
 * that is only a tool call is empty without being truncated.
 */
function checkTruncated(completion: Completion): string | undefined {
	if (completion.stop === 'max_tokens') return `truncated: stopped at max_tokens (${completion.rawStop ?? 'max_tokens'})`;
	if (completion.text.trim() === '' && completion.stop !== 'tool_use') return 'truncated: empty answer';
	return undefined;
}
