import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { CallSite } from '../../../src/core/analysis/types';
import { DEFAULT_ASSUMPTIONS } from '../../../src/core/pricing/estimateTypes';
import { DEFAULT_RULE_SETTINGS } from '../../../src/core/rules/types';
import { isFromWorker, type FromWorker, type ToWorker, type WorkerSettings } from '../../../src/protocol/analysisWorker';
import { repoRoot } from '../helpers';

// The analysis worker bundle (dist/analysisWorker.js) with Python files: the parser loads from the
// wasm beside the bundle on the first `.py` file, and a missing wasm is a skipped reason, not a crash.

const workerJs = path.join(repoRoot, 'dist', 'analysisWorker.js');
const settings: WorkerSettings = { assumptions: DEFAULT_ASSUMPTIONS, priceOverrides: {}, rules: DEFAULT_RULE_SETTINGS };

const PY = `from openai import OpenAI
import anthropic

client = OpenAI()
claude = anthropic.Anthropic()


def classify(ticket):
    return client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": ticket}],
    )


def reply(question):
    return claude.messages.create(model="claude-haiku-4-5", max_tokens=300, messages=[{"role": "user", "content": question}])
`;

/** A worker on `file`, with a request/answer helper that collects every message of one request. */
function startWorker(file: string): { request(message: ToWorker, done: (m: FromWorker) => boolean): Promise<FromWorker[]>; stop(): Promise<number> } {
	const worker = new Worker(file);
	const waiting = new Map<number, { messages: FromWorker[]; done: (m: FromWorker) => boolean; resolve: (m: FromWorker[]) => void }>();
	worker.on('message', (raw: unknown) => {
		assert.ok(isFromWorker(raw), `malformed message from the worker: ${JSON.stringify(raw)}`);
		const entry = waiting.get(raw.requestId);
		if (!entry) return;
		entry.messages.push(raw);
		if (entry.done(raw)) {
			waiting.delete(raw.requestId);
			entry.resolve(entry.messages);
		}
	});
	return {
		request: (message, done) =>
			new Promise((resolve) => {
				waiting.set(message.requestId, { messages: [], done, resolve });
				worker.postMessage(message);
			}),
		stop: () => worker.terminate(),
	};
}

const modelOf = (site: CallSite): string => (site.model?.kind === 'literal' ? site.model.value : `<${site.model?.kind ?? 'none'}>`);
const analyze = (requestId: number, fileName: string, text: string): ToWorker => ({ type: 'analyze', requestId, fileName, text, settings });
const final = (m: FromWorker): boolean => m.type !== 'scanFile';

void describe('analysis worker: Python files', () => {
	let worker: ReturnType<typeof startWorker>;
	let tempDir: string;
	before(() => {
		if (!fs.existsSync(workerJs) || !fs.existsSync(path.join(repoRoot, 'dist', 'tree-sitter-python.wasm'))) {
			const build = spawnSync(process.execPath, ['esbuild.mjs', 'analysisWorker'], { cwd: repoRoot, encoding: 'utf8' });
			assert.equal(build.status, 0, build.stderr);
		}
		worker = startWorker(workerJs);
		tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-worker-py-'));
	});
	after(async () => {
		await worker.stop();
		fs.rmSync(tempDir, { recursive: true, force: true });
	});

	void it('analyses a .py buffer with the parser loaded on demand, TS files alongside', async () => {
		// Sent together: the first .py request waits for the wasm while the TS one is answered.
		const [py, ts] = await Promise.all([
			worker.request(analyze(1, '/ws/app.py', PY), final),
			worker.request(analyze(2, '/ws/app.ts', `import OpenAI from 'openai';\nconst c = new OpenAI();\nc.embeddings.create({ model: 'text-embedding-3-small', input: 'x' });\n`), final),
		]);
		const answer = py.at(-1);
		assert.equal(answer?.type, 'analyzed', JSON.stringify(answer));
		if (answer?.type !== 'analyzed') return;
		assert.equal(answer.result.analysis.skipped, undefined);
		assert.deepEqual(answer.result.analysis.callSites.map((s) => `${s.provider} ${s.api} ${modelOf(s)}`), ['openai chat.completions.create gpt-4o-mini', 'anthropic messages.create claude-haiku-4-5']);
		assert.equal(answer.result.estimates.length, 2);
		assert.ok(answer.result.findings.some((f) => f.ruleId === 'missing-max-tokens'), JSON.stringify(answer.result.findings.map((f) => f.ruleId)));
		assert.equal(ts.at(-1)?.type, 'analyzed');
	});

	void it('re-analyses an edited buffer of the same file (the incremental path) with offsets of the new text', async () => {
		const edited = `# a comment line added at the top\n${PY.replace('gpt-4o-mini', 'gpt-4o')}`;
		const [answer] = await worker.request(analyze(3, '/ws/app.py', edited), final);
		assert.equal(answer?.type, 'analyzed');
		if (answer?.type !== 'analyzed') return;
		const sites = answer.result.analysis.callSites;
		assert.deepEqual(sites.map(modelOf), ['gpt-4o', 'claude-haiku-4-5']);
		assert.equal(edited.slice(sites[0]!.span.start, sites[0]!.span.start + 'client.chat'.length), 'client.chat');
	});

	void it('scans .py files from disk with its own parser', async () => {
		const file = path.join(tempDir, 'job.py');
		fs.writeFileSync(file, PY);
		const messages = await worker.request({ type: 'scan', requestId: 4, files: [file, path.join(tempDir, 'missing.py')], settings }, final);
		const files = messages.filter((m) => m.type === 'scanFile');
		assert.equal(files.length, 2);
		const first = files[0];
		assert.equal(first?.type === 'scanFile' ? first.result?.analysis.callSites.length : -1, 2);
		const second = files[1];
		assert.ok(second?.type === 'scanFile' && second.error !== undefined, 'a missing file is an error entry, not a crash');
		assert.equal(messages.at(-1)?.type, 'scanDone');
	});

	void it('without the wasm files, a .py file is skipped with the reason and the worker keeps answering', async () => {
		// The bundle alone, away from dist/ and node_modules: neither place holds the Python wasm.
		const lonely = path.join(tempDir, 'analysisWorker.js');
		fs.copyFileSync(workerJs, lonely);
		const bare = startWorker(lonely);
		try {
			const [answer] = await bare.request(analyze(1, '/ws/app.py', PY), final);
			assert.equal(answer?.type, 'analyzed', JSON.stringify(answer));
			if (answer?.type !== 'analyzed') return;
			assert.deepEqual(answer.result.analysis.callSites, []);
			assert.match(answer.result.analysis.skipped?.reason ?? '', /^The Python parser could not be loaded: .*web-tree-sitter\.wasm/);
			const [ts] = await bare.request(analyze(2, '/ws/app.ts', `import Anthropic from '@anthropic-ai/sdk';\nnew Anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [] });\n`), final);
			assert.equal(ts?.type === 'analyzed' ? ts.result.analysis.callSites.length : -1, 1, 'TS analysis is unaffected');
			const [again] = await bare.request(analyze(3, '/ws/app.py', PY), final);
			assert.equal(again?.type === 'analyzed' ? again.result.analysis.skipped?.reason : undefined, answer.result.analysis.skipped?.reason);
		} finally {
			await bare.stop();
		}
	});
});
