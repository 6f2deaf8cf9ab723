/**
 * The kernel check page: on the backend named in `?backend=`, each kernel of our own (the fused
 * Adam update, the hand-written step's products, column sums, cross-entropy and ReLU gradient,
 * and the transformer's embedding, layer norm, attention and GELU with their backward passes)
 * runs on inputs shaped like the trainer's, then again with the kernel unregistered so tfjs's own
 * ops compute the same thing. The largest difference per kernel, output and shape goes to
 * `window.kernelCheck` for tests/e2e/kernels.spec.ts: absolute for the MLP's kernels, relative
 * to the output's largest value for the transformer's. It also checks the transformer's whole
 * hand-written backward pass against tfjs's tape, and counts the GPU programs (or kernels) one
 * training step runs with our transformer kernels and without. Inputs to the kernels come out of
 * a product, so on WebGL they are packed as in training. Last, the PyTorch references of the
 * Node tests run here on this backend (./torch.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '$lib/math/rng';
import {
	ADAM_KERNEL,
	adamUpdateArrays,
	fusedAdam,
	type AdamKernelAttrs
} from '$lib/model/kernels/adamKernel';
import {
	COLSUM_KERNEL,
	MATMUL_KERNEL,
	RELU_GRAD_KERNEL,
	XENT_KERNEL,
	colSum,
	matMul,
	reluGrad,
	softmaxXent
} from '$lib/model/kernels/linalg';
import { wasmMemory } from '$lib/model/kernels/hostKernels';
import { simdKernelsOn } from '$lib/model/kernels/simdKernels';
import type { BackendName } from '$lib/trainer/protocol';
import { activate } from '$lib/trainer/worker/backends';
import { parityCurves } from './parity';
import { torchReferences } from './torch';
import {
	gradientDiffs,
	registeredTransformerKernels,
	stepCounts,
	transformerKernelDiffs
} from './transformer';

const OURS = [MATMUL_KERNEL, COLSUM_KERNEL, XENT_KERNEL, RELU_GRAD_KERNEL];

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
	let m = a.length === b.length ? 0 : Infinity;
	for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
	return m;
}

async function main() {
	const params = new URLSearchParams(location.search);
	const backend = (params.get('backend') ?? 'wasm') as BackendName;
	if (!(await activate(backend))) throw new Error(`${backend} could not start`);
	if (params.get('parity') === '1') return { backend: tf.getBackend(), ...(await parityCurves()) };
	// WebGL with packing off (its flag exists once the backend has loaded): every kernel of ours
	// takes its plain-texture path.
	if (params.get('webglPack') === '0') tf.env().set('WEBGL_PACK', false);
	const rng = createRng(1);
	const rand = (r: number, c: number) =>
		tf.tensor2d(
			Float32Array.from({ length: r * c }, () => rng.normal()),
			[r, c]
		);
	const registered = OURS.map((k) => tf.getKernel(k, backend)).filter((k) => k !== undefined);
	const diffs: Record<string, number> = {};

	// The step's kernels against tfjs's ops, on shapes from the trainer's and odd ones.
	for (const [r, c] of [
		[64, 128],
		[64, 10],
		[5, 3],
		[7, 10],
		[1, 2]
	]) {
		const x = tf.matMul(rand(r, 4), rand(4, c)) as tf.Tensor2D;
		const act = tf.matMul(rand(r, 4), rand(4, c)) as tf.Tensor2D;
		const w = rand(c, 6);
		const wT = rand(6, c);
		const bias = tf.tensor1d(Float32Array.from({ length: 6 }, () => rng.normal()));
		const labels = tf.tensor1d(
			Int32Array.from({ length: r }, () => rng.int(c)),
			'int32'
		);
		const targets = tf.cast(tf.oneHot(labels, c), 'float32') as tf.Tensor2D;
		const inv = tf.scalar(1 / r);
		const compute = () => {
			const xent = softmaxXent(x, targets, inv);
			return Promise.all(
				[
					colSum(x),
					reluGrad(x, act),
					xent.rowLoss,
					xent.dLogits,
					matMul(x, w, { bias, relu: true }),
					matMul(x, act, { transposeA: true }),
					matMul(x, wT, { transposeB: true })
				].map((t) => t.data())
			);
		};
		const ours = await compute();
		registered.forEach((k) => tf.unregisterKernel(k.kernelName, backend));
		const theirs = await compute();
		registered.forEach((k) => tf.registerKernel(k));
		[
			'colSum',
			'reluGrad',
			'rowLoss',
			'dLogits',
			'matMul+bias+relu',
			'matMulTA',
			'matMulTB'
		].forEach((name, i) => (diffs[`${name} ${r}×${c}`] = maxDiff(ours[i], theirs[i])));
	}

	// The fused Adam update against the same update in plain JavaScript.
	const attrs: AdamKernelAttrs = { beta1: 0.9, beta2: 0.999, stepSize: 0.01, eps: 1e-8 };
	for (const shape of [[64, 128], [10], [3, 5]]) {
		const n = shape.reduce((a, b) => a * b);
		const arrays = [0, 1, 2, 3].map(() => Float32Array.from({ length: n }, () => rng.normal()));
		arrays[3] = arrays[3].map(Math.abs); // v ≥ 0
		const [x, g, m, v] = arrays.map((a) => tf.tensor(a, shape));
		const out = await Promise.all(fusedAdam(x, g, m, v, attrs).map((t) => t.data()));
		const ref = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
		adamUpdateArrays(arrays[0], arrays[1], arrays[2], arrays[3], ref[0], ref[1], ref[2], attrs);
		// The update, not θ′ itself: a step is ~1% of θ, so an absolute check on θ′ would pass a
		// step that is 1% wrong. Each is relative to its largest reference value.
		const step = (t: ArrayLike<number>) => Float64Array.from(t, (x, i) => x - arrays[0][i]);
		const rel = (a: ArrayLike<number>, b: ArrayLike<number>) =>
			maxDiff(a, b) / Math.max(...Array.from(b, Math.abs));
		diffs[`adam Δθ (relative) ${shape.join('×')}`] = rel(step(out[0]), step(ref[0]));
		diffs[`adam m (relative) ${shape.join('×')}`] = rel(out[1], ref[1]);
		diffs[`adam v (relative) ${shape.join('×')}`] = rel(out[2], ref[2]);
	}
	return {
		backend: tf.getBackend(),
		kernels: [
			...registered.map((k) => k.kernelName),
			...(tf.getKernel(ADAM_KERNEL, backend) ? [ADAM_KERNEL] : [])
		],
		diffs,
		transformerKernels: registeredTransformerKernels(backend).map((k) => k.kernelName),
		transformerDiffs: await transformerKernelDiffs(backend, rng),
		gradientDiffs: await gradientDiffs(),
		stepCounts: await stepCounts(backend),
		torch: await torchReferences(),
		// On WebAssembly: whether the SIMD instance on tfjs's heap is the relaxed (fused) build.
		fused: backend === 'wasm' ? (simdKernelsOn(wasmMemory(tf.backend()))?.fused ?? null) : null
	};
}

main()
	.then((r) => ((window as unknown as { kernelCheck: unknown }).kernelCheck = r))
	.catch(
		(e) =>
			((window as unknown as { kernelCheck: unknown }).kernelCheck = {
				error: String(e?.stack ?? e)
			})
	);
