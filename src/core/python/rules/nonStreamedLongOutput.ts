import { isLongAndUnstreamed, nonStreamedMessage, outputCapOf } from '../../rules/nonStreamedLongOutput';
import type { Finding, PythonRule } from '../../rules/types';
import { pythonHandlerKind } from './flowHelpers';

/**
 * `non-streamed-long-output` (info), Python: a long generation answered in one piece inside a web
 * request handler (FastAPI/Flask/Starlette routes, Django/DRF views, a function that builds the
 * response). It costs the same streamed; the point is that the client waits for the whole reply. No
 * edit, as in TypeScript: `stream=True` changes the return type (an iterator of events), so the
 * handler's response code has to change with it; the message links the documented change.
 */
export const nonStreamedLongOutput: PythonRule = {
	id: 'non-streamed-long-output',
	check(context) {
		const findings: Finding[] = [];
		context.callSites.forEach((site, index) => {
			if (!isLongAndUnstreamed(site, context.settings.longOutputTokens)) return;
			const call = context.calls[index];
			if (!call) return;
			const handler = pythonHandlerKind(context, call);
			if (!handler) return;
			findings.push({
				ruleId: 'non-streamed-long-output',
				severity: 'info',
				message: nonStreamedMessage(outputCapOf(site), handler),
				span: site.calleeSpan,
				callSiteIndex: index,
				fixes: [],
			});
		});
		return findings;
	},
};
