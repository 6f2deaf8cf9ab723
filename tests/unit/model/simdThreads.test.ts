/**
 * Split calls of the SIMD kernels (`SimdKernels.split`, what helper threads run on a cross-origin
 * isolated page): with a pool installed, the product, attention forward and backward and GELU
 * forward and backward are computed in ranges, and the results equal the one-call results bit
 * for bit. The pool here is what a helper thread is: a second instance of the shared-memory
 * build on tfjs's own WebAssembly heap. It runs the helpers' ranges before the caller's and in
 * reverse, so any range that read another's output, or wrote outside its own, would show.
 */
import '@tensorflow/tfjs-backend-wasm';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '$lib/math/rng';
import '$lib/model/kernels/linalgHost';
import '$lib/model/kernels/transformerHost';
import { matMul } from '$lib/model/kernels/linalg';
import {
	causalAttention,
	causalAttentionGrad,
	gelu,
	geluGrad
} from '$lib/model/kernels/transformerOps';
import { bindSimdToWasmBackend, wasmMemory } from '$lib/model/kernels/hostKernels';
import {
	setSimdPool,
	simdKernelsOn,
	splitRanges,
	type SimdPool,
	type SplitExport
} from '$lib/model/kernels/simdKernels';
import { KERNELS_SHARED_WASM_BASE64 } from '$lib/model/kernels/simd/kernelsWasm';

describe('splitRanges', () => {
	it('covers [0, total) in order, cut at multiples of the grain', () => {
		for (const [total, grain, parts] of [
			[1024, 4, 2],
			[1022, 4, 3],
			[7, 4, 2],
			[32, 1, 4],
			[5, 1, 8],
			[65536, 16384, 3]
		]) {
			const r = splitRanges(total, grain, parts);
			expect(r[0][0]).toBe(0);
			expect(r.at(-1)![1]).toBe(total);
			for (let i = 1; i < r.length; i++) expect(r[i][0]).toBe(r[i - 1][1]);
			for (const [lo, hi] of r) {
				expect(hi).toBeGreaterThan(lo);
				expect(lo % grain).toBe(0);
			}
			expect(r.length).toBeLessThanOrEqual(parts);
		}
		expect(splitRanges(1024, 4, 2)).toEqual([
			[0, 512],
			[512, 1024]
		]);
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
		const outs = [
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
		return outs.map((o) => o.dataSync().slice() as Float32Array);
	});
}

describe('split calls on tfjs’s WebAssembly heap', () => {
	let memory: WebAssembly.Memory;
	const ran: { name: SplitExport; ranges: number }[] = [];

	beforeAll(async () => {
		setWasmPaths(`${process.cwd()}/node_modules/@tensorflow/tfjs-backend-wasm/dist/`);
		await tf.setBackend('wasm');
		expect(await bindSimdToWasmBackend(tf.backend())).toBe(true);
		memory = wasmMemory(tf.backend())!;
		expect(simdKernelsOn(memory)?.holds(memory.buffer)).toBe(true);
	});
	afterAll(() => setSimdPool(memory, null));

	it('with three threads gives the one-call results bit for bit, and does split', async () => {
		const one = outputs();
		expect(simdKernelsOn(memory)!.threads()).toBe(1);
		const bytes = Uint8Array.from(atob(KERNELS_SHARED_WASM_BASE64), (c) => c.charCodeAt(0));
		const { instance } = await WebAssembly.instantiate(bytes, { env: { memory } });
		const helper = instance.exports as Record<string, (...a: number[]) => void>;
		const pool: SimdPool = {
			threads: 3,
			run(name, calls) {
				ran.push({ name, ranges: calls.length });
				for (const c of calls.slice().reverse()) helper[name](...c);
			}
		};
		setSimdPool(memory, pool);
		expect(simdKernelsOn(memory)!.threads()).toBe(3);
		const three = outputs();
		expect(three.length).toBe(one.length);
		three.forEach((o, i) => expect(o, `output ${i}`).toEqual(one[i]));
		// Every kernel was split (the smallest product, under the threshold, ran whole).
		const names = new Set(ran.map((r) => r.name));
		for (const n of [
			'matmul_part',
			'attention_part',
			'attention_grad_part',
			'gelu_part',
			'gelu_grad_part'
		])
			expect(names, n).toContain(n);
		expect(ran.every((r) => r.ranges >= 2 && r.ranges <= 3)).toBe(true);
	});
});
