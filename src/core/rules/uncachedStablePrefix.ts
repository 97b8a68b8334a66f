import type { Rule } from './types';

/** `uncached-stable-prefix`: NOT IMPLEMENTED YET (placeholder so the rule list compiles). */
export const uncachedStablePrefix: Rule = {
	id: 'uncached-stable-prefix',
	check: () => [],
};
