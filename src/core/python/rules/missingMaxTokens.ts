import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/missingMaxTokens.ts (not written yet).
export const missingMaxTokens: PythonRule = {
	id: 'missing-max-tokens',
	check() {
		return [];
	},
};
