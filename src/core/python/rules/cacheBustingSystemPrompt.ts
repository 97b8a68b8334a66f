import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/cacheBustingSystemPrompt.ts (not written yet).
export const cacheBustingSystemPrompt: PythonRule = {
	id: 'cache-busting-system-prompt',
	check() {
		return [];
	},
};
