// Issue #4's acceptance test: `kill -9` of the sidecar during a replay of 1,000 requests, 20 times,
// on ONE database file (a user's cache file survives many crashes): after every kill the file passes
// `PRAGMA integrity_check`, every logged row is intact, committed rows stay, and no partial or
// faulted answer was ever cached.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { exactKey, type PipelineRequest, type PipelineResult, type UsageRecord } from '../../../src/core/pipeline';
import { openStore } from '../../../src/sidecar/store/sqliteStore';
import { fakeTokenCount, startFakeProvider, type FakeProvider } from '../../support/fakeProvider';
import { sidecarPath, startSidecar, type SidecarClient } from '../../support/sidecarClient';
import { seededRandom as rng } from '../../support/seededRandom';

const ROUNDS = 20;
const REQUESTS_PER_ROUND = 1_000;
const CONCURRENCY = 8;
const SEED = 0x5eed_c0de;


/** The fake provider's default echo answer (test/support/fakeProvider.ts `defaultAnswer`), computed independently. */
function expectedAnswer(lastUserText: string): string {
	return `Echo: ${lastUserText.replace(/\s+/g, ' ').trim().slice(0, 60)}. This is a deterministic answer from the CostLens fake provider.`;
}

const TOPICS = [
	'how do I rotate the API key for workspace',
	'what is the refund window for order',
	'summarise the incident report number',
	'translate the onboarding email for region',
	'which plan includes audit logs for team',
	'explain the invoice line items of account',
];

interface WorkItem {
	readonly request: PipelineRequest;
	readonly userText: string;
	/** max_tokens below the answer's length: the fake truncates, so it must never be cached. */
	readonly truncated: boolean;
}

/**
 * One round's 1,000 requests. Prompts start with a unique id, so the fake's echo (the first 60
 * characters) differs per prompt and every cached answer can be checked against its own request.
 */
function workload(round: number, random: () => number): WorkItem[] {
	const items: WorkItem[] = [];
	for (let i = 0; i < REQUESTS_PER_ROUND; i++) {
		const pick = random();
		let userText: string;
		let semantic = false;
		let truncated = false;
		if (pick < 0.68) {
			const n = Math.floor(random() * 60);
			userText = `R${round}-${n}: ${TOPICS[n % TOPICS.length]} ${n}?`;
		} else if (pick < 0.8) {
			// The same 20 prompts every round: exact hits across crashes.
			const n = Math.floor(random() * 20);
			userText = `S-${n}: ${TOPICS[n % TOPICS.length]} ${n}?`;
		} else if (pick < 0.97) {
			// Paraphrase pairs with the semantic cache on.
			const n = Math.floor(random() * 12);
			const topic = TOPICS[n % TOPICS.length]!;
			userText = random() < 0.5 ? `R${round}-P${n}: ${topic} ${n}?` : `R${round}-P${n} ${topic.replace('how do I', 'how can i').replace('what is', "what's")} ${n}`;
			semantic = true;
		} else {
			const n = Math.floor(random() * 10);
			userText = `R${round}-T${n}: ${TOPICS[n % TOPICS.length]} ${n}?`;
			truncated = true;
		}
		const tenant = random() < 0.2 ? 'globex' : 'acme';
		const stream = random() < 0.6;
		const maxTokens = truncated ? 5 : 256;
		const anthropic = random() < 0.5;
		const body: Record<string, unknown> = anthropic
			? { model: random() < 0.5 ? 'claude-sonnet-4-6' : 'claude-haiku-4-5', max_tokens: maxTokens, system: 'You are a terse support assistant.', messages: [{ role: 'user', content: userText }], stream }
			: { model: 'gpt-4o-mini', max_completion_tokens: maxTokens, messages: [{ role: 'system', content: 'You are a terse support assistant.' }, { role: 'user', content: userText }], stream };
		items.push({
			request: { tenant, provider: anthropic ? 'anthropic' : 'openai', body, ...(semantic ? { semantic: { threshold: 0.85 } } : {}) },
			userText,
			truncated,
		});
	}
	return items;
}

function keyOf(request: PipelineRequest): string {
	return exactKey({ tenant: request.tenant, provider: request.provider, wire: request.provider === 'anthropic' ? 'anthropic-messages' : 'openai-chat', body: request.body });
}

interface Answered {
	readonly item: WorkItem;
	readonly result: PipelineResult;
}

interface RoundOutcome {
	readonly answered: Answered[];
	readonly failed: number;
	readonly dispatched: number;
	readonly killedAfterMs: number;
}

let fake: FakeProvider;
let dir: string;

before(async () => {
	assert.ok(fs.existsSync(sidecarPath), `${sidecarPath} is missing: run \`npm run build\` first`);
	fake = await startFakeProvider();
	dir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-crash-'));
});

after(async () => {
	await fake.close();
	fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs the workload through one sidecar and SIGKILLs it `killAfterMs` after the first answer. */
async function crashRound(sidecar: SidecarClient, items: readonly WorkItem[], killAfterMs: number, random: () => number): Promise<RoundOutcome> {
	const answered: Answered[] = [];
	let failed = 0;
	let next = 0;
	let killed = false;
	let killTimer: NodeJS.Timeout | undefined;
	let firstAnswerAt = 0;
	const onAnswer = (): void => {
		if (killTimer !== undefined) return;
		firstAnswerAt = performance.now();
		killTimer = setTimeout(() => {
			killed = true;
			void sidecar.kill('SIGKILL');
		}, killAfterMs);
	};
	const worker = async (): Promise<void> => {
		for (;;) {
			if (killed || sidecar.hasExited) return;
			const index = next++;
			const item = items[index];
			if (!item) return;
			// A few upstream faults, consumed by whichever request reaches the fake next.
			if (index % 17 === 5) fake.script(random() < 0.5 ? { kind: 'cut-after', events: 1 + Math.floor(random() * 6) } : { kind: 'error-event', afterEvents: 2 + Math.floor(random() * 4) });
			try {
				answered.push({ item, result: await sidecar.request('pipeline/run', { runId: `run-${index}`, request: item.request }) });
				onAnswer();
			} catch {
				failed++;
			}
		}
	};
	await Promise.all(Array.from({ length: CONCURRENCY }, worker));
	// The workload finished before the kill: still kill, so every round ends in a crash.
	if (!killed) {
		if (killTimer) clearTimeout(killTimer);
		await sidecar.kill('SIGKILL');
	}
	const exit = await sidecar.exited;
	assert.equal(exit.signal, 'SIGKILL', `the sidecar must die by SIGKILL, got ${JSON.stringify(exit)}; stderr:\n${sidecar.stderr}`);
	return { answered, failed, dispatched: Math.min(next, items.length), killedAfterMs: firstAnswerAt === 0 ? -1 : performance.now() - firstAnswerAt };
}

interface Expectations {
	/** Exact key → the only answer text that may be stored under it. */
	readonly byKey: Map<string, string>;
	/** Keys of truncated requests: must never be cached. */
	readonly truncatedKeys: Set<string>;
}

function checkDatabase(dbFile: string, expect: Expectations, previousUsageRows: number, answered: readonly PipelineResult[], label: string): { usageRows: number; exact: number; semantic: number } {
	// Plain better-sqlite3 first, as SQLite alone sees the crashed file (it recovers the hot WAL itself).
	const db = new Database(dbFile);
	let usageRows: number;
	let exact = 0;
	let semantic = 0;
	try {
		assert.equal(db.pragma('integrity_check', { simple: true }), 'ok', `${label}: integrity_check`);
		usageRows = (db.prepare('SELECT count(*) AS n FROM usage_log').get() as { n: number }).n;
		assert.ok(usageRows >= previousUsageRows, `${label}: usage rows went from ${previousUsageRows} to ${usageRows}; committed rows must stay`);

		for (const row of db.prepare('SELECT tenant, key, model, answer_json FROM exact_cache').iterate() as IterableIterator<{ tenant: string; key: string; model: string; answer_json: string }>) {
			exact++;
			assert.ok(!expect.truncatedKeys.has(row.key), `${label}: an answer cut by max_tokens was cached (tenant ${row.tenant})`);
			const want = expect.byKey.get(row.key);
			assert.ok(want !== undefined, `${label}: exact_cache holds a key no request of the workload has (tenant ${row.tenant}, model ${row.model})`);
			checkAnswer(row.answer_json, want, `${label}: exact_cache ${row.tenant}/${row.model}`);
		}
		for (const row of db.prepare('SELECT tenant, cache_text, answer_json FROM semantic_entry').iterate() as IterableIterator<{ tenant: string; cache_text: string; answer_json: string }>) {
			semantic++;
			checkAnswer(row.answer_json, expectedAnswer(row.cache_text), `${label}: semantic_entry ${row.tenant} "${row.cache_text}"`);
		}

		// Every answer the client received had its usage rows committed before the response: they survive the kill unchanged.
		const ids = new Set(answered.map((r) => r.requestId));
		const stored = new Map<string, number>();
		for (const row of db.prepare('SELECT request_id FROM usage_log').iterate() as IterableIterator<{ request_id: string }>) {
			if (ids.has(row.request_id)) stored.set(row.request_id, (stored.get(row.request_id) ?? 0) + 1);
		}
		for (const result of answered) {
			assert.equal(stored.get(result.requestId) ?? 0, result.rows.length, `${label}: request ${result.requestId} answered with ${result.rows.length} usage rows, ${stored.get(result.requestId) ?? 0} in the file`);
		}
	} finally {
		db.close();
	}

	// Then as the next sidecar would: openStore takes over the dead process's lock without moving the file aside.
	const opened = openStore({ file: dbFile });
	try {
		assert.deepEqual(opened.notices.filter((n) => /moved|damaged|corrupt/i.test(n)), [], `${label}: the file must not be treated as damaged`);
		const verified = opened.store.verifyUsage();
		assert.equal(verified.rows, usageRows, `${label}: verifyUsage saw every row`);
		assert.deepEqual(verified.bad, [], `${label}: usage rows whose row_check does not match`);
		// Row contents equal what the client was told, field by field.
		const byId = new Map<string, UsageRecord[]>();
		for (const row of opened.store.queryUsage({})) {
			const list = byId.get(row.requestId);
			if (list) list.push(row);
			else byId.set(row.requestId, [row]);
		}
		for (const result of answered.slice(0, 50)) {
			const rows = (byId.get(result.requestId) ?? []).sort((a, b) => a.attempt - b.attempt);
			assert.deepEqual(rows, [...result.rows].sort((a, b) => a.attempt - b.attempt), `${label}: stored rows of ${result.requestId}`);
		}
	} finally {
		opened.store.close();
	}
	assert.ok(!fs.existsSync(`${dbFile}.lock`), `${label}: the lock is released after the takeover`);
	return { usageRows, exact, semantic };
}

function checkAnswer(json: string, want: string, label: string): void {
	let answer: { text?: unknown; stop?: unknown; usage?: { inputTokens?: unknown; outputTokens?: unknown } };
	try {
		answer = JSON.parse(json) as typeof answer;
	} catch (error) {
		assert.fail(`${label}: answer_json does not parse: ${String(error)}`);
	}
	assert.equal(answer.stop, 'end', `${label}: stop`);
	assert.equal(answer.text, want, `${label}: cached text is not the complete answer to its request`);
	assert.ok(typeof answer.usage?.inputTokens === 'number' && answer.usage.inputTokens > 0, `${label}: usage.inputTokens`);
	assert.equal(answer.usage?.outputTokens, fakeTokenCount(want), `${label}: usage.outputTokens`);
}

void describe('sidecar crash safety (kill -9 during a 1,000-request replay, 20 rounds, one database)', () => {
	void it('keeps the database intact, every logged row intact, and no partial answer cached', { timeout: 240_000 }, async () => {
		const dbFile = path.join(dir, 'costlens.db');
		const random = rng(SEED);
		const expect: Expectations = { byKey: new Map(), truncatedKeys: new Set() };
		let usageRows = 0;
		const perRound: { answered: number; failed: number; dispatched: number; killMs: number; usageRows: number; exact: number; semantic: number; outcomes: Record<string, number> }[] = [];
		let echoChecked = 0;
		const started = performance.now();

		for (let round = 0; round < ROUNDS; round++) {
			const label = `round ${round + 1}`;
			const items = workload(round, random);
			for (const item of items) {
				const key = keyOf(item.request);
				if (item.truncated) expect.truncatedKeys.add(key);
				else expect.byKey.set(key, expectedAnswer(item.userText));
			}
			fake.reset();
			// Streams are in flight at kill time: ~8 deltas per answer, a few ms apart.
			fake.setLatency({ firstTokenMs: 4, perChunkMs: 2 });

			const sidecar = startSidecar({ env: { COSTLENS_DEMO_LATENCY_SCALE: '0', ANTHROPIC_API_KEY: undefined, OPENAI_API_KEY: undefined, ANTHROPIC_BASE_URL: undefined, OPENAI_BASE_URL: undefined } });
			const init = await sidecar.initialize({
				dbFile,
				providers: { anthropicBaseURL: fake.anthropicBaseURL, openaiBaseURL: fake.openaiBaseURL, timeoutMs: 5_000, maxAttempts: 2 },
				secrets: { anthropicApiKey: 'test-anthropic-key', openaiApiKey: 'test-openai-key' },
			});
			assert.equal(init.cache, 'ready', `${label}: ${init.notices.join('; ')}\n${sidecar.stderr}`);
			assert.deepEqual(init.notices.filter((n) => /moved|damaged|corrupt/i.test(n)), [], `${label}: the database must not be quarantined`);

			const killAfterMs = 50 + Math.floor(random() * 1_450);
			const outcome = await crashRound(sidecar, items, killAfterMs, random);

			// The echo replica must match what the fake really answered, or the cache checks prove nothing.
			for (const { item, result } of outcome.answered) {
				const asked = result.outcome === 'semantic' ? result.semantic?.matchedQuery ?? '' : item.userText;
				const full = expectedAnswer(asked);
				// The fake cuts an over-long answer at 4 characters per token of the cap.
				assert.equal(result.completion.text, item.truncated && result.outcome !== 'semantic' ? full.slice(0, 5 * 4) : full, `${label}: answer to "${item.userText}" (${result.outcome})`);
				echoChecked++;
			}
			const results = outcome.answered.map((a) => a.result);
			const stats = checkDatabase(dbFile, expect, usageRows, results, label);
			usageRows = stats.usageRows;
			const outcomes: Record<string, number> = {};
			for (const r of results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
			perRound.push({ answered: outcome.answered.length, failed: outcome.failed, dispatched: outcome.dispatched, killMs: Math.round(outcome.killedAfterMs), usageRows, exact: stats.exact, semantic: stats.semantic, outcomes });
		}

		const elapsed = performance.now() - started;
		// Not vacuous: the kill interrupted real work in (almost) every round, and the caches were exercised.
		const interrupted = perRound.filter((r) => r.answered > 0 && r.answered < REQUESTS_PER_ROUND).length;
		const table = perRound.map((r, i) => `  round ${String(i + 1).padStart(2)}: answered ${r.answered}/${REQUESTS_PER_ROUND} (failed ${r.failed}) kill +${r.killMs} ms; usage rows ${r.usageRows}; exact ${r.exact}, semantic ${r.semantic}; ${JSON.stringify(r.outcomes)}`).join('\n');
		process.stdout.write(`# crash test: ${ROUNDS} rounds in ${(elapsed / 1000).toFixed(1)} s, interrupted ${interrupted}\n${table.replace(/^/gm, '# ')}\n`);
		assert.ok(interrupted >= ROUNDS - 2, `the kill must land mid-replay in most rounds:\n${table}`);
		assert.equal(echoChecked, perRound.reduce((sum, r) => sum + r.answered, 0));
		assert.ok(echoChecked >= 100, `answers checked against the echo replica: ${echoChecked}`);
		const total = (key: string): number => perRound.reduce((sum, r) => sum + (r.outcomes[key] ?? 0), 0);
		assert.ok(total('exact') > 0, 'exact hits happened');
		assert.ok(total('semantic') > 0, 'semantic hits happened');
		assert.ok(perRound.reduce((sum, r) => sum + r.failed, 0) > ROUNDS, 'scripted faults and the kill failed some requests');
		const last = perRound.at(-1)!;
		assert.ok(last.usageRows > perRound[0]!.usageRows, 'usage rows accumulated across crashes');
		assert.ok(last.exact > 0 && last.semantic > 0, 'both cache tables hold entries to check');
	});
});
