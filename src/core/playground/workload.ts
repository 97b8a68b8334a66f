/**
 * A JSONL replay workload, parsed and checked before anything runs, so a typo on line 900 costs
 * nothing. Same line format as `costlens replay` (src/cli/pipelineCommands.ts): one object per
 * line, `{ "tenant"?, "provider", "wire"?, "request": <provider body>, "semantic"?: true,
 * "personalized"?, "cascade"? }`. PURE: the caller reads the file.
 */
import { checkPipelineRequest } from '../../protocol/sidecar';
import type { CascadeSpec, PipelineRequest } from '../pipeline/types';

export interface WorkloadLine {
	/** 1-based line number in the file. */
	readonly line: number;
	readonly request: PipelineRequest;
}

export interface WorkloadOptions {
	/** Turn the semantic cache on for every line (a line can also ask with `"semantic": true`). */
	readonly semantic?: boolean;
	readonly threshold?: number;
	/** Run every line through this cascade (a line's own `cascade` wins). */
	readonly cascade?: CascadeSpec;
}

export interface ParsedWorkload {
	readonly lines: readonly WorkloadLine[];
	/** `line N: what is wrong`, in file order; empty when every line is good. */
	readonly problems: readonly string[];
}

export function parseWorkload(text: string, options: WorkloadOptions = {}): ParsedWorkload {
	const lines: WorkloadLine[] = [];
	const problems: string[] = [];
	text.replace(/^\uFEFF/, '').split(/\r?\n/).forEach((raw, index) => {
		if (raw.trim() === '') return;
		const line = index + 1;
		let parsed: unknown;
		try {
			parsed = JSON.parse(raw);
		} catch (error) {
			problems.push(`line ${line}: not JSON (${error instanceof Error ? error.message : String(error)})`);
			return;
		}
		if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
			problems.push(`line ${line}: expected a JSON object`);
			return;
		}
		const entry = parsed as { tenant?: unknown; provider?: unknown; request?: unknown; semantic?: unknown; personalized?: unknown; wire?: unknown; cascade?: unknown };
		const cascade = entry.cascade ?? options.cascade;
		const request = {
			tenant: entry.tenant ?? 'default',
			provider: entry.provider,
			...(entry.wire !== undefined ? { wire: entry.wire } : {}),
			body: entry.request,
			...(entry.semantic === true || options.semantic ? { semantic: options.threshold === undefined ? {} : { threshold: options.threshold } } : {}),
			...(entry.personalized !== undefined ? { personalized: entry.personalized } : {}),
			...(cascade !== undefined ? { cascade } : {}),
		};
		const problem = checkPipelineRequest(request);
		if (problem) problems.push(`line ${line}: ${problem.replace(/^body /, 'request ')}`);
		else lines.push({ line, request: request as PipelineRequest });
	});
	return { lines, problems };
}

/** One message for a workload that must not run: how many lines are bad, the first ten of them. */
export function describeWorkloadProblems(file: string, parsed: ParsedWorkload): string | undefined {
	const { problems } = parsed;
	if (problems.length > 0) {
		const shown = problems.slice(0, 10).join('\n  ');
		const more = problems.length > 10 ? `\n  … and ${problems.length - 10} more` : '';
		return `${file} has ${problems.length} bad line${problems.length === 1 ? '' : 's'}:\n  ${shown}${more}`;
	}
	if (parsed.lines.length === 0) return `${file} has no requests`;
	return undefined;
}
