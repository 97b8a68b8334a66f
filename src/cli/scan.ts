import * as fs from 'node:fs';
import * as path from 'node:path';
import {
	analyzeFile,
	buildReport,
	createTokenCounter,
	DEFAULT_ASSUMPTIONS,
	estimateCallSite,
	type Assumptions,
	type CostEstimate,
	type CostReport,
	type FileAnalysis,
	type PriceOverride,
	type PriceTable,
	type ReportFileInput,
	type ReportSkip,
} from '../core';
import { createFsResolver } from '../node/fsResolver';
import { walkSourceFiles } from '../node/walk';

export interface ScanRequest {
	readonly paths: readonly string[];
	readonly cwd: string;
	readonly assumptions: Assumptions;
	readonly prices: PriceTable;
	/** Called after each file with (done, total); the CLI draws its progress line from it. */
	readonly onProgress?: (done: number, total: number) => void;
}

/** Walks, analyses and prices every file in-process, and builds the report. Per-file failures become skipped entries. */
export function scan(request: ScanRequest): CostReport {
	const walked = walkSourceFiles(request.paths, request.cwd);
	const skipped: ReportSkip[] = walked.issues.map((issue) => ({ file: issue.path, reason: issue.message }));
	const resolver = createFsResolver();
	const tokens = createTokenCounter();
	const context = { prices: request.prices, tokens, assumptions: request.assumptions };
	const inputs: ReportFileInput[] = [];
	walked.files.forEach((fileName, index) => {
		const file = relativeForReport(request.cwd, fileName);
		let text: string;
		try {
			text = fs.readFileSync(fileName, 'utf8');
		} catch (error: unknown) {
			skipped.push({ file, reason: `could not read: ${error instanceof Error ? error.message : String(error)}` });
			request.onProgress?.(index + 1, walked.files.length);
			return;
		}
		try {
			const analysis: FileAnalysis = analyzeFile(text, fileName, resolver);
			const estimates: CostEstimate[] = analysis.callSites.map((site) => estimateCallSite(site, context));
			inputs.push({ file, text, analysis, estimates });
		} catch (error: unknown) {
			// The core promises not to throw; if it does, one file must not sink the whole scan.
			skipped.push({ file, reason: `analysis failed: ${error instanceof Error ? error.message : String(error)}` });
		}
		request.onProgress?.(index + 1, walked.files.length);
	});
	return buildReport(inputs, skipped);
}

/** Relative to cwd with forward slashes; files outside cwd keep their absolute path. */
export function relativeForReport(cwd: string, fileName: string): string {
	const relative = path.relative(cwd, fileName);
	const shown = relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? fileName : relative;
	return shown.split(path.sep).join('/');
}

/** Reads a `--prices` file. Throws an Error with a user-facing message when it is unusable. */
export function loadPriceOverrides(file: string): Record<string, PriceOverride> {
	let raw: string;
	try {
		raw = fs.readFileSync(file, 'utf8');
	} catch (error: unknown) {
		throw new Error(`cannot read --prices file ${file}: ${error instanceof Error ? error.message : String(error)}`);
	}
	let data: unknown;
	try {
		data = JSON.parse(raw);
	} catch (error: unknown) {
		throw new Error(`--prices file ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
	}
	if (typeof data !== 'object' || data === null || Array.isArray(data)) {
		throw new Error(`--prices file ${file} must be an object mapping model ids to { "input": n, "output": n }`);
	}
	const overrides: Record<string, PriceOverride> = {};
	for (const [model, row] of Object.entries(data as Record<string, unknown>)) {
		if (typeof row !== 'object' || row === null) throw new Error(`--prices: entry for '${model}' must be an object`);
		const { input, output } = row as { input?: unknown; output?: unknown };
		if (!isPrice(input) || !isPrice(output)) {
			throw new Error(`--prices: '${model}' needs numeric "input" and "output" (USD per million tokens)`);
		}
		overrides[model] = row as PriceOverride;
	}
	return overrides;
}

function isPrice(value: unknown): value is number {
	return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

export function scanAssumptions(callsPerDay: number | undefined, assumedOutputTokens: number | undefined): Assumptions {
	return {
		...DEFAULT_ASSUMPTIONS,
		...(callsPerDay !== undefined ? { callsPerDay } : {}),
		...(assumedOutputTokens !== undefined ? { assumedOutputTokens } : {}),
	};
}
