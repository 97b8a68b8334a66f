/**
 * `costlens run | replay | usage | cache`: the sidecar's pipeline driven from a terminal, against
 * the same SQLite file format. Loaded only for these commands, so `costlens scan` never pays for
 * SQLite or the SDKs.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { formatSummaryTable, PipelineError, summarizeReplay, type CascadeSpec, type GateSpec, type PipelineRequest, type PipelineResult, type ProviderId } from '../core/pipeline';
import { groupUsage } from '../core/pipeline/usageGroups';
import { describeWorkloadProblems, parseWorkload, type WorkloadLine } from '../core/playground/workload';
import { PROVIDERS, type UsageGroup } from '../protocol/sidecar';
import { Engine } from '../sidecar/engine';
import { UsageError } from './args';

export const PIPELINE_USAGE = `Usage:
  costlens run --provider P --model M [options] "prompt"
  costlens replay workload.jsonl [options]
  costlens usage [--since 24h|7d|ISO-date] [--tenant T] [--json]
  costlens cache stats|clear [--layer exact|semantic|all] [--tenant T]

Runs requests through the CostLens pipeline (exact cache → semantic cache → cheap-to-strong
cascade → provider) on a local SQLite file, logging tokens, cost, latency and cache outcome.

Providers: anthropic (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL), openai (OPENAI_API_KEY,
OPENAI_BASE_URL), openai-compatible (--base-url), demo (offline, simulated answers, no key).

Options:
  --db FILE                 SQLite file (default: $COSTLENS_DB or the per-user data folder)
  --no-cache                run without the database (nothing cached or logged)
  --tenant T                tenant / project id for cache isolation (default: default)
  --system S                system prompt (run)
  --max-tokens N            output cap (run; default 1024)
  --no-stream               wait for the whole answer instead of streaming it (run)
  --semantic                enable the semantic cache (replay: for every line)
  --threshold X             semantic similarity threshold (default 0.95)
  --embedder offline|openai built-in offline embedder (default) or OpenAI text-embedding-3-small
  --cascade CHEAP:STRONG    try CHEAP first, escalate to STRONG when a gate fails
  --gate G                  cascade gate, repeatable or comma-separated: confidence=0.7,
                            hedging, truncated, schema=FILE.json (default: hedging,truncated)
  --concurrency N           requests in flight (replay; default 4)
  --base-url URL            base URL for --provider openai-compatible
  --json                    machine-readable output on stdout
Exit codes: 0 ok, 1 a request failed, 2 usage error.`;

interface Common {
	readonly db: string | undefined;
	readonly json: boolean;
	readonly tenant: string;
}

export async function runPipelineCommand(command: string, argv: readonly string[]): Promise<number> {
	const { values, positionals } = parseOptions(argv);
	if (values.help) {
		process.stdout.write(PIPELINE_USAGE + '\n');
		return 0;
	}
	const common: Common = { db: values['no-cache'] ? undefined : resolveDb(values.db), json: values.json ?? false, tenant: values.tenant ?? 'default' };
	switch (command) {
		case 'run':
			return runOne(values, positionals, common);
		case 'replay':
			return replay(values, positionals, common);
		case 'usage':
			return usage(values, common);
		case 'cache':
			return cache(values, positionals, common);
		default:
			throw new UsageError(`unknown command '${command}'`);
	}
}

type Values = ReturnType<typeof parseOptions>['values'];

function parseOptions(argv: readonly string[]) {
	try {
		return parseArgs({
			args: [...argv],
			allowPositionals: true,
			strict: true,
			options: {
				db: { type: 'string' },
				'no-cache': { type: 'boolean' },
				tenant: { type: 'string' },
				provider: { type: 'string' },
				model: { type: 'string' },
				system: { type: 'string' },
				'max-tokens': { type: 'string' },
				'no-stream': { type: 'boolean' },
				semantic: { type: 'boolean' },
				threshold: { type: 'string' },
				embedder: { type: 'string' },
				cascade: { type: 'string' },
				gate: { type: 'string', multiple: true },
				concurrency: { type: 'string' },
				'base-url': { type: 'string' },
				since: { type: 'string' },
				layer: { type: 'string' },
				json: { type: 'boolean' },
				help: { type: 'boolean', short: 'h' },
			},
		});
	} catch (error) {
		throw new UsageError(error instanceof Error ? error.message.split('\n')[0] ?? error.message : String(error));
	}
}

/** `$COSTLENS_DB`, else the per-user data folder of this OS. */
export function resolveDb(flag: string | undefined): string {
	if (flag) return path.resolve(flag);
	if (process.env.COSTLENS_DB) return path.resolve(process.env.COSTLENS_DB);
	const base =
		process.platform === 'win32'
			? (process.env.LOCALAPPDATA ?? path.join(os.homedir(), 'AppData', 'Local'))
			: process.platform === 'darwin'
				? path.join(os.homedir(), 'Library', 'Application Support')
				: (process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'));
	return path.join(base, 'costlens', 'costlens.db');
}

function createEngine(values: Values, common: Common): Engine {
	if (common.db) fs.mkdirSync(path.dirname(common.db), { recursive: true });
	const embedder = values.embedder ?? 'offline';
	if (embedder !== 'offline' && embedder !== 'openai') throw new UsageError(`--embedder expects offline or openai, got '${embedder}'`);
	const engine = new Engine({
		...(common.db ? { dbFile: common.db } : {}),
		providers: { ...(values['base-url'] ? { compatibleBaseURL: values['base-url'] } : {}) },
		embedder: embedder === 'openai' ? { kind: 'openai' } : { kind: 'offline' },
		demoLatencyScale: Number(process.env.COSTLENS_DEMO_LATENCY_SCALE ?? '1'),
	});
	for (const notice of engine.notices) process.stderr.write(`costlens: ${notice}\n`);
	return engine;
}

function number(flag: string, raw: string | undefined, fallback: number, check: (n: number) => boolean, expected: string): number {
	if (raw === undefined) return fallback;
	const value = Number(raw);
	if (raw.trim() === '' || !Number.isFinite(value) || !check(value)) throw new UsageError(`${flag} expects ${expected}, got '${raw}'`);
	return value;
}

function threshold(values: Values): number | undefined {
	return values.threshold === undefined ? undefined : number('--threshold', values.threshold, 0.95, (n) => n > 0 && n <= 1, 'a number in (0, 1]');
}

/** `--cascade cheap:strong` and `--gate …` → a CascadeSpec. */
export function parseCascade(cascade: string | undefined, gates: readonly string[] | undefined): CascadeSpec | undefined {
	if (cascade === undefined) {
		if (gates && gates.length > 0) throw new UsageError('--gate needs --cascade CHEAP:STRONG');
		return undefined;
	}
	const [cheapModel, strongModel, ...rest] = cascade.split(':');
	if (!cheapModel || !strongModel || rest.length > 0) throw new UsageError(`--cascade expects CHEAP:STRONG (two model ids), got '${cascade}'`);
	const specs = (gates && gates.length > 0 ? gates : ['hedging,truncated']).flatMap((g) => g.split(',')).map((g) => g.trim()).filter(Boolean);
	return { cheapModel, strongModel, gates: specs.map(parseGate) };
}

function parseGate(text: string): GateSpec {
	const [kind, arg] = text.split('=', 2) as [string, string | undefined];
	switch (kind) {
		case 'hedging':
			return { kind: 'hedging' };
		case 'truncated':
			return { kind: 'truncated' };
		case 'confidence': {
			const min = arg === undefined ? 0.7 : Number(arg);
			if (!Number.isFinite(min) || min < 0 || min > 1) throw new UsageError(`--gate confidence=X expects X in [0, 1], got '${arg}'`);
			return { kind: 'confidence', min };
		}
		case 'schema': {
			if (!arg) throw new UsageError('--gate schema=FILE.json needs a file');
			let schema: unknown;
			try {
				schema = JSON.parse(fs.readFileSync(arg, 'utf8'));
			} catch (error) {
				throw new UsageError(`--gate schema: cannot read ${arg}: ${error instanceof Error ? error.message : String(error)}`);
			}
			if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new UsageError(`--gate schema: ${arg} is not a JSON object`);
			return { kind: 'schema', schema: schema as Record<string, unknown> };
		}
		default:
			throw new UsageError(`unknown gate '${kind}' (expected confidence=X, hedging, truncated or schema=FILE)`);
	}
}

function providerOf(raw: string | undefined): ProviderId {
	if (raw === undefined) throw new UsageError('--provider is required (anthropic, openai, openai-compatible or demo)');
	if (!(PROVIDERS as readonly string[]).includes(raw)) throw new UsageError(`--provider expects one of ${PROVIDERS.join(', ')}, got '${raw}'`);
	return raw as ProviderId;
}

async function runOne(values: Values, positionals: readonly string[], common: Common): Promise<number> {
	const prompt = positionals.join(' ').trim();
	if (!prompt) throw new UsageError('costlens run needs a prompt, e.g. costlens run --provider demo --model claude-haiku-4-5 "Hello"');
	const provider = providerOf(values.provider);
	const cascade = parseCascade(values.cascade, values.gate);
	if (!values.model && !cascade) throw new UsageError('--model is required (or --cascade CHEAP:STRONG)');
	const maxTokens = number('--max-tokens', values['max-tokens'], 1024, (n) => Number.isInteger(n) && n > 0, 'a positive integer');
	const stream = !values['no-stream'];
	const anthropic = provider === 'anthropic';
	const body: Record<string, unknown> = {
		model: values.model ?? cascade?.strongModel,
		max_tokens: maxTokens,
		stream,
		...(anthropic && values.system ? { system: values.system } : {}),
		messages: [...(!anthropic && values.system ? [{ role: 'system', content: values.system }] : []), { role: 'user', content: prompt }],
	};
	const th = threshold(values);
	const request: PipelineRequest = {
		tenant: common.tenant,
		provider,
		body,
		...(values.semantic ? { semantic: th === undefined ? {} : { threshold: th } } : {}),
		...(cascade ? { cascade } : {}),
	};
	const engine = createEngine(values, common);
	const controller = new AbortController();
	const onSigint = (): void => controller.abort();
	process.once('SIGINT', onSigint);
	// With a cascade, the cheap answer may be replaced: print only the answer that is kept.
	const live = !common.json && !cascade;
	let printed = false;
	try {
		const result = await engine.run(request, {
			signal: controller.signal,
			listener: (event) => {
				if (event.type === 'delta' && live) {
					process.stdout.write(event.text);
					printed = true;
				} else if (event.type === 'retry') {
					process.stderr.write(`\ncostlens: ${event.reason}; retrying in ${(event.delayMs / 1000).toFixed(1)} s (attempt ${event.attempt})\n`);
				} else if (event.type === 'warning') {
					process.stderr.write(`\ncostlens: warning: ${event.message}\n`);
				} else if (event.type === 'stage' && event.stage === 'strong' && event.status === 'start' && event.detail?.startsWith('escalating') && !common.json) {
					process.stderr.write(`costlens: ${event.detail}\n`);
				}
			},
		});
		if (common.json) {
			process.stdout.write(JSON.stringify(resultJson(result), null, 2) + '\n');
		} else {
			if (!printed) process.stdout.write(result.completion.text);
			process.stdout.write('\n');
			process.stderr.write(outcomeLine(result) + '\n');
		}
		return 0;
	} catch (error) {
		if (error instanceof PipelineError) {
			process.stderr.write(`${printed ? '\n' : ''}costlens: ${error.message}\n`);
			return error.code === 'invalid-request' ? 2 : 1;
		}
		throw error;
	} finally {
		process.off('SIGINT', onSigint);
		engine.close();
	}
}

/** `exact hit · claude-haiku-4-5 · 812 in (0 cached) / 64 out · $0 (saved $0.0011) · 3 ms` */
export function outcomeLine(result: PipelineResult): string {
	const u = result.rows.filter((r) => r.stage !== 'semantic-cache' || r.cacheHit === 'semantic').at(-1);
	const outcome = { exact: 'exact-cache hit', semantic: 'semantic-cache hit', prefix: 'miss (provider prompt cache read)', miss: 'miss' }[result.outcome];
	const tokens = u ? `${u.inputTokens} in (${u.cachedInputTokens} cached) / ${u.outputTokens} out` : '';
	const cost = result.costUsd === null ? 'unpriced' : `$${result.costUsd.toFixed(6)}`;
	const provider = result.completion.provider === 'demo' ? ' (demo provider: simulated answer, nothing billed; cost is what this model would bill)' : '';
	const parts = [outcome, result.model + provider, tokens, cost, `${Math.round(result.latencyMs)} ms`];
	if (result.ttftMs !== null) parts.push(`TTFT ${Math.round(result.ttftMs)} ms`);
	if (result.gateVerdict) parts.push(result.escalated ? `escalated (${result.gateVerdict.failures.map((f) => f.reason).join('; ')})` : 'gate passed');
	if (result.semantic?.similarity != null) parts.push(`similarity ${result.semantic.similarity.toFixed(3)}${result.semantic.rejectedBy ? ` rejected: ${result.semantic.rejectedBy}` : ''}`);
	return parts.filter(Boolean).join(' · ');
}

function resultJson(result: PipelineResult): Record<string, unknown> {
	const last = result.rows.at(-1);
	return {
		requestId: result.requestId,
		outcome: result.outcome,
		model: result.model,
		provider: result.completion.provider,
		text: result.completion.text,
		inputTokens: last?.inputTokens ?? 0,
		cachedInputTokens: last?.cachedInputTokens ?? 0,
		outputTokens: last?.outputTokens ?? 0,
		costUsd: result.costUsd,
		latencyMs: result.latencyMs,
		ttftMs: result.ttftMs,
		escalated: result.escalated,
		...(result.gateVerdict ? { gate: result.gateVerdict } : {}),
		...(result.semantic ? { semantic: result.semantic } : {}),
	};
}

/** Reads and checks a whole JSONL workload before anything runs, so a typo on line 900 costs nothing. */
export function readWorkload(file: string, options: { semantic: boolean; threshold: number | undefined; cascade: CascadeSpec | undefined }): readonly WorkloadLine[] {
	let text: string;
	try {
		text = fs.readFileSync(file, 'utf8');
	} catch (error) {
		throw new UsageError(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
	}
	const parsed = parseWorkload(text, { semantic: options.semantic, ...(options.threshold !== undefined ? { threshold: options.threshold } : {}), ...(options.cascade ? { cascade: options.cascade } : {}) });
	const problem = describeWorkloadProblems(file, parsed);
	if (problem) throw new UsageError(problem);
	return parsed.lines;
}

async function replay(values: Values, positionals: readonly string[], common: Common): Promise<number> {
	const [file, ...extra] = positionals;
	if (!file) throw new UsageError('costlens replay needs a workload file (JSONL, one request per line)');
	if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
	const cascade = parseCascade(values.cascade, values.gate);
	const concurrency = number('--concurrency', values.concurrency, 4, (n) => Number.isInteger(n) && n >= 1 && n <= 256, 'an integer from 1 to 256');
	const workload = readWorkload(file, { semantic: values.semantic ?? false, threshold: threshold(values), cascade });
	const engine = createEngine(values, common);
	const controller = new AbortController();
	const onSigint = (): void => controller.abort();
	process.once('SIGINT', onSigint);
	const results: (PipelineResult | { error: string; line: number; tenant: string })[] = new Array(workload.length);
	const progress = createProgress(workload.length);
	let next = 0;
	let done = 0;
	try {
		const worker = async (): Promise<void> => {
			for (;;) {
				const index = next++;
				const item = workload[index];
				if (!item || controller.signal.aborted) return;
				// Replays measure the pipeline, not a terminal: answers are not printed.
				try {
					results[index] = await engine.run(item.request, { signal: controller.signal });
				} catch (error) {
					if (!(error instanceof PipelineError)) throw error;
					results[index] = { error: error.message, line: item.line, tenant: item.request.tenant };
				}
				progress.update(++done);
			}
		};
		await Promise.all(Array.from({ length: Math.min(concurrency, workload.length) }, worker));
	} finally {
		progress.clear();
		process.off('SIGINT', onSigint);
		engine.close();
	}
	const completed = results.filter((r): r is PipelineResult => r !== undefined && !('error' in r));
	const failed = results.filter((r): r is { error: string; line: number; tenant: string } => r !== undefined && 'error' in r);
	const summary = summarizeReplay(completed, { prices: engine.prices, ...(cascade ? { strongModel: cascade.strongModel } : {}), errors: failed.length });
	if (common.json) {
		const requests = results.filter((r) => r !== undefined).map((r) =>
			'error' in r
				? { tenant: r.tenant, line: r.line, outcome: 'error', error: r.error }
				: {
						tenant: r.rows[0]?.tenant,
						outcome: r.outcome,
						model: r.model,
						inputTokens: r.usage.inputTokens,
						cachedInputTokens: r.usage.cachedInputTokens,
						outputTokens: r.usage.outputTokens,
						costUsd: r.costUsd,
						latencyMs: r.latencyMs,
						ttftMs: r.ttftMs,
						escalated: r.escalated,
					},
		);
		process.stdout.write(JSON.stringify({ requests, summary }, null, 2) + '\n');
	} else {
		for (const f of failed.slice(0, 10)) process.stderr.write(`costlens: line ${f.line}: ${f.error}\n`);
		if (failed.length > 10) process.stderr.write(`costlens: … and ${failed.length - 10} more failed requests\n`);
		if (controller.signal.aborted) process.stderr.write(`costlens: interrupted after ${done} of ${workload.length} requests\n`);
		process.stdout.write(formatSummaryTable(summary) + '\n');
	}
	return failed.length > 0 || controller.signal.aborted ? 1 : 0;
}

function createProgress(total: number): { update(done: number): void; clear(): void } {
	const enabled = process.stderr.isTTY === true;
	let last = 0;
	let shown = false;
	return {
		update(done) {
			if (!enabled) return;
			const now = Date.now();
			if (now - last < 100 && done < total) return;
			last = now;
			shown = true;
			process.stderr.write(`\r\u001b[Kreplaying ${done}/${total} requests…`);
		},
		clear() {
			if (shown) process.stderr.write('\r\u001b[K');
		},
	};
}

/** `24h`, `7d`, `30m` or an ISO date → ms since the epoch. */
export function parseSince(raw: string, now = Date.now()): number {
	const relative = /^(\d+)([mhd])$/.exec(raw.trim());
	if (relative) return now - Number(relative[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 'm' | 'h' | 'd'];
	const date = Date.parse(raw);
	if (Number.isNaN(date)) throw new UsageError(`--since expects 30m, 24h, 7d or an ISO date, got '${raw}'`);
	return date;
}

function usage(values: Values, common: Common): number {
	if (!common.db) throw new UsageError('costlens usage reads the database; --no-cache makes no sense here');
	if (!fs.existsSync(common.db)) throw new UsageError(`no database at ${common.db} (run some requests first, or pass --db)`);
	const engine = createEngine(values, common);
	try {
		const store = engine.store;
		if (!store) return 1;
		const rows = store.queryUsage({ ...(values.since ? { since: parseSince(values.since) } : {}), ...(values.tenant ? { tenant: values.tenant } : {}) });
		const groups = groupUsage(rows);
		if (common.json) {
			process.stdout.write(JSON.stringify({ rows: rows.length, ...groups }, null, 2) + '\n');
			return 0;
		}
		process.stdout.write(`${rows.length} usage rows in ${common.db}\n\n`);
		for (const [title, list] of [['By model', groups.byModel], ['By tenant', groups.byTenant], ['By cache outcome', groups.byOutcome]] as const) {
			process.stdout.write(`${title}\n${groupTable(list)}\n`);
		}
		return 0;
	} finally {
		engine.close();
	}
}

function groupTable(groups: readonly UsageGroup[]): string {
	const header = ['', 'rows', 'input', 'cached', 'output', 'cost', 'p50 ms', 'p95 ms'];
	const body = groups.map((g) => [
		g.key,
		String(g.requests),
		String(g.inputTokens),
		String(g.cachedInputTokens),
		String(g.outputTokens),
		`$${g.costUsd.toFixed(4)}${g.unpricedRequests > 0 ? ` (+${g.unpricedRequests} unpriced)` : ''}`,
		g.p50LatencyMs === null ? '–' : String(Math.round(g.p50LatencyMs)),
		g.p95LatencyMs === null ? '–' : String(Math.round(g.p95LatencyMs)),
	]);
	const rows = [header, ...body];
	const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
	return rows.map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  ')).join('\n') + '\n';
}

function cache(values: Values, positionals: readonly string[], common: Common): number {
	const [action] = positionals;
	if (action !== 'stats' && action !== 'clear') throw new UsageError(`costlens cache expects stats or clear, got '${action ?? ''}'`);
	if (!common.db) throw new UsageError('costlens cache needs the database; drop --no-cache');
	const layer = values.layer ?? 'all';
	if (layer !== 'exact' && layer !== 'semantic' && layer !== 'all') throw new UsageError(`--layer expects exact, semantic or all, got '${layer}'`);
	const engine = createEngine(values, common);
	try {
		const store = engine.store;
		if (!store) return 1;
		const result = action === 'stats' ? store.stats() : store.clear({ layer, ...(values.tenant ? { tenant: values.tenant } : {}) });
		process.stdout.write(common.json ? JSON.stringify(result, null, 2) + '\n' : Object.entries(result).map(([k, v]) => `${k}: ${String(v)}`).join('\n') + '\n');
		return 0;
	} finally {
		engine.close();
	}
}
