import type { Rule } from './types';

/** `cache-control-below-minimum`: NOT IMPLEMENTED YET (placeholder so the rule list compiles). */
export const cacheControlBelowMinimum: Rule = {
	id: 'cache-control-below-minimum',
	check: () => [],
};
