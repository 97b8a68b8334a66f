/**
 * Coarse pass of the semantic cache's lookup: sign bits of a prefix of each embedding, packed, and
 * scanned by Hamming distance. It only proposes CANDIDATES (entry ids, best first); the store
 * re-ranks them by exact cosine in SQL (sqlite-vec's `vec_distance_cosine`) and applies the
 * tenant/scope predicate there.
 *
 * Why a prefix: text-embedding-3 style (Matryoshka) embeddings front-load information, and for
 * uniform embedders any prefix is as good as any other; measured on 100k × 1536 clustered vectors
 * (bench/semanticLookup.bench.ts), 256 bits + 16 candidates agrees with exact search on every hit
 * decision while the scan stays a fraction of a millisecond.
 *
 * The scan runs in WebAssembly (`hammingScan.wat`, `i64.popcnt`) when `dist/hammingScan.wasm` is
 * found, else in plain JS with identical results (also the reference in tests). A small index stays
 * in a plain ArrayBuffer and moves into a wasm memory only once it grows past `wasmFromEntries`:
 * the store keeps one index per tenant+scope+embedder partition, and most partitions are small,
 * where a 64 KiB wasm page each would cost more than the scan saves.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Minimal typing of the WebAssembly API (the project's `lib` has no DOM types). */
interface WasmMemory {
	readonly buffer: ArrayBuffer;
	grow(pages: number): number;
}
interface WasmExports {
	readonly memory: WasmMemory;
	distances(codes: number, n: number, words: number, query: number, out: number): void;
	topK(codes: number, n: number, words: number, query: number, k: number, out: number): number;
}
interface WasmApi {
	Module: new (bytes: Uint8Array) => object;
	Instance: new (module: object, imports: object) => { readonly exports: unknown };
}
const wasmApi = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Which scan implementation an index uses; `source` says where the wasm came from or why it is absent. */
export interface HammingKernel {
	readonly kind: 'wasm' | 'js';
	readonly source: string;
	/** Compiled module (wasm kind only); each index instantiates it with its own memory. */
	readonly module?: object;
}

export const WASM_FILE = 'hammingScan.wasm';
/** Longest code the wasm layout reserves room for. */
export const MAX_BITS = 4096;
/** Largest candidate count one scan returns. */
export const MAX_K = 1024;

const QUERY_OFFSET = 0;
const OUT_OFFSET = MAX_BITS / 8;
const CODES_OFFSET = 16384;
const PAGE = 65536;

/** The plain-JS scan: no file needed, same results as the wasm one. */
export const jsHammingKernel: HammingKernel = Object.freeze({ kind: 'js', source: 'js' });

/** Compiles the assembled kernel; throws if the bytes are not a valid module. */
export function hammingKernelFromBytes(bytes: Uint8Array, source = 'bytes'): HammingKernel {
	if (!wasmApi) throw new Error('WebAssembly is not available');
	return Object.freeze({ kind: 'wasm' as const, source, module: new wasmApi.Module(bytes) });
}

let cachedKernel: HammingKernel | undefined;

/**
 * Finds and compiles `hammingScan.wasm` (given path, next to this module — the esbuild bundle in
 * dist/ — or `<repo>/dist/` above a tsc-compiled copy in out/), falling back to the JS scan when none
 * is found or it fails to compile. Reads the file on first call, never at import time.
 */
export function loadHammingKernel(wasmPath?: string): HammingKernel {
	if (wasmPath === undefined && cachedKernel) return cachedKernel;
	const tried: string[] = [];
	const candidates = wasmPath !== undefined ? [wasmPath] : wasmSearchPath();
	let kernel: HammingKernel | undefined;
	for (const file of candidates) {
		tried.push(file);
		let bytes: Uint8Array;
		try {
			bytes = fs.readFileSync(file);
		} catch {
			continue;
		}
		try {
			kernel = hammingKernelFromBytes(bytes, file);
		} catch (error) {
			kernel = Object.freeze({ kind: 'js' as const, source: `js (${file} failed to compile: ${(error as Error).message})` });
		}
		break;
	}
	kernel ??= Object.freeze({ kind: 'js' as const, source: `js (no ${WASM_FILE} in ${tried.join(', ')})` });
	if (wasmPath === undefined) cachedKernel = kernel;
	return kernel;
}

function wasmSearchPath(): string[] {
	const files = [path.join(__dirname, WASM_FILE)];
	for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
		if (fs.existsSync(path.join(dir, 'package.json'))) {
			files.push(path.join(dir, 'dist', WASM_FILE));
			break;
		}
	}
	return files;
}

/**
 * Sign bits of the first `bits` dimensions, packed little-endian into u32 words (bit i of the code
 * is `vector[i] > 0`); the word count is rounded up to whole u64s so the wasm scan reads whole
 * words, and the padding bits are zero.
 */
export function signCode(vector: Float32Array, bits: number, out?: Uint32Array): Uint32Array {
	if (!Number.isInteger(bits) || bits <= 0 || bits > MAX_BITS) throw new RangeError(`bits must be an integer in 1..${MAX_BITS}, got ${bits}`);
	if (vector.length < bits) throw new RangeError(`vector has ${vector.length} dimensions, fewer than the ${bits} bits of the code`);
	const code = out ?? new Uint32Array(u32PerCode(bits));
	code.fill(0);
	for (let i = 0; i < bits; i++) if ((vector[i] as number) > 0) code[i >>> 5] = (code[i >>> 5] as number) | (1 << (i & 31));
	return code;
}

/** u32 words per code: whole u64s. */
function u32PerCode(bits: number): number {
	return Math.ceil(bits / 64) * 2;
}

function popcount32(x: number): number {
	x -= (x >>> 1) & 0x55555555;
	x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
	return Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

/** Where the codes live and how they are scanned. */
interface Scanner {
	readonly kind: 'wasm' | 'js';
	/** View of the code region (re-read after `reserve`, which may move it). */
	codes: Uint32Array;
	capacity: number;
	reserve(entries: number): void;
	/** Writes (distance, slot) pairs, best first, into `out`; returns how many. */
	topK(query: Uint32Array, n: number, k: number, out: Int32Array): number;
	distances(query: Uint32Array, n: number): Int32Array;
	readonly bytes: number;
}

class JsScanner implements Scanner {
	readonly kind = 'js' as const;
	codes: Uint32Array;
	capacity: number;

	constructor(private readonly wpc: number, capacity: number) {
		this.capacity = capacity;
		this.codes = new Uint32Array(capacity * wpc);
	}

	get bytes(): number {
		return this.codes.byteLength;
	}

	reserve(entries: number): void {
		if (entries <= this.capacity) return;
		let capacity = Math.max(16, this.capacity);
		while (capacity < entries) capacity *= 2;
		const codes = new Uint32Array(capacity * this.wpc);
		codes.set(this.codes);
		this.codes = codes;
		this.capacity = capacity;
	}

	topK(query: Uint32Array, n: number, k: number, out: Int32Array): number {
		const { codes, wpc } = this;
		let count = 0;
		let bound = 0x7fffffff;
		for (let i = 0, p = 0; i < n; i++) {
			let d = 0;
			for (let w = 0; w < wpc; w++, p++) d += popcount32((codes[p] as number) ^ (query[w] as number));
			if (d >= bound) continue;
			// Same admission and tie rule as the wasm kernel: strictly better than the current worst.
			let j = count < k ? count : k - 1;
			while (j > 0 && (out[2 * (j - 1)] as number) > d) {
				out[2 * j] = out[2 * (j - 1)] as number;
				out[2 * j + 1] = out[2 * (j - 1) + 1] as number;
				j--;
			}
			out[2 * j] = d;
			out[2 * j + 1] = i;
			if (count < k) count++;
			if (count === k) bound = out[2 * (k - 1)] as number;
		}
		return count;
	}

	distances(query: Uint32Array, n: number): Int32Array {
		const { codes, wpc } = this;
		const out = new Int32Array(n);
		for (let i = 0, p = 0; i < n; i++) {
			let d = 0;
			for (let w = 0; w < wpc; w++, p++) d += popcount32((codes[p] as number) ^ (query[w] as number));
			out[i] = d;
		}
		return out;
	}
}

class WasmScanner implements Scanner {
	readonly kind = 'wasm' as const;
	codes: Uint32Array;
	capacity: number;
	private readonly exports: WasmExports;

	constructor(module: object, private readonly wpc: number, capacity: number) {
		if (!wasmApi) throw new Error('WebAssembly is not available');
		this.exports = new wasmApi.Instance(module, {}).exports as WasmExports;
		this.capacity = 0;
		this.codes = new Uint32Array(0);
		this.reserve(Math.max(capacity, 16));
	}

	get bytes(): number {
		return this.exports.memory.buffer.byteLength;
	}

	reserve(entries: number): void {
		if (entries <= this.capacity) return;
		let capacity = Math.max(16, this.capacity);
		while (capacity < entries) capacity *= 2;
		// Room after the codes for a full distances() output, so that call never grows memory.
		const needed = CODES_OFFSET + capacity * this.wpc * 4 + capacity * 4;
		const { memory } = this.exports;
		if (needed > memory.buffer.byteLength) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE));
		this.capacity = capacity;
		this.codes = new Uint32Array(memory.buffer, CODES_OFFSET, capacity * this.wpc);
	}

	private setQuery(query: Uint32Array): void {
		new Uint32Array(this.exports.memory.buffer, QUERY_OFFSET, this.wpc).set(query);
	}

	topK(query: Uint32Array, n: number, k: number, out: Int32Array): number {
		this.setQuery(query);
		const count = this.exports.topK(CODES_OFFSET, n, this.wpc / 2, QUERY_OFFSET, k, OUT_OFFSET);
		out.set(new Int32Array(this.exports.memory.buffer, OUT_OFFSET, count * 2));
		return count;
	}

	distances(query: Uint32Array, n: number): Int32Array {
		this.setQuery(query);
		const at = CODES_OFFSET + this.capacity * this.wpc * 4;
		this.exports.distances(CODES_OFFSET, n, this.wpc / 2, QUERY_OFFSET, at);
		return new Int32Array(this.exports.memory.buffer, at, n).slice();
	}
}

export interface BitIndexOptions {
	/** Sign bits per code, from the first dimensions (default 256; at most the embedding's dimensions). */
	readonly bits?: number;
	/** Default: `loadHammingKernel()` (wasm if found, else JS). */
	readonly kernel?: HammingKernel;
	/** Entries from which a wasm kernel takes over from the JS scan (default 4096; 0 = from the start). */
	readonly wasmFromEntries?: number;
}

/** In-memory sign-bit index of one partition, keyed by integer entry id. */
export class BitIndex {
	readonly bits: number;
	private readonly wpc: number;
	private readonly kernel: HammingKernel;
	private readonly wasmFromEntries: number;
	private scanner: Scanner;
	private ids = new Float64Array(16);
	private readonly slots = new Map<number, number>();
	private count = 0;
	private readonly scratch: Uint32Array;
	private readonly pairs = new Int32Array(MAX_K * 2);

	constructor(options: BitIndexOptions = {}) {
		this.bits = options.bits ?? DEFAULT_BITS;
		if (!Number.isInteger(this.bits) || this.bits <= 0 || this.bits > MAX_BITS) throw new RangeError(`bits must be an integer in 1..${MAX_BITS}, got ${this.bits}`);
		this.wpc = u32PerCode(this.bits);
		this.kernel = options.kernel ?? loadHammingKernel();
		this.wasmFromEntries = options.wasmFromEntries ?? 4096;
		this.scratch = new Uint32Array(this.wpc);
		this.scanner = this.kernel.kind === 'wasm' && this.kernel.module && this.wasmFromEntries === 0 ? new WasmScanner(this.kernel.module, this.wpc, 16) : new JsScanner(this.wpc, 16);
	}

	get size(): number {
		return this.count;
	}

	/** The scan in use right now ('js' until the index outgrows `wasmFromEntries`, or without wasm). */
	get scanKind(): 'wasm' | 'js' {
		return this.scanner.kind;
	}

	/** Bytes held by codes and ids, capacity slack included (the id map is extra). */
	get memoryBytes(): number {
		return this.scanner.bytes + this.ids.byteLength;
	}

	has(id: number): boolean {
		return this.slots.has(id);
	}

	/** Adds an entry, or replaces the code of an existing id. */
	add(id: number, vector: Float32Array): void {
		if (!Number.isSafeInteger(id)) throw new RangeError(`entry id must be a safe integer, got ${id}`);
		const code = signCode(vector, this.bits, this.scratch);
		let slot = this.slots.get(id);
		if (slot === undefined) {
			slot = this.count;
			this.reserve(slot + 1);
			this.ids[slot] = id;
			this.slots.set(id, slot);
			this.count++;
		}
		this.scanner.codes.set(code, slot * this.wpc);
	}

	/** Removes an entry (the last one moves into its slot); false if the id was not there. */
	remove(id: number): boolean {
		const slot = this.slots.get(id);
		if (slot === undefined) return false;
		this.slots.delete(id);
		const last = --this.count;
		if (slot !== last) {
			const lastId = this.ids[last] as number;
			this.ids[slot] = lastId;
			this.slots.set(lastId, slot);
			this.scanner.codes.copyWithin(slot * this.wpc, last * this.wpc, (last + 1) * this.wpc);
		}
		return true;
	}

	/** Up to `k` entry ids (at most MAX_K) nearest to the query by Hamming distance, best first. */
	candidates(query: Float32Array, k: number): number[] {
		const want = Math.min(Math.max(0, Math.floor(k)), this.count, MAX_K);
		if (want === 0) return [];
		const code = signCode(query, this.bits, this.scratch);
		const found = this.scanner.topK(code, this.count, want, this.pairs);
		const result = new Array<number>(found);
		for (let j = 0; j < found; j++) result[j] = this.ids[this.pairs[2 * j + 1] as number] as number;
		return result;
	}

	/** Hamming distance of every entry to the query, in storage order (tests and diagnostics). */
	scanDistances(query: Float32Array): { readonly ids: number[]; readonly distances: Int32Array } {
		const code = signCode(query, this.bits, this.scratch);
		return { ids: Array.from(this.ids.subarray(0, this.count)), distances: this.scanner.distances(code, this.count) };
	}

	private reserve(entries: number): void {
		if (entries > this.ids.length) {
			let capacity = this.ids.length;
			while (capacity < entries) capacity *= 2;
			const ids = new Float64Array(capacity);
			ids.set(this.ids.subarray(0, this.count));
			this.ids = ids;
		}
		if (this.scanner.kind === 'js' && this.kernel.kind === 'wasm' && this.kernel.module && entries > this.wasmFromEntries) {
			const wasm = new WasmScanner(this.kernel.module, this.wpc, this.ids.length);
			wasm.codes.set(this.scanner.codes.subarray(0, this.count * this.wpc));
			this.scanner = wasm;
		}
		this.scanner.reserve(entries);
	}
}

/** Code width used when none is given: 256 bits + 16 candidates matched exact search on every hit decision in the bench. */
export const DEFAULT_BITS = 256;

/**
 * Index for one partition (`CandidateIndexFactory`-shaped): the default width, narrowed to the
 * embedding's dimensions when it has fewer.
 */
export function createBitIndex(partition?: { readonly dims: number }, options: BitIndexOptions = {}): BitIndex {
	const bits = Math.min(options.bits ?? DEFAULT_BITS, partition?.dims ?? MAX_BITS, MAX_BITS);
	return new BitIndex({ ...options, bits });
}
