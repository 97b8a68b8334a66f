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
