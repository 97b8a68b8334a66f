import type { Rule } from './types';

/** `unknown-model`: NOT IMPLEMENTED YET (placeholder so the rule list compiles). */
export const unknownModel: Rule = {
	id: 'unknown-model',
	check: () => [],
};
