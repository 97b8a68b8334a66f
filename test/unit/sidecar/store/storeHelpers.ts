import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CachedAnswer } from '../../../../src/core/pipeline/ports';
import type { UsageRecord } from '../../../../src/core/pipeline/types';
import type { CandidateIndex } from '../../../../src/sidecar/store/candidateIndex';

/** A fresh temp directory per call; tests remove it themselves. */
export function tempDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'costlens-store-'));
}

export function answer(text: string, createdAt = 1_000, originalCostUsd: number | null = 0.002): CachedAnswer {
	return {
		completion: {
			provider: 'anthropic',
			wire: 'anthropic-messages',
			model: 'claude-test',
			text,
			stop: 'end',
			rawStop: 'end_turn',
			usage: { inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 5 },
			raw: { id: 'msg_1', content: [{ type: 'text', text }] },
		},
		originalCostUsd,
		createdAt,
	};
}

export function usage(overrides: Partial<UsageRecord> = {}): UsageRecord {
	return {
		requestId: 'req-1',
		attempt: 1,
		ts: 1_000,
		tenant: 'acme',
		provider: 'openai',
		model: 'gpt-test',
		stage: 'direct',
		inputTokens: 100,
		cachedInputTokens: 20,
		cacheWriteTokens: 0,
		outputTokens: 50,
		costUsd: 0.0015,
		latencyMs: 120,
		ttftMs: 40,
		cacheHit: 'miss',
		escalated: false,
		gateVerdict: null,
		error: null,
		...overrides,
	};
}

export function vec(...xs: number[]): Float32Array {
	return new Float32Array(xs);
}

/** Exact cosine over everything it holds: the simplest correct CandidateIndex, with a call log. */
export class BruteForceIndex implements CandidateIndex {
	readonly vectors = new Map<number, Float32Array>();
	calls = 0;
	add(id: number, vector: Float32Array): void {
		this.vectors.set(id, vector);
	}
	remove(id: number): void {
		this.vectors.delete(id);
	}
	get size(): number {
		return this.vectors.size;
	}
	candidates(query: Float32Array, k: number): number[] {
		this.calls++;
		const cos = (a: Float32Array, b: Float32Array): number => {
			let dot = 0;
			let na = 0;
			let nb = 0;
			for (let i = 0; i < a.length; i++) {
				dot += (a[i] ?? 0) * (b[i] ?? 0);
				na += (a[i] ?? 0) ** 2;
				nb += (b[i] ?? 0) ** 2;
			}
			return dot / Math.sqrt(na * nb);
		};
		return [...this.vectors].map(([id, v]) => ({ id, s: cos(query, v) })).sort((a, b) => b.s - a.s).slice(0, k).map((c) => c.id);
	}
}
