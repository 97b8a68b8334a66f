import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/batchCandidate.ts (not written yet).
export const batchCandidate: PythonRule = {
	id: 'batch-candidate',
	check() {
		return [];
	},
};
