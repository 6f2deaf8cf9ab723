/**
 * Split calls of the SIMD kernels (`SimdKernels.split`, what helper threads run on a cross-origin
 * isolated page): with a pool installed, the product, attention forward and backward and GELU
 * forward and backward are computed in chunks, and the results equal the one-call results bit
 * for bit. The pool here runs the real protocol (`publish`, `runChunks`) with the caller and a
 * "helper" (a second instance of the shared-memory build on tfjs's own WebAssembly heap, as a
 * helper thread has) taking one chunk in turn, the helper first, each with its own scratch; so
 * any chunk that read another's output, wrote outside its own rows or shared scratch would show.
 * Also: the chunk-taking protocol itself, with plain functions.
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import '$lib/model/kernels/linalgHost';
import '$lib/model/kernels/transformerHost';
import { colSum, matMul } from '$lib/model/kernels/linalg';
import {
	causalAttention,
	causalAttentionGrad,
	gelu,
	geluGrad,
	geluWithGrad,
	layerNorm,
	layerNormGrad
} from '$lib/model/kernels/transformerOps';
import { bindSimdToWasmBackend, wasmMemory } from '$lib/model/kernels/hostKernels';
import {
	SPLIT_EXPORTS,
	setSimdPool,
	simdKernelsOn,
	type SimdPool,
	type SplitExport
} from '$lib/model/kernels/simdKernels';
import { chunkSize } from '$lib/model/kernels/simdThreads';
import {
	ARGS_AT,
	BLOCK_BYTES,
	SLOT,
	publish,
	runChunks
} from '$lib/model/kernels/simdThreadProtocol';
import { KERNELS_SHARED_WASM_BASE64 } from '$lib/model/kernels/simd/kernelsWasm';

function block() {
	const control = new SharedArrayBuffer(BLOCK_BYTES);
	return { i32: new Int32Array(control, 0, ARGS_AT / 4), f64: new Float64Array(control, ARGS_AT) };
}

describe('the chunk protocol', () => {
	it('chunk sizes: multiples of the grain, about eight a thread, never over 65,535 chunks', () => {
		expect(chunkSize(1024, 4, 2)).toBe(64);
		expect(chunkSize(32, 1, 2)).toBe(2);
		expect(chunkSize(6, 4, 2)).toBe(4);
		expect(chunkSize(1 << 20, 1, 2) * 0xffff).toBeGreaterThanOrEqual(1 << 20);
		for (const [total, grain, threads] of [
			[1022, 4, 3],
			[65536, 16384, 2],
			[7, 1, 4]
		]) {
			const c = chunkSize(total, grain, threads);
			expect(c % grain).toBe(0);
			expect(Math.ceil(total / c)).toBeLessThanOrEqual(8 * threads);
		}
	});

	it('every chunk runs exactly once, whichever thread takes it; a stale job takes none', () => {
		const { i32, f64 } = block();
		const seen: [number, number, number, number][] = [];
		const fns = [0, 1].map((thread) => [
			(x: number, scratch: number, lo: number, hi: number) => {
				expect(x).toBe(7);
				seen.push([thread, scratch, lo, hi]);
			}
		]);
		const { job, chunks } = publish(i32, f64, 0, [7, 0], 10, 3, 1, [100, 200]);
		expect(chunks).toBe(4);
		// Thread 1 takes one chunk, then thread 0 the rest: a helper that woke first.
		expect(runChunks(i32, f64, fns[1], job, 1, 1)).toBe(1);
		expect(runChunks(i32, f64, fns[0], job, 0)).toBe(3);
		expect(runChunks(i32, f64, fns[1], job, 1)).toBe(0);
		expect(Atomics.load(i32, SLOT.finished)).toBe(4);
		expect(seen).toEqual([
			[1, 200, 0, 3],
			[0, 100, 3, 6],
			[0, 100, 6, 9],
			[0, 100, 9, 10]
		]);
		// A helper still holding the old job's number finds nothing of the next job to take.
		const next = publish(i32, f64, 0, [7, 0], 4, 2, -1, []);
		expect(next.job).toBe(job + 1);
		expect(runChunks(i32, f64, fns[1], job, 1)).toBe(0);
		expect(runChunks(i32, f64, fns[0], next.job, 0)).toBe(2);
	});

	it('a chunk that throws is flagged, and still counted, so nobody waits for ever', () => {
		const { i32, f64 } = block();
		const { job } = publish(i32, f64, 0, [], 2, 1, -1, []);
		const fns = [
			(lo: number) => {
				if (lo === 1) throw new Error('trap');
			}
		];
		expect(runChunks(i32, f64, fns, job, 0)).toBe(2);
		expect(Atomics.load(i32, SLOT.failed)).toBe(1);
		expect(Atomics.load(i32, SLOT.finished)).toBe(2);
	});
});

/** Every output the split kernels make, for shapes that cover blocks, row tails and column tails. */
function outputs(): Float32Array[] {
	const rng = createRng(11);
	const rand = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
	const b = 4,
		t = 16,
		heads = 4,
		d = 32;
	return tf.tidy(() => {
		const x = tf.tensor2d(rand(b * t * d), [b * t, d]);
		const w = tf.tensor2d(rand(d * 3 * d), [d, 3 * d]);
		const wide = tf.tensor2d(rand(b * t * 130), [b * t, 130]);
		const odd = tf.tensor2d(rand(d * 21), [d, 21]);
		const rows = tf.tensor2d(rand(66 * d), [66, d]);
		const bias = tf.tensor1d(rand(3 * d));
		const [q, k, v] = [0, 1, 2].map(() => tf.tensor2d(rand(b * t * d), [b * t, d]));
		const attrs = { b, t, heads };
		const { ctx, probs } = causalAttention(q, k, v, attrs);
		const g = causalAttentionGrad(ctx, q, k, v, probs, attrs);
		const big = tf.tensor2d(rand(256 * 160), [256, 160]);
		const h = tf.tensor2d(rand(512 * 64), [512, 64]);
		const ln = layerNorm(h, tf.tensor1d(rand(64)), tf.tensor1d(rand(64)), 1e-5);
		const lng = layerNormGrad(
			tf.tensor2d(rand(512 * 64), [512, 64]),
			ln.xhat,
			ln.rstd,
			tf.tensor1d(rand(64))
		);
		const outs = [
			ln.y,
			ln.xhat,
			ln.rstd,
			lng.dx,
			lng.dg,
			lng.ds,
			colSum(tf.tensor2d(rand(512 * 68), [512, 68])),
			colSum(tf.tensor2d(rand(400 * 90), [400, 90])),
			matMul(x, w),
			matMul(x, w, { bias, relu: true }),
			matMul(x, wide, { transposeA: true }),
			matMul(rows, odd),
			matMul(big, tf.tensor2d(rand(160 * 72), [160, 72])),
			ctx,
			probs,
			g.dq,
			g.dk,
			g.dv,
			gelu(big),
			geluGrad(big, tf.tensor2d(rand(256 * 160), [256, 160]))
		];
		const kept = geluWithGrad(big);
		outs.push(
			kept.y,
			kept.d!,
			geluGrad(tf.tensor2d(rand(256 * 160), [256, 160]), undefined, kept.d)
		);
		return outs.map((o) => o.dataSync().slice() as Float32Array);
	});
}

describe('split calls on tfjs’s WebAssembly heap', () => {
	let memory: WebAssembly.Memory;
	const ran: { name: SplitExport; ranges: number; both: boolean }[] = [];

	beforeAll(async () => {
		setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
		await tf.setBackend('wasm');
		expect(await bindSimdToWasmBackend(tf.backend())).toBe(true);
		memory = wasmMemory(tf.backend())!;
		expect(simdKernelsOn(memory)?.holds(memory.buffer)).toBe(true);
	});
	afterAll(() => setSimdPool(memory, null));

	it('with two threads taking chunks in turn gives the one-call results bit for bit, and does split', async () => {
		const one = outputs();
		expect(simdKernelsOn(memory)!.threads()).toBe(1);
		const bytes = Uint8Array.from(atob(KERNELS_SHARED_WASM_BASE64), (c) => c.charCodeAt(0));
		const own = await WebAssembly.instantiate(bytes, { env: { memory } });
		const helper = await WebAssembly.instantiate(bytes, { env: { memory } });
		const fnsOf = (i: WebAssembly.Instance) =>
			SPLIT_EXPORTS.map((n) => (i.exports as Record<string, (...a: number[]) => void>)[n]);
		const [mine, theirs] = [fnsOf(own.instance), fnsOf(helper.instance)];
		const { i32, f64 } = block();
		const pool: SimdPool = {
			threads: 2,
			run(name, args, total, grain, scratchArg, scratch) {
				expect(scratch.length).toBe(scratchArg >= 0 ? 2 : 0);
				const chunk = chunkSize(total, grain, 2);
				const fn = SPLIT_EXPORTS.indexOf(name);
				const { job, chunks } = publish(i32, f64, fn, args, total, chunk, scratchArg, scratch);
				const taken = [0, 0];
				while (Atomics.load(i32, SLOT.finished) < chunks) {
					taken[1] += runChunks(i32, f64, theirs, job, 1, 1);
					taken[0] += runChunks(i32, f64, mine, job, 0, 1);
				}
				expect(Atomics.load(i32, SLOT.failed)).toBe(0);
				ran.push({ name, ranges: chunks, both: taken[0] > 0 && taken[1] > 0 });
			}
		};
		setSimdPool(memory, pool);
		expect(simdKernelsOn(memory)!.threads()).toBe(2);
		const three = outputs();
		expect(three.length).toBe(one.length);
		three.forEach((o, i) => expect(o, `output ${i}`).toEqual(one[i]));
		// Every kernel was split (the smallest product, under the threshold, ran whole).
		const names = new Set(ran.map((r) => r.name));
		// Every split export but cross-entropy and the residual sum, which this test does not call.
		for (const n of SPLIT_EXPORTS.filter((e) => e !== 'softmax_xent_part' && e !== 'sum_part'))
			expect(names, n).toContain(n);
		expect(ran.every((r) => r.ranges >= 2 && r.ranges <= 16 && r.both)).toBe(true);
	});
});
