import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import { BitIndex, createBitIndex, hammingKernelFromBytes, jsHammingKernel, loadHammingKernel, MAX_K, signCode, type HammingKernel } from '../../../src/sidecar/semantic/bitIndex';
import { seededRandom as seeded } from '../../support/seededRandom';
import { repoRoot } from '../helpers';

function randomVector(random: () => number, dims: number): Float32Array {
	const v = new Float32Array(dims);
	for (let i = 0; i < dims; i++) v[i] = random() * 2 - 1;
	return v;
}

/** The vector with a small fraction of its components perturbed: a near-duplicate. */
function nearDuplicate(random: () => number, v: Float32Array, noise: number): Float32Array {
	const q = new Float32Array(v.length);
	for (let i = 0; i < v.length; i++) q[i] = (v[i] as number) + (random() * 2 - 1) * noise;
	return q;
}

/** Independent reference: Hamming distance straight from the sign bits. */
function naiveDistance(a: Float32Array, b: Float32Array, bits: number): number {
	let d = 0;
	for (let i = 0; i < bits; i++) if ((a[i] as number) > 0 !== (b[i] as number) > 0) d++;
	return d;
}

let wasmKernel: HammingKernel;

before(async () => {
	// Assembled from the source here, so the tests check the .wat in the tree, not a stale build.
	const wabt = await (await import('wabt')).default();
	const source = path.join(repoRoot, 'src', 'sidecar', 'semantic', 'hammingScan.wat');
	const module = wabt.parseWat(source, fs.readFileSync(source, 'utf8'));
	module.validate();
	wasmKernel = hammingKernelFromBytes(module.toBinary({}).buffer, source);
	module.destroy();
});

/** The same operations on a wasm-backed and a JS-backed index. */
function pair(bits: number): { wasm: BitIndex; js: BitIndex; both: (f: (index: BitIndex) => void) => void } {
	const wasm = new BitIndex({ bits, kernel: wasmKernel, wasmFromEntries: 0 });
	const js = new BitIndex({ bits, kernel: jsHammingKernel });
	return { wasm, js, both: (f) => [wasm, js].forEach(f) };
}

void describe('signCode', () => {
	void it('packs sign bits little-endian into whole u64s, with zero padding', () => {
		const v = new Float32Array(100);
		v[0] = 1;
		v[31] = 0.5;
		v[32] = 2;
		v[65] = 3;
		v[70] = -1;
		v[99] = 0.1;
		const code = signCode(v, 70);
		assert.equal(code.length, 4);
		assert.deepEqual([...code], [(1 | (1 << 31)) >>> 0, 1, 2, 0]);
	});

	void it('maps zero and NaN to 0 bits and rejects vectors shorter than the code', () => {
		const v = new Float32Array([0, -0, Number.NaN, 1]);
		assert.deepEqual([...signCode(v, 4)], [8, 0]);
		assert.throws(() => signCode(new Float32Array(10), 64), RangeError);
		assert.throws(() => signCode(new Float32Array(10), 0), RangeError);
	});
});

void describe('loadHammingKernel', () => {
	void it('falls back to the JS scan when the wasm file is missing, saying why', () => {
		const kernel = loadHammingKernel(path.join(repoRoot, 'no-such-dir', 'hammingScan.wasm'));
		assert.equal(kernel.kind, 'js');
		assert.match(kernel.source, /no hammingScan\.wasm/);
	});

	void it('falls back to the JS scan when the file is not wasm', () => {
		const kernel = loadHammingKernel(path.join(repoRoot, 'package.json'));
		assert.equal(kernel.kind, 'js');
		assert.match(kernel.source, /failed to compile/);
	});

	void it('the test kernel is wasm', () => {
		assert.equal(wasmKernel.kind, 'wasm');
		assert.equal(new BitIndex({ kernel: wasmKernel, wasmFromEntries: 0 }).scanKind, 'wasm');
	});
});

void describe('BitIndex: wasm and JS scans agree', () => {
	for (const bits of [64, 256, 384, 512, 100]) {
		for (const n of [1, 7, 300, 2500]) {
			void it(`${bits} bits, ${n} entries: identical distances and candidates, matching a naive count`, () => {
				const random = seeded(bits * 7919 + n);
				const dims = Math.max(bits, 128);
				const { wasm, js, both } = pair(bits);
				const vectors = new Map<number, Float32Array>();
				for (let i = 0; i < n; i++) {
					const v = randomVector(random, dims);
					vectors.set(1000 + i, v);
					both((index) => index.add(1000 + i, v));
				}
				for (let q = 0; q < 5; q++) {
					const query = randomVector(random, dims);
					const a = wasm.scanDistances(query);
					const b = js.scanDistances(query);
					assert.deepEqual(a.ids, b.ids);
					assert.deepEqual([...a.distances], [...b.distances]);
					a.ids.forEach((id, slot) => assert.equal(a.distances[slot], naiveDistance(query, vectors.get(id) as Float32Array, bits)));
					for (const k of [1, 3, 16, 64]) assert.deepEqual(wasm.candidates(query, k), js.candidates(query, k), `k=${k}`);
				}
			});
		}
	}

	void it('candidates are the k smallest distances, ties by storage order', () => {
		const random = seeded(42);
		const { wasm, js, both } = pair(64);
		// Few distinct codes, so many ties.
		const protos = [randomVector(random, 64), randomVector(random, 64), randomVector(random, 64)];
		for (let i = 0; i < 200; i++) both((index) => index.add(i, protos[i % 3] as Float32Array));
		const query = randomVector(random, 64);
		const { ids, distances } = js.scanDistances(query);
		const expected = ids.map((id, slot) => ({ id, d: distances[slot] as number, slot })).sort((x, y) => x.d - y.d || x.slot - y.slot).slice(0, 50).map((x) => x.id);
		assert.deepEqual(js.candidates(query, 50), expected);
		assert.deepEqual(wasm.candidates(query, 50), expected);
	});

	void it('still agree after removals, growth, replacement and the JS→wasm switch', () => {
		const random = seeded(7);
		const wasm = new BitIndex({ bits: 256, kernel: wasmKernel, wasmFromEntries: 100 });
		const js = new BitIndex({ bits: 256, kernel: jsHammingKernel });
		const both = (f: (index: BitIndex) => void) => [wasm, js].forEach(f);
		const live = new Set<number>();
		assert.equal(wasm.scanKind, 'js');
		for (let round = 0; round < 6; round++) {
			for (let i = 0; i < 700; i++) {
				const id = round * 1000 + i;
				const v = randomVector(random, 256);
				both((index) => index.add(id, v));
				live.add(id);
			}
			for (const id of [...live]) {
				if (random() < 0.3) {
					both((index) => assert.equal(index.remove(id), true));
					live.delete(id);
				}
			}
			const replaced = [...live][0] as number;
			const v = randomVector(random, 256);
			both((index) => index.add(replaced, v));
			both((index) => assert.equal(index.size, live.size));
			const query = randomVector(random, 256);
			const a = wasm.scanDistances(query);
			const b = js.scanDistances(query);
			assert.deepEqual(a.ids, b.ids);
			assert.deepEqual([...a.distances], [...b.distances]);
			assert.deepEqual(new Set(a.ids), live);
			assert.deepEqual(wasm.candidates(query, 16), js.candidates(query, 16));
		}
		assert.equal(wasm.scanKind, 'wasm');
	});
});

void describe('BitIndex: lookups', () => {
	for (const kernelName of ['wasm', 'js'] as const) {
		void it(`${kernelName}: candidates contain the true nearest neighbour of near-duplicate queries`, () => {
			const random = seeded(99);
			const kernel = kernelName === 'wasm' ? wasmKernel : jsHammingKernel;
			const index = new BitIndex({ bits: 256, kernel, wasmFromEntries: 0 });
			const vectors: Float32Array[] = [];
			for (let i = 0; i < 3000; i++) {
				const v = randomVector(random, 1536);
				vectors.push(v);
				index.add(i, v);
			}
			for (let q = 0; q < 50; q++) {
				const target = Math.floor(random() * vectors.length);
				const query = nearDuplicate(random, vectors[target] as Float32Array, 0.25);
				const found = index.candidates(query, 16);
				assert.equal(found.length, 16);
				assert.ok(found.includes(target), `query ${q}: ${target} not in ${found.join(',')}`);
			}
		});
	}

	void it('the exact stored vector is the first candidate', () => {
		const random = seeded(5);
		const index = new BitIndex({ bits: 256, kernel: wasmKernel, wasmFromEntries: 0 });
		const vectors = Array.from({ length: 500 }, () => randomVector(random, 512));
		vectors.forEach((v, i) => index.add(i * 3, v));
		assert.equal(index.candidates(vectors[123] as Float32Array, 4)[0], 369);
	});

	for (const [name, kernel] of [['wasm', () => wasmKernel], ['js', () => jsHammingKernel]] as const) {
		void it(`${name}: edge cases`, () => {
			const random = seeded(3);
			const index = new BitIndex({ bits: 256, kernel: kernel(), wasmFromEntries: 0 });
			const q = randomVector(random, 256);
			assert.deepEqual(index.candidates(q, 16), [], 'empty index');
			assert.equal(index.remove(1), false);
			for (let i = 0; i < 10; i++) index.add(i, randomVector(random, 256));
			assert.equal(index.candidates(q, 100).length, 10, 'k > size');
			assert.deepEqual(index.candidates(q, 0), []);
			assert.deepEqual(index.candidates(q, -3), []);
			assert.equal(index.remove(4), true);
			assert.equal(index.remove(4), false);
			assert.equal(index.has(4), false);
			for (let r = 0; r < 20; r++) assert.ok(!index.candidates(randomVector(random, 256), 100).includes(4), 'removed id returned');
			assert.equal(index.size, 9);
			const zero = new Float32Array(256);
			const fromZero = index.candidates(zero, 3);
			assert.equal(fromZero.length, 3);
			index.add(77, zero);
			assert.equal(index.candidates(zero, 1)[0], 77, 'zero vector finds the zero-code entry');
			assert.throws(() => index.add(1.5, q), RangeError);
			assert.throws(() => index.add(5, new Float32Array(100)), RangeError);
			assert.equal(index.candidates(q, MAX_K + 50).length, index.size);
		});
	}

	void it('createBitIndex narrows the code to small embeddings', () => {
		assert.equal(createBitIndex({ dims: 1536 }).bits, 256);
		assert.equal(createBitIndex({ dims: 64 }).bits, 64);
		assert.equal(createBitIndex(undefined, { bits: 512 }).bits, 512);
	});

	void it('removing everything leaves an empty, reusable index', () => {
		const random = seeded(11);
		const index = new BitIndex({ bits: 128, kernel: wasmKernel, wasmFromEntries: 0 });
		for (let i = 0; i < 40; i++) index.add(i, randomVector(random, 128));
		for (let i = 0; i < 40; i++) index.remove(i);
		assert.equal(index.size, 0);
		assert.deepEqual(index.candidates(randomVector(random, 128), 5), []);
		const v = randomVector(random, 128);
		index.add(9, v);
		assert.deepEqual(index.candidates(v, 5), [9]);
	});
});
