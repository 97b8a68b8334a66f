/**
 * The state of one playground run, folded from the pipeline's events and final result. PURE and
 * serialisable: the webview renders it, the unit tests drive it with recorded event sequences.
 *
 * Stages appear in the order the pipeline reaches them. Per-stage tokens, cost and timings come
 * from the result's usage rows (events carry only status and a detail line), so they fill in when
 * the run ends; a failed run fills them from the rows written before the failure.
 */
import type { PipelineEvent, PipelineResult, Stage, UsageRecord } from '../pipeline/types';

export type StageStatus = 'running' | 'hit' | 'miss' | 'done' | 'error' | 'skipped';

export interface StageView {
	readonly stage: Stage;
	readonly label: string;
	readonly status: StageStatus;
	/** The pipeline's own detail line: model, "nearest 0.912 < 0.95", "gate: pass", an error. */
	readonly detail?: string;
	readonly model?: string;
	readonly inputTokens?: number;
	readonly outputTokens?: number;
	readonly cachedInputTokens?: number;
	/** null = unpriced (never shown as $0). */
	readonly costUsd?: number | null;
	readonly latencyMs?: number;
	readonly ttftMs?: number | null;
	/** Cheap stage of a cascade: `pass` or the failed gates. */
	readonly gate?: string;
	/** Semantic stage: nearest similarity (null = nothing stored), threshold, and the stored query it matched. */
	readonly similarity?: number | null;
	readonly threshold?: number;
	readonly matchedQuery?: string;
	readonly attempts?: number;
}

export type RunStatus = 'running' | 'done' | 'failed';

export interface RunState {
	readonly runId: string;
	readonly status: RunStatus;
	/** The answer so far: the text of the stage currently answering (an escalation replaces the cheap draft). */
	readonly answer: string;
	readonly answerStage?: Stage;
	readonly stages: readonly StageView[];
	readonly warnings: readonly string[];
	readonly retries: readonly string[];
	readonly error?: string;
	readonly result?: PipelineResult;
	/** Whole-run figures once done. */
	readonly totalCostUsd?: number | null;
	readonly latencyMs?: number;
	readonly ttftMs?: number | null;
}

export type RunAction =
	| { readonly type: 'event'; readonly event: PipelineEvent }
	| { readonly type: 'done'; readonly result: PipelineResult }
	| { readonly type: 'failed'; readonly message: string; readonly rows: readonly UsageRecord[] };

export const STAGE_LABELS: Readonly<Record<Stage, string>> = {
	'exact-cache': 'Exact cache',
	'semantic-cache': 'Semantic cache',
	direct: 'Model',
	cheap: 'Cheap model',
	strong: 'Strong model',
};

const MAX_WARNINGS = 20;

export function initialRunState(runId: string): RunState {
	return { runId, status: 'running', answer: '', stages: [], warnings: [], retries: [] };
}

function upsert(stages: readonly StageView[], stage: Stage, patch: Partial<StageView>): StageView[] {
	const index = stages.findIndex((s) => s.stage === stage);
	if (index < 0) return [...stages, { stage, label: STAGE_LABELS[stage], status: 'running', ...patch }];
	const next = stages.slice();
	next[index] = { ...stages[index]!, ...patch };
	return next;
}

function statusOf(status: Extract<PipelineEvent, { type: 'stage' }>['status']): StageStatus {
	return status === 'start' ? 'running' : status;
}

function sumOrNull(values: readonly (number | null)[]): number | null {
	let sum = 0;
	for (const v of values) {
		if (v === null) return null;
		sum += v;
	}
	return sum;
}

/** Per-stage figures from the usage rows: tokens and cost summed over attempts, timings of the last attempt. */
function applyRows(stages: readonly StageView[], rows: readonly UsageRecord[]): StageView[] {
	let next = stages.slice();
	const byStage = new Map<Stage, UsageRecord[]>();
	for (const row of rows) byStage.set(row.stage, [...(byStage.get(row.stage) ?? []), row]);
	for (const [stage, list] of byStage) {
		const last = list.at(-1)!;
		next = upsert(next, stage, {
			model: last.model,
			inputTokens: list.reduce((n, r) => n + r.inputTokens, 0),
			cachedInputTokens: list.reduce((n, r) => n + r.cachedInputTokens, 0),
			outputTokens: list.reduce((n, r) => n + r.outputTokens, 0),
			costUsd: sumOrNull(list.map((r) => r.costUsd)),
			latencyMs: last.latencyMs,
			ttftMs: last.ttftMs,
			attempts: list.length,
			...(last.gateVerdict !== null ? { gate: last.gateVerdict } : {}),
		});
	}
	return next;
}

/** Folds one action into the run. Actions for a finished run are ignored (a late event must not reopen it). */
export function reduceRun(state: RunState, action: RunAction): RunState {
	if (state.status !== 'running') return state;
	switch (action.type) {
		case 'event':
			return reduceEvent(state, action.event);
		case 'done': {
			const r = action.result;
			let stages = applyRows(state.stages, r.rows);
			// Stages that only ever said "start" (a cache hit ends the run before later stages) are settled.
			if (r.semantic) {
				stages = upsert(stages, 'semantic-cache', { similarity: r.semantic.similarity, threshold: r.semantic.threshold, ...(r.semantic.matchedQuery !== undefined ? { matchedQuery: r.semantic.matchedQuery } : {}) });
			}
			if (r.gateVerdict) {
				const gate = r.gateVerdict.pass ? 'pass' : r.gateVerdict.failures.map((f) => f.reason).join('; ');
				stages = upsert(stages, 'cheap', { gate });
			}
			stages = stages.map((s) => (s.status === 'running' ? { ...s, status: 'done' } : s));
			const answerStage = r.outcome === 'exact' ? 'exact-cache' : r.outcome === 'semantic' ? 'semantic-cache' : r.escalated ? 'strong' : (state.answerStage ?? (r.gateVerdict ? 'cheap' : 'direct'));
			return { ...state, status: 'done', answer: r.completion.text, answerStage, stages, result: r, totalCostUsd: r.costUsd, latencyMs: r.latencyMs, ttftMs: r.ttftMs };
		}
		case 'failed': {
			const stages = applyRows(state.stages, action.rows).map((s) => (s.status === 'running' ? { ...s, status: 'error' as const } : s));
			return { ...state, status: 'failed', error: action.message, stages, totalCostUsd: action.rows.length > 0 ? sumOrNull(action.rows.map((r) => r.costUsd)) : 0 };
		}
		default:
			return assertNever(action);
	}
}

function reduceEvent(state: RunState, event: PipelineEvent): RunState {
	switch (event.type) {
		case 'stage': {
			const patch: { -readonly [K in keyof StageView]?: StageView[K] } = { status: statusOf(event.status) };
			if (event.detail !== undefined) patch.detail = event.detail;
			if (event.status === 'done' && event.stage === 'cheap' && event.detail?.startsWith('gate: ')) patch.gate = event.detail.slice('gate: '.length);
			return { ...state, stages: upsert(state.stages, event.stage, patch) };
		}
		case 'delta': {
			// A new stage answering (escalation, or a retry of a new attempt) replaces the earlier draft.
			const answer = state.answerStage === event.stage ? state.answer + event.text : event.text;
			return { ...state, answer, answerStage: event.stage };
		}
		case 'retry':
			return { ...state, retries: [...state.retries, `${STAGE_LABELS[event.stage]}: attempt ${event.attempt} in ${Math.round(event.delayMs)} ms (${event.reason})`].slice(-MAX_WARNINGS) };
		case 'warning':
			return { ...state, warnings: [...state.warnings, event.message].slice(-MAX_WARNINGS) };
		default:
			return assertNever(event);
	}
}

function assertNever(value: never): never {
	throw new Error(`unhandled: ${JSON.stringify(value)}`);
}
