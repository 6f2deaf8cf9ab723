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
export const MATMUL_TN_KERNEL = 'WhyPeftMatMulTN';
export const MATMUL_NN_KERNEL = 'WhyPeftMatMulNN';

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
	// tfjs's WebAssembly product is ten or more times slower with a transpose flag than on
	// operands transposed first (650–870 µs against 90 µs for 64×64ᵀ·64×128; 58 ms against 4.4
	// for 1024×512·(128×512)ᵀ). aᵀ·b, a weight's gradient, has a kernel of ours (`linalgHost.ts`)
	// that needs neither the transpose nor tfjs's packing of b: 1.0–1.9× faster here.
	// The plain product a·b (+ bias, ReLU) has one too, for the same reason (b is packed on
	// every call, and the step's b change every step).
	if (tf.getBackend() === 'wasm') {
		const [ta, tb] = [transposeA, transposeB];
		if (ta && !tb && !bias && !relu && hasKernel(MATMUL_TN_KERNEL))
			return tf.engine().runKernel(MATMUL_TN_KERNEL, { a, b }) as tf.Tensor2D;
		if (!ta && !tb && hasKernel(MATMUL_NN_KERNEL)) {
			const inputs: tf.NamedTensorMap = bias ? { a, b, bias } : { a, b };
			return tf.engine().runKernel(MATMUL_NN_KERNEL, inputs, { relu } as never) as tf.Tensor2D;
		}
		if (ta || tb)
			return tf.tidy(() =>
				matMul(ta ? transpose2d(a) : a, tb ? transpose2d(b) : b, { bias, relu })
			);
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
