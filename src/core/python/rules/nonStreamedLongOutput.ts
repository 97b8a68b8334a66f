import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/nonStreamedLongOutput.ts (not written yet).
export const nonStreamedLongOutput: PythonRule = {
	id: 'non-streamed-long-output',
	check() {
		return [];
	},
};
