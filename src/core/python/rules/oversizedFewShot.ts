import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/oversizedFewShot.ts (not written yet).
export const oversizedFewShot: PythonRule = {
	id: 'oversized-few-shot',
	check() {
		return [];
	},
};
