import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { openAnalyzed } from './helpers';

suite('Main thread', () => {
	test('reports the event-loop stall from activation to the first analysis', async () => {
		const { api } = await openAnalyzed('src/chat.ts');
		await api.whenStallMeasured();
		const stall = api.mainThreadStall();
		// A measurement, not a bound: tests never assert timings.
		assert.ok(Number.isFinite(stall.maxMs) && stall.maxMs >= 0);
		assert.ok(Number.isFinite(stall.p99Ms) && stall.p99Ms >= 0);
		assert.equal(api.workerRunning(), true, 'analysis ran in the worker thread');
		console.log(`STALL_MS=${stall.maxMs.toFixed(1)}`);
		console.log(`    p99 ${stall.p99Ms.toFixed(1)} ms · CostLens activate() ${stall.activateMs.toFixed(1)} ms · first analysis after ${stall.firstAnalysisMs?.toFixed(0) ?? '?'} ms`);
		const out = process.env['COSTLENS_BENCH_OUT'];
		if (out) {
			const naiveLoadMs = api.measureNaiveLoadStallMs();
			assert.ok(Number.isFinite(naiveLoadMs));
			console.log(`NAIVE_LOAD_MS=${naiveLoadMs.toFixed(1)}`);
			fs.writeFileSync(out, JSON.stringify({ stallMaxMs: stall.maxMs, stallP99Ms: stall.p99Ms, naiveLoadMs }) + '\n');
		}
	});
});
