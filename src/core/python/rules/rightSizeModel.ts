import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/rightSizeModel.ts (not written yet).
export const rightSizeModel: PythonRule = {
	id: 'right-size-model',
	check() {
		return [];
	},
};
