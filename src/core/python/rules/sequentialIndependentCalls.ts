import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/sequentialIndependentCalls.ts (not written yet).
export const sequentialIndependentCalls: PythonRule = {
	id: 'sequential-independent-calls',
	check() {
		return [];
	},
};
