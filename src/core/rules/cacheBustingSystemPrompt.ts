import type { Rule } from './types';

/** `cache-busting-system-prompt`: NOT IMPLEMENTED YET (placeholder so the rule list compiles). */
export const cacheBustingSystemPrompt: Rule = {
	id: 'cache-busting-system-prompt',
	check: () => [],
};
