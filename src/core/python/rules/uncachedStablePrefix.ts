import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/uncachedStablePrefix.ts (not written yet).
export const uncachedStablePrefix: PythonRule = {
	id: 'uncached-stable-prefix',
	check() {
		return [];
	},
};
