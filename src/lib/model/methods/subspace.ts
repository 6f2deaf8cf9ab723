/**
 * Training in a random subspace, the measure of intrinsic dimension (Li et al. 2018, arXiv
 * 1804.08838; Aghajanyan et al. 2020, arXiv 2012.13255): every parameter is frozen at θ₀ and the
 * model is trained through d numbers z alone,
 *
 *   θ = θ₀ + P·z,   P: [D, d] fixed and seeded,  z: [d] trainable, zero at start (so θ = θ₀).
 *
 * P is never stored densely: for the 26,122-parameter digits MLP and d = 4,096 a dense P would be
 * 107 M floats. Li et al. used dense and Fastfood projections; we use a sparse random projection
 * instead, which preserves lengths and angles in the Johnson–Lindenstrauss sense (Li, Hastie &
 * Church 2006, "Very sparse random projections") at a cost of s entries per row:
 *
 * - each row of P has s nonzeros, built from s seeded shuffles of the D rows, the t-th entry
 *   overall (shuffle k, position i: t = k·D + i) going to column t mod d, so every column gets
 *   the same number of entries, ⌊D·s/d⌋ or one more;
 * - each entry is a random sign (a row that lands twice in one column keeps one sign there, so
 *   entries never cancel), and each column is scaled to unit norm. Columns are then nearly
 *   orthogonal: two share few rows, with random signs.
 *
 * Both directions are gathers, no scatter: Δθ = P·z gathers z by a [D, s] column table, and
 * ∂L/∂z = Pᵀ·∂L/∂θ gathers the flat gradient by a [d, width] row table (padded with an index to
 * an appended zero). tfjs's WebAssembly backend has no UnsortedSegmentSum, which the automatic
 * gradient of a gather needs, so the tape path goes through `tf.customGrad` with the same
 * transposed gather, and the MLP's hand-written backward pass calls it directly.
 *
 * Each gather is followed by a multiply and a sum over s, so the three run as one kernel, a
 * "gather-sum", on the CPU and WebAssembly backends: a JavaScript loop over the tensors' own
 * arrays, as the fused Adam kernel does. tfjs's WebAssembly gather took 30 ms for the 104,488
 * entries of P here (measured in Node), the loop well under one; GPU backends keep the ops.
 *
 * The trainable variable is z alone (d numbers; Adam keeps 2d more); θ₀, the tables and the
 * padding's zero are frozen, and the memory ledger counts them there.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '$lib/math/rng';
import type { LinearCache } from '../access';
import { matMul } from '../kernels/linalg';
import { registerHostKernel } from '../kernels/hostKernels';
import type { ModelDef } from '../model';
import { sizeOf, type Weights } from '../params';
import { toVariable, Tuned, type TuningConfig } from '../tuned';

/** The fused gather-multiply-sum kernel's name in tfjs's registry. */
export const GATHER_SUM_KERNEL = 'WhyPeftGatherSum';

/**
 * out[i] = Σ_{k<s} x[idx[i·s + k]]·val[i·s + k] for i < out.length, over plain arrays. The
 * reference for the kernels and the fallback ops alike.
 */
export function gatherSumArrays(
	x: Float32Array,
	idx: Int32Array,
	val: Float32Array,
	s: number,
	out: Float32Array
): void {
	for (let i = 0, t = 0; i < out.length; i++) {
		let acc = 0;
		for (let k = 0; k < s; k++, t++) acc += x[idx[t]] * val[t];
		out[i] = acc;
	}
}

// On the cpu and WebAssembly backends the kernel is the loop above, run on the tensors' own
// memory (`registerHostKernel`).
registerHostKernel(GATHER_SUM_KERNEL, {
	outputs: (shapes, attrs) => [[tf.util.sizeFromShape(shapes.idx) / (attrs.s as number)]],
	run: ({ x, idx, val }, [out], attrs) =>
		gatherSumArrays(
			x as Float32Array,
			idx as Int32Array,
			val as Float32Array,
			attrs.s as number,
			out
		)
});

/**
 * Σ_k x[idx[i, k]]·val[i, k] for each row i of `idx` and `val` [n, s] (or flat [n·s]): one
 * kernel where the backend has it, gather, multiply and sum elsewhere. @returns [n], caller owns
 */
export function gatherSum(x: tf.Tensor1D, idx: tf.Tensor, val: tf.Tensor, s: number): tf.Tensor1D {
	if (tf.getKernel(GATHER_SUM_KERNEL, tf.getBackend())) {
		return tf.engine().runKernel(GATHER_SUM_KERNEL, { x, idx, val }, { s } as never) as tf.Tensor1D;
	}
	return gatherSumOps(x, idx, val, s);
}

/** `gatherSum` by tfjs's gather, multiply and sum: the GPU backends' path. @returns [n], caller owns */
export function gatherSumOps(
	x: tf.Tensor1D,
	idx: tf.Tensor,
	val: tf.Tensor,
	s: number
): tf.Tensor1D {
	return tf.tidy(
		() => tf.sum(tf.reshape(tf.mul(tf.gather(x, idx), val), [-1, s]), 1) as tf.Tensor1D
	);
}

/** Nonzeros per row of P. */
export const SUBSPACE_NONZEROS = 4;

/** The name z goes by among the trainable variables. */
export const SUBSPACE_VARIABLE = 'z';

/** A sparse random projection P [D, d] as plain tables. */
export interface SparseProjection {
	/** Rows (the parameter count), columns (the subspace dimension), nonzeros per row. */
	D: number;
	d: number;
	s: number;
	/** Row i's entries: columns `rowCol[i·s + k]` with values `rowVal[i·s + k]`, k < s. */
	rowCol: Int32Array;
	rowVal: Float32Array;
	/** Column j's entries: rows `colRow[j·width + t]` (D marks padding) with values `colVal`. */
	width: number;
	colRow: Int32Array;
	colVal: Float32Array;
}

/**
 * The sparse projection described above, from `rng` alone (the same seed, the same P).
 * Needs 1 ≤ d ≤ D and s ≥ 1. Caller owns the arrays.
 */
export function sparseProjection(D: number, d: number, s: number, rng: Rng): SparseProjection {
	if (!Number.isInteger(D) || D < 1) throw new RangeError(`D must be a positive integer, got ${D}`);
	if (!Number.isInteger(d) || d < 1 || d > D) {
		throw new RangeError(`subspace dimension d must be an integer in [1, ${D}], got ${d}`);
	}
	if (!Number.isInteger(s) || s < 1) throw new RangeError(`s must be ≥ 1, got ${s}`);
	const rowCol = new Int32Array(D * s);
	const sign = new Float32Array(D * s);
	const signs = rng.fork('signs');
	for (let k = 0; k < s; k++) {
		const perm = rng.fork(`shuffle:${k}`).permutation(D);
		for (let i = 0; i < D; i++) {
			const row = perm[i];
			rowCol[row * s + k] = (k * D + i) % d;
		}
	}
	for (let row = 0; row < D; row++) {
		for (let k = 0; k < s; k++) {
			const at = row * s + k;
			let same = -1;
			for (let q = 0; q < k && same < 0; q++) if (rowCol[row * s + q] === rowCol[at]) same = q;
			sign[at] = same >= 0 ? sign[row * s + same] : signs.uint32() & 1 ? 1 : -1;
		}
	}
	// ‖column‖² = Σ over rows of (sum of that row's entries in the column)², equal signs adding.
	const norm2 = new Float64Array(d);
	const count = new Int32Array(d);
	for (let row = 0; row < D; row++) {
		for (let k = 0; k < s; k++) {
			const col = rowCol[row * s + k];
			count[col]++;
			let first = true;
			let m = 0;
			for (let q = 0; q < s; q++) {
				if (rowCol[row * s + q] !== col) continue;
				if (q < k) first = false;
				m++;
			}
			if (first) norm2[col] += m * m;
		}
	}
	const rowVal = new Float32Array(D * s);
	for (let t = 0; t < D * s; t++) rowVal[t] = sign[t] / Math.sqrt(norm2[rowCol[t]]);
	let width = 0;
	for (let j = 0; j < d; j++) width = Math.max(width, count[j]);
	const colRow = new Int32Array(d * width).fill(D);
	const colVal = new Float32Array(d * width);
	const fill = new Int32Array(d);
	for (let t = 0; t < D * s; t++) {
		const j = rowCol[t];
		const at = j * width + fill[j]++;
		colRow[at] = Math.floor(t / s);
		colVal[at] = rowVal[t];
	}
	return { D, d, s, rowCol, rowVal, width, colRow, colVal };
}

interface Slice {
	/** Offset of the parameter in the flat θ, and its shape. */
	offset: number;
	shape: number[];
	/** Its rows of P: columns [n·s] and values [n·s]. */
	cols: tf.Tensor1D;
	vals: tf.Tensor1D;
}

/** Frozen θ₀ trained through θ = θ₀ + P·z with z of `config.dim` dimensions. */
export class SubspaceTuned extends Tuned {
	readonly z: tf.Variable<tf.Rank.R1>;
	readonly projection: Pick<SparseProjection, 'D' | 'd' | 's' | 'width'>;
	private readonly slices = new Map<string, Slice>();
	/** Pᵀ as gather tables: rows [d, width] (D marks padding) and values [d, width]. */
	private readonly colRow: tf.Tensor2D;
	private readonly colVal: tf.Tensor2D;
	private readonly zero: tf.Tensor1D;

	constructor(model: ModelDef, weights: Weights, config: TuningConfig, rng: Rng) {
		super(model, weights, () => false);
		const D = model.params.reduce((n, p) => n + sizeOf(p.shape), 0);
		const d = config.dim ?? 64;
		const s = SUBSPACE_NONZEROS;
		const P = sparseProjection(D, d, s, rng.fork('projection'));
		this.projection = { D, d, s, width: P.width };
		let offset = 0;
		for (const spec of model.params) {
			const n = sizeOf(spec.shape);
			const rows = [offset * s, (offset + n) * s];
			this.slices.set(spec.name, {
				offset,
				shape: spec.shape,
				cols: this.hold('frozen', () => tf.tensor1d(P.rowCol.subarray(rows[0], rows[1]), 'int32')),
				vals: this.hold('frozen', () => tf.tensor1d(P.rowVal.subarray(rows[0], rows[1])))
			});
			offset += n;
		}
		this.colRow = this.hold('frozen', () => tf.tensor2d(P.colRow, [d, P.width], 'int32'));
		this.colVal = this.hold('frozen', () => tf.tensor2d(P.colVal, [d, P.width]));
		this.zero = this.hold('frozen', () => tf.zeros([1]));
		this.z = this.hold('trainable', () =>
			toVariable(tf.zeros([d]) as tf.Tensor1D, true, SUBSPACE_VARIABLE)
		);
		this.trainable.push({ name: SUBSPACE_VARIABLE, variable: this.z });
	}

	/** Δθ of one parameter, (P·z) restricted to its rows, in its shape. No tape. */
	private delta(slice: Slice, z: tf.Tensor1D): tf.Tensor {
		const s = this.projection.s;
		return tf.reshape(gatherSum(z, slice.cols, slice.vals, s), slice.shape);
	}

	/**
	 * ∂L/∂z = Pᵀ·g for the flat gradient g [D] of every parameter: one gather of g (with a zero
	 * appended for the padding) by the column table, summed along each column. @returns [d]
	 */
	projectGradient(flat: tf.Tensor1D): tf.Tensor1D {
		return tf.tidy(() => {
			const g = tf.concat([flat, this.zero]);
			return gatherSum(g as tf.Tensor1D, this.colRow, this.colVal, this.projection.width);
		});
	}

	/**
	 * θ₀ + P·z for one parameter: a new tensor, so call it inside `tf.tidy` (the model's forward
	 * passes do). Differentiable in z through `tf.customGrad`, whose gradient is the transposed
	 * gather (`projectGradient` of g placed at the parameter's rows).
	 */
	override param(name: string): tf.Tensor {
		const slice = this.slices.get(name);
		if (!slice) throw new Error(`no parameter ${name}`);
		const theta0 = this.frozen.get(name)!;
		const n = sizeOf(slice.shape);
		const D = this.projection.D;
		const project = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
			value: this.delta(slice, args[0] as tf.Tensor1D),
			gradFunc: (dy: tf.Tensor) =>
				this.projectGradient(
					tf.pad(tf.reshape(dy, [n]), [[slice.offset, D - slice.offset - n]]) as tf.Tensor1D
				)
		}));
		return tf.add(theta0, project(this.z));
	}

	override linear(name: string, x: tf.Tensor2D, activation?: 'relu'): tf.Tensor2D {
		const spec = this.linearSpec(name);
		return tf.fused.matMul({
			a: x,
			b: this.param(`${name}.W`) as tf.Tensor2D,
			bias: spec.bias ? this.param(`${name}.b`) : undefined,
			activation: activation ?? 'linear'
		}) as tf.Tensor2D;
	}

	/** Every layer moves with z. */
	override linearTrains(name: string): boolean {
		this.linearSpec(name);
		return true;
	}

	/** θ of the layer at the current z, kept for the backward pass (saved[0] is W). */
	override linearForward(name: string, x: tf.Tensor2D, activation?: 'relu'): LinearCache {
		const spec = this.linearSpec(name);
		const W = this.current(`${name}.W`) as tf.Tensor2D;
		const bias = spec.bias ? this.current(`${name}.b`) : undefined;
		const relu = activation === 'relu';
		return { name, x, out: matMul(x, W, { bias, relu }), relu, saved: [W] };
	}

	/**
	 * ∂L/∂W and ∂L/∂b as full training would have them, kept under the parameters' names; once
	 * every parameter has one (the lowest layer comes last), ∂L/∂z = Pᵀ·∂L/∂θ is set under `z`.
	 */
	protected override linearParamGrads(
		cache: LinearCache,
		dz: tf.Tensor2D,
		grads: Map<string, tf.Tensor>
	): void {
		const { name, x } = cache;
		this.setWeightGrads(name, x, dz, true, Boolean(this.linearSpec(name).bias), grads);
		this.projectWhenComplete(grads);
	}

	/** The weight W₀ + P·z the forward pass used (kept in the cache). */
	protected override linearWeight(cache: LinearCache): tf.Tensor2D {
		return cache.saved[0] as tf.Tensor2D;
	}

	/** Every parameter moves with z. */
	override paramTrains(name: string): boolean {
		if (!this.slices.has(name)) throw new Error(`no parameter ${name}`);
		return true;
	}

	override paramValue(name: string): tf.Tensor {
		return this.current(name);
	}

	/** Kept under the parameter's name until every parameter has one, as for the linear layers. */
	override paramBackward(name: string, grad: tf.Tensor, grads: Map<string, tf.Tensor>): void {
		grads.set(name, grad);
		this.projectWhenComplete(grads);
	}

	/** Once every parameter has its gradient in `grads`, set ∂L/∂z = Pᵀ·∂L/∂θ under `z`. */
	private projectWhenComplete(grads: Map<string, tf.Tensor>): void {
		if (grads.has(SUBSPACE_VARIABLE)) return;
		if (!this.model.params.every((p) => grads.has(p.name))) return;
		const flat = tf.concat(this.model.params.map((p) => tf.reshape(grads.get(p.name)!, [-1])));
		grads.set(SUBSPACE_VARIABLE, this.projectGradient(flat as tf.Tensor1D));
	}

	/** θ₀ + P·z of one parameter without the tape. New tensor; call inside `tf.tidy`. */
	private current(name: string): tf.Tensor {
		const slice = this.slices.get(name);
		if (!slice) throw new Error(`no parameter ${name}`);
		return tf.add(this.frozen.get(name)!, this.delta(slice, this.z));
	}

	override async deltaW(name: string): Promise<Float32Array> {
		this.linearSpec(name);
		const d = tf.tidy(() => this.delta(this.slices.get(`${name}.W`)!, this.z));
		try {
			return (await d.data<'float32'>()).slice();
		} finally {
			d.dispose();
		}
	}

	override async exportWeights(): Promise<Weights> {
		const out: Weights = {};
		for (const spec of this.model.params) {
			const t = tf.tidy(() => this.current(spec.name));
			try {
				out[spec.name] = (await t.data<'float32'>()).slice();
			} finally {
				t.dispose();
			}
		}
		return out;
	}

	override dispose(): void {
		for (const s of this.slices.values()) tf.dispose([s.cols, s.vals]);
		this.slices.clear();
		tf.dispose([this.colRow, this.colVal, this.zero, this.z]);
		super.dispose();
	}
}
