// Tokenizer benchmark: gpt-tokenizer (what CostLens uses) against js-tiktoken, same machine, same run.
// `npm run compile-tests && node out/bench/tokenizers.bench.js`
//
// - load + init: a fresh child process per measurement (module cache and JIT cold), libraries
//   interleaved, median of N; heap = heapUsed after init minus before, both after a forced GC.
// - throughput: ~1 MB of generated prose (seeded, deterministic) and ~1 MB slices of TypeScript's
//   own compiled source; each repetition uses a different slice so caches do not flatter reruns.
// - per prompt: 2,000 distinct 200-char prompts.
// - correctness: o200k token ids and cl100k counts compared on every sample; mismatches printed.
// Prints a table, then one JSON line per metric (value = gpt-tokenizer, peer = js-tiktoken).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot, seededRandom } from './benchUtil';

type Encoding = 'o200k_base' | 'cl100k_base';
type Lib = 'gpt-tokenizer' | 'js-tiktoken';

interface Encoder {
	encode(text: string): number[];
	count(text: string): number;
}

const LOAD_REPS = Number(process.env.BENCH_LOAD_REPS ?? 7);
const THROUGHPUT_REPS = 3;
const PROMPT_REPS = 5;
const MB = 1024 * 1024;

/** Source that a child process runs to load one encoding; the same strings are used in-process. */
function loaderSource(lib: Lib, encoding: Encoding): string {
	return lib === 'gpt-tokenizer'
		? `require('gpt-tokenizer/encoding/${encoding}')`
		: `require('js-tiktoken').getEncoding('${encoding}')`;
}

function childLoad(lib: Lib, encoding: Encoding): { ms: number; heapMB: number } {
	const script = `
		global.gc(); const h0 = process.memoryUsage().heapUsed;
		const t0 = process.hrtime.bigint();
		const enc = ${loaderSource(lib, encoding)};
		enc.encode('hello world');
		const ms = Number(process.hrtime.bigint() - t0) / 1e6;
		global.gc(); const h1 = process.memoryUsage().heapUsed;
		globalThis.keep = enc;
		console.log(JSON.stringify({ ms, heapMB: (h1 - h0) / ${MB} }));`;
	const result = spawnSync(process.execPath, ['--expose-gc', '-e', script], { cwd: repoRoot, encoding: 'utf8' });
	if (result.status !== 0) throw new Error(`${lib} ${encoding} load failed: ${result.stderr}`);
	return JSON.parse(result.stdout.trim()) as { ms: number; heapMB: number };
}

function loadInProcess(lib: Lib, encoding: Encoding): Encoder {
	if (lib === 'gpt-tokenizer') {
		const plain = { disallowedSpecial: new Set<string>() };
		const mod = require(`gpt-tokenizer/encoding/${encoding}`) as { encode(t: string, o?: object): number[]; countTokens(t: string, o?: object): number };
		return { encode: (t) => mod.encode(t, plain), count: (t) => mod.countTokens(t, plain) };
	}
	const { getEncoding } = require('js-tiktoken') as { getEncoding(name: string): { encode(t: string, allowed?: string[], disallowed?: string[]): number[] } };
	const enc = getEncoding(encoding);
	return { encode: (t) => enc.encode(t, [], []), count: (t) => enc.encode(t, [], []).length };
}

function median(values: readonly number[]): number {
	const sorted = [...values].sort((a, b) => a - b);
	const mid = Math.floor(sorted.length / 2);
	return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}


const WORDS = ('the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her ' +
	'all she there would their we him been has when who will more no if out so said what up its about into than them can only other new some ' +
	'could time these two may then do first any my now such like our over man me even most made after also did many before must through back ' +
	'years where much your way well down should because each just those people how too little state good very make world still own see men work ' +
	'long get here between both life being under never day same another know while last might us great old year off come since against go came ' +
	'right used take three prompt model token cache request response latency budget customer invoice refund subscription cancellation policy ' +
	'summarize translate classify extract structured answer question context window retrieval embedding vector pricing estimate monthly ' +
	'naïve café résumé coöperate Zürich São Paulo München 2024 2025 3.5 42 100% $19.99 e-mail follow-up state-of-the-art').split(' ');

function prose(bytes: number, seed: number): string {
	const next = seededRandom(seed);
	const parts: string[] = [];
	let length = 0;
	while (length < bytes) {
		const n = 6 + Math.floor(next() * 18);
		const words: string[] = [];
		for (let i = 0; i < n; i++) {
			let w = WORDS[Math.floor(next() * WORDS.length)]!;
			if (i === 0) w = w.charAt(0).toUpperCase() + w.slice(1);
			if (i > 2 && i < n - 1 && next() < 0.08) w += ',';
			words.push(w);
		}
		const sentence = words.join(' ') + (next() < 0.1 ? '?' : '.') + (next() < 0.15 ? '\n\n' : ' ');
		parts.push(sentence);
		length += sentence.length;
	}
	return parts.join('').slice(0, bytes);
}

function codeSlices(count: number, bytes: number): string[] {
	const source = fs.readFileSync(path.join(repoRoot, 'node_modules', 'typescript', 'lib', 'typescript.js'), 'utf8');
	if (source.length < count * bytes) throw new Error('typescript.js is smaller than expected');
	return Array.from({ length: count }, (_, i) => source.slice(i * bytes, (i + 1) * bytes));
}

function time(fn: () => void): number {
	const t0 = process.hrtime.bigint();
	fn();
	return Number(process.hrtime.bigint() - t0) / 1e6;
}

const LIBS: readonly Lib[] = ['gpt-tokenizer', 'js-tiktoken'];

function main(): void {
	console.log(`tokenizer bench · node ${process.version} · ${process.platform}/${process.arch} · load reps ${LOAD_REPS}`);

	// 1. Load + init, fresh process each, interleaved.
	const load: Record<string, { ms: number[]; heap: number[] }> = {};
	for (let rep = 0; rep < LOAD_REPS; rep++) {
		for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
			for (const lib of rep % 2 ? [...LIBS].reverse() : LIBS) {
				const r = childLoad(lib, encoding);
				const key = `${lib}/${encoding}`;
				(load[key] ??= { ms: [], heap: [] }).ms.push(r.ms);
				load[key].heap.push(r.heapMB);
			}
		}
	}

	// 2. Throughput and per-prompt time, in this process.
	const encoders = Object.fromEntries(LIBS.map((lib) => [lib, loadInProcess(lib, 'o200k_base')])) as Record<Lib, Encoder>;
	const proseSamples = Array.from({ length: THROUGHPUT_REPS }, (_, i) => prose(MB, 1000 + i));
	const codeSamples = codeSlices(THROUGHPUT_REPS, MB);
	const warm = prose(64 * 1024, 7);
	for (const lib of LIBS) encoders[lib].count(warm);

	const throughput: Record<string, number[]> = {};
	for (const [kind, samples] of [['prose', proseSamples], ['code', codeSamples]] as const) {
		for (let rep = 0; rep < THROUGHPUT_REPS; rep++) {
			for (const lib of rep % 2 ? [...LIBS].reverse() : LIBS) {
				const sample = samples[rep]!;
				const ms = time(() => encoders[lib].count(sample));
				(throughput[`${lib}/${kind}`] ??= []).push(sample.length / MB / (ms / 1000));
			}
		}
	}

	const promptSource = prose(2000 * 200, 99);
	const prompts = Array.from({ length: 2000 }, (_, i) => promptSource.slice(i * 200, (i + 1) * 200));
	const perPrompt: Record<string, number[]> = {};
	for (let rep = 0; rep < PROMPT_REPS; rep++) {
		for (const lib of rep % 2 ? [...LIBS].reverse() : LIBS) {
			let sink = 0;
			const ms = time(() => { for (const p of prompts) sink += encoders[lib].count(p); });
			if (sink === 0) throw new Error('no tokens counted');
			(perPrompt[lib] ??= []).push((ms * 1000) / prompts.length);
		}
	}

	// 3. Same ids (o200k) and same counts (cl100k) on every sample.
	const samples = [...proseSamples, ...codeSamples, ...prompts];
	let idMismatches = 0;
	for (const s of samples) {
		const a = encoders['gpt-tokenizer'].encode(s);
		const b = encoders['js-tiktoken'].encode(s);
		if (a.length !== b.length || a.some((id, i) => id !== b[i])) idMismatches++;
	}
	const cl = Object.fromEntries(LIBS.map((lib) => [lib, loadInProcess(lib, 'cl100k_base')])) as Record<Lib, Encoder>;
	let countMismatches = 0;
	for (const s of samples) if (cl['gpt-tokenizer'].count(s) !== cl['js-tiktoken'].count(s)) countMismatches++;

	const m = (values: readonly number[] | undefined): number => median(values ?? []);
	const min = (values: readonly number[] | undefined): number => Math.min(...(values ?? []));
	const rows: [string, string, number, number, number][] = [
		['tokenizer-load', 'o200k load+init (median ms)', m(load['gpt-tokenizer/o200k_base']?.ms), m(load['js-tiktoken/o200k_base']?.ms), 0],
		['tokenizer-load-cl100k', 'cl100k load+init (median ms)', m(load['gpt-tokenizer/cl100k_base']?.ms), m(load['js-tiktoken/cl100k_base']?.ms), 0],
		['tokenizer-heap', 'o200k heap after init (MB)', m(load['gpt-tokenizer/o200k_base']?.heap), m(load['js-tiktoken/o200k_base']?.heap), 0],
		['tokenizer-throughput-prose', 'prose throughput (MB/s)', m(throughput['gpt-tokenizer/prose']), m(throughput['js-tiktoken/prose']), 0],
		['tokenizer-throughput-code', 'code throughput (MB/s)', m(throughput['gpt-tokenizer/code']), m(throughput['js-tiktoken/code']), 0],
		['tokenizer-prompt-200', 'per 200-char prompt (µs)', m(perPrompt['gpt-tokenizer']), m(perPrompt['js-tiktoken']), 0],
	];
	const units: Record<string, [string, string]> = {
		'tokenizer-load': ['median_ms', 'ms'],
		'tokenizer-load-cl100k': ['median_ms', 'ms'],
		'tokenizer-heap': ['median_heap_mb', 'MB'],
		'tokenizer-throughput-prose': ['median_mb_per_s', 'MB/s'],
		'tokenizer-throughput-code': ['median_mb_per_s', 'MB/s'],
		'tokenizer-prompt-200': ['median_us', 'µs'],
	};

	const fmt = (n: number): string => (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
	console.log('');
	console.log(`${'metric'.padEnd(32)} ${'gpt-tokenizer'.padStart(14)} ${'js-tiktoken'.padStart(12)}`);
	for (const [, label, ours, peer] of rows) console.log(`${label.padEnd(32)} ${fmt(ours).padStart(14)} ${fmt(peer).padStart(12)}`);
	// On a shared machine the minimum is the closest to an idle run; medians are what the JSON reports.
	for (const encoding of ['o200k_base', 'cl100k_base'] as const) {
		const label = `${encoding.slice(0, encoding.indexOf('_'))} load+init (min ms)`;
		console.log(`${label.padEnd(32)} ${fmt(min(load[`gpt-tokenizer/${encoding}`]?.ms)).padStart(14)} ${fmt(min(load[`js-tiktoken/${encoding}`]?.ms)).padStart(12)}`);
	}
	console.log(`${'o200k id mismatches'.padEnd(32)} ${`${idMismatches} / ${samples.length}`.padStart(14)}`);
	console.log(`${'cl100k count mismatches'.padEnd(32)} ${`${countMismatches} / ${samples.length}`.padStart(14)}`);
	console.log('');
	for (const [bench, , ours, peer] of rows) {
		const [metric, unit] = units[bench]!;
		console.log(JSON.stringify({ bench, metric, value: round(ours), unit, peer: 'js-tiktoken', peerValue: round(peer) }));
		if (bench === 'tokenizer-load' || bench === 'tokenizer-load-cl100k') {
			const encoding = bench === 'tokenizer-load' ? 'o200k_base' : 'cl100k_base';
			console.log(JSON.stringify({ bench, metric: 'min_ms', value: round(min(load[`gpt-tokenizer/${encoding}`]?.ms)), unit, peer: 'js-tiktoken', peerValue: round(min(load[`js-tiktoken/${encoding}`]?.ms)) }));
		}
	}
	console.log(JSON.stringify({ bench: 'tokenizer-identity', metric: 'o200k_id_mismatches', value: idMismatches, unit: 'samples', peer: 'js-tiktoken', peerValue: idMismatches, samples: samples.length }));
	console.log(JSON.stringify({ bench: 'tokenizer-identity', metric: 'cl100k_count_mismatches', value: countMismatches, unit: 'samples', peer: 'js-tiktoken', peerValue: countMismatches, samples: samples.length }));
	if (idMismatches + countMismatches > 0) process.exitCode = 1;
}

function round(n: number): number {
	return Math.round(n * 1000) / 1000;
}

main();
