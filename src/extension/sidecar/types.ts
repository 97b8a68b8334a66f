/**
 * What the rest of the extension sees of the sidecar: a supervised JSON-RPC client that starts
 * `dist/sidecar.js` on first use, restarts it with backoff, and gives up after repeated crashes.
 * Implemented by `sidecarClient.ts`; used by the playground and the status bar.
 */
import type * as vscode from 'vscode';
import type { PipelineEvent, PipelineResult } from '../../core/pipeline/types';
import type { InitializeResult, RunParams, SidecarMethod, SidecarRequests, SidecarState } from '../../protocol/sidecar';

export type { SidecarState };

export interface SidecarService extends vscode.Disposable {
	readonly state: SidecarState;
	readonly onDidChangeState: vscode.Event<SidecarState>;
	/** Starts (or waits for) the sidecar and returns its `initialize` answer; rejects with a user-facing message. */
	ensureStarted(): Promise<InitializeResult>;
	/** One pipeline run; `onEvent` gets stage and delta events as they arrive; cancelling the token cancels the run. */
	run(params: RunParams, onEvent: (event: PipelineEvent) => void, token?: vscode.CancellationToken): Promise<PipelineResult>;
	/** Any other method of the protocol (usage/query, cache/stats, cache/clear). */
	request<M extends Exclude<SidecarMethod, 'initialize' | 'pipeline/run' | 'shutdown'>>(method: M, params: SidecarRequests[M]['params']): Promise<SidecarRequests[M]['result']>;
	/** Stops and starts again with current settings and keys (after "Set API Key" or a settings change). */
	restart(): Promise<void>;
}
