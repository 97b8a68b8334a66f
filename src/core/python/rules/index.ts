import type { PythonRule } from '../../rules/types';
import { cacheBustingSystemPrompt } from './cacheBustingSystemPrompt';
import { missingMaxTokens } from './missingMaxTokens';
import { oversizedFewShot } from './oversizedFewShot';
import { uncachedStablePrefix } from './uncachedStablePrefix';
import { cacheControlBelowMinimum } from './cacheControlBelowMinimum';
import { nonStreamedLongOutput } from './nonStreamedLongOutput';
import { sequentialIndependentCalls } from './sequentialIndependentCalls';
import { unknownModel } from './unknownModel';
import { rightSizeModel } from './rightSizeModel';
import { parseRetryInsteadOfStructuredOutput } from './parseRetryInsteadOfStructuredOutput';
import { batchCandidate } from './batchCandidate';

/** The Python twins of `ALL_RULES`, same ids and order (findings on one span are reported in this order). */
export const PYTHON_RULES: readonly PythonRule[] = [
	cacheBustingSystemPrompt,
	missingMaxTokens,
	oversizedFewShot,
	uncachedStablePrefix,
	cacheControlBelowMinimum,
	nonStreamedLongOutput,
	sequentialIndependentCalls,
	unknownModel,
	rightSizeModel,
	parseRetryInsteadOfStructuredOutput,
	batchCandidate,
];
