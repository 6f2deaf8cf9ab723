/**
 * Three of the hand-written step's kernels (`./linalg.ts`) as loops over the tensors' own memory
 * on the cpu and WebAssembly backends (`./hostKernels.ts`): the column sum (tfjs transposes, then
 * reduces), softmax cross-entropy with its gradient (about ten kernels as ops), and ReLU's
 * gradient (two). The product stays with tfjs on WebAssembly, whose XNNPACK kernel is far faster
 * than any JavaScript loop; on cpu it is in `./linalgCpu.ts`.
 */
import { registerHostKernel } from './hostKernels';
import {
	COLSUM_KERNEL,
	GATHER_ROWS_KERNEL,
	RELU_GRAD_KERNEL,
	TRANSPOSE_KERNEL,
	XENT_KERNEL
} from './linalg';

type F = Float32Array;

/** out[j] = Σ_i x[i, j] for x [rows, cols]. */
export function colSumArrays(x: F, cols: number, out: F): void {
	out.fill(0);
	for (let r = 0; r < x.length; r += cols) {
		for (let j = 0; j < cols; j++) out[j] += x[r + j];
	}
}

/**
 * Per row of logits z [rows, classes] against targets t: rowLoss = −Σ t·log softmax(z), and
 * grad = (softmax(z) − t)·inv.
 */
export function softmaxXentArrays(
	z: F,
	t: F,
	inv: number,
	classes: number,
	rowLoss: F,
	grad: F
): void {
	for (let i = 0; i < rowLoss.length; i++) {
		const r = i * classes;
		let max = -Infinity;
		for (let j = 0; j < classes; j++) max = Math.max(max, z[r + j]);
		let sum = 0;
		for (let j = 0; j < classes; j++) sum += Math.exp(z[r + j] - max);
		const logSum = Math.log(sum) + max;
		let loss = 0;
		for (let j = 0; j < classes; j++) {
			const p = Math.exp(z[r + j] - logSum);
			grad[r + j] = (p - t[r + j]) * inv;
			loss -= t[r + j] * (z[r + j] - logSum);
		}
		rowLoss[i] = loss;
	}
}

registerHostKernel(COLSUM_KERNEL, {
	outputs: (s) => [[s.x[1]]],
	run: ({ x }, [out], _a, simd) => {
		if (simd) simd.call('col_sum', { in: x as F }, x.length / out.length, out.length, { out });
		else colSumArrays(x as F, out.length, out);
	}
});

/** out [cols, rows] = xᵀ for x [rows, cols]. */
export function transposeArrays(x: F, rows: number, cols: number, out: F): void {
	for (let i = 0; i < rows; i++) {
		for (let j = 0; j < cols; j++) out[j * rows + i] = x[i * cols + j];
	}
}

// tfjs's WebAssembly Transpose moved about 0.6 GB/s here (3.5 ms for 1024×512); this one, in
// SIMD registers four by four, several times that.
registerHostKernel(TRANSPOSE_KERNEL, {
	outputs: (s) => [[s.x[1], s.x[0]]],
	run: ({ x }, [out], _a, simd, shapes) => {
		const [rows, cols] = shapes.x;
		if (simd) simd.call('transpose', { in: x as F }, rows, cols, { out });
		else transposeArrays(x as F, rows, cols, out);
	}
});

registerHostKernel(XENT_KERNEL, {
	outputs: (s) => [[s.logits[0]], s.logits],
	run: ({ logits, targets, invBatch }, [rowLoss, grad]) =>
		softmaxXentArrays(
			logits as F,
			targets as F,
			invBatch[0],
			grad.length / rowLoss.length,
			rowLoss,
			grad
		)
});

/** g = dOut where out > 0, else 0. */
export function reluGradArrays(dOut: F, out: F, g: F): void {
	for (let i = 0; i < g.length; i++) g[i] = out[i] > 0 ? dOut[i] : 0;
}

registerHostKernel(RELU_GRAD_KERNEL, {
	outputs: (s) => [s.dOut],
	run: ({ dOut, out }, [g], _a, simd) => {
		if (simd) simd.call('relu_grad', { in: dOut as F }, { in: out as F }, g.length, { out: g });
		else reluGradArrays(dOut as F, out as F, g);
	}
});

/** out[r, :] = x[idx[r], :] for rows of `cols` values (any 4-byte type). */
export function gatherRowsArrays(
	x: F | Int32Array,
	cols: number,
	idx: Int32Array,
	out: F | Int32Array
): void {
	for (let r = 0; r < idx.length; r++) {
		out.set(x.subarray(idx[r] * cols, (idx[r] + 1) * cols), r * cols);
	}
}

registerHostKernel(GATHER_ROWS_KERNEL, {
	outputs: (s) => [[s.idx[0], s.x[1]]],
	dtypes: (d) => [d.x === 'int32' ? 'int32' : 'float32'],
	run: ({ x, idx }, [out], _a, simd, shapes) => {
		const cols = shapes.x[1];
		const rows = shapes.x[0];
		for (let r = 0; r < idx.length; r++) {
			if (!(idx[r] >= 0 && idx[r] < rows))
				throw new RangeError(`row ${idx[r]} is not in [0, ${rows})`);
		}
		const o = out as F | Int32Array;
		if (simd)
			simd.call('gather_rows', { in: x }, cols, { in: idx as Int32Array }, idx.length, { out: o });
		else gatherRowsArrays(x, cols, idx as Int32Array, o);
	}
});
