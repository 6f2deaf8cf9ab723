/**
 * A teacher–student task whose fine-tuning target differs from the base by a planted low-rank
 * update. The base teacher is a Gaussian matrix W0 [dOut, dIn]; the fine-tuning teacher is
 * W0 + ΔW* with ΔW* = U·diag(s)·Vᵀ, U and V with orthonormal columns, of a chosen rank r and a
 * chosen size ‖ΔW*‖_F = relNorm·‖W0‖_F. A student that starts from W0 and learns a rank-k
 * adapter can then match the target exactly when k ≥ r, and no better than the Eckart–Young
 * remainder when k < r, so a lesson can dial the rank a task needs. Inputs are x ~ N(0, I);
 * targets are y = W·x (+ Gaussian noise) for regression, or argmax_i (W·x)_i for classification.
 * Plain TypeScript: no tfjs. Arithmetic is done in float64 and stored as Float32Array.
 */

import { createRng, type Rng } from '../../math/rng';

/** Shape of the planted update's singular values. */
export type Spectrum = 'flat' | 'decaying';

/** What the targets are. */
export type TargetKind = 'regression' | 'classification';

/** Options of `makeTeacherStudent`. Sizes are counts; `relNorm` and `noise` are ratios. */
export interface TeacherStudentOptions {
	/** Input dimension. */
	dIn: number;
	/** Output dimension (number of classes for classification). */
	dOut: number;
	/** Rank r of the planted update, 0 ≤ r ≤ min(dIn, dOut). */
	rank: number;
	/** ‖ΔW*‖_F / ‖W0‖_F. */
	relNorm: number;
	/** Training samples per task (base and fine-tune each). */
	nTrain: number;
	/** Test samples per task; defaults to nTrain / 4 rounded up. */
	nTest?: number;
	/** Std of Gaussian noise added to regression targets; 0 by default. Ignored for classes. */
	noise?: number;
	/** Regression (y = W x) or classification (argmax of W x). Default regression. */
	kind?: TargetKind;
	/**
	 * Singular values of ΔW*: `flat` (all equal, the default) or `decaying` (s_i ∝ 2^−i), which
	 * makes a low-rank adapter capture most but not all of the update.
	 */
	spectrum?: Spectrum;
	/** Seed of everything. W0 and the inputs do not depend on rank, relNorm or spectrum. */
	seed: number;
}

/**
 * Samples of one task. `x: Float32Array [n, dIn]`. For regression `y: Float32Array [n, dOut]`
 * and `labels` is null; for classification `labels: Int32Array [n]` and `y` holds the noiseless
 * teacher logits W·x [n, dOut].
 */
export interface TeacherSamples {
	readonly x: Float32Array;
	readonly y: Float32Array;
	readonly labels: Int32Array | null;
	readonly n: number;
}

/** A teacher–student task. Every array is new and owned by the caller. Matrices are row-major. */
export interface TeacherStudentTask {
	readonly dIn: number;
	readonly dOut: number;
	readonly rank: number;
	readonly kind: TargetKind;
	/** Base teacher W0: Float32Array [dOut, dIn], entries N(0, 1/dIn). */
	readonly W0: Float32Array;
	/** Planted update ΔW* = U·diag(s)·Vᵀ: Float32Array [dOut, dIn]. */
	readonly deltaW: Float32Array;
	/** Fine-tuning teacher W0 + ΔW*: Float32Array [dOut, dIn]. */
	readonly W1: Float32Array;
	/** Left singular vectors of ΔW*: Float32Array [dOut, rank], orthonormal columns. */
	readonly U: Float32Array;
	/** Singular values of ΔW*, descending: Float32Array [rank]; ‖s‖₂ = relNorm·‖W0‖_F. */
	readonly s: Float32Array;
	/** Right singular vectors of ΔW*: Float32Array [dIn, rank], orthonormal columns. */
	readonly V: Float32Array;
	/** Data labelled by W0, for pretraining the student. */
	readonly base: { readonly train: TeacherSamples; readonly test: TeacherSamples };
	/** Data labelled by W0 + ΔW*, for fine-tuning. */
	readonly fineTune: { readonly train: TeacherSamples; readonly test: TeacherSamples };
	/** For classification, the share of fine-tune test inputs whose class W0 and W1 disagree on. */
	readonly labelsChanged: number;
}

/**
 * Builds the base and fine-tuning teachers and samples both tasks. With the same seed, W0 and the
 * inputs are the same for every rank, size and spectrum, and the update's singular vectors for
 * rank r are the first r of those for any larger rank. @returns new arrays, caller owns.
 */
export function makeTeacherStudent(options: TeacherStudentOptions): TeacherStudentTask {
	const { dIn, dOut, rank, relNorm, nTrain, seed } = options;
	const nTest = options.nTest ?? Math.ceil(nTrain / 4);
	const noise = options.noise ?? 0;
	const kind = options.kind ?? 'regression';
	const spectrum = options.spectrum ?? 'flat';
	for (const [name, v] of Object.entries({ dIn, dOut, nTrain, nTest })) {
		if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer`);
	}
	if (!Number.isInteger(rank) || rank < 0 || rank > Math.min(dIn, dOut)) {
		throw new RangeError(`rank must be an integer in [0, ${Math.min(dIn, dOut)}], got ${rank}`);
	}
	if (!(relNorm >= 0)) throw new RangeError(`relNorm must be ≥ 0, got ${relNorm}`);
	if (!(noise >= 0)) throw new RangeError(`noise must be ≥ 0, got ${noise}`);

	const rng = createRng(seed);
	const w0 = gaussian(rng.fork('W0'), dOut * dIn, 1 / Math.sqrt(dIn));
	const w0Norm = norm2(w0);
	const u = orthonormalColumns(rng.fork('U'), dOut, rank);
	const v = orthonormalColumns(rng.fork('V'), dIn, rank);
	const s = singularValues(rank, spectrum, relNorm * w0Norm);

	const delta = new Float64Array(dOut * dIn);
	for (let k = 0; k < rank; k++) {
		for (let i = 0; i < dOut; i++) {
			const uik = u[i * rank + k] * s[k];
			if (uik === 0) continue;
			for (let j = 0; j < dIn; j++) delta[i * dIn + j] += uik * v[j * rank + k];
		}
	}
	const w1 = w0.map((w, i) => w + delta[i]);

	const sample = (label: string, W: Float64Array, n: number, xLabel: string): TeacherSamples =>
		sampleTeacher(W, dOut, dIn, n, rng.fork(xLabel), rng.fork(`${label}-noise`), noise, kind);
	const base = {
		train: sample('base-train', w0, nTrain, 'x-base-train'),
		test: sample('base-test', w0, nTest, 'x-base-test')
	};
	const fineTune = {
		train: sample('ft-train', w1, nTrain, 'x-ft-train'),
		test: sample('ft-test', w1, nTest, 'x-ft-test')
	};

	let labelsChanged = 0;
	if (kind === 'classification') {
		const baseOnFt = sampleTeacher(w0, dOut, dIn, nTest, rng.fork('x-ft-test'), null, 0, kind);
		const a = baseOnFt.labels as Int32Array;
		const b = fineTune.test.labels as Int32Array;
		for (let i = 0; i < nTest; i++) if (a[i] !== b[i]) labelsChanged++;
		labelsChanged /= nTest;
	}

	return {
		dIn,
		dOut,
		rank,
		kind,
		W0: Float32Array.from(w0),
		deltaW: Float32Array.from(delta),
		W1: Float32Array.from(w1),
		U: Float32Array.from(u),
		s: Float32Array.from(s),
		V: Float32Array.from(v),
		base,
		fineTune,
		labelsChanged
	};
}

/** Euclidean norm, without spreading a large array into arguments. */
function norm2(a: Float64Array): number {
	let sum = 0;
	for (let i = 0; i < a.length; i++) sum += a[i] * a[i];
	return Math.sqrt(sum);
}

/** n draws of N(0, std²). */
function gaussian(rng: Rng, n: number, std: number): Float64Array {
	const out = new Float64Array(n);
	for (let i = 0; i < n; i++) out[i] = rng.normal(0, std);
	return out;
}

/**
 * k orthonormal columns in R^d, row-major [d, k]: Gaussian columns drawn one after another, then
 * modified Gram–Schmidt applied twice. Column j depends only on the draws for columns 0..j, so the
 * columns for rank k are a prefix of those for any larger rank.
 */
function orthonormalColumns(rng: Rng, d: number, k: number): Float64Array {
	const cols: Float64Array[] = [];
	for (let j = 0; j < k; j++) {
		const c = gaussian(rng, d, 1);
		for (let pass = 0; pass < 2; pass++) {
			for (const q of cols) {
				let dot = 0;
				for (let i = 0; i < d; i++) dot += q[i] * c[i];
				for (let i = 0; i < d; i++) c[i] -= dot * q[i];
			}
		}
		const norm = norm2(c);
		if (norm < 1e-9) throw new Error('degenerate Gaussian draw');
		for (let i = 0; i < d; i++) c[i] /= norm;
		cols.push(c);
	}
	const out = new Float64Array(d * k);
	for (let j = 0; j < k; j++) for (let i = 0; i < d; i++) out[i * k + j] = cols[j][i];
	return out;
}

/** Descending singular values of the given shape with ‖s‖₂ = total. */
function singularValues(rank: number, spectrum: Spectrum, total: number): Float64Array {
	const s = new Float64Array(rank);
	for (let i = 0; i < rank; i++) s[i] = spectrum === 'flat' ? 1 : 2 ** -i;
	const norm = norm2(s);
	if (norm > 0) for (let i = 0; i < rank; i++) s[i] *= total / norm;
	return s;
}

/** Inputs x ~ N(0, I) and their targets under W [dOut, dIn]. */
function sampleTeacher(
	W: Float64Array,
	dOut: number,
	dIn: number,
	n: number,
	xRng: Rng,
	noiseRng: Rng | null,
	noise: number,
	kind: TargetKind
): TeacherSamples {
	const x = new Float32Array(n * dIn);
	for (let i = 0; i < x.length; i++) x[i] = xRng.normal();
	const y = new Float32Array(n * dOut);
	const labels = kind === 'classification' ? new Int32Array(n) : null;
	for (let t = 0; t < n; t++) {
		let best = -Infinity;
		for (let i = 0; i < dOut; i++) {
			let acc = 0;
			for (let j = 0; j < dIn; j++) acc += W[i * dIn + j] * x[t * dIn + j];
			if (labels && acc > best) {
				best = acc;
				labels[t] = i;
			}
			if (kind === 'regression' && noise > 0 && noiseRng) acc += noise * noiseRng.normal();
			y[t * dOut + i] = acc;
		}
	}
	return { x, y, labels, n };
}
