import type { Rule } from './types';

/** `parse-retry-instead-of-structured-output`: NOT IMPLEMENTED YET (placeholder so the rule list compiles). */
export const parseRetryInsteadOfStructuredOutput: Rule = {
	id: 'parse-retry-instead-of-structured-output',
	check: () => [],
};
