import type { Rule } from './types';

/** `missing-max-tokens`: NOT IMPLEMENTED YET (placeholder so the rule list compiles). */
export const missingMaxTokens: Rule = {
	id: 'missing-max-tokens',
	check: () => [],
};
