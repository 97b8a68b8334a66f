/**
 * The playground webview (browser bundle `dist/webview/playground.js`). It renders the form from
 * the extension's `setup`, posts `run` / `cancel` / commands, and folds `runEvent`s into a
 * `RunState` (the pure reducer shared with the unit tests). It never talks to the sidecar and never
 * renders a string as HTML: model output and prompt text go in as text nodes.
 */
import { providerForModel } from '../core/playground/formToRequest';
import { initialRunState, reduceRun, STAGE_LABELS, type RunState, type StageView } from '../core/playground/runState';
import type { GateSpec, Stage } from '../core/pipeline/types';
import type { ReplaySummary } from '../core/pipeline/summary';
import { formProblem, parseToWebview, type FromWebview, type PlaygroundForm, type PlaygroundSetup, type ToWebview } from '../protocol/playground';
import type { SidecarState } from '../protocol/sidecar';
import { h, replace, uid } from './dom';
import { renderDashboard } from './dashboard';

interface VsCodeApi {
	postMessage(message: unknown): void;
	getState(): unknown;
	setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: FromWebview): void => vscode.postMessage(message);

const PROVIDER_LABELS: Readonly<Record<string, string>> = {
	anthropic: 'Anthropic',
	openai: 'OpenAI',
	'openai-compatible': 'OpenAI-compatible',
	demo: 'Demo (offline, simulated, free)',
};
const STAGE_ORDER: readonly Stage[] = ['exact-cache', 'semantic-cache', 'direct', 'cheap', 'strong'];

// ---- state ----

let setup: PlaygroundSetup | undefined;
let sidecar: SidecarState = { kind: 'idle' };
let run: RunState | undefined;
let planned: readonly Stage[] = [];
let usageRows: ToWebview & { type: 'usage' } = { type: 'usage', rows: [] };
let activeReplay: string | undefined;

// ---- controls (created once, so focus and typing survive re-renders) ----

function field<T extends HTMLElement>(label: string, control: T, hint?: string): { row: HTMLElement; control: T } {
	const id = control.id || uid('f');
	control.id = id;
	const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : undefined;
	if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
	return { row: h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl), control };
}

function checkbox(label: string, checked: boolean): { row: HTMLElement; control: HTMLInputElement } {
	const control = h('input', { type: 'checkbox', id: uid('c') });
	control.checked = checked;
	return { row: h('div', { class: 'check' }, control, h('label', { for: control.id }, label)), control };
}

const statusLine = h('p', { class: 'sidecar', role: 'status', 'aria-live': 'polite' });
const restartButton = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Restart sidecar');
const untrustedNote = h(
	'div',
	{ class: 'notice', role: 'alert', hidden: true },
	h('strong', {}, 'Restricted Mode. '),
	'This workspace is not trusted, so the playground runs nothing: a run calls a model provider and can spend money. Trust the workspace (Manage Workspace Trust) to use it. Cost estimates in the editor keep working.',
);
const demoNote = h('p', { class: 'demo', hidden: true }, 'No API key set: the Demo provider answers. Its answers are simulated offline; nothing is sent or billed.');
const fillNote = h('p', { class: 'fill muted', role: 'status', hidden: true });
const formProblemLine = h('p', { class: 'problem', role: 'alert' });

const provider = field('Provider', h('select', {}));
const model = field('Model', h('input', { type: 'text', list: 'cl-models', autocomplete: 'off', spellcheck: false }));
const modelList = h('datalist', { id: 'cl-models' });
const cascadeOn = checkbox('Cascade: cheap model first, strong model when a gate fails', false);
const cheapModel = field('Cheap model', h('input', { type: 'text', list: 'cl-models', autocomplete: 'off', spellcheck: false }));
const strongModel = field('Strong model', h('input', { type: 'text', list: 'cl-models', autocomplete: 'off', spellcheck: false }));
const gateHedging = checkbox('Gate: hedging or refusal', true);
const gateTruncated = checkbox('Gate: empty or cut by max tokens', true);
const gateConfidence = checkbox('Gate: JSON confidence at least', false);
const confidenceMin = h('input', { type: 'number', min: 0, max: 1, step: 0.05, value: '0.7', 'aria-label': 'Minimum confidence', class: 'narrow' });
const cascadeBox = h('fieldset', { class: 'cascade', hidden: true }, h('legend', {}, 'Cascade'), cheapModel.row, strongModel.row, gateHedging.row, gateTruncated.row, h('div', { class: 'inline' }, gateConfidence.row, confidenceMin));
const system = field('System prompt', h('textarea', { rows: 4, spellcheck: false }));
const prompt = field('Prompt', h('textarea', { rows: 5 }), 'Ctrl+Enter runs.');
const maxTokens = field('Max tokens', h('input', { type: 'number', min: 1, max: 1000000, step: 1, value: '512', class: 'narrow' }));
const stream = checkbox('Stream', true);
const exactCache = checkbox('Exact cache', true);
const semanticCache = checkbox('Semantic cache', false);
const threshold = h('input', { type: 'range', min: 0.5, max: 1, step: 0.01, value: '0.95', id: uid('t') });
const thresholdOut = h('output', { for: threshold.id }, '0.95');
const thresholdRow = h('div', { class: 'field' }, h('label', { for: threshold.id }, 'Similarity threshold'), h('div', { class: 'inline' }, threshold, thresholdOut));
const personalized = checkbox('Personalized (no semantic caching)', false);
const tenant = field('Tenant', h('input', { type: 'text', value: 'playground', autocomplete: 'off', spellcheck: false }));
const runButton = h('button', { type: 'submit', class: 'primary', title: 'Run (Ctrl+Enter)' }, 'Run');
const cancelButton = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Cancel');

const answer = h('div', { class: 'answer', role: 'status', 'aria-live': 'polite', 'aria-label': 'Answer', 'aria-busy': 'false', tabindex: 0 });
const answerMeta = h('p', { class: 'muted answer-meta' });
const pipeline = h('ol', { class: 'pipeline', 'aria-label': 'Pipeline' });
const totals = h('p', { class: 'totals' });
const runMessages = h('ul', { class: 'warnings' });
const runError = h('p', { class: 'problem', role: 'alert' });

const usageRoot = h('div', { class: 'usage-root' });
const replayStatus = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
const replayProgress = h('progress', { max: 1, value: 0, hidden: true, 'aria-label': 'Replay progress' });
const replayCancel = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Cancel replay');
const replaySummary = h('div', { class: 'replay-summary' });
const errorLine = h('p', { class: 'problem', role: 'alert' });

function iconButton(label: string, text: string, onClick: () => void): HTMLButtonElement {
	const b = h('button', { type: 'button', class: 'icon', 'aria-label': label, title: label }, text);
	b.addEventListener('click', onClick);
	return b;
}

function build(): void {
	const form = h(
		'form',
		{ class: 'form', 'aria-label': 'Playground request' },
		provider.row,
		demoNote,
		model.row,
		modelList,
		cascadeOn.row,
		cascadeBox,
		system.row,
		prompt.row,
		h('div', { class: 'row' }, maxTokens.row, tenant.row),
		h('fieldset', { class: 'toggles' }, h('legend', {}, 'Caching and streaming'), h('div', { class: 'checks' }, stream.row, exactCache.row, semanticCache.row), thresholdRow, personalized.row),
		formProblemLine,
		h('div', { class: 'actions' }, runButton, cancelButton),
	);
	form.addEventListener('submit', (e) => {
		e.preventDefault();
		start();
	});
	const app = document.getElementById('app')!;
	replace(
		app,
		h(
			'header',
			{ class: 'bar' },
			statusLine,
			h(
				'div',
				{ class: 'tools', role: 'toolbar', 'aria-label': 'Playground settings' },
				iconButton('Set API key', '🔑', () => post({ type: 'command', command: 'setApiKey' })),
				iconButton('Open CostLens settings', '⚙', () => post({ type: 'command', command: 'openSettings' })),
				iconButton('Show logs', '☰', () => post({ type: 'command', command: 'showLogs' })),
			),
		),
		restartButton,
		untrustedNote,
		fillNote,
		form,
		h('section', { class: 'result', 'aria-labelledby': 'answer-h' }, h('h2', { id: 'answer-h' }, 'Answer'), answerMeta, answer, runError),
		h('section', { class: 'stages', 'aria-labelledby': 'pipeline-h' }, h('h2', { id: 'pipeline-h' }, 'Pipeline'), pipeline, totals, runMessages),
		h(
			'section',
			{ class: 'usage', 'aria-labelledby': 'usage-h' },
			h('h2', { id: 'usage-h' }, 'Usage'),
			h(
				'div',
				{ class: 'actions' },
				button('Refresh', () => post({ type: 'refreshUsage' })),
				button('Clear caches', () => post({ type: 'clearCache', layer: 'all' })),
			),
			replayProgress,
			replayCancel,
			replayStatus,
			replaySummary,
			usageRoot,
		),
		errorLine,
	);
	app.setAttribute('aria-busy', 'false');

	restartButton.addEventListener('click', () => post({ type: 'command', command: 'restartSidecar' }));
	cancelButton.addEventListener('click', () => {
		if (run?.status === 'running') post({ type: 'cancel', runId: run.runId });
	});
	replayCancel.addEventListener('click', () => {
		if (activeReplay) post({ type: 'cancelReplay', replayId: activeReplay });
	});
	cascadeOn.control.addEventListener('change', () => {
		cascadeBox.hidden = !cascadeOn.control.checked;
		model.row.hidden = cascadeOn.control.checked;
	});
	semanticCache.control.addEventListener('change', syncThreshold);
	threshold.addEventListener('input', () => {
		thresholdOut.value = Number(threshold.value).toFixed(2);
	});
	provider.control.addEventListener('change', syncProvider);
	document.addEventListener('keydown', (e) => {
		if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
			e.preventDefault();
			start();
		} else if (e.key === 'Escape' && run?.status === 'running') {
			post({ type: 'cancel', runId: run.runId });
		}
	});
	// Keep what the user typed when the view is hidden and shown again.
	form.addEventListener('input', saveState);
	form.addEventListener('change', saveState);
	renderRun();
}

function button(text: string, onClick: () => void): HTMLButtonElement {
	const b = h('button', { type: 'button', class: 'secondary' }, text);
	b.addEventListener('click', onClick);
	return b;
}

function syncThreshold(): void {
	threshold.disabled = !semanticCache.control.checked;
	thresholdRow.classList.toggle('disabled', threshold.disabled);
}

function syncProvider(): void {
	demoNote.hidden = !(provider.control.value === 'demo' && setup?.demoOnly === true);
}

// ---- form ----

function gates(): GateSpec[] {
	const list: GateSpec[] = [];
	if (gateHedging.control.checked) list.push({ kind: 'hedging' });
	if (gateTruncated.control.checked) list.push({ kind: 'truncated' });
	if (gateConfidence.control.checked) list.push({ kind: 'confidence', min: Number(confidenceMin.value) });
	return list;
}

function readForm(): PlaygroundForm {
	const base = {
		provider: provider.control.value as PlaygroundForm['provider'],
		model: model.control.value.trim(),
		system: system.control.value,
		prompt: prompt.control.value,
		maxTokens: Number(maxTokens.control.value),
		stream: stream.control.checked,
		exactCache: exactCache.control.checked,
		semanticCache: semanticCache.control.checked,
		threshold: Number(threshold.value),
		tenant: tenant.control.value.trim(),
		personalized: personalized.control.checked,
	};
	return cascadeOn.control.checked ? { ...base, model: cheapModel.control.value.trim(), cascade: { cheapModel: cheapModel.control.value.trim(), strongModel: strongModel.control.value.trim(), gates: gates() } } : base;
}

function writeForm(form: Partial<PlaygroundForm>): void {
	if (form.provider !== undefined) {
		const available = [...provider.control.options].some((o) => o.value === form.provider);
		provider.control.value = available ? form.provider : 'demo';
	}
	if (form.model !== undefined) model.control.value = form.model;
	if (form.system !== undefined) system.control.value = form.system;
	if (form.prompt !== undefined) prompt.control.value = form.prompt;
	if (form.maxTokens !== undefined) maxTokens.control.value = String(form.maxTokens);
	if (form.stream !== undefined) stream.control.checked = form.stream;
	if (form.exactCache !== undefined) exactCache.control.checked = form.exactCache;
	if (form.semanticCache !== undefined) semanticCache.control.checked = form.semanticCache;
	if (form.threshold !== undefined) {
		threshold.value = String(form.threshold);
		thresholdOut.value = form.threshold.toFixed(2);
	}
	if (form.tenant !== undefined) tenant.control.value = form.tenant;
	if (form.personalized !== undefined) personalized.control.checked = form.personalized;
	if (form.cascade !== undefined) {
		cascadeOn.control.checked = true;
		cheapModel.control.value = form.cascade.cheapModel;
		strongModel.control.value = form.cascade.strongModel;
		const kinds = new Set(form.cascade.gates.map((g) => g.kind));
		gateHedging.control.checked = kinds.has('hedging');
		gateTruncated.control.checked = kinds.has('truncated');
		const confidence = form.cascade.gates.find((g) => g.kind === 'confidence');
		gateConfidence.control.checked = confidence !== undefined;
		if (confidence?.kind === 'confidence') confidenceMin.value = String(confidence.min);
	} else if (form.model !== undefined) {
		cascadeOn.control.checked = false;
	}
	cascadeBox.hidden = !cascadeOn.control.checked;
	model.row.hidden = cascadeOn.control.checked;
	syncThreshold();
	syncProvider();
}

function saveState(): void {
	vscode.setState({ form: readForm() });
}

function savedForm(): Partial<PlaygroundForm> | undefined {
	const state = vscode.getState();
	if (typeof state !== 'object' || state === null) return undefined;
	const form = (state as { form?: unknown }).form;
	// Saved state is re-validated like any other input: an old version's shape must not break the form.
	return formProblem(form) === undefined ? (form as PlaygroundForm) : undefined;
}

function applySetup(next: PlaygroundSetup): void {
	const first = setup === undefined;
	// The first setup comes before the sidecar has said which keys exist: when a real provider
	// appears, leave the demo provider that was chosen only for lack of one.
	const keysArrived = setup?.demoOnly === true && !next.demoOnly;
	setup = next;
	const current = provider.control.value;
	replace(provider.control, ...next.providers.map((p) => h('option', { value: p }, PROVIDER_LABELS[p] ?? p)));
	if (keysArrived && current === 'demo') provider.control.value = providerForModel(cascadeOn.control.checked ? cheapModel.control.value : model.control.value, next.providers);
	else if (next.providers.includes(current as PlaygroundForm['provider'])) provider.control.value = current;
	replace(modelList, ...next.models.map((m) => h('option', { value: m })));
	if (first) {
		const form = { ...next.defaults, ...(savedForm() ?? {}) };
		// The cascade fields start from the settings; ticking "Cascade" then needs no typing.
		writeForm(form.cascade ? form : { ...form, cascade: next.cascadeDefaults });
		if (!form.cascade) {
			cascadeOn.control.checked = false;
			cascadeBox.hidden = true;
			model.row.hidden = false;
			syncProvider();
		}
	}
	else syncProvider();
	renderAvailability();
}

// ---- running ----

function newRunId(): string {
	const bytes = new Uint8Array(12);
	crypto.getRandomValues(bytes);
	return `run-${[...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function canRun(): boolean {
	return setup !== undefined && sidecar.kind !== 'untrusted' && run?.status !== 'running';
}

function start(): void {
	if (!canRun()) return;
	const form = readForm();
	const problem = formProblem(form) ?? (form.prompt.trim() === '' ? 'Type a prompt first.' : form.cascade === undefined && form.model === '' ? 'Choose a model.' : undefined);
	formProblemLine.textContent = problem ?? '';
	if (problem) return;
	const runId = newRunId();
	run = initialRunState(runId);
	planned = [
		'exact-cache',
		...(form.semanticCache && !form.personalized ? (['semantic-cache'] as const) : []),
		...(form.cascade ? (['cheap', 'strong'] as const) : (['direct'] as const)),
	];
	saveState();
	renderRun();
	// In a narrow sidebar the results sit below the form: bring them into view.
	answer.scrollIntoView({ block: 'nearest' });
	post({ type: 'run', runId, form });
}

// ---- rendering ----

function usd(value: number | null | undefined): string {
	if (value === null) return 'unpriced';
	if (value === undefined) return '—';
	return value === 0 ? '$0' : value < 0.01 ? `$${value.toFixed(6)}` : `$${value.toFixed(4)}`;
}

function ms(value: number | null | undefined): string {
	return value === null || value === undefined ? '—' : `${Math.round(value).toLocaleString()} ms`;
}

const STATUS_TEXT: Readonly<Record<StageView['status'] | 'pending' | 'not-reached', string>> = {
	running: 'running…',
	hit: 'hit',
	miss: 'miss',
	done: 'done',
	error: 'error',
	skipped: 'skipped',
	pending: 'waiting',
	'not-reached': 'not needed',
};

function stageItem(stage: Stage, view: StageView | undefined, finished: boolean): HTMLLIElement {
	const status = view?.status ?? (finished ? 'not-reached' : 'pending');
	const label = stage === 'direct' && view?.model ? `Model ${view.model}` : STAGE_LABELS[stage];
	const lines: (HTMLElement | undefined)[] = [];
	// The cheap stage's "gate: …" and the semantic stage's "nearest …" details are shown below in a fuller form.
	const restated = (stage === 'cheap' && view?.gate !== undefined && view.detail?.startsWith('gate: ')) || (stage === 'semantic-cache' && view?.threshold !== undefined && !view.detail?.includes(' but '));
	if (view?.detail && !restated) lines.push(h('div', { class: 'detail' }, view.detail));
	if (stage === 'semantic-cache' && view && view.threshold !== undefined) {
		const nearest = view.similarity === null || view.similarity === undefined ? 'nothing stored yet' : view.similarity.toFixed(3);
		lines.push(h('div', { class: 'detail' }, `nearest ${nearest} · threshold ${view.threshold.toFixed(2)}`));
		if (view.matchedQuery !== undefined) lines.push(h('div', { class: 'detail quote' }, `${view.status === 'hit' ? 'matched' : 'nearest'}: “${view.matchedQuery.slice(0, 300)}”`));
	}
	if (view?.gate !== undefined) lines.push(h('div', { class: `detail gate ${view.gate === 'pass' ? 'pass' : 'fail'}` }, `gate: ${view.gate}${view.gate === 'pass' ? '' : ' → escalate'}`));
	if (view?.inputTokens !== undefined) {
		const tokens = `${view.model ? `${view.model} · ` : ''}${view.inputTokens.toLocaleString()} in${view.cachedInputTokens ? ` (${view.cachedInputTokens.toLocaleString()} cached)` : ''} · ${(view.outputTokens ?? 0).toLocaleString()} out`;
		lines.push(h('div', { class: 'metrics' }, tokens));
		lines.push(h('div', { class: 'metrics' }, `${usd(view.costUsd)} · TTFT ${ms(view.ttftMs)} · ${ms(view.latencyMs)}${view.attempts && view.attempts > 1 ? ` · ${view.attempts} attempts` : ''}`));
	}
	return h(
		'li',
		{ class: `stage status-${status}` },
		h('div', { class: 'stage-head' }, h('span', { class: 'stage-name' }, label), h('span', { class: `badge status-${status}` }, STATUS_TEXT[status])),
		...lines,
	);
}

function renderRun(): void {
	const running = run?.status === 'running';
	runButton.disabled = !canRun();
	cancelButton.hidden = !running;
	answer.setAttribute('aria-busy', running ? 'true' : 'false');
	if (!run) {
		answer.textContent = '';
		answerMeta.textContent = 'Type a prompt and press Run (Ctrl+Enter).';
		replace(pipeline, h('li', { class: 'stage empty' }, 'Exact cache → semantic cache → model (or cheap → strong). Each stage shows its result here.'));
		totals.textContent = '';
		return;
	}
	// textContent: model output is text, never markup.
	answer.textContent = run.answer;
	const source = run.answerStage ? STAGE_LABELS[run.answerStage] : undefined;
	answerMeta.textContent = running ? (source ? `Streaming from ${source.toLowerCase()}…` : 'Waiting for the first token…') : run.status === 'done' ? `Answered by ${source?.toLowerCase() ?? 'the model'}${run.result ? ` (${run.result.model}, ${run.result.completion.provider === 'demo' ? 'demo provider, simulated' : run.result.completion.provider})` : ''}.` : 'The run failed.';
	runError.textContent = run.status === 'failed' ? (run.error ?? 'The run failed.') : '';
	const finished = run.status !== 'running';
	const seen = new Set(run.stages.map((s) => s.stage));
	const order = STAGE_ORDER.filter((s) => seen.has(s) || planned.includes(s));
	replace(pipeline, ...order.map((s) => stageItem(s, run!.stages.find((v) => v.stage === s), finished)));
	if (run.status === 'done' && run.result) {
		const r = run.result;
		const saved = r.originalCostUsd !== undefined && r.originalCostUsd !== null && (r.outcome === 'exact' || r.outcome === 'semantic') ? ` · saved ${usd(r.originalCostUsd)}` : '';
		totals.textContent = `Total ${usd(run.totalCostUsd)} · TTFT ${ms(run.ttftMs)} · ${ms(run.latencyMs)} · ${r.outcome === 'miss' ? 'no cache hit' : `${r.outcome} hit`}${r.escalated ? ' · escalated' : ''}${saved}`;
	} else if (run.status === 'failed') {
		totals.textContent = `Spent before the failure: ${usd(run.totalCostUsd)}`;
	} else {
		totals.textContent = '';
	}
	replace(runMessages, ...[...run.retries, ...run.warnings].map((w) => h('li', {}, w)));
}

function sidecarText(state: SidecarState): string {
	switch (state.kind) {
		case 'idle':
			return 'Sidecar starts on the first run.';
		case 'starting':
			return 'Sidecar starting…';
		case 'ready':
			return `Sidecar ready · cache ${state.info.cache} · embedder ${state.info.embedder}${state.info.notices.length > 0 ? ` · ${state.info.notices.join(' · ')}` : ''}`;
		case 'restarting':
			return `Sidecar stopped (${state.reason}); restarting in ${Math.ceil(state.delayMs / 1000)} s (crash ${state.crashes}).`;
		case 'failed':
			return `Sidecar failed: ${state.reason}`;
		case 'untrusted':
			return 'Disabled in Restricted Mode.';
		default:
			return assertNever(state);
	}
}

function renderAvailability(): void {
	statusLine.textContent = sidecarText(sidecar);
	statusLine.dataset['state'] = sidecar.kind;
	restartButton.hidden = sidecar.kind !== 'failed';
	untrustedNote.hidden = sidecar.kind !== 'untrusted';
	runButton.disabled = !canRun();
}

function renderReplaySummary(summary: ReplaySummary, cancelled: boolean, errors: readonly string[]): void {
	const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
	const rows: [string, string][] = [
		['Requests', `${summary.requests}${cancelled ? ' (cancelled)' : ''}`],
		['Exact hits', `${summary.exactHits} (${pct(summary.exactHitRate)})`],
		['Semantic hits', `${summary.semanticHits} (${pct(summary.semanticHitRate)})`],
		['Escalations', `${summary.escalations} of ${summary.cascadeRequests} (${pct(summary.escalationRate)})${summary.escalationWarning ? ' — over 50%: the cheap model is wrong for this task' : ''}`],
		['Actual cost', usd(summary.actualCostUsd)],
		['Without any layer', usd(summary.costWithoutLayersUsd)],
		['Avoided', `${usd(summary.avoidedUsd)}${summary.savingsPct === null ? '' : ` (${summary.savingsPct.toFixed(1)}%)`}`],
		['Latency p50 / p95', `${ms(summary.latencyMs.p50)} / ${ms(summary.latencyMs.p95)}`],
	];
	replace(
		replaySummary,
		h('table', { class: 'grid', 'aria-label': 'Replay summary' }, h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', { scope: 'row' }, k), h('td', {}, v))))),
		errors.length > 0 ? h('ul', { class: 'warnings' }, ...errors.slice(0, 20).map((e) => h('li', {}, e))) : undefined,
	);
}

// ---- messages ----

function onMessage(message: ToWebview): void {
	switch (message.type) {
		case 'setup':
			applySetup(message.setup);
			return;
		case 'fill':
			writeForm(message.form);
			fillNote.hidden = message.source === undefined;
			fillNote.textContent = message.source ? `Filled from ${message.source}.` : '';
			saveState();
			prompt.control.focus();
			return;
		case 'sidecarState':
			sidecar = message.state;
			renderAvailability();
			return;
		case 'runEvent':
			if (run?.runId !== message.runId) return;
			run = reduceRun(run, { type: 'event', event: message.event });
			renderRun();
			return;
		case 'runDone':
			if (run?.runId !== message.runId) return;
			run = reduceRun(run, { type: 'done', result: message.result });
			renderRun();
			return;
		case 'runFailed':
			if (run?.runId !== message.runId) return;
			run = reduceRun(run, { type: 'failed', message: message.message, rows: message.rows });
			renderRun();
			return;
		case 'usage':
			usageRows = message;
			renderDashboard(usageRoot, usageRows.rows, post);
			return;
		case 'replayProgress':
			activeReplay = message.replayId;
			replayProgress.hidden = false;
			replayCancel.hidden = false;
			replayProgress.max = Math.max(1, message.total);
			replayProgress.value = message.done;
			replayStatus.textContent = `Replaying ${message.file}: ${message.done} of ${message.total}`;
			return;
		case 'replayDone':
			activeReplay = undefined;
			replayProgress.hidden = true;
			replayCancel.hidden = true;
			replayStatus.textContent = message.cancelled ? 'Replay cancelled.' : 'Replay finished.';
			renderReplaySummary(message.summary, message.cancelled, message.errors);
			return;
		case 'error':
			errorLine.textContent = message.message;
			// A replay that failed to start (bad file) sends only this: settle its progress UI.
			activeReplay = undefined;
			replayProgress.hidden = true;
			replayCancel.hidden = true;
			if (replayStatus.textContent?.startsWith('Replaying')) replayStatus.textContent = 'Replay failed.';
			return;
		default:
			assertNever(message);
	}
}

function assertNever(value: never): never {
	throw new Error(`unhandled message ${JSON.stringify(value)}`);
}

build();
window.addEventListener('message', (e: MessageEvent<unknown>) => {
	const message = parseToWebview(e.data);
	if (message) onMessage(message);
});
post({ type: 'ready' });
