/**
 * Messages between the extension host (main thread) and the analysis worker (`dist/analysisWorker.js`,
 * a `worker_threads` Worker). One discriminant, `type`, in both directions; both ends validate what
 * arrives with the guards below before routing it, and every request gets exactly one final answer.
 *
 * TYPES ONLY plus tiny guards: no `vscode`, no I/O, and only `import type` from the core so that
 * importing this file never pulls the parser or the tokenizer into the extension bundle.
 */
import type { FileAnalysis } from '../core/analysis/types';
import type { Assumptions, CostEstimate } from '../core/pricing/estimateTypes';
import type { Finding, RuleSettings } from '../core/rules/types';

/** What the worker needs from the user's settings to estimate one file. */
export interface WorkerSettings {
	readonly assumptions: Assumptions;
	/** `costlens.pricing.overrides` as the user wrote it; the worker validates it and reports problems. */
	readonly priceOverrides: Readonly<Record<string, unknown>>;
	/** Rule thresholds and the rules switched off (`costlens.rules.*`). */
	readonly rules: RuleSettings;
}

/** The check of one file: one estimate per call site (same order as `analysis.callSites`) and the rules' findings. */
export interface FileResult {
	readonly analysis: FileAnalysis;
	readonly estimates: readonly CostEstimate[];
	/** Offsets refer to the text that was analysed (the buffer's version at request time). */
	readonly findings: readonly Finding[];
}

/** Sent by the extension host. */
export type ToWorker =
	/** Analyse one editor buffer (unsaved text included). Answered by `analyzed` or `failed`. */
	| { readonly type: 'analyze'; readonly requestId: number; readonly fileName: string; readonly text: string; readonly settings: WorkerSettings }
	/** Read and analyse files from disk; answered by one `scanFile` per file, then one `scanDone`. */
	| { readonly type: 'scan'; readonly requestId: number; readonly files: readonly string[]; readonly settings: WorkerSettings }
	/** Stop a running scan after the current file; the scan still ends with `scanDone` (`cancelled: true`). */
	| { readonly type: 'cancel'; readonly requestId: number };

/** Sent by the worker. */
export type FromWorker =
	| {
			readonly type: 'analyzed';
			readonly requestId: number;
			readonly result: FileResult;
			/** Problems with `costlens.pricing.overrides`; the offending entries were ignored. */
			readonly priceWarnings: readonly string[];
	  }
	| { readonly type: 'failed'; readonly requestId: number; readonly message: string }
	/** One file of a scan: its result, or why it could not be read/analysed. `done` counts files finished so far. */
	| {
			readonly type: 'scanFile';
			readonly requestId: number;
			readonly fileName: string;
			readonly done: number;
			readonly total: number;
			readonly result: FileResult | undefined;
			readonly error: string | undefined;
	  }
	| { readonly type: 'scanDone'; readonly requestId: number; readonly cancelled: boolean; readonly priceWarnings: readonly string[] };

export type ToWorkerType = ToWorker['type'];
export type FromWorkerType = FromWorker['type'];

function isRecord(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isRequestId(value: unknown): value is number {
	return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isStringArray(value: unknown): value is readonly string[] {
	return Array.isArray(value) && value.every((v) => typeof v === 'string');
}

const ASSUMPTION_KEYS = ['tokensPerHole', 'tokensPerUnknownMessage', 'assumedOutputTokens', 'callsPerDay', 'warmCacheShare'] as const;

/** True when `value` has every assumption as a finite number. */
export function isAssumptions(value: unknown): value is Assumptions {
	return isRecord(value) && ASSUMPTION_KEYS.every((key) => typeof value[key] === 'number' && Number.isFinite(value[key]));
}

const RULE_NUMBER_KEYS = ['defaultMaxTokens', 'fewShotMaxPairs', 'fewShotMaxTokens', 'longOutputTokens'] as const;

/** True when `value` has every rule threshold as a finite number, `disabled` as a string list and string severities, if any. */
export function isRuleSettings(value: unknown): value is RuleSettings {
	return isRecord(value) && RULE_NUMBER_KEYS.every((key) => typeof value[key] === 'number' && Number.isFinite(value[key])) && isStringArray(value['disabled'])
		&& (value['severity'] === undefined || (isRecord(value['severity']) && Object.values(value['severity']).every((v) => typeof v === 'string')));
}

function isWorkerSettings(value: unknown): value is WorkerSettings {
	return isRecord(value) && isAssumptions(value['assumptions']) && isRecord(value['priceOverrides']) && isRuleSettings(value['rules']);
}

function isFileResult(value: unknown): value is FileResult {
	return (
		isRecord(value) &&
		isRecord(value['analysis']) &&
		Array.isArray(value['analysis']['callSites']) &&
		Array.isArray(value['estimates']) &&
		value['estimates'].length === value['analysis']['callSites'].length &&
		Array.isArray(value['findings'])
	);
}

/** Validates a message arriving in the worker. */
export function isToWorker(value: unknown): value is ToWorker {
	if (!isRecord(value) || !isRequestId(value['requestId'])) return false;
	switch (value['type']) {
		case 'analyze':
			return typeof value['fileName'] === 'string' && typeof value['text'] === 'string' && isWorkerSettings(value['settings']);
		case 'scan':
			return isStringArray(value['files']) && isWorkerSettings(value['settings']);
		case 'cancel':
			return true;
		default:
			return false;
	}
}

/** Validates a message arriving from the worker on the extension host. */
export function isFromWorker(value: unknown): value is FromWorker {
	if (!isRecord(value) || !isRequestId(value['requestId'])) return false;
	switch (value['type']) {
		case 'analyzed':
			return isFileResult(value['result']) && isStringArray(value['priceWarnings']);
		case 'failed':
			return typeof value['message'] === 'string';
		case 'scanFile':
			return (
				typeof value['fileName'] === 'string' &&
				typeof value['done'] === 'number' &&
				typeof value['total'] === 'number' &&
				(value['result'] === undefined || isFileResult(value['result'])) &&
				(value['error'] === undefined || typeof value['error'] === 'string') &&
				(value['result'] !== undefined) !== (value['error'] !== undefined)
			);
		case 'scanDone':
			return typeof value['cancelled'] === 'boolean' && isStringArray(value['priceWarnings']);
		default:
			return false;
	}
}

/** Compile-time exhaustiveness check for switches over the unions above. */
export function assertNever(value: never): never {
	throw new Error(`Unexpected message: ${JSON.stringify(value)}`);
}
