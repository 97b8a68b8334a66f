import type { Rule } from './types';

/** `right-size-model`: NOT IMPLEMENTED YET (placeholder so the rule list compiles). */
export const rightSizeModel: Rule = {
	id: 'right-size-model',
	check: () => [],
};
