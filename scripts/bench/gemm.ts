/**
 * The matrix-product benchmark (index.html?part=gemm): GFLOP/s of our WebAssembly product (the
 * kernel a training step spends most of its time in) on the shapes of the language model's step
 * (d 96, MLP width 384, 8 sequences of 64 tokens: 512 rows), on one thread and on the helper
 * threads, beside what `torch_peer.py --gemm` measures for PyTorch's BLAS on the same shapes. It
 * shows where WebAssembly's 128-bit SIMD stands against a native 256-bit BLAS, apart from
 * everything else a step does. Best of several timed batches (a busy moment on a shared machine
 * only ever slows a batch down). Results go to `window.benchResult`.
 */
import * as tf from '@tensorflow/tfjs';
import { activate } from '$lib/trainer/worker/backends';
import { matMul } from '$lib/model/kernels/linalg';
import { wasmMemory } from '$lib/model/kernels/hostKernels';
import { setSimdThreadsActive, simdKernelsOn } from '$lib/model/kernels/simdKernels';
import { createRng } from '$lib/math/rng';

/** [m, k, n, transposeA]: op(a) [m, k] · b [k, n]; the products of one language-model step. */
export const GEMM_SHAPES: [number, number, number, boolean][] = [
	[512, 96, 96, false], // q, k, v, o and the head, forward; their input gradients
	[512, 96, 384, false], // up, forward
	[512, 384, 96, false], // down, forward; up's input gradient
	[96, 512, 96, true], // weight gradients of q, k, v, o, head
	[96, 512, 384, true], // up's weight gradient
	[384, 512, 96, true] // down's weight gradient
];

export const shapeName = ([m, k, n, ta]: [number, number, number, boolean]) =>
	`${ta ? 'aᵀ·b' : 'a·b'} ${m}×${k}·${k}×${n}`;

async function main() {
	if (!(await activate('wasm'))) throw new Error('wasm could not start');
	const rng = createRng('gemm bench');
	const memory = wasmMemory(tf.backend());
	const kernels = memory ? simdKernelsOn(memory) : null;
	const threads = kernels?.threads() ?? 1;
	const rows: { shape: string; gflops: Record<string, number> }[] = [];
	for (const shape of GEMM_SHAPES) {
		const [m, k, n, ta] = shape;
		const a = tf.tensor2d(
			Float32Array.from({ length: m * k }, () => rng.normal()),
			ta ? [k, m] : [m, k]
		);
		const b = tf.tensor2d(
			Float32Array.from({ length: k * n }, () => rng.normal()),
			[k, n]
		);
		const flops = 2 * m * k * n;
		const reps = Math.max(4, Math.round(2e8 / flops));
		const gflops: Record<string, number> = {};
		for (const [label, on] of [
			['ours, 1 thread', false],
			...(threads > 1 ? ([[`ours, ${threads} threads`, true]] as const) : [])
		] as const) {
			setSimdThreadsActive(on);
			let best = Infinity;
			for (let round = 0; round < 12; round++) {
				const t0 = performance.now();
				for (let r = 0; r < reps; r++) matMul(a, b, { transposeA: ta }).dispose();
				best = Math.min(best, (performance.now() - t0) / reps);
			}
			gflops[label] = flops / best / 1e6;
		}
		setSimdThreadsActive(true);
		tf.dispose([a, b]);
		rows.push({ shape: shapeName(shape), gflops });
	}
	(window as unknown as { benchResult: unknown }).benchResult = {
		fused: kernels?.fused ?? null,
		threads,
		rows
	};
}

main().catch((e) => {
	(window as unknown as { benchResult: unknown }).benchResult = { error: String(e?.message ?? e) };
});
