/**
 * `costlens scan`: loaded by `main.ts` only for this command (its own bundle, `dist/scanCommand.js`),
 * because it carries the TypeScript compiler that `costlens run` never needs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createPriceTable, type CostReport } from '../core';
import { buildSarif } from '../core/sarif';
import { UsageError, type FailOn, type ScanOptions } from './args';
import { walkSourceFiles } from '../node/walk';
import { fixFiles, loadPriceOverrides, loadScanPython, scan, scanAssumptions } from './scan';
import { ANSI_STYLE, PLAIN_STYLE, renderTable } from './table';

/** Below this many files a scan is quick enough that a progress line would only flicker. */
const PROGRESS_MIN_FILES = 200;
const PROGRESS_INTERVAL_MS = 100;

export async function runScan(options: ScanOptions, version: string): Promise<number> {
	const cwd = process.cwd();
	const missing = options.paths.filter((p) => !fs.existsSync(path.resolve(cwd, p)));
	if (missing.length > 0) throw new UsageError(`no such file or folder: ${missing.join(', ')}`);
	let overrides;
	try {
		overrides = options.pricesFile === undefined ? undefined : loadPriceOverrides(options.pricesFile);
	} catch (error: unknown) {
		throw new UsageError(error instanceof Error ? error.message : String(error));
	}
	const assumptions = scanAssumptions(options.callsPerDay, options.assumedOutputTokens);
	const prices = createPriceTable(overrides);
	// In the editor a bad entry is skipped with a warning; here the user named the file explicitly, and a
	// CI job must not quietly report a model as unpriced because of a typo.
	const problems = prices.warnings ?? [];
	if (problems.length > 0) throw new UsageError(`--prices: ${problems.join('; ')}`);
	// Machine formats keep stdout for the document alone.
	const log = options.format === 'table' ? process.stdout : process.stderr;
	// Walked once: the list decides whether the Python parser (wasm, loaded asynchronously) is needed.
	const walked = walkSourceFiles(options.paths, cwd);
	const python = await loadScanPython(walked.files);
	if (options.fix) {
		const fixed = fixFiles({ paths: options.paths, cwd, assumptions, prices, walked, ...(python ? { python } : {}) });
		for (const f of fixed.applied) log.write(`fixed ${f.file}:${f.line}:${f.column} ${f.ruleId}: ${f.title}\n`);
		for (const f of fixed.failed) process.stderr.write(`costlens: ${f.file}: ${f.reason}\n`);
		const files = new Set(fixed.applied.map((f) => f.file)).size;
		log.write(`--fix: ${fixed.applied.length} fix${fixed.applied.length === 1 ? '' : 'es'} applied in ${files} file${files === 1 ? '' : 's'}\n${options.format === 'table' ? '\n' : ''}`);
	}
	const progress = createProgress();
	let filesScanned = 0;
	const report = scan({
		paths: options.paths,
		cwd,
		assumptions,
		prices,
		walked,
		...(python ? { python } : {}),
		onProgress: (done, total) => {
			filesScanned = total;
			progress.update(done, total);
		},
	});
	progress.clear();
	if (options.format === 'json') {
		process.stdout.write(JSON.stringify(report, null, 2) + '\n');
	} else if (options.format === 'sarif') {
		const readmeUri = pathToFileURL(path.join(__dirname, '..', 'README.md')).href;
		process.stdout.write(JSON.stringify(buildSarif(report.findings, { version, readmeUri }), null, 2) + '\n');
	} else {
		const colour = process.stdout.isTTY === true && !process.env.NO_COLOR;
		process.stdout.write(renderTable(report, filesScanned, assumptions, colour ? ANSI_STYLE : PLAIN_STYLE));
	}
	return options.failOn !== undefined && failsOn(report, options.failOn) ? 1 : 0;
}

const SEVERITY_RANK: Readonly<Record<FailOn, number>> = { hint: 0, info: 1, warning: 2, error: 3 };

/** True when a finding at or above `threshold` is in the report. */
function failsOn(report: CostReport, threshold: FailOn): boolean {
	return report.findings.some((f) => SEVERITY_RANK[f.severity] >= SEVERITY_RANK[threshold]);
}

/** `scanning 1234/5000 files…` on stderr, rewritten in place, only on a terminal and only for large trees. */
function createProgress(): { update(done: number, total: number): void; clear(): void } {
	const enabled = process.stderr.isTTY === true;
	let last = 0;
	let shown = false;
	return {
		update(done, total) {
			if (!enabled || total < PROGRESS_MIN_FILES) return;
			const now = Date.now();
			if (now - last < PROGRESS_INTERVAL_MS && done < total) return;
			last = now;
			shown = true;
			process.stderr.write(`\r\u001b[Kscanning ${done}/${total} files…`);
		},
		clear() {
			if (shown) process.stderr.write('\r\u001b[K');
		},
	};
}

