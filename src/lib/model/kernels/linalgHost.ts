/**
 * The hand-written step's kernels (`./linalg.ts`) as loops over the tensors' own memory on the
 * cpu and WebAssembly backends (`./hostKernels.ts`): the column sum (tfjs transposes, then
 * reduces), softmax cross-entropy with its gradient (about ten kernels as ops), ReLU's gradient
 * (two), and on WebAssembly the product op(a)·b (+ bias, ReLU) in SIMD (`simd/kernels.c`):
 * tfjs's XNNPACK product packs its right operand on every call, and in a training step that
 * operand changes every step, so ours, which packs nothing, ran from as fast to 1.9× faster at
 * the course's shapes (the same sums in the same order: bit for bit the same results). The
 * scalar product here is the cpu backend's (`./linalgCpu.ts` registers it) and stands in where
 * the SIMD build is missing.
 */
import { splitGrain } from './simdKernels';
import { registerHostKernel } from './hostKernels';
import {
	COLSUM_KERNEL,
	GATHER_ROWS_KERNEL,
	MATMUL_HOST_KERNEL,
	RELU_GRAD_KERNEL,
	TRANSPOSE_KERNEL,
	XENT_KERNEL,
	SUM_KERNEL
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
		if (simd) {
			// Column groups (quads, then the last few columns) shared out over helper threads.
			const groups = Math.ceil(out.length / 4);
			const rows = x.length / out.length;
			simd.split(
				'col_sum_part',
				groups,
				splitGrain(groups, x.length),
				{ in: x as F },
				rows,
				out.length,
				{
					out
				}
			);
		} else colSumArrays(x as F, out.length, out);
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

// On the relaxed (fused multiply-add) build, whose sums already differ from the plain build's in
// the last bits, the rows go to `softmax_xent_part` in float32 SIMD, shared over the helper
// threads: this scalar loop, two Math.exp per logit, was a training step's largest piece that
// ran on one thread. Elsewhere (Node, the plain build) it stays as it was, bit for bit, so
// recorded runs re-run exactly.
registerHostKernel(XENT_KERNEL, {
	outputs: (s) => [[s.logits[0]], s.logits],
	run: ({ logits, targets, invBatch }, [rowLoss, grad], _a, simd) => {
		const rows = rowLoss.length;
		const classes = grad.length / rows;
		if (simd?.fused)
			simd.split(
				'softmax_xent_part',
				rows,
				splitGrain(rows, grad.length),
				{ in: logits as F },
				{ in: targets as F },
				invBatch[0],
				rows,
				classes,
				{ out: rowLoss },
				{ out: grad }
			);
		else softmaxXentArrays(logits as F, targets as F, invBatch[0], classes, rowLoss, grad);
	}
});

/**
 * out = a + b, or ((0 + a) + b) + c, each sum rounded to float32 as tfjs's Add and AddN round it
 * (a double sum of two floats rounds to the float sum exactly; a third term needs the fround).
 */
export function sumArrays(a: F, b: F, c: F | undefined, out: F): void {
	if (c) for (let i = 0; i < out.length; i++) out[i] = Math.fround(0 + a[i] + b[i]) + c[i];
	else for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
}

registerHostKernel(SUM_KERNEL, {
	outputs: (s) => [s.a],
	run: ({ a, b, c }, [out], _a, simd) => {
		if (simd)
			simd.split(
				'sum_part',
				out.length,
				// A sum reads three floats per one written and does nothing else: sharing it pays only
				// for much larger arrays than GELU's (512×96 takes a few microseconds whole).
				out.length >= 1 << 17 ? 1 << 15 : out.length,
				{ in: a as F },
				{ in: b as F },
				c ? { in: c as F } : { in: a as F },
				c ? 1 : 0,
				{ out },
				out.length
			);
		else sumArrays(a as F, b as F, c as F | undefined, out);
	}
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

/**
 * c = op(a)·op(b) for row-major a and b, op an optional transpose: [m, k]·[k, n] → [m, n], into
 * `out` when given (it need not come zeroed). Each case orders its loops so the innermost one
 * reads and writes consecutive elements. The cpu backend's product (`./linalgCpu.ts`), and the
 * scalar stand-in for the SIMD one below.
 */
export function matMulArrays(
	a: F,
	b: F,
	m: number,
	k: number,
	n: number,
	transposeA: boolean,
	transposeB: boolean,
	out?: F
): F {
	const c = out ? out.fill(0) : new Float32Array(m * n);
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
		return matMulArrays(a, bt, m, k, n, true, false, c);
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

/** c [m, n] += bias (one value per column), then ReLU if asked: a product's epilogue, in place. */
export function biasReluArrays(c: F, n: number, bias: F | undefined, relu: boolean): void {
	if (!bias && !relu) return;
	for (let r = 0; r < c.length; r += n) {
		for (let j = 0; j < n; j++) {
			let v = c[r + j] + (bias ? bias[j] : 0);
			if (relu && v < 0) v = 0;
			c[r + j] = v;
		}
	}
}

/** Multiply-adds below which a call is not worth sharing between threads (about 20 µs of work). */
export const SPLIT_MIN_MACS = 1 << 18;

// On WebAssembly, op(a)·b (+ bias, ReLU) in SIMD (`matmul` in kernels.c): a·b for a layer's
// output and aᵀ·b for a weight's gradient, where tfjs's product packs b, a fresh 512-row
// operand, on every call (and needs aᵀ made first). With `colSumB` a second output holds b's
// column sums (a bias's gradient beside its weight's), summed as the column-sum kernel sums
// them: one call where there were two, each of which woke the helper threads.
registerHostKernel(MATMUL_HOST_KERNEL, {
	outputs: (s, attrs) => {
		const [m, k] = attrs.transposeA ? [s.a[1], s.a[0]] : s.a;
		if (k !== s.b[0]) throw new Error(`op(a)·b: ${s.a} and ${s.b} do not chain`);
		if (s.bias && (s.bias.length !== 1 || s.bias[0] !== s.b[1]))
			throw new Error(`op(a)·b + bias: the bias ${s.bias} is not [${s.b[1]}]`);
		return attrs.colSumB ? [[m, s.b[1]], [s.b[1]]] : [[m, s.b[1]]];
	},
	run: ({ a, b, bias }, [c, cs], attrs, simd, shapes) => {
		const ta = attrs.transposeA ? 1 : 0;
		const [m, k] = ta ? [shapes.a[1], shapes.a[0]] : shapes.a;
		const n = shapes.b[1];
		const relu = attrs.relu ? 1 : 0;
		if (!simd) {
			matMulArrays(a as F, b as F, m, k, n, ta === 1, false, c);
			biasReluArrays(c, n, bias as F | undefined, relu === 1);
			if (cs) colSumArrays(b as F, n, cs);
		} else {
			// Rows shared out over the helper threads where there are any (and the product is
			// big enough to pay for waking them); one call otherwise.
			const rows = m * k * n >= SPLIT_MIN_MACS ? m : 0;
			simd.split(
				'matmul_part',
				m,
				rows ? 4 : m,
				{ in: a as F },
				{ in: b as F },
				bias ? { in: bias as F } : 0,
				m,
				k,
				n,
				ta,
				relu,
				{ out: c },
				cs ? { out: cs } : 0
			);
		}
	}
});
