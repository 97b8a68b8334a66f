import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { PipelineEvent } from '../../src/core/pipeline/types';
import { testingApi, until } from './helpers';

/**
 * The Playground in the real extension host. test/e2e/runIntegration.mjs starts the loopback fake
 * provider before code-server and points `costlens.providers.anthropicBaseURL` (user settings,
 * machine scope) at it; COSTLENS_FAKE_PROVIDER says so. The canary key comes in COSTLENS_CANARY_KEY;
 * the runner checks after the suite that it reached the fake provider and appears in no artifact.
 */
const FAKE_SENTENCE = 'This is a deterministic answer from the CostLens fake provider.';

suite('Playground', () => {
	test('the view resolves and its webview says ready', async () => {
		const api = await testingApi();
		await vscode.commands.executeCommand('costlens.openPlayground');
		await until('the playground webview to be ready', () => api.playgroundReady(), 30_000);
	});

	test('the sidecar starts and answers initialize', async () => {
		const api = await testingApi();
		const sidecar = api.sidecar();
		assert.ok(sidecar, 'the testing API exposes the sidecar');
		const info = await sidecar.ensureStarted();
		assert.equal(sidecar.state.kind, 'ready');
		assert.equal(typeof info.protocolVersion, 'number');
		assert.equal(info.cache, 'ready', `cache ${info.cache}: ${info.notices.join('; ')}`);
		assert.ok(info.providers.includes('demo'));
		assert.ok(info.dbFile.startsWith(api.storagePaths().globalStorage), `database ${info.dbFile} lives in globalStorage`);
	});

	test('a run with the canary key against the fake provider streams and is logged', async function () {
		const canary = process.env['COSTLENS_CANARY_KEY'];
		assert.ok(process.env['COSTLENS_FAKE_PROVIDER'] === '1' && canary, 'runIntegration.mjs must start the fake provider and pass COSTLENS_CANARY_KEY');
		const api = await testingApi();
		const sidecar = api.sidecar()!;
		assert.equal(await api.setApiKey('anthropic', canary), 'stored');
		const info = await sidecar.ensureStarted();
		assert.ok(info.providers.includes('anthropic'), `providers after setting the key: ${info.providers.join(', ')}`);

		const runId = `it-${Date.now()}`;
		const prompt = `Integration ${runId}: name three colours`;
		const events: PipelineEvent[] = [];
		const result = await sidecar.run({
			runId,
			request: { tenant: 'integration', provider: 'anthropic', body: { model: 'claude-haiku-4-5', max_tokens: 128, stream: true, messages: [{ role: 'user', content: prompt }] } },
		}, (e) => events.push(e));
		const deltas = events.filter((e): e is PipelineEvent & { type: 'delta' } => e.type === 'delta');
		console.log(`    ${events.length} events, ${deltas.length} deltas; answer: ${result.completion.text.slice(0, 80)}`);
		// Several deltas: it streamed; the fake's sentence: it was the fake provider, not the demo one.
		assert.ok(deltas.length >= 2, `expected a streamed answer, got ${deltas.length} delta(s)`);
		assert.equal(deltas.map((d) => d.text).join(''), result.completion.text);
		assert.ok(result.completion.text.includes(FAKE_SENTENCE), result.completion.text);
		assert.equal(result.outcome, 'miss');

		const usage = await sidecar.request('usage/query', { limit: 50 });
		const rows = usage.rows.filter((r) => r.requestId === result.requestId);
		assert.equal(rows.length, 1, `one usage row for ${result.requestId}`);
		const row = rows[0]!;
		assert.equal(row.provider, 'anthropic');
		assert.equal(row.model, 'claude-haiku-4-5');
		assert.equal(row.tenant, 'integration');
		assert.equal(row.error, null);
		assert.ok(row.outputTokens > 0 && row.costUsd !== null && row.costUsd > 0, JSON.stringify(row));

		// Same request again: an exact hit at $0, logged too.
		const again = await sidecar.run({ runId: `${runId}-again`, request: { tenant: 'integration', provider: 'anthropic', body: { model: 'claude-haiku-4-5', max_tokens: 128, stream: true, messages: [{ role: 'user', content: prompt }] } } }, () => {});
		assert.equal(again.outcome, 'exact');
		const hit = (await sidecar.request('usage/query', { limit: 50 })).rows.find((r) => r.requestId === again.requestId);
		assert.ok(hit, 'the hit is logged');
		assert.equal(hit.costUsd, 0);
	});
});
