/** The request pipeline's pure parts: contracts, keys, guard, gates, embedder, usage, summary. */
export * from './types';
export * from './ports';
export * from './requestKey';
export * from './semanticGuard';
export * from './gates';
export * from './offlineEmbedder';
export * from './usage';
export * from './summary';
// Owned by the pipeline-orchestration work; re-exported here because the sidecar imports them from the barrel.
export * from './retry';
export * from './spendGuard';
export * from './usageGroups';
export * from './runPipeline';
