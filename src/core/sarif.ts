import type { ReportFileFinding } from './report';
import { RULE_IDS, type RuleId, type Severity } from './rules/types';

/** One line per rule: SARIF `shortDescription` and the first sentence of the README section. */
export const RULE_SUMMARIES: Readonly<Record<RuleId, string>> = {
	'cache-busting-system-prompt': 'A per-call value (time, random id, request data) in the cacheable prompt prefix defeats prompt caching.',
	'missing-max-tokens': 'A generation call has no output cap, or one far above what its shape needs.',
	'oversized-few-shot': 'More few-shot examples (turns or tokens) than the task needs are sent on every call.',
	'uncached-stable-prefix': 'A static Anthropic prefix long enough to cache has no cache_control breakpoint.',
	'cache-control-below-minimum': 'A cache_control breakpoint sits on a prefix below the model minimum (or there are more than 4), so nothing is cached.',
	'non-streamed-long-output': 'A long generation in a request handler is not streamed: the user waits for the whole answer.',
	'sequential-independent-calls': 'Independent model calls are awaited one after another instead of concurrently.',
	'unknown-model': 'The model id has no known price (a typo, or a model the price table does not list).',
	'right-size-model': 'A classification/extraction-shaped call runs on a top-tier model; a small model may do.',
	'parse-retry-instead-of-structured-output': 'The response is JSON.parse-d inside a retry loop: structured outputs avoid paying for retries.',
	'batch-candidate': 'A model call awaited once per item of a loop in a script or job: the provider batch API bills about half.',
};

/** SARIF's levels: `note` covers both info and hint. */
export function sarifLevel(severity: Severity): 'error' | 'warning' | 'note' {
	return severity === 'error' ? 'error' : severity === 'warning' ? 'warning' : 'note';
}

export interface SarifOptions {
	/** Tool version (package.json). */
	readonly version: string;
	/** Absolute URI of the README the help anchors (`#rule-<id>`) point into. */
	readonly readmeUri: string;
}

/** The subset of SARIF 2.1.0 CostLens writes (enough for GitHub code scanning and other SARIF viewers). */
export interface SarifLog {
	readonly $schema: string;
	readonly version: '2.1.0';
	readonly runs: readonly [
		{
			readonly tool: {
				readonly driver: {
					readonly name: 'CostLens';
					readonly version: string;
					readonly informationUri: string;
					readonly rules: readonly { readonly id: RuleId; readonly name: string; readonly shortDescription: { readonly text: string }; readonly helpUri: string }[];
				};
			};
			readonly results: readonly SarifResult[];
		},
	];
}

export interface SarifResult {
	readonly ruleId: RuleId;
	readonly ruleIndex: number;
	readonly level: 'error' | 'warning' | 'note';
	readonly message: { readonly text: string };
	readonly locations: readonly [
		{
			readonly physicalLocation: {
				/** Relative to the scan's working directory (the repository root in CI), forward slashes. */
				readonly artifactLocation: { readonly uri: string };
				readonly region: { readonly startLine: number; readonly startColumn: number; readonly endLine: number; readonly endColumn: number };
			};
		},
	];
}

/** Builds a SARIF 2.1.0 log from report findings. Pure: the same findings give byte-identical JSON. */
export function buildSarif(findings: readonly ReportFileFinding[], options: SarifOptions): SarifLog {
	const ruleIndex = new Map<RuleId, number>(RULE_IDS.map((id, i) => [id, i]));
	return {
		$schema: 'https://json.schemastore.org/sarif-2.1.0.json',
		version: '2.1.0',
		runs: [
			{
				tool: {
					driver: {
						name: 'CostLens',
						version: options.version,
						informationUri: options.readmeUri,
						rules: RULE_IDS.map((id) => ({
							id,
							name: id,
							shortDescription: { text: RULE_SUMMARIES[id] },
							helpUri: `${options.readmeUri}#rule-${id}`,
						})),
					},
				},
				results: findings.map((f) => ({
					ruleId: f.ruleId,
					ruleIndex: ruleIndex.get(f.ruleId) ?? -1,
					level: sarifLevel(f.severity),
					message: { text: f.message },
					locations: [
						{
							physicalLocation: {
								artifactLocation: { uri: encodeRelativeUri(f.file) },
								region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
							},
						},
					],
				})),
			},
		],
	};
}

/** A relative path as a URI reference: each segment percent-encoded, slashes kept. */
function encodeRelativeUri(file: string): string {
	return file.split('/').map((segment) => encodeURIComponent(segment)).join('/');
}
