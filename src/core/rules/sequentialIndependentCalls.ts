import type { Rule } from './types';

/** `sequential-independent-calls`: NOT IMPLEMENTED YET (placeholder so the rule list compiles). */
export const sequentialIndependentCalls: Rule = {
	id: 'sequential-independent-calls',
	check: () => [],
};
