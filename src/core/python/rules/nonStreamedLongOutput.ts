import { nonStreamedLongOutputRule } from '../../rules/nonStreamedLongOutput';
import type { PythonRule, PythonRuleContext } from '../../rules/types';
import { pythonHandlerKind } from './flowHelpers';

/**
 * `non-streamed-long-output` (info), Python: a long generation answered in one piece inside a web
 * request handler (FastAPI/Flask/Starlette routes, Django/DRF views, a function that builds the
 * response). It costs the same streamed; the point is that the client waits for the whole reply. No
 * edit, as in TypeScript: `stream=True` changes the return type (an iterator of events), so the
 * handler's response code has to change with it; the message links the documented change.
 */
export const nonStreamedLongOutput: PythonRule = nonStreamedLongOutputRule<PythonRuleContext>(pythonHandlerKind);
