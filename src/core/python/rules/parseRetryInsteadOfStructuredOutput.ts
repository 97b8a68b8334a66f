import type { PythonRule } from '../../rules/types';

// SCAFFOLD: the Python twin of src/core/rules/parseRetryInsteadOfStructuredOutput.ts (not written yet).
export const parseRetryInsteadOfStructuredOutput: PythonRule = {
	id: 'parse-retry-instead-of-structured-output',
	check() {
		return [];
	},
};
