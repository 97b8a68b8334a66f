import type { Rule } from './types';

/** `oversized-few-shot`: NOT IMPLEMENTED YET (placeholder so the rule list compiles). */
export const oversizedFewShot: Rule = {
	id: 'oversized-few-shot',
	check: () => [],
};
