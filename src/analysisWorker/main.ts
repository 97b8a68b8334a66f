/**
 * The analysis worker: a `worker_threads` Worker started by the extension host on first use.
 * The TypeScript parser, the Python parser (web-tree-sitter, loaded on the first `.py` file) and the
 * BPE tokenizer load here, so the extension host's main thread never pays their load or a long
 * parse. Protocol: src/protocol/analysisWorker.ts.
 */
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { checkFile } from '../core/check';
import { createPriceTable, type PriceOverride } from '../core/pricing/priceTable';
import type { PriceTable } from '../core/pricing/types';
import { createTokenCounter, type TokenCounter } from '../core/tokens/tokenCounter';
import { isPythonFile } from '../core/python/parser';
import { createFsResolver } from '../node/fsResolver';
import { loadPythonSupport, type PythonSupport } from '../node/pythonParser';
import { assertNever, isToWorker, type FileResult, type FromWorker, type ToWorker, type WorkerSettings } from '../protocol/analysisWorker';

/** Same cap as the core's default: bigger files are reported as skipped without being read. */
const MAX_SCAN_BYTES = 2 * 1024 * 1024;

const port = parentPort;
if (!port) throw new Error('analysisWorker must run inside a worker_threads Worker');

let tokens: TokenCounter | undefined;
/** Price tables are rebuilt only when the overrides change (settings rarely do). */
let priceCache: { key: string; table: PriceTable; warnings: readonly string[] } | undefined;
const cancelledScans = new Set<number>();

/**
 * The Python parser (web-tree-sitter + the grammar's wasm) loads on the first `.py` file, once, and
 * never for a TS-only workspace. The editor's parser remembers the last 16 documents' trees for
 * incremental reparsing per keystroke; scans get their own parser that keeps one tree (every scanned
 * file is new), so a workspace scan never evicts the open documents' trees.
 */
let editorPython: Promise<PythonSupport> | undefined;
let scanPython: Promise<PythonSupport> | undefined;

/** The parser `fileName` needs: undefined for TS/JS (nothing is loaded), else the loaded parser or why it failed. */
async function pythonFor(fileName: string, kind: 'editor' | 'scan'): Promise<PythonSupport | undefined> {
	if (!isPythonFile(fileName)) return undefined;
	if (kind === 'scan') return (scanPython ??= loadPythonSupport({ rememberFiles: 1 }));
	return (editorPython ??= loadPythonSupport({ rememberFiles: 16 }));
}

function pythonUnavailable(error: string): FileResult {
	return { analysis: { callSites: [], skipped: { reason: `The Python parser could not be loaded: ${error}` } }, estimates: [], findings: [] };
}

function post(message: FromWorker): void {
	port!.postMessage(message);
}

function errorMessage(e: unknown): string {
	return e instanceof Error ? e.message : String(e);
}

function pricesFor(settings: WorkerSettings): { table: PriceTable; warnings: readonly string[] } {
	const key = JSON.stringify(settings.priceOverrides);
	if (priceCache?.key === key) return priceCache;
	// The core validates the untyped settings JSON itself and reports each ignored entry.
	const table = createPriceTable(settings.priceOverrides as Readonly<Record<string, PriceOverride>>);
	priceCache = { key, table, warnings: table.warnings ?? [] };
	return priceCache;
}

function checkText(text: string, fileName: string, settings: WorkerSettings, prices: PriceTable, python: PythonSupport | undefined): FileResult {
	if (python && 'error' in python) return pythonUnavailable(python.error);
	tokens ??= createTokenCounter();
	const { analysis, estimates, findings } = checkFile(text, fileName, {
		prices,
		tokens,
		assumptions: settings.assumptions,
		rules: settings.rules,
		resolver: createFsResolver(),
		...(python ? { python: python.parser } : {}),
	});
	return { analysis, estimates, findings };
}

function readForScan(fileName: string): { text: string } | { skipped: string } {
	const stat = fs.statSync(fileName);
	if (stat.size > MAX_SCAN_BYTES) return { skipped: `File is ${(stat.size / 1024 / 1024).toFixed(1)} MB, above the 2 MB analysis limit.` };
	return { text: fs.readFileSync(fileName, 'utf8') };
}

/** Lets queued `cancel` messages arrive between files. */
const yieldToEvents = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

async function scan(message: Extract<ToWorker, { type: 'scan' }>): Promise<void> {
	const { requestId, files, settings } = message;
	const prices = pricesFor(settings);
	let done = 0;
	for (const fileName of files) {
		await yieldToEvents();
		if (cancelledScans.has(requestId)) break;
		let result: FileResult | undefined;
		let error: string | undefined;
		try {
			const read = readForScan(fileName);
			result = 'text' in read ? checkText(read.text, fileName, settings, prices.table, await pythonFor(fileName, 'scan')) : { analysis: { callSites: [], skipped: { reason: read.skipped } }, estimates: [], findings: [] };
		} catch (e: unknown) {
			error = errorMessage(e);
		}
		done += 1;
		post({ type: 'scanFile', requestId, fileName, done, total: files.length, result, error });
	}
	const cancelled = cancelledScans.delete(requestId);
	post({ type: 'scanDone', requestId, cancelled, priceWarnings: prices.warnings });
}

async function analyze(message: Extract<ToWorker, { type: 'analyze' }>): Promise<void> {
	// Only the first `.py` analysis waits (for the wasm to load); later ones get the settled promise.
	const python = await pythonFor(message.fileName, 'editor');
	const prices = pricesFor(message.settings);
	const result = checkText(message.text, message.fileName, message.settings, prices.table, python);
	post({ type: 'analyzed', requestId: message.requestId, result, priceWarnings: prices.warnings });
}

port.on('message', (raw: unknown) => {
	if (!isToWorker(raw)) {
		const requestId = typeof raw === 'object' && raw !== null && typeof (raw as { requestId?: unknown }).requestId === 'number' ? (raw as { requestId: number }).requestId : -1;
		if (requestId >= 0) post({ type: 'failed', requestId, message: 'Malformed request to the analysis worker.' });
		return;
	}
	switch (raw.type) {
		case 'analyze':
			analyze(raw).catch((e: unknown) => post({ type: 'failed', requestId: raw.requestId, message: errorMessage(e) }));
			return;
		case 'scan':
			scan(raw).catch((e: unknown) => post({ type: 'failed', requestId: raw.requestId, message: errorMessage(e) }));
			return;
		case 'cancel':
			cancelledScans.add(raw.requestId);
			return;
		default:
			assertNever(raw);
	}
});
