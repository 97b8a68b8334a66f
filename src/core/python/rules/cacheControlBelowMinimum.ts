import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/cacheControlBelowMinimum.ts (not written yet).
export const cacheControlBelowMinimum: PythonRule = {
	id: 'cache-control-below-minimum',
	check() {
		return [];
	},
};
