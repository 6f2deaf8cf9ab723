/**
 * The hand-written step's kernels (`./linalg.ts`) as loops over the tensors' own memory on the
 * cpu and WebAssembly backends (`./hostKernels.ts`): the column sum (tfjs transposes, then
 * reduces), softmax cross-entropy with its gradient (about ten kernels as ops), ReLU's gradient
 * (two), and on WebAssembly the products a·b (+ bias, ReLU) and aᵀ·b in SIMD (`simd/kernels.c`):
 * tfjs's XNNPACK product packs its right operand on every call, and in a training step that
 * operand changes every step, so ours, which packs nothing, ran from as fast to 1.9× faster at
 * the course's shapes (the same sums in the same order: bit for bit the same results). On cpu
 * the product is in `./linalgCpu.ts`; the scalar loops here serve when the SIMD build is missing.
 */
import { registerHostKernel } from './hostKernels';
import {
	COLSUM_KERNEL,
	GATHER_ROWS_KERNEL,
	MATMUL_NN_KERNEL,
	MATMUL_TN_KERNEL,
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

/** c [m, n] = aᵀ·b for a [k, m], b [k, n]. */
export function matMulTNArrays(a: F, b: F, k: number, m: number, n: number, c: F): void {
	c.fill(0);
	for (let t = 0; t < k; t++) {
		for (let i = 0; i < m; i++) {
			const x = a[t * m + i];
			if (x === 0) continue;
			for (let j = 0; j < n; j++) c[i * n + j] += x * b[t * n + j];
		}
	}
}

// A weight's gradient, inputsᵀ·(output gradients): tfjs's WebAssembly product needs aᵀ made
// first and packs b, a fresh 512-row gradient, on every call (see kernels.c).
registerHostKernel(MATMUL_TN_KERNEL, {
	outputs: (s) => {
		if (s.a[0] !== s.b[0]) throw new Error(`aᵀ·b: ${s.a} and ${s.b} have different rows`);
		return [[s.a[1], s.b[1]]];
	},
	run: ({ a, b }, [c], _a, simd, shapes) => {
		const [k, m] = shapes.a;
		const n = shapes.b[1];
		if (simd) simd.call('matmul_tn', { in: a as F }, { in: b as F }, k, m, n, { out: c });
		else matMulTNArrays(a as F, b as F, k, m, n, c);
	}
});

/** c [m, n] = a·b (+ bias) (then ReLU) for a [m, k], b [k, n]. */
export function matMulNNArrays(
	a: F,
	b: F,
	bias: F | undefined,
	m: number,
	k: number,
	n: number,
	relu: boolean,
	c: F
): void {
	for (let i = 0; i < m; i++) {
		for (let j = 0; j < n; j++) {
			let s = bias ? bias[j] : 0;
			for (let t = 0; t < k; t++) s += a[i * k + t] * b[t * n + j];
			c[i * n + j] = relu && s < 0 ? 0 : s;
		}
	}
}

registerHostKernel(MATMUL_NN_KERNEL, {
	outputs: (s) => {
		if (s.a[1] !== s.b[0]) throw new Error(`a·b: ${s.a} and ${s.b} do not chain`);
		if (s.bias && (s.bias.length !== 1 || s.bias[0] !== s.b[1]))
			throw new Error(`a·b + bias: the bias ${s.bias} is not [${s.b[1]}]`);
		return [[s.a[0], s.b[1]]];
	},
	run: ({ a, b, bias }, [c], attrs, simd, shapes) => {
		const [m, k] = shapes.a;
		const n = shapes.b[1];
		const relu = attrs.relu ? 1 : 0;
		if (simd && bias)
			simd.call(
				'matmul_nn_bias',
				{ in: a as F },
				{ in: b as F },
				{ in: bias as F },
				m,
				k,
				n,
				relu,
				{
					out: c
				}
			);
		else if (simd)
			simd.call('matmul_nn', { in: a as F }, { in: b as F }, m, k, n, relu, { out: c });
		else matMulNNArrays(a as F, b as F, bias as F | undefined, m, k, n, relu === 1, c);
	}
});
