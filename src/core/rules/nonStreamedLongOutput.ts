import type { Rule } from './types';

/** `non-streamed-long-output`: NOT IMPLEMENTED YET (placeholder so the rule list compiles). */
export const nonStreamedLongOutput: Rule = {
	id: 'non-streamed-long-output',
	check: () => [],
};
