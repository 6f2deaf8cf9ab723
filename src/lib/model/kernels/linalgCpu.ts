/**
 * The hand-written step's product (`./linalg.ts`) for tfjs's plain-JavaScript backend, with
 * its bias and ReLU in one pass; the column sum, softmax cross-entropy and ReLU's gradient are in
 * `./linalgHost.ts`. tfjs's own CPU kernels are general: its product runs blocked loops over a batch
 * dimension, then bias and ReLU as further passes; its sum over rows first transposes the
 * matrix. For the course's small matrices, loops whose innermost index walks contiguous memory
 * do the same arithmetic in less time (measured in `npm run bench`). Registered by the trainer
 * when it loads the cpu backend.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerOnce } from './register';
import { MATMUL_KERNEL, type MatMulAttrs } from './linalg';
// The column sum, cross-entropy and ReLU gradient, shared with WebAssembly, and the loops.
import { biasReluArrays, matMulArrays } from './linalgHost';

/** The slice of the CPU backend these kernels use. */
interface CpuBackendLike {
	data: { get(id: tf.DataId): { values: unknown } };
	makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function values(backend: CpuBackendLike, t: tf.TensorInfo): Float32Array {
	return backend.data.get(t.dataId).values as Float32Array;
}

registerOnce(MATMUL_KERNEL, 'cpu', ({ inputs, backend, attrs }) => {
	const cpu = backend as unknown as CpuBackendLike;
	const { a, b, bias } = inputs as Record<'a' | 'b' | 'bias', tf.TensorInfo | undefined>;
	const { transposeA, transposeB, relu } = attrs as unknown as MatMulAttrs;
	const [m, k] = transposeA ? [a!.shape[1], a!.shape[0]] : [a!.shape[0], a!.shape[1]];
	const n = transposeB ? b!.shape[0] : b!.shape[1];
	const c = matMulArrays(values(cpu, a!), values(cpu, b!), m, k, n, transposeA, transposeB);
	biasReluArrays(c, n, bias ? values(cpu, bias) : undefined, relu);
	return cpu.makeTensorInfo([m, n], 'float32', c);
});
