// The core's public surface. Adapters (extension, worker, CLI) import from here only.
export * from './analysis/types';
export * from './analysis/analyze';
export * from './pricing/types';
export * from './pricing/estimateTypes';
export * from './pricing/priceTable';
export * from './pricing/estimate';
export * from './pricing/format';
export * from './tokens/tokenCounter';
export * from './text';
export * from './report';
export * from './pricing/cost';
export { AS_OF, BUILTIN_PRICES } from './pricing/prices';
export * from './rules/types';
export { ALL_RULES, runRules, createParentLookup } from './rules';
export * from './rules/edits';
export * from './check';
