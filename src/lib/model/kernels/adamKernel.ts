/**
 * Adam's update as one fused kernel per variable: θ, m and v in, θ′, m′ and v′ out, instead of
 * eleven separate ops (each a dispatch with its own bookkeeping, and on a GPU its own pass over
 * memory). Written as in `../adam.ts`, with the bias corrections folded into the step size and ε:
 *
 *   m′ = β₁·m + (1−β₁)·g        v′ = β₂·v + (1−β₂)·g²        θ′ = θ − s·m′ / (√v′ + ε̂)
 *
 * Backends register their implementation under `ADAM_KERNEL`: the CPU one lives here (it needs
 * nothing from the CPU package but the typed arrays it keeps); WebAssembly, WebGL and WebGPU live
 * beside it and are registered when the trainer loads that backend. Without a registered kernel
 * `Adam` keeps the chain of ops, so any backend still trains.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from './register';

/** The kernel's name in tfjs's registry. */
export const ADAM_KERNEL = 'WhyPeftAdam';

/** The update's constants for one step; the same for every variable. */
export interface AdamKernelAttrs {
	beta1: number;
	beta2: number;
	/** Step size with bias corrections folded in: lr·√(1−β₂ᵗ)/(1−β₁ᵗ). */
	stepSize: number;
	/** ε with the correction folded in: ε·√(1−β₂ᵗ). */
	eps: number;
}

/** Whether the active backend has the fused kernel. */
export function hasFusedAdam(): boolean {
	return tf.getKernel(ADAM_KERNEL, tf.getBackend()) !== undefined;
}

/** One fused update: returns θ′, m′, v′ as new tensors the caller owns. */
export function fusedAdam(
	x: tf.Tensor,
	g: tf.Tensor,
	m: tf.Tensor,
	v: tf.Tensor,
	attrs: AdamKernelAttrs
): [tf.Tensor, tf.Tensor, tf.Tensor] {
	const out = tf
		.engine()
		.runKernel(ADAM_KERNEL, { x, g, m, v }, attrs as unknown as tf.NamedAttrMap);
	return out as unknown as [tf.Tensor, tf.Tensor, tf.Tensor];
}

/**
 * The update over plain arrays, written into `xOut`, `mOut`, `vOut` (which may alias the inputs).
 * Shared by the CPU and WebAssembly kernels, and the reference for the GPU shaders' tests.
 */
export function adamUpdateArrays(
	x: Float32Array,
	g: Float32Array,
	m: Float32Array,
	v: Float32Array,
	xOut: Float32Array,
	mOut: Float32Array,
	vOut: Float32Array,
	{ beta1, beta2, stepSize, eps }: AdamKernelAttrs
): void {
	const c1 = 1 - beta1;
	const c2 = 1 - beta2;
	for (let i = 0; i < x.length; i++) {
		const gi = g[i];
		const mi = beta1 * m[i] + c1 * gi;
		const vi = beta2 * v[i] + c2 * gi * gi;
		mOut[i] = mi;
		vOut[i] = vi;
		xOut[i] = x[i] - (stepSize * mi) / (Math.sqrt(vi) + eps);
	}
}

/** The slice of the CPU backend this kernel uses. */
interface CpuBackendLike {
	data: { get(id: tf.DataId): { values: unknown } };
	makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

registerOnce(ADAM_KERNEL, 'cpu', ({ inputs, backend, attrs }) => {
	const cpu = backend as unknown as CpuBackendLike;
	const { x, g, m, v } = inputs as Record<'x' | 'g' | 'm' | 'v', tf.TensorInfo>;
	const read = (t: tf.TensorInfo) => cpu.data.get(t.dataId).values as Float32Array;
	const n = tf.util.sizeFromShape(x.shape);
	const [xo, mo, vo] = [new Float32Array(n), new Float32Array(n), new Float32Array(n)];
	adamUpdateArrays(
		read(x),
		read(g),
		read(m),
		read(v),
		xo,
		mo,
		vo,
		attrs as unknown as AdamKernelAttrs
	);
	return [
		cpu.makeTensorInfo(x.shape, 'float32', xo),
		cpu.makeTensorInfo(x.shape, 'float32', mo),
		cpu.makeTensorInfo(x.shape, 'float32', vo)
	];
});
