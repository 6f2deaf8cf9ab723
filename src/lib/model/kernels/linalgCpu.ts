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
// The column sum, cross-entropy and ReLU gradient, shared with WebAssembly.
import './linalgHost';

/** The slice of the CPU backend these kernels use. */
interface CpuBackendLike {
	data: { get(id: tf.DataId): { values: unknown } };
	makeTensorInfo(shape: number[], dtype: tf.DataType, values: Float32Array): tf.TensorInfo;
}

function values(backend: CpuBackendLike, t: tf.TensorInfo): Float32Array {
	return backend.data.get(t.dataId).values as Float32Array;
}

/**
 * c = op(a)·op(b) for row-major a and b, op an optional transpose: [m, k]·[k, n] → [m, n].
 * Each case orders its loops so the innermost one reads and writes consecutive elements.
 */
export function matMulArrays(
	a: Float32Array,
	b: Float32Array,
	m: number,
	k: number,
	n: number,
	transposeA: boolean,
	transposeB: boolean
): Float32Array {
	const c = new Float32Array(m * n);
	if (transposeB && !transposeA) {
		// c[i, j] = a[i, :]·b[j, :], both rows contiguous.
		for (let i = 0; i < m; i++) {
			const ai = i * k;
			for (let j = 0; j < n; j++) {
				const bj = j * k;
				let s = 0;
				for (let p = 0; p < k; p++) s += a[ai + p] * b[bj + p];
				c[i * n + j] = s;
			}
		}
		return c;
	}
	if (transposeB) {
		// Both transposed (rare): transpose b first, then as below.
		const bt = new Float32Array(k * n);
		for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) bt[p * n + j] = b[j * k + p];
		return matMulArrays(a, bt, m, k, n, true, false);
	}
	// a[i, p] is a[i·k + p], or a[p·m + i] when transposed; c[i, :] += a[i, p]·b[p, :].
	for (let i = 0; i < m; i++) {
		const ci = i * n;
		for (let p = 0; p < k; p++) {
			const aip = transposeA ? a[p * m + i] : a[i * k + p];
			if (aip === 0) continue;
			const bp = p * n;
			for (let j = 0; j < n; j++) c[ci + j] += aip * b[bp + j];
		}
	}
	return c;
}

registerOnce(MATMUL_KERNEL, 'cpu', ({ inputs, backend, attrs }) => {
	const cpu = backend as unknown as CpuBackendLike;
	const { a, b, bias } = inputs as Record<'a' | 'b' | 'bias', tf.TensorInfo | undefined>;
	const { transposeA, transposeB, relu } = attrs as unknown as MatMulAttrs;
	const [m, k] = transposeA ? [a!.shape[1], a!.shape[0]] : [a!.shape[0], a!.shape[1]];
	const n = transposeB ? b!.shape[0] : b!.shape[1];
	const c = matMulArrays(values(cpu, a!), values(cpu, b!), m, k, n, transposeA, transposeB);
	if (bias || relu) {
		const bv = bias ? values(cpu, bias) : undefined;
		for (let i = 0; i < m; i++) {
			for (let j = 0; j < n; j++) {
				let v = c[i * n + j] + (bv ? bv[j] : 0);
				if (relu && v < 0) v = 0;
				c[i * n + j] = v;
			}
		}
	}
	return cpu.makeTensorInfo([m, n], 'float32', c);
});
