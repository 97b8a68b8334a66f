import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/unknownModel.ts (not written yet).
export const unknownModel: PythonRule = {
	id: 'unknown-model',
	check() {
		return [];
	},
};
