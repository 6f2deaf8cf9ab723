/**
 * The products, column sums and softmax cross-entropy of a hand-written training step, through
 * kernels of our own where a backend has them and tfjs's ops elsewhere. tfjs's WebGPU matrix
 * product tiles its work through workgroup memory, which pays on a GPU but not on a software
 * adapter (SwiftShader runs each invocation on the CPU, and barriers are costly there): for the
 * course's small matrices a plain loop per output is several times faster there, and still
 * faster on a real GPU, where a step is bound by dispatches. `./smallWebgpu.ts` registers those
 * kernels on every WebGPU adapter. None of these has a gradient: they serve
 * the tape-free path (`ModelDef.gradients`), never the tape.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasKernel } from './register';

export const MATMUL_KERNEL = 'WhyPeftMatMul';
export const COLSUM_KERNEL = 'WhyPeftColSum';
export const XENT_KERNEL = 'WhyPeftSoftmaxXent';
export const RELU_GRAD_KERNEL = 'WhyPeftReluGrad';
export const TRANSPOSE_KERNEL = 'WhyPeftTranspose';
export const GATHER_ROWS_KERNEL = 'WhyPeftGatherRows';
/** a + b or (a + b) + c, same shapes, over the tensors' memory (`linalgHost.ts`). */
export const SUM_KERNEL = 'WhyPeftSum';
/** op(a)·b (+ bias, ReLU) over the tensors' memory: WebAssembly SIMD (`linalgHost.ts`). */
export const MATMUL_HOST_KERNEL = 'WhyPeftMatMulHost';

/** Attributes of `MATMUL_KERNEL`. */
export interface MatMulAttrs {
	transposeA: boolean;
	transposeB: boolean;
	relu: boolean;
}

/** op(a)·op(b) [+ bias] [then ReLU], op being an optional transpose. */
export function matMul(
	a: tf.Tensor2D,
	b: tf.Tensor2D,
	{
		transposeA = false,
		transposeB = false,
		bias,
		relu = false
	}: { transposeA?: boolean; transposeB?: boolean; bias?: tf.Tensor; relu?: boolean } = {}
): tf.Tensor2D {
	// On WebAssembly op(a)·b (+ bias, ReLU) is a kernel of ours (`linalgHost.ts`): tfjs's product
	// packs b on every call, and a step's b change every step (1.0–1.9× faster here); aᵀ·b, a
	// weight's gradient, needs no transpose made first. For a·bᵀ, b is transposed by our kernel
	// (tfjs's product is ten or more times slower with a transpose flag than on operands
	// transposed first: 650–870 µs against 90 µs for 64×64ᵀ·64×128).
	if (tf.getBackend() === 'wasm' && hasKernel(MATMUL_HOST_KERNEL)) {
		if (transposeB) return tf.tidy(() => matMul(a, transpose2d(b), { transposeA, bias, relu }));
		const inputs: tf.NamedTensorMap = bias ? { a, b, bias } : { a, b };
		const attrs = { transposeA, relu };
		return tf.engine().runKernel(MATMUL_HOST_KERNEL, inputs, attrs as never) as tf.Tensor2D;
	}
	if (hasKernel(MATMUL_KERNEL)) {
		const attrs: MatMulAttrs = { transposeA, transposeB, relu };
		const inputs: tf.NamedTensorMap = bias ? { a, b, bias } : { a, b };
		return tf.engine().runKernel(MATMUL_KERNEL, inputs, attrs as never) as tf.Tensor2D;
	}
	if (!bias && !relu) return tf.matMul(a, b, transposeA, transposeB);
	return tf.fused.matMul({
		a,
		b,
		transposeA,
		transposeB,
		bias,
		activation: relu ? 'relu' : 'linear'
	}) as tf.Tensor2D;
}

/**
 * Rows `idx` of x [rows, cols] (float32 or int32): a minibatch. tfjs's WebAssembly GatherV2
 * took ~75 µs for 64 rows of 64 values here, most of an MLP step's budget for a copy of 16 KB.
 */
export function gatherRows(x: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D {
	if (hasKernel(GATHER_ROWS_KERNEL))
		return tf.engine().runKernel(GATHER_ROWS_KERNEL, { x, idx }) as tf.Tensor2D;
	return tf.gather(x, idx);
}

/**
 * a + b, or (a + b) + c, of tensors of one shape: the residual sums of a transformer step. On
 * WebAssembly a SIMD loop of ours (shared over the helper threads when large): tfjs's Add and
 * AddN took 40–70 µs for 512×96 here, and this computes the same floats in the same order.
 */
export function sum(a: tf.Tensor2D, b: tf.Tensor2D, c?: tf.Tensor2D): tf.Tensor2D {
	if (tf.getBackend() === 'wasm' && hasKernel(SUM_KERNEL))
		return tf.engine().runKernel(SUM_KERNEL, c ? { a, b, c } : { a, b }) as tf.Tensor2D;
	return (c ? tf.addN([a, b, c]) : tf.add(a, b)) as tf.Tensor2D;
}

/** xᵀ for x [rows, cols]: one kernel of ours where the backend has it. */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
	if (hasKernel(TRANSPOSE_KERNEL))
		return tf.engine().runKernel(TRANSPOSE_KERNEL, { x }) as tf.Tensor2D;
	return tf.transpose(x);
}

/**
 * ∂L/∂z of z ↦ ReLU(z) from ∂L/∂out and the layer's output: dOut where out > 0, else 0. One pass
 * where tfjs's ops take two (and on WebGL four, its step op being unpacked).
 */
export function reluGrad(dOut: tf.Tensor2D, out: tf.Tensor2D): tf.Tensor2D {
	if (hasKernel(RELU_GRAD_KERNEL))
		return tf.engine().runKernel(RELU_GRAD_KERNEL, { dOut, out }) as tf.Tensor2D;
	return tf.mul(dOut, tf.step(out)) as tf.Tensor2D;
}

/** Sum over rows: [n, k] → [k] (a bias gradient). */
export function colSum(x: tf.Tensor2D): tf.Tensor1D {
	if (hasKernel(COLSUM_KERNEL)) return tf.engine().runKernel(COLSUM_KERNEL, { x }) as tf.Tensor1D;
	return tf.sum(x, 0);
}

/**
 * A linear layer's parameter gradients from its input x [rows, in] and dz [rows, out], each only
 * if asked: xᵀ·dz for the weight and dz's column sums for the bias. On WebAssembly, where both
 * are wanted, one call of our product returns both (the same floats as the two calls).
 */
export function linearGrads(
	x: tf.Tensor2D,
	dz: tf.Tensor2D,
	weight: boolean,
	bias: boolean
): { dW?: tf.Tensor2D; db?: tf.Tensor1D } {
	if (weight && bias && tf.getBackend() === 'wasm' && hasKernel(MATMUL_HOST_KERNEL)) {
		const attrs = { transposeA: true, relu: false, colSumB: true };
		const [dW, db] = tf
			.engine()
			.runKernel(MATMUL_HOST_KERNEL, { a: x, b: dz }, attrs as never) as unknown as [
			tf.Tensor2D,
			tf.Tensor1D
		];
		return { dW, db };
	}
	return {
		dW: weight ? matMul(x, dz, { transposeA: true }) : undefined,
		db: bias ? colSum(dz) : undefined
	};
}

/**
 * Softmax cross-entropy of each row against one-hot `targets` and the gradient of the mean loss
 * with respect to the logits: [−log softmax(z)·t per row, (softmax(z) − t)/n].
 */
export function softmaxXent(
	logits: tf.Tensor2D,
	targets: tf.Tensor2D,
	invBatch: tf.Scalar
): { rowLoss: tf.Tensor1D; dLogits: tf.Tensor2D } {
	if (hasKernel(XENT_KERNEL)) {
		const [rowLoss, dLogits] = tf
			.engine()
			.runKernel(XENT_KERNEL, { logits, targets, invBatch }) as unknown as [
			tf.Tensor1D,
			tf.Tensor2D
		];
		return { rowLoss, dLogits };
	}
	const p = tf.softmax(logits);
	return {
		dLogits: tf.mul(tf.sub(p, targets), invBatch) as tf.Tensor2D,
		rowLoss: tf.neg(tf.log(tf.sum(tf.mul(p, targets), 1))) as tf.Tensor1D
	};
}
