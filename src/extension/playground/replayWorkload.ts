/**
 * "Replay a workload…" from the playground: a JSONL file run through the sidecar's pipeline, the
 * same way `costlens replay` runs it from a terminal, summarized with the same table.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { summarizeReplay, type ReplayResult, type ReplaySummary } from '../../core/pipeline/summary';
import { describeWorkloadProblems, parseWorkload, type WorkloadOptions } from '../../core/playground/workload';
import { createPriceTable } from '../../core/pricing/priceTable';
import type { PriceTable } from '../../core/pricing/types';
import type { SidecarService } from '../sidecar/types';

export interface ReplayOptions extends WorkloadOptions {
	/** Requests in flight at once (default 4, at most 64). */
	readonly concurrency?: number;
	/** Prices for the summary (the user's overrides included); the built-in table when absent. */
	readonly prices: PriceTable;
	/** The cascade's strong model for the summary's cascade savings. */
	readonly strongModel?: string;
}

export interface ReplayOutcome {
	readonly summary: ReplaySummary;
	/** `line N: message` for each request that failed, in file order. */
	readonly errors: string[];
	readonly cancelled: boolean;
}

/**
 * Reads and validates the whole file first (throws, naming the bad lines, and runs nothing when
 * any line is bad), then runs the requests `concurrency` at a time. Cancelling the token stops
 * new requests and cancels the ones in flight; the summary covers what finished.
 */
export async function replayWorkload(
	uri: vscode.Uri,
	sidecar: SidecarService,
	onProgress: (done: number, total: number) => void,
	token: vscode.CancellationToken,
	options?: ReplayOptions,
): Promise<ReplayOutcome> {
	const name = vscode.workspace.asRelativePath(uri, false);
	let text: string;
	try {
		text = new TextDecoder('utf-8').decode(await vscode.workspace.fs.readFile(uri));
	} catch (error) {
		throw new Error(`Cannot read ${name}: ${error instanceof Error ? error.message : String(error)}`);
	}
	const parsed = parseWorkload(text, options ?? {});
	const problem = describeWorkloadProblems(name, parsed);
	if (problem) throw new Error(problem);

	const workload = parsed.lines;
	const concurrency = Math.max(1, Math.min(64, Math.floor(options?.concurrency ?? 4)));
	const replayId = randomUUID();
	const results: (ReplayResult | undefined)[] = new Array(workload.length);
	const failures: { line: number; message: string }[] = [];
	let next = 0;
	let done = 0;
	onProgress(0, workload.length);
	const worker = async (): Promise<void> => {
		for (;;) {
			if (token.isCancellationRequested) return;
			const index = next++;
			const item = workload[index];
			if (!item) return;
			try {
				results[index] = await sidecar.run({ runId: `${replayId}-${index}`, request: item.request }, () => {}, token);
			} catch (error) {
				// A request cancelled with the replay is not an error of the workload.
				if (token.isCancellationRequested) return;
				failures.push({ line: item.line, message: error instanceof Error ? error.message : String(error) });
			}
			onProgress(++done, workload.length);
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, workload.length) }, worker));

	const completed = results.filter((r): r is ReplayResult => r !== undefined);
	const prices = options?.prices ?? createPriceTable();
	const summary = summarizeReplay(completed, { prices, errors: failures.length, ...(options?.strongModel !== undefined ? { strongModel: options.strongModel } : {}) });
	return {
		summary,
		errors: failures.sort((a, b) => a.line - b.line).map((f) => `line ${f.line}: ${f.message}`),
		cancelled: token.isCancellationRequested,
	};
}
